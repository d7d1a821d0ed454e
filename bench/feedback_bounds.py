"""What one oversized or deeply nested submission costs the grader: the code scan, and
`generate_feedback` (the course's template, sanitising and Markdown filter).

    python -m bench.feedback_bounds [--quick]   (from the repository)

Grades correct_carla once in a scratch course (`grading autograde`), then, for each case,
adds one cell to her autograded notebook and runs nbgrader's generate_feedback for her
(grading.record.Recorder.make_feedback: the path `grading autograde --feedback` takes on
this machine) in a fresh process. The cases:
- code:      a code cell of N KB of ordinary statements (highlighting, sanitising);
- markdown:  a markdown cell of N KB of nested <div>s (the Markdown filter's sanitiser,
             then the template's clean_html);
- output:    an execute_result whose text/html is N KB of nested <div>s (clean_html).
And the scan (grading.plugins.integrity.ScanStudentCode) of a code cell of N KB.
Each line: the case, its size, the seconds, the process's peak memory (its own and any
child's), and what became of it (the page's size, or the error).
"""
import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from tests.support import ROOT  # the repository (the course): python -m bench... runs from it

STUDENT = "correct_carla"
LIMIT = 400  # seconds a single measurement may take before it is given up


def code_cell(size):
    line = "total = total + (1, 2, 3, 4)[0] * 2  # one more step\n"
    return nbformat.v4.new_code_cell("total = 0\n" + line * (size // len(line)))


def nested_divs(size):
    depth = size // len("<div></div>")
    return "<div>" * depth + "deep" + "</div>" * depth


def added_cell(kind, size):
    if kind == "code":
        return code_cell(size)
    if kind == "markdown":
        return nbformat.v4.new_markdown_cell(nested_divs(size))
    cell = nbformat.v4.new_code_cell("show()")
    cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/html": nested_divs(size)},
                                           execution_count=1)]
    return cell


def peak_mb():
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def measure_feedback(course):
    from grading.record import Recorder
    from tests.support import ASSIGNMENT
    recorder = Recorder(course, ASSIGNMENT)
    started = time.monotonic()
    processed, error, _ = recorder.make_feedback(STUDENT, force=True)
    seconds = time.monotonic() - started
    pages = list((Path(course) / "feedback" / STUDENT).rglob("*.html"))
    outcome = error or (f"page {pages[0].stat().st_size // 1024} KB" if pages else "no page")
    return seconds, outcome


def measure_scan(size):
    from grading.plugins.findings import findings
    from grading.plugins.integrity import ScanStudentCode
    nb = nbformat.v4.new_notebook(cells=[code_cell(size)])
    started = time.monotonic()
    nb, _ = ScanStudentCode().preprocess(nb, {})
    return time.monotonic() - started, "; ".join(e["reason"] for e in findings(nb)) or "no finding"


def one(args):
    if args.measure == "scan":
        seconds, outcome = measure_scan(args.size)
    else:
        seconds, outcome = measure_feedback(args.course)
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb(), "outcome": outcome}))


def run(command):
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=LIMIT, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return f"more than {LIMIT} s (given up)"
    if done.returncode:
        return f"failed: {done.stderr.strip().splitlines()[-1:]}"
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return f"{result['seconds']:7.2f} s  {result['peak_mb']:7.0f} MB  {result['outcome'][:110]}"


def graded_course():
    from grading.course import tool_env
    from grading.submissions import build_submission, read_answers
    from tests.support import ASSIGNMENT, NOTEBOOK, generated_course, notebook_path
    course = generated_course(Path(tempfile.mkdtemp(prefix="feedback-bounds-")) / "course")
    answers = read_answers(ROOT / "demo" / "students" / f"{STUDENT}.py")
    folder = course / "submitted" / STUDENT / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(build_submission(notebook_path(course, "release"), answers), str(folder / f"{NOTEBOOK}.ipynb"))
    subprocess.run([sys.executable, "-m", "grading", "autograde", ASSIGNMENT, "--course", str(course),
                    "--workers", "1"], cwd=ROOT, env=tool_env(), check=True, capture_output=True)
    return course, notebook_path(course, "autograded", STUDENT)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="the smaller sizes only")
    parser.add_argument("--measure", choices=["scan", "feedback"], help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--course", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return one(args)
    me = [sys.executable, str(Path(__file__).resolve())]
    kb = 1024
    scan_sizes = [100, 1000] if args.quick else [100, 300, 1000, 3000]
    sizes = {"code": [100, 400] if args.quick else [100, 400, 1600, 4000],
             "markdown": [20, 40] if args.quick else [20, 40, 80, 160],
             "output": [20, 40] if args.quick else [20, 40, 80, 160]}
    for size in scan_sizes:
        print(f"scan      {size:5d} KB  {run(me + ['--measure', 'scan', '--size', str(size * kb)])}", flush=True)
    course, autograded = graded_course()
    original = autograded.read_text()
    print(f"feedback  honest      {run(me + ['--measure', 'feedback', '--course', str(course)])}", flush=True)
    for kind, kind_sizes in sizes.items():
        for size in kind_sizes:
            nb = nbformat.reads(original, as_version=4)
            nb.cells.append(added_cell(kind, size * kb))
            nbformat.write(nb, str(autograded))
            result = run(me + ["--measure", "feedback", "--course", str(course)])
            print(f"{kind:9s} {size:5d} KB  {result}", flush=True)
    autograded.write_text(original)


if __name__ == "__main__":
    sys.exit(main())
