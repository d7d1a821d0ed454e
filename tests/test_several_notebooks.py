"""An assignment of several notebooks with cells graded by hand: nbgrader's own example
course "ps1" (problem1 and problem2, each with a "Part A" and a "Part B"; manually graded
answers and a task), copied from nbgrader (tests/nbgrader_example) and graded by plain
`nbgrader autograde`. The reports must key questions by notebook and heading, and report a
cell graded by hand as awaiting its grade, never as a failed test or a likely mistake."""
import csv
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from grading import diagnosis
from grading.assignment import read_assignment
from grading.class_report import class_facts, misconceptions, write_class_report
from grading.commands import report, similarity
from grading.course import run_nbgrader
from grading.gradebook import open_gradebook
from grading.plugins.findings import cell_label

USER_GUIDE = Path(__file__).parent / "nbgrader_example"  # nbgrader's example course (its README)
PS1 = "ps1"
NOTEBOOKS = ("problem1", "problem2")
STUDENTS = ("bitdiddle", "hacker")
GRADED_BY_HAND = ("problem1", "sum_of_squares_application", "hacker", 1.5)  # of its 2 points
POINTS_HEADING = re.compile(r"^#+\s*(.+?)\s*\(\d+(?:\.\d+)?\s+points?\)", re.MULTILINE)


def ps1_course(folder):
    """A course folder with ps1's source and the guide's two submissions, no gradebook."""
    shutil.copytree(USER_GUIDE / "source" / PS1, folder / "source" / PS1)
    for student in STUDENTS:
        shutil.copytree(USER_GUIDE / "submitted" / student / PS1, folder / "submitted" / student / PS1)
    (folder / "nbgrader_config.py").write_text(
        'c = get_config()\nc.CourseDirectory.course_id = "example_course"\n')
    return folder


def source_cells():
    """{(notebook, grade_id): (heading above it, nbgrader metadata)} of the graded cells,
    read here without grading.assignment."""
    found = {}
    for name in NOTEBOOKS:
        heading = None
        for cell in nbformat.read(str(USER_GUIDE / "source" / PS1 / f"{name}.ipynb"), as_version=4).cells:
            if cell.cell_type == "markdown":
                heading = ([m.group(1) for m in POINTS_HEADING.finditer(cell.source)] or [heading])[-1]
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade") or meta.get("task"):
                found[name, meta["grade_id"]] = (heading, meta)
    return found


def by_hand(meta):
    return bool(meta.get("solution") or meta.get("task"))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """ps1 generated and autograded by nbgrader, with one answer graded by hand since."""
    course = ps1_course(tmp_path_factory.mktemp("ps1"))
    run_nbgrader(course, "generate_assignment", PS1)
    run_nbgrader(course, "autograde", PS1)
    notebook, grade_id, student, score = GRADED_BY_HAND
    with open_gradebook(course) as gb:
        gb.find_grade(grade_id, notebook, PS1, student).manual_score = score
        gb.db.commit()
    return course


def gradebook_cells(course, student):
    """{(notebook, grade_id): nbgrader's Grade fields} of a student, straight from nbgrader."""
    with open_gradebook(course) as gb:
        return {(name, grade.name): {"score": grade.score, "manual_score": grade.manual_score,
                                     "needs_manual_grade": grade.needs_manual_grade}
                for name in NOTEBOOKS
                for grade in gb.find_submission_notebook(name, PS1, student).grades}


# --- fast: the structure alone ------------------------------------------------------------

def test_questions_are_keyed_by_notebook_and_heading(tmp_path):
    structure = read_assignment(ps1_course(tmp_path), PS1)
    expected = list(dict.fromkeys(f"{name}: {heading}" for (name, _), (heading, _) in source_cells().items()))
    assert [q.key for q in structure.questions] == expected
    assert "problem1: Part A" in expected and "problem2: Part A" in expected
    assert [q.name for q in structure.questions] == expected  # "Part A" has no words after a colon
    columns = report.columns(structure)
    assert len(columns) == len(set(columns))


def test_text_table_headers_name_both_notebooks(tmp_path):
    structure = read_assignment(ps1_course(tmp_path), PS1)
    notebooks, labels = report.headers(structure)
    assert [n for n in notebooks if n] == list(NOTEBOOKS)
    assert labels.count("Part A /2") == 1 and labels.count("Part A /1") == 1  # problem1's, problem2's
    assert notebooks.index("problem2") == labels.index("Part A /1")


def test_cells_graded_by_hand_are_no_tests(tmp_path):
    structure = read_assignment(ps1_course(tmp_path), PS1)
    cells = source_cells()
    manual = {structure.key(n, g) for (n, g), (_, meta) in cells.items() if by_hand(meta)}
    assert structure.manual_keys == manual and manual
    units = diagnosis.units(structure)
    assert len({label for label, _ in units}) == len(units)
    assert set().union(*(keys for _, keys in units)) == {structure.key(n, g) for n, g in cells} - manual
    nb = nbformat.read(str(USER_GUIDE / "source" / PS1 / "problem1.ipynb"), as_version=4)
    named = {cell.metadata.nbgrader["grade_id"]: cell_label(cell, i) for i, cell in enumerate(nb.cells)
             if cell.metadata.get("nbgrader", {}).get("grade_id")}
    assert named["sum_of_squares_application"] == "answer cell sum_of_squares_application"
    assert named["correct_squares"] == "test cell correct_squares"


# --- slow: graded by nbgrader -------------------------------------------------------------

@pytest.mark.slow
def test_report_scores_each_notebooks_parts(graded):
    cells = source_cells()
    rows, structure = report.report_rows(graded, PS1)
    assert [row["student"] for row in rows] == list(STUDENTS)
    for row in rows:
        expected = {}
        for (name, grade_id), grade in gradebook_cells(graded, row["student"]).items():
            key = f"{name}: {cells[name, grade_id][0]}"
            expected[key] = expected.get(key, 0.0) + grade["score"]
        assert {q.key: row[q.key] for q in structure.questions} == expected, row["student"]
        assert sum(expected.values()) == pytest.approx(row["score"])
    assert any(row["problem1: Part A"] != row["problem2: Part A"] for row in rows)
    _, _, path = report.write_report(graded, PS1)
    with open(path, newline="") as f:
        header = next(csv.reader(f))
    assert len(header) == len(set(header)) and "problem2: Part B" in header


@pytest.mark.slow
def test_manual_cells_await_their_grade(graded):
    cells = source_cells()
    rows = {row["student"]: row for row in report.report_rows(graded, PS1)[0]}
    for student in STUDENTS:
        grades = gradebook_cells(graded, student)
        waiting = {key for key, g in grades.items()
                   if by_hand(cells[key][1]) and g["needs_manual_grade"] and g["manual_score"] is None}
        text = rows[student]["flags"] + rows[student]["reasons"]
        assert waiting and "awaiting a manual grade" in rows[student]["flags"]
        for name, grade_id in cells:
            assert (f"({grade_id})" in text) == ((name, grade_id) in waiting), (student, grade_id)
            assert not (by_hand(cells[name, grade_id][1]) and f"test cell {grade_id}" in text)
    _, grade_id, student, _ = GRADED_BY_HAND
    assert f"({grade_id})" not in rows[student]["flags"]  # graded by hand since


@pytest.mark.slow
def test_class_report_keeps_manual_cells_out_of_tests_and_mistakes(graded):
    path, facts = write_class_report(graded, PS1)
    structure = facts.structure
    manual = structure.manual_keys
    assert [c.key for c in facts.cells if c.key in manual] == []
    assert sorted(c.key for c in facts.cells) == sorted(
        structure.key(n, g) for (n, g), (_, meta) in source_cells().items() if not by_hand(meta))
    assert sorted(m.key for m in facts.manual) == sorted(manual)
    for m in facts.manual:
        for student in STUDENTS:
            grade = gradebook_cells(graded, student)[tuple(m.key.split(":", 1))]
            assert (student in m.awaiting) == (grade["needs_manual_grade"] and grade["manual_score"] is None)
            assert (student in m.scores) == (student not in m.awaiting)
            if student in m.scores:
                assert m.scores[student] == grade["score"]
    manual_units = {q.name for q in structure.questions if all(c.kind != "test" for c in q.cells)}
    assert manual_units and not {v.unit for d in facts.diagnoses.values() for v in d} & manual_units
    assert not {d.unit for d, _ in misconceptions(facts)} & manual_units
    page = path.read_text(encoding="utf-8")
    for q in structure.questions:
        assert f"{q.key} /{q.points:g}" in page
    assert "awaiting a manual grade" in page


@pytest.mark.slow
def test_similarity_counts_no_manual_cell_as_a_failure(graded):
    structure = read_assignment(graded, PS1)
    manual = structure.manual_keys
    failures = similarity.rare_failures(graded, PS1, structure, list(STUDENTS))
    assert failures and not {key for found in failures.values() for _, fails in found
                             for key, _ in fails} & manual
    pairs, _, labels, _ = similarity.compare_class(graded, PS1)
    assert not {key for pair in pairs for key in pair.identical_failures} & manual
    assert set(labels.values()) <= {h.name for h in structure.questions + structure.parts}


@pytest.mark.slow
def test_text_table_shows_both_notebooks(graded):
    rows, structure = report.report_rows(graded, PS1)
    lines = report.table(rows, structure).splitlines()
    assert "problem1" in lines[0] and "problem2" in lines[0]
    assert lines[1].startswith("student") and lines[1].count("Part A") == 2
    for row in rows:
        line = next(line for line in lines if line.startswith(row["student"]))
        assert line.split()[1:1 + len(structure.questions)] == [f"{row[q.key]:g}" for q in structure.questions]
