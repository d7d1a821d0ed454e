"""The grader's peak memory for one submission, blank and flooding.

    python -m bench.grader_memory [--cases blank,red_team_comms,...]   (from the repository)

Grades each case alone with plain `nbgrader autograde` (the course's configuration, in a
scratch course) and prints the peak resident memory of nbgrader's own process (its
getrusage at exit: the student's kernel, a process of its own, is not counted), with the
wall time and the score. Cases:
- blank: the release's stubs; correct: demo/students/correct_carla.py;
- red_team_comms: eighty 12 MiB widget (comm) messages from one answer cell, each a new
  widget (nbclient kept every widget's state: 2 GiB before the cap);
- message_flood: tests/bad_submissions/message_flood.py (widgets, display updates);
- output_flood: tests/bad_submissions/output_flood.py (print loops);
- many_buffers: one widget message of forty 15 MiB binary parts (600 MiB): the socket
  limits each part of a message, not how many parts it has.
"""
import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from grading import gradebook
from grading.course import tool_env
from grading.submissions import build_submission, read_answers
from tests.support import ASSIGNMENT, NOTEBOOK, ROOT, generated_course, notebook_path

BAD = ROOT / "tests" / "bad_submissions"
CORRECT = ROOT / "demo" / "students" / "correct_carla.py"
# Appended to the correct minus_gradient answer.
FLOODS = {
    "red_team_comms": """
from comm import create_comm
big = "w" * (12 * 1024 ** 2)
for _ in range(80):
    create_comm(target_name="jupyter.widget", data={"state": {"_model_name": "M", "v": big},
                                                    "buffer_paths": []})
""",
    "many_buffers": """
from comm import create_comm
part = memoryview(b"w" * (15 * 1024 ** 2))
create_comm(target_name="jupyter.widget", data={}).send(
    {"state": {}, "buffer_paths": [["b", str(i)] for i in range(40)]}, buffers=[part] * 40)
""",
}
CASES = ("blank", "correct", "red_team_comms", "message_flood", "output_flood", "many_buffers")
# nbgrader, with its own peak memory printed as it exits.
MEASURED = ("import atexit, resource, sys\n"
            "atexit.register(lambda: print('PEAK_RSS_KIB', resource.getrusage("
            "resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr))\n"
            "from nbgrader.apps.nbgraderapp import main\n"
            "sys.argv = ['nbgrader'] + sys.argv[1:]\n"
            "main()\n")


def answers(case):
    if case == "blank":
        return {}
    found = read_answers(CORRECT)
    if case in FLOODS:
        found["minus_gradient"] += FLOODS[case]
    elif case != "correct":
        found.update(read_answers(BAD / f"{case}.py"))
    return found


def grade(case):
    """(peak MiB of nbgrader's process, wall seconds, score line) for one case."""
    with tempfile.TemporaryDirectory() as folder:
        course = generated_course(Path(folder) / "course")
        submitted = course / "submitted" / case / ASSIGNMENT
        submitted.mkdir(parents=True)
        nb = build_submission(notebook_path(course, "release"), answers(case))
        (submitted / f"{NOTEBOOK}.ipynb").write_text(nbformat.writes(nb))
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-c", MEASURED, "autograde", ASSIGNMENT,
                                 "--student", case], cwd=course, env=tool_env(),
                                capture_output=True, text=True)
        wall = time.perf_counter() - started
        peak = re.findall(r"PEAK_RSS_KIB (\d+)", result.stderr)
        if not peak:
            raise RuntimeError(f"{case}: no measurement\n{result.stderr[-3000:]}")
        scores = gradebook.cell_scores(course, ASSIGNMENT, case) or {}
        score = sum(score for score, _ in scores.values())
        return int(peak[-1]) / 1024, wall, score


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", default=",".join(CASES))
    options = parser.parse_args(argv)
    print(f"{'submission':<16} {'nbgrader peak MiB':>18} {'seconds':>8} {'score':>6}")
    for case in options.cases.split(","):
        peak, wall, score = grade(case)
        print(f"{case:<16} {peak:>18.0f} {wall:>8.1f} {score:>6.0f}", flush=True)


if __name__ == "__main__":
    main()
