"""Serial `nbgrader autograde` against `grading autograde` on Dask, on one synthetic class.

    python -m bench.autograde_speed [--submissions 40] [--workers N | --scheduler ADDRESS]
    (from the repository)

Builds a class of N submissions (a mix of correct, partial, blank and broken ones, see
tests/support/synthetic.py) in two scratch copies of the course, grades one with plain
`nbgrader autograde ASSIGNMENT` and the other with `grading autograde ASSIGNMENT` (on a
LocalCluster, or on the cluster at --scheduler), both with the course's own
nbgrader_config.py, and compares every cell's score. Reports:
- each run's wall time and peak memory (all its processes: nbgrader, workers, kernels);
- the engine's own cost per submission, as the command measures it (Dask's time on the
  workers outside grading, and recording in the gradebook here);
- CPU per submission (the machine's busy time: all processes, kernels included; run it on
  an idle machine; LocalCluster only) against the CPU of the notebook's own "Restart and
  run all" (kernel start-up included);
then ends with one line:

    serial S s/sub, parallel P s/sub, speedup X.XXx, identical scores: yes|no
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from grading.cluster import usable_cores
from grading.course import run_nbgrader, tool_env
from grading.gradebook import snapshot as gradebook_snapshot
from tests.support import ASSIGNMENT, ROOT, fresh_course, synthetic

RUN_ALL_CPU = """
import resource, subprocess, tempfile
import nbformat
from nbclient import NotebookClient
from tests.support import synthetic
nb = nbformat.reads(synthetic.notebook_text("correct"), as_version=4)
def cpu():
    return sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF,
               resource.RUSAGE_CHILDREN) for f in ("ru_utime", "ru_stime"))
with tempfile.TemporaryDirectory() as folder:
    client = NotebookClient(nb, timeout=60, kernel_name="python3",
                            resources={"metadata": {"path": folder}})
    before = cpu()
    client.execute(stderr=subprocess.DEVNULL)
    print(cpu() - before)
"""


def machine_cpu():
    """CPU seconds this machine has been busy (all cores): kernels in their sandboxes and
    whatever they fork are counted too, which a process tree's own accounting misses."""
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0) - getattr(times, "steal", 0.0)


def run_measured(command, cwd):
    """Runs command; returns (seconds, peak bytes of the process tree's resident memory,
    the machine's busy CPU seconds meanwhile (run on an idle machine), its output)."""
    peak, cpu_before = 0, machine_cpu()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=tool_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    done = threading.Event()

    def sample():
        nonlocal peak
        root = psutil.Process(process.pid)
        while not done.wait(0.1):
            try:
                tree = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            total = 0
            for p in tree:
                try:
                    total += p.memory_info().rss
                except psutil.NoSuchProcess:
                    pass
            peak = max(peak, total)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = process.communicate()[0]
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    return seconds, peak, machine_cpu() - cpu_before, output


def run_all_cpu():
    """CPU seconds of the notebook's "Restart and run all" (correct answers): the kernel
    (start-up included) and the client driving it, imports left out."""
    result = subprocess.run([sys.executable, "-c", RUN_ALL_CPU], cwd=ROOT, env=tool_env(),
                            capture_output=True, text=True, check=True)
    return float(result.stdout.strip().splitlines()[-1])


def prepared_course(folder, students):
    course = fresh_course(folder)
    run_nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    synthetic.write_submitted(course, students)
    return course


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--kinds", default=",".join(synthetic.MIX),
                        help="the kinds of submission, cycled (e.g. correct: the CPU comparison "
                             "with run-all is then like for like)")
    engine = parser.add_mutually_exclusive_group()
    engine.add_argument("--workers", type=int, default=None,
                        help=f"LocalCluster workers (default: one per core, here {usable_cores()})")
    engine.add_argument("--scheduler", help="grade on this running Dask cluster instead")
    options = parser.parse_args()
    students = synthetic.class_list(options.submissions, mix=options.kinds.split(","))
    kinds = {}
    for _, kind in students:
        kinds[kind] = kinds.get(kind, 0) + 1
    print(f"class: {options.submissions} submissions ("
          + ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())) + f"); "
          f"{usable_cores()} cores, load average {os.getloadavg()[0]:.1f} at the start")

    with tempfile.TemporaryDirectory(prefix="autograde-speed-") as scratch:
        serial = prepared_course(Path(scratch) / "serial", students)
        in_parallel = prepared_course(Path(scratch) / "parallel", students)

        serial_seconds, serial_peak, serial_cpu, _ = run_measured(
            [sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT], serial)
        parallel_command = [sys.executable, "-m", "grading", "autograde", ASSIGNMENT,
                            "--course", str(in_parallel)]
        if options.workers:
            parallel_command += ["--workers", str(options.workers)]
        if options.scheduler:
            parallel_command += ["--scheduler", options.scheduler]
        parallel_seconds, parallel_peak, parallel_cpu, output = run_measured(parallel_command, ROOT)

        ids = [student for student, _ in students]
        serial_scores = gradebook_snapshot(serial, ASSIGNMENT, ids)
        parallel_scores = gradebook_snapshot(in_parallel, ASSIGNMENT, ids)
    graded = sum(scores is not None for scores in serial_scores.values())
    identical = serial_scores == parallel_scores

    n = options.submissions
    mib = 1024 * 1024
    where = f"cluster at {options.scheduler}" if options.scheduler else "LocalCluster"
    print(f"graded by serial nbgrader autograde: {graded} of {n}")
    print(f"serial:   {serial_seconds:7.1f} s, peak memory {serial_peak / mib:6.0f} MiB, "
          f"CPU {serial_cpu / n:.2f} s per submission ({serial_cpu / serial_seconds:.2f} cores busy)")
    print(f"parallel: {parallel_seconds:7.1f} s, peak memory {parallel_peak / mib:6.0f} MiB"
          + ("" if options.scheduler else f", CPU {parallel_cpu / n:.2f} s per submission "
                                           f"({parallel_cpu / parallel_seconds:.2f} cores busy)")
          + f" ({where})")
    engine_line = re.search(r"^engine: .*$", output, re.M)
    print(engine_line.group(0) if engine_line else "engine: (no line in the command's output)")
    run_all = run_all_cpu()
    print(f"run-all of the student notebook (correct answers, kernel start-up included): "
          f"CPU {run_all:.2f} s; grading's extra CPU per submission: serial "
          f"{100 * (serial_cpu / n / run_all - 1):.0f}%"
          + ("" if options.scheduler else f", parallel {100 * (parallel_cpu / n / run_all - 1):.0f}%")
          + ("" if options.kinds == "correct" else " (a mixed class: compare with --kinds correct)"))
    print(f"serial {serial_seconds / n:.2f} s/sub, parallel {parallel_seconds / n:.2f} s/sub, "
          f"speedup {serial_seconds / parallel_seconds:.2f}x, "
          f"identical scores: {'yes' if identical else 'no'}")


if __name__ == "__main__":
    main()
