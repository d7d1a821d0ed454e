"""The instructor report: per submission its score per question, and every flag and reason.

    grading report ASSIGNMENT [--html] [--course DIR]

Run it after autograding. It prints a table and writes reports/ASSIGNMENT.csv: one row per
submission, one column per question (titled from the source notebook's headings, see
grading.assignment; with several notebooks, by notebook and heading: "problem1: Part A"),
whether it needs review, and every reason the grader recorded. Cells graded by hand that
have no grade yet are named as awaiting a manual grade, never as failures.
Scores come from the gradebook, reasons from the autograded notebooks
(grading.plugins.findings). A submission that nbgrader could not grade at all, or that
holds no notebook, still gets a row saying so.

With --html it also writes the class report, reports/ASSIGNMENT/class_report.html: one
self-contained page with the score distributions, each test's pass rate and
discrimination, the common failures and the likely mistakes behind them
(grading.class_report).
"""
import textwrap
from pathlib import Path

import nbformat
from nbgrader.api import MissingEntry

from .. import csv_safe
from ..assignment import read_assignment
from ..course import is_linked, submitted_folders
from ..gradebook import awaiting_manual_grade, open_gradebook, scores
from ..plugins.findings import findings

SEPARATOR = " | "  # between reasons in one CSV field
MAX_SHOWN = 2000  # characters of one reason in the table (findings are capped below that)
WORDS_SHOWN = 24  # characters of a heading's words under its column's label in the table


def _notebook_findings(course_dir, student, assignment, notebook):
    submitted = Path(course_dir, "submitted", student, assignment)
    if is_linked(submitted):
        return [{"reason": "the submission folder is a link, not the student's own: not graded",
                 "review": True}]
    path = Path(course_dir, "autograded", student, assignment, f"{notebook}.ipynb")
    if not path.exists():
        handed_in = submitted / f"{notebook}.ipynb"
        if handed_in.is_symlink() or (handed_in.exists() and not handed_in.is_file()):
            return [{"reason": f"{notebook}.ipynb in the submission is a link or a special file, "
                               "not a notebook: not graded", "review": True}]
        if not handed_in.exists():
            found = sorted(p.name for p in submitted.glob("*")) if submitted.exists() else []
            return [{"reason": f"no {notebook}.ipynb in the submission"
                               + (f" (found: {', '.join(found)})" if found else ""),
                     "review": True}]
        return [{"reason": f"{notebook}.ipynb not graded: autograde failed on it "
                           "(see the nbgrader log)", "review": True}]
    return findings(nbformat.read(str(path), as_version=4))


def _awaiting(structure, keys):
    """The finding for cells graded by hand that wait for their grade, or None."""
    named = [f"{structure.question_of(key).name} ({cell.grade_id})" for cell in structure.cells
             if (key := structure.key(cell.notebook, cell.grade_id)) in keys]
    return {"reason": "awaiting a manual grade: " + ", ".join(named), "review": True} if named else None


def columns(structure):
    """The CSV's columns: the question columns are the questions' keys (their titles,
    with their notebook when there are several)."""
    return (["student", "score", "max_score"] + [q.key for q in structure.questions]
            + ["needs_review", "flags", "reasons"])


def report_rows(course_dir, assignment):
    """One dict per submission (keys: columns()), sorted by student id; a question's
    value is its score, or "" for a submission without grades."""
    course_dir = Path(course_dir)
    structure = read_assignment(course_dir, assignment)
    students = set(submitted_folders(course_dir, assignment))
    rows = []
    with open_gradebook(course_dir) as gb:
        graded = gb.find_assignment(assignment)
        notebooks = [nb.name for nb in graded.notebooks]
        max_score = graded.max_score
        students |= {s.student.id for s in graded.submissions}
        for student in sorted(students):
            try:
                submission = gb.find_submission(assignment, student)
                score, review = submission.score, submission.needs_manual_grade
                per_question = {key: pair[0] for key, pair
                                in structure.question_scores(scores(submission)).items()}
                waiting = _awaiting(structure, awaiting_manual_grade(submission, structure.manual_keys))
            except MissingEntry:
                score, review, waiting = 0.0, True, None
                per_question = {q.key: "" for q in structure.questions}
            entries = ([waiting] if waiting else []) + [
                entry for nb in notebooks for entry in _notebook_findings(course_dir, student, assignment, nb)]
            review = review or any(entry["review"] for entry in entries)
            rows.append({
                "student": student, "score": score, "max_score": max_score, **per_question,
                "needs_review": "yes" if review else "no",
                "flags": SEPARATOR.join(e["reason"] for e in entries if e["review"]),
                "reasons": SEPARATOR.join(e["reason"] for e in entries if not e["review"]),
            })
    return rows, structure


def write_report(course_dir, assignment):
    """Writes the report as reports/<assignment>.csv; returns (rows, structure, path)."""
    rows, structure = report_rows(course_dir, assignment)
    csv_path = Path(course_dir) / "reports" / f"{assignment}.csv"
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    with open(csv_path, "w", newline="") as f:
        writer = csv_safe.dict_writer(f, columns(structure))
        writer.writeheader()
        writer.writerows(rows)
    return rows, structure, csv_path


def _points(value):
    return value if value == "" else f"{value:g}"


def _shorten(words, limit=WORDS_SHOWN):
    """The words, cut at a space to fit the limit, "..." telling that more follow."""
    if len(words) <= limit:
        return words
    cut = words[:limit - 3]
    return (cut.rsplit(" ", 1)[0] if " " in cut.strip() else cut).rstrip(" ,;:") + "..."


def headers(structure):
    """The table's header lines: each question column headed by its label and points,
    with the heading's words below (shortened) and, when the assignment has several
    notebooks, the notebook above its first question."""
    questions = structure.questions
    lines = [["student"] + [f"{q.label} /{q.points:g}" for q in questions] + ["total", "review"]]
    if any(q.words for q in questions):
        lines.append([""] + [_shorten(q.words) for q in questions] + ["", ""])
    if len(structure.notebooks) > 1:
        lines.insert(0, [""] + [q.notebook if i == 0 or questions[i - 1].notebook != q.notebook else ""
                                for i, q in enumerate(questions)] + ["", ""])
    return lines


def table(rows, structure, width=100):
    """Plain text: one line per submission with its score per question (see headers()),
    its flags and reasons indented below."""
    header = headers(structure)
    lines_of = [[row["student"]] + [_points(row[q.key]) for q in structure.questions]
                + [f"{row['score']:g} / {row['max_score']:g}", row["needs_review"]]
                for row in rows]
    widths = [max(len(line[i]) for line in header + lines_of) for i in range(len(header[0]))]
    fmt = lambda line: "  ".join(v.ljust(w) for v, w in zip(line, widths)).rstrip()
    lines = [fmt(line) for line in header] + ["  ".join("-" * w for w in widths)]
    for row, line in zip(rows, lines_of):
        lines.append(fmt(line))
        for label, text in (("flag", row["flags"]), ("note", row["reasons"])):
            for item in filter(None, text.split(SEPARATOR)):
                item = item[:MAX_SHOWN]  # textwrap is slow on very long words
                lines += textwrap.wrap(f"{label}: {item}", width, initial_indent="    ",
                                       subsequent_indent="          ")
    return "\n".join(lines)


def add_arguments(parser):
    parser.add_argument("assignment")
    parser.add_argument("--html", action="store_true",
                        help="also write the class report, reports/ASSIGNMENT/class_report.html")


def run(course_dir, options):
    rows, structure, csv_path = write_report(course_dir, options.assignment)
    print(table(rows, structure))
    print(f"\n{len(rows)} submissions; "
          f"{sum(r['needs_review'] == 'yes' for r in rows)} need review. CSV: {csv_path}")
    if options.html:
        from ..class_report import write_class_report  # it builds on this module's rows
        path, _ = write_class_report(course_dir, options.assignment, (rows, structure))
        print(f"Class report: {path}")
    return 0
