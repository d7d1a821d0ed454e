"""How long the homework takes to run, and to autograde.

    python -m bench.notebook_speed [--repeats 3]   (from the repository)

Reports, each the median of --repeats runs:
- kernel start-up: a fresh python3 kernel, started until ready, then shut down;
- run-all: the student notebook with correct answers (demo/students/correct_carla.py),
  executed top to bottom on a fresh kernel with nbclient, start-up included: what a
  student waits for after "Restart and run all";
- autograde per submission: `nbgrader autograde` of 1 and of 1 + extra submissions in
  a scratch course; the difference per extra submission is the cost of one more
  submission, nbgrader's process start-up left out.
"""
import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import nbformat
from jupyter_client.manager import start_new_kernel
from nbclient import NotebookClient

from grading.course import run_nbgrader
from tests.support import ASSIGNMENT, fresh_course, synthetic


def timed(action):
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def kernel_start_seconds():
    def start_and_stop():
        manager, client = start_new_kernel(kernel_name="python3", startup_timeout=60,
                                           stderr=subprocess.DEVNULL)
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return timed(start_and_stop)


def run_all_seconds():
    nb = nbformat.reads(synthetic.notebook_text("correct"), as_version=4)
    with tempfile.TemporaryDirectory() as folder:
        client = NotebookClient(nb, timeout=60, kernel_name="python3",
                                resources={"metadata": {"path": folder}})
        return timed(lambda: client.execute(stderr=subprocess.DEVNULL))


def autograde_seconds(submissions):
    """Wall time of `nbgrader autograde` of `submissions` correct submissions (the
    course's own configuration) in a scratch course."""
    with tempfile.TemporaryDirectory() as folder:
        course = fresh_course(Path(folder) / "course")
        run_nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
        synthetic.write_submitted(course, synthetic.class_list(submissions, mix=("correct",)))
        return timed(lambda: run_nbgrader(course, "autograde", ASSIGNMENT))


def median_of(repeats, measure, *args):
    return statistics.median(measure(*args) for _ in range(repeats))


def report(repeats, extra=4):
    kernel = median_of(repeats, kernel_start_seconds)
    run_all = median_of(repeats, run_all_seconds)
    one = median_of(repeats, autograde_seconds, 1)
    more = median_of(repeats, autograde_seconds, 1 + extra)
    per_submission = (more - one) / extra
    return kernel, run_all, one, per_submission, [
        f"kernel start-up:                     {kernel:.2f} s",
        f"run-all, correct answers (student):  {run_all:.2f} s (kernel start-up included)",
        f"nbgrader autograde, 1 submission:    {one:.2f} s (process start-up included)",
        f"nbgrader autograde, each one more:   {per_submission:.2f} s per submission",
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    print("\n".join(report(options.repeats)[-1]))


if __name__ == "__main__":
    main()
