"""One class, one command: an LMS download of N submissions to grades the LMS can import.

    python -m bench.class_run_speed [--submissions 100] [--workers N]   (from the repository)

Packs a synthetic class (tests/support/synthetic.py: a mix of correct, partial, blank and broken
submissions) as a Canvas-style submissions zip, then runs `grading class-run`
on it in a scratch copy of the course, the gradebook empty: zip_collect, parallel
autograde and feedback, export, instructor report. Prints the command's own summary and
ends with one line:

    class_run: N submissions in S s (P s/sub), exit status X
"""
import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grading.course import tool_env
from tests.support import ASSIGNMENT, ROOT, fresh_course, synthetic


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=100)
    parser.add_argument("--workers", type=int, default=None)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="class-run-bench-") as scratch:
        course = fresh_course(Path(scratch) / "course")
        download = synthetic.canvas_download(
            Path(scratch) / "submissions.zip", synthetic.class_list(options.submissions), course)
        command = [sys.executable, "-m", "grading", "class-run", ASSIGNMENT, str(download),
                   "--course", str(course)]
        if options.workers:
            command += ["--workers", str(options.workers)]
        started = time.perf_counter()
        # The progress bar goes to stderr: left out, so the log holds only the summary.
        result = subprocess.run(command, cwd=ROOT, env=tool_env(), stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        seconds = time.perf_counter() - started
    print(result.stdout.rstrip())
    print(f"class_run: {options.submissions} submissions in {seconds:.1f} s "
          f"({seconds / options.submissions:.2f} s/sub), exit status {result.returncode}")


if __name__ == "__main__":
    main()
