"""Grades the demo class end to end, with nbgrader's own commands.

    python -m grading.demo [COURSE_DIR]

1. `nbgrader generate_assignment`: source/ -> release/ (the student version);
2. each demo/students/<id>.py becomes submitted/<id>/<assignment>/<notebook>.ipynb,
   built from the release;
3. `nbgrader autograde`: executes every submission, scores into the gradebook,
   graded notebooks into autograded/;
4. `nbgrader generate_feedback`: one HTML page per student in feedback/;
5. `nbgrader export`: grades.csv, one row per student and assignment;
6. a per-student summary, read back from the gradebook, and the instructor report
   (grading.report: score, flags and reasons per submission) in reports/.
"""
import sys
from pathlib import Path

from .course import ASSIGNMENT, NOTEBOOK, QUESTIONS, ROOT, notebook_path, run_nbgrader
from . import report
from .gradebook import cell_scores, question_scores
from .submissions import build_submission, read_answers, write_submission

DEMO_STUDENTS = ROOT / "demo" / "students"


def submit_demo_class(course_dir):
    """Writes one submission per demo student; returns their ids."""
    release = notebook_path(course_dir, "release")
    ids = []
    for answer_file in sorted(DEMO_STUDENTS.glob("*.py")):
        nb = build_submission(release, read_answers(answer_file))
        write_submission(course_dir, answer_file.stem, ASSIGNMENT, NOTEBOOK, nb)
        ids.append(answer_file.stem)
    return ids


def summary_table(course_dir, student_ids):
    """A plain-text table: one row per student, one column per question, and the total."""
    header = ["student"] + list(QUESTIONS) + ["total"]
    rows = []
    for student in student_ids:
        scores = cell_scores(course_dir, student)
        if scores is None:
            rows.append([student] + ["-"] * len(QUESTIONS) + ["not graded"])
            continue
        per_question = question_scores(scores)
        cells = [f"{per_question[q][0]:g} / {per_question[q][1]:g}" for q in QUESTIONS]
        total = sum(s for s, _ in scores.values()), sum(m for _, m in scores.values())
        rows.append([student] + cells + [f"{total[0]:g} / {total[1]:g}"])
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    lines = ["  ".join(str(v).ljust(w) for v, w in zip(row, widths)) for row in [header] + rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(course_dir=ROOT):
    course_dir = Path(course_dir)
    step = lambda text: print(f"==> {text}", flush=True)
    step(f"generating the student version in release/{ASSIGNMENT}/")
    run_nbgrader(course_dir, "generate_assignment", ASSIGNMENT, "--force")
    step("collecting the demo class into submitted/")
    student_ids = submit_demo_class(course_dir)
    print("    " + ", ".join(student_ids))
    step("autograding (each notebook runs on a fresh kernel)")
    run_nbgrader(course_dir, "autograde", ASSIGNMENT, "--force")
    step("writing feedback HTML into feedback/")
    run_nbgrader(course_dir, "generate_feedback", ASSIGNMENT, "--force")
    step("exporting grades to grades.csv")
    run_nbgrader(course_dir, "export", "--to", str(course_dir / "grades.csv"))
    print()
    print(summary_table(course_dir, student_ids))
    rows, report_csv = report.write_report(course_dir, ASSIGNMENT)
    print()
    print(report.table(rows))
    print()
    print(f"graded notebooks: {course_dir / 'autograded'}/<student>/{ASSIGNMENT}/")
    print(f"feedback:         {course_dir / 'feedback'}/<student>/{ASSIGNMENT}/{NOTEBOOK}.html")
    print(f"grades:           {course_dir / 'grades.csv'}")
    print(f"report:           {report_csv}")


if __name__ == "__main__":
    main(*sys.argv[1:])
