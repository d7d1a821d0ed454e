"""The instructor's report for one assignment: one row per submission with its score,
whether it needs review, and every reason the grader recorded.

    python -m grading.report ASSIGNMENT [--course COURSE_DIR]

Run it after `nbgrader autograde ASSIGNMENT` (in the course folder, or point --course at
it). It prints a table and writes reports/ASSIGNMENT.csv. Scores come from the gradebook;
reasons from the autograded notebooks (grading.findings). A submission that nbgrader
could not grade at all, or that holds no notebook, still gets a row saying so.
"""
import argparse
import csv
import sys
import textwrap
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from .findings import findings
from .gradebook import db_url

COLUMNS = ["student", "score", "max_score", "needs_review", "flags", "reasons"]
SEPARATOR = " | "  # between reasons in one CSV field
MAX_SHOWN = 2000  # characters of one reason in the table (findings are capped below that)


def _notebook_findings(course_dir, student, assignment, notebook):
    path = Path(course_dir, "autograded", student, assignment, f"{notebook}.ipynb")
    if not path.exists():
        submitted = Path(course_dir, "submitted", student, assignment)
        if not (submitted / f"{notebook}.ipynb").exists():
            found = sorted(p.name for p in submitted.glob("*")) if submitted.exists() else []
            return [{"reason": f"no {notebook}.ipynb in the submission"
                               + (f" (found: {', '.join(found)})" if found else ""),
                     "review": True}]
        return [{"reason": f"{notebook}.ipynb not graded: autograde failed on it "
                           "(see the nbgrader log)", "review": True}]
    return findings(nbformat.read(str(path), as_version=4))


def report_rows(course_dir, assignment):
    """One dict per submission (keys: COLUMNS), sorted by student id."""
    course_dir = Path(course_dir)
    submitted = course_dir / "submitted"
    students = {p.parent.name for p in submitted.glob(f"*/{assignment}") if p.is_dir()}
    rows = []
    with Gradebook(db_url(course_dir)) as gb:
        notebooks = [nb.name for nb in gb.find_assignment(assignment).notebooks]
        max_score = gb.find_assignment(assignment).max_score
        students |= {s.student.id for s in gb.find_assignment(assignment).submissions}
        for student in sorted(students):
            try:
                submission = gb.find_submission(assignment, student)
                score, review = submission.score, submission.needs_manual_grade
            except MissingEntry:
                score, review = 0.0, True
            entries = [entry for nb in notebooks
                       for entry in _notebook_findings(course_dir, student, assignment, nb)]
            review = review or any(entry["review"] for entry in entries)
            rows.append({
                "student": student, "score": score, "max_score": max_score,
                "needs_review": "yes" if review else "no",
                "flags": SEPARATOR.join(e["reason"] for e in entries if e["review"]),
                "reasons": SEPARATOR.join(e["reason"] for e in entries if not e["review"]),
            })
    return rows


def write_report(course_dir, assignment):
    """Writes the report as reports/<assignment>.csv; returns (rows, that path)."""
    rows = report_rows(course_dir, assignment)
    csv_path = Path(course_dir) / "reports" / f"{assignment}.csv"
    write_csv(rows, csv_path)
    return rows, csv_path


def write_csv(rows, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def table(rows, width=100):
    """Plain text: one line per submission, its flags and reasons indented below."""
    name_width = max([len("student")] + [len(r["student"]) for r in rows])
    lines = [f"{'student':<{name_width}}  {'score':>13}  review", "-" * (name_width + 23)]
    for row in rows:
        score = f"{row['score']:g} / {row['max_score']:g}"
        lines.append(f"{row['student']:<{name_width}}  {score:>13}  {row['needs_review']}")
        for label, text in (("flag", row["flags"]), ("note", row["reasons"])):
            for item in filter(None, text.split(SEPARATOR)):
                item = item[:MAX_SHOWN]  # textwrap is slow on very long words
                lines += textwrap.wrap(f"{label}: {item}", width, initial_indent="    ",
                                       subsequent_indent="          ")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Instructor report for one assignment.")
    parser.add_argument("assignment")
    parser.add_argument("--course", default=".", help="course folder (default: here)")
    options = parser.parse_args(argv)
    course_dir = Path(options.course).resolve()
    if not (course_dir / "nbgrader_config.py").exists():
        sys.exit(f"{course_dir} has no nbgrader_config.py: pass the course folder with --course")
    rows, csv_path = write_report(course_dir, options.assignment)
    print(table(rows))
    print(f"\n{len(rows)} submissions; "
          f"{sum(r['needs_review'] == 'yes' for r in rows)} need review. CSV: {csv_path}")


if __name__ == "__main__":
    main()
