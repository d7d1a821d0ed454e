"""Serial `nbgrader autograde` against the parallel command, on one synthetic class.

    python -m bench.autograde_speed [--submissions 100] [--workers N]   (from the repository)

Builds a class of N submissions (a mix of correct, partial, blank and broken ones, see
tests/support/synthetic.py) in two scratch copies of the course, grades one with plain
`nbgrader autograde ASSIGNMENT` and the other with `grading autograde
ASSIGNMENT`, both with the course's own nbgrader_config.py, and compares every cell's
score. Reports the peak memory of each run (all its processes together: nbgrader, its
workers, the kernels) and the notebook's own run-all time, then ends with one line:

    serial S s/sub, parallel P s/sub, speedup X.XXx, identical scores: yes|no
"""
import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from bench.notebook_speed import kernel_start_seconds, run_all_seconds
from grading.commands.autograde import usable_cores
from grading.course import run_nbgrader, tool_env
from grading.gradebook import snapshot as gradebook_snapshot
from tests.support import ASSIGNMENT, ROOT, fresh_course, synthetic



def run_measured(command, cwd):
    """Runs command; returns (seconds, peak bytes of the process tree's resident memory)."""
    peak = 0
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=tool_env(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
    process.wait()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    return seconds, peak


def prepared_course(folder, students):
    course = fresh_course(folder)
    run_nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    synthetic.write_submitted(course, students)
    return course


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=100)
    parser.add_argument("--workers", type=int, default=None,
                        help=f"parallel workers (default: one per core, here {usable_cores()})")
    options = parser.parse_args()
    students = synthetic.class_list(options.submissions)
    kinds = {}
    for _, kind in students:
        kinds[kind] = kinds.get(kind, 0) + 1
    print(f"class: {options.submissions} submissions ("
          + ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())) + f"); "
          f"{usable_cores()} cores, load average {os.getloadavg()[0]:.1f} at the start")

    with tempfile.TemporaryDirectory(prefix="autograde-speed-") as scratch:
        serial = prepared_course(Path(scratch) / "serial", students)
        in_parallel = prepared_course(Path(scratch) / "parallel", students)

        serial_seconds, serial_peak = run_measured(
            [sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT], serial)
        parallel_command = [sys.executable, "-m", "grading", "autograde", ASSIGNMENT,
                            "--course", str(in_parallel)]
        if options.workers:
            parallel_command += ["--workers", str(options.workers)]
        parallel_seconds, parallel_peak = run_measured(parallel_command, ROOT)

        ids = [student for student, _ in students]
        serial_scores = gradebook_snapshot(serial, ASSIGNMENT, ids)
        parallel_scores = gradebook_snapshot(in_parallel, ASSIGNMENT, ids)
    graded = sum(scores is not None for scores in serial_scores.values())
    identical = serial_scores == parallel_scores

    n = options.submissions
    mib = 1024 * 1024
    print(f"graded by serial nbgrader autograde: {graded} of {n}")
    print(f"serial:   {serial_seconds:7.1f} s, peak memory {serial_peak / mib:6.0f} MiB")
    print(f"parallel: {parallel_seconds:7.1f} s, peak memory {parallel_peak / mib:6.0f} MiB")
    print(f"kernel start-up {kernel_start_seconds():.2f} s; run-all of the student notebook "
          f"(correct answers, start-up included) {run_all_seconds():.2f} s")
    print(f"serial {serial_seconds / n:.2f} s/sub, parallel {parallel_seconds / n:.2f} s/sub, "
          f"speedup {serial_seconds / parallel_seconds:.2f}x, "
          f"identical scores: {'yes' if identical else 'no'}")


if __name__ == "__main__":
    main()
