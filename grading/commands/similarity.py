"""Which students' answers agree more than chance explains: a reason to look, never a finding.

    grading similarity ASSIGNMENT [--top N] [--course DIR]

Works on any collected class, graded or not. Each submission in submitted/ is read and
repaired as autograde reads it (grading.plugins.repair: moved, renamed and duplicated
answer cells are found by their grade ids), then compared answer cell by answer cell with
every other (grading.similarity): the release's own code taken out, names, comments and
layout ignored, and each shared piece weighted by how rare it is in this class.

Writes reports/ASSIGNMENT/similarity.csv: the pairs that agree on at least one answer
cell or fail a test the same rare way, most similar first (columns student_a, student_b,
similarity, questions, identical_failures), and similarity.json, which the class report
shows (the top pairs side by side, the shared parts highlighted). Prints the top pairs.
"""
import json
import time
from pathlib import Path

import nbformat
from traitlets.config import Config

from .. import csv_safe, diagnosis, similarity
from ..assignment import read_assignment
from ..course import CourseError, course_config, notebook_path, submitted_students
from ..gradebook import db_url, prepare, snapshot
from ..task import read_regular_file
from ..plugins.repair import MAX_SUBMISSION_CHARS, RepairSubmission, read_submission

# From here on, a pair is marked in the terminal and the class report: chance would
# explain such a pair in about one class in ten. Calibrated in the README: no honest
# pair of the made-up classes (20 to 500 students) reached it.
REVIEW_AT = 0.9
SHOWN = 10  # pairs printed, and kept side by side for the class report
# A way of failing is "rare" when at most this share of the class fails that part of the
# assignment with the same tests and messages.
RARE_FAILURE = 0.05
COLUMNS = ["student_a", "student_b", "similarity", "questions", "identical_failures"]


def csv_path(course_dir, assignment):
    return Path(course_dir, "reports", assignment, "similarity.csv")


def json_path(course_dir, assignment):
    return Path(course_dir, "reports", assignment, "similarity.json")


def cell_labels(structure):
    """{answer cell key: the part or question it answers ("Question 2b"; "problem1:
    Part A" when the assignment has several notebooks)}."""
    labels = {}
    for heading in structure.questions + structure.parts:  # parts, deeper, win
        for grade_id in heading.answers:
            labels[structure.key(heading.notebook, grade_id)] = heading.name
    return labels


def _read(path):
    """The submission as autograde reads it (grading.plugins.repair), or None for a link
    (say, to a classmate's notebook) or a FIFO: the workers never receive one either
    (grading.task)."""
    data = read_regular_file(path, 4 * MAX_SUBMISSION_CHARS)  # UTF-8: up to 4 bytes a character
    if data is None:
        return None
    return read_submission(lambda limit: data.decode("utf-8")[:limit])


def submitted_answers(course_dir, assignment, structure):
    """{student: {answer cell key: code}} of every submission, after the repair step."""
    config = Config(course_config(course_dir))
    config.CourseDirectory.root = str(course_dir)
    repair = RepairSubmission(config=config)
    url = db_url(course_dir)
    result = {}
    for student in submitted_students(course_dir, assignment):
        folder = Path(course_dir, "submitted", student, assignment)
        result[student] = {}
        for name in structure.notebooks:
            submitted = _read(folder / f"{name}.ipynb")
            if submitted is None:
                continue
            nb, _ = repair.preprocess(submitted, {"nbgrader": {
                "db_url": url, "notebook": name, "assignment": assignment, "student": student}})
            for cell in nb.cells:
                meta = cell.metadata.get("nbgrader", {})
                if meta.get("solution") and cell.cell_type == "code":
                    result[student][structure.key(name, meta["grade_id"])] = cell.source
    return result


def release_template(course_dir, assignment, structure):
    """The release's code, and each answer cell's code in it."""
    sources, cells = [], {}
    for name in structure.notebooks:
        path = notebook_path(course_dir, "release", assignment, name)
        if not path.exists():
            raise CourseError(f"{path} is missing: generate the release first "
                              f"(nbgrader generate_assignment {assignment})")
        nb = nbformat.read(str(path), as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                sources.append(cell.source)
                meta = cell.metadata.get("nbgrader", {})
                if meta.get("solution"):
                    cells[structure.key(name, meta["grade_id"])] = cell.source
    return similarity.Template(sources, cells)


def rare_failures(course_dir, assignment, structure, students):
    """{student: {(part or question, its failures)}} for the ways of failing a part (or a
    question without parts) that few in the class share: the same tests failed with the
    same messages (test cells only: a cell graded by hand fails nothing). From the
    gradebook and the autograded notebooks; nothing for a class not graded yet."""
    units = diagnosis.units(structure)
    failed = {}
    for student, recorded in snapshot(course_dir, assignment, students).items():
        if not recorded:
            continue
        scores = {key: values[:2] for key, values in recorded.items()}
        messages = diagnosis.failures(course_dir, assignment, student, scores, structure.notebooks)
        failed[student] = {(label, tuple(sorted((k, messages[k]) for k in keys if k in messages)))
                           for label, keys in units if keys & messages.keys()}
    counts = {}
    for found in failed.values():
        for failure in found:
            counts[failure] = counts.get(failure, 0) + 1
    rare = max(2, int(RARE_FAILURE * len(students)))
    return {s: {f for f in found if counts[f] <= rare} for s, found in failed.items()}


def compare_class(course_dir, assignment):
    """(pairs, answers, labels, students): every pair of the class, most similar first."""
    course_dir = Path(course_dir)
    prepare(course_dir, assignment)
    structure = read_assignment(course_dir, assignment)
    template = release_template(course_dir, assignment, structure)
    code = submitted_answers(course_dir, assignment, structure)
    students = sorted(code)
    labels = cell_labels(structure)
    answers = {cell: {s: template.answer(cell, code[s][cell]) for s in students if cell in code[s]}
               for cell in labels}
    pairs = similarity.compare(answers, students)
    failures = rare_failures(course_dir, assignment, structure, students)
    for pair in pairs:
        shared = failures.get(pair.student_a, set()) & failures.get(pair.student_b, set())
        pair.identical_failures = sorted(key for _, failures in shared for key, _ in failures)
    pairs.sort(key=lambda p: (-p.similarity, -p.evidence, -len(p.identical_failures),
                              p.student_a, p.student_b))
    return pairs, answers, labels, students


def _questions(pair, labels):
    return "; ".join(dict.fromkeys(labels[cell] for cell in labels if cell in pair.cells))


def side_by_side(pair, answers, labels):
    """What the class report shows of a pair: each matching cell's two answers, with the
    character spans the two share."""
    shown = []
    for cell in (cell for cell in labels if cell in pair.cells):
        first, second = answers[cell][pair.student_a], answers[cell][pair.student_b]
        spans_a, spans_b = similarity.shared_spans(first, second)
        cell_similarity, p = pair.cells[cell]
        shown.append({"cell": cell, "question": labels[cell], "similarity": round(cell_similarity, 3),
                      "as_close": round(p, 4),
                      "a": {"source": first.source[:similarity.MAX_ANSWER_CHARS], "shared": spans_a},
                      "b": {"source": second.source[:similarity.MAX_ANSWER_CHARS], "shared": spans_b}})
    return shown


def write(course_dir, assignment, pairs, answers, labels, students, seconds):
    """similarity.csv and similarity.json; returns their paths."""
    path = csv_path(course_dir, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        writer = csv_safe.writer(f)
        writer.writerow(COLUMNS)
        for pair in pairs:
            if pair.cells or pair.identical_failures:
                writer.writerow([pair.student_a, pair.student_b, f"{pair.similarity:.4f}",
                                 _questions(pair, labels), "; ".join(pair.identical_failures)])
    top = [{"student_a": p.student_a, "student_b": p.student_b, "similarity": round(p.similarity, 4),
            "questions": _questions(p, labels), "identical_failures": p.identical_failures,
            "cells": side_by_side(p, answers, labels)} for p in [p for p in pairs if p.cells][:SHOWN]]
    record = {"students": len(students), "pairs": len(pairs), "review_at": REVIEW_AT,
              "seconds": round(seconds, 1), "finished": time.strftime("%Y-%m-%d %H:%M:%S"),
              "top": top}
    json_path(course_dir, assignment).write_text(json.dumps(record, indent=1))
    return path, json_path(course_dir, assignment)


def read_record(course_dir, assignment):
    """similarity.json as written by the last run, or None."""
    path = json_path(course_dir, assignment)
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def terminal_table(pairs, labels, shown=SHOWN):
    lines = ["similarity  students                              questions that match",
             "----------  ------------------------------------  ---------------------"]
    for pair in pairs[:shown]:
        if not (pair.cells or pair.identical_failures):
            break
        mark = " *" if pair.similarity >= REVIEW_AT else "  "
        extra = f" (same rare failure: {', '.join(pair.identical_failures)})" if pair.identical_failures else ""
        lines.append(f"{pair.similarity:8.3f}{mark}  {pair.student_a + ' / ' + pair.student_b:36}  "
                     f"{_questions(pair, labels) or '-'}{extra}")
    return "\n".join(lines)


def add_arguments(parser):
    parser.add_argument("assignment")
    parser.add_argument("--top", type=int, default=SHOWN, help=f"pairs to print (default {SHOWN})")


def check_class(course_dir, assignment):
    """Compares the class and writes similarity.csv and .json; returns (pairs, labels,
    csv path, one summary line)."""
    started = time.monotonic()
    pairs, answers, labels, students = compare_class(course_dir, assignment)
    seconds = time.monotonic() - started
    path, _ = write(course_dir, assignment, pairs, answers, labels, students, seconds)
    flagged = sum(p.similarity >= REVIEW_AT for p in pairs)
    line = (f"{len(students)} students, {len(pairs)} pairs compared in {seconds:.1f} s; "
            f"{flagged} pair{'s' * (flagged != 1)} at or above {REVIEW_AT}")
    return pairs, labels, path, line


def run(course_dir, options):
    pairs, labels, path, line = check_class(course_dir, options.assignment)
    print(terminal_table(pairs, labels, options.top))
    print(f"\n{line} (marked *). Similarity is a reason to look at two submissions, not a finding.")
    print(f"CSV: {path}")
    from ..class_report import class_report_path, write_class_report  # it reads this module
    if class_report_path(course_dir, options.assignment).exists():
        report, _ = write_class_report(course_dir, options.assignment)
        print(f"Class report (with the top pairs side by side): {report}")
    return 0
