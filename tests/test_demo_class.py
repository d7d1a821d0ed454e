"""The README's main job grades the demo class end to end, with the right score in every cell."""
import csv
import re

import nbformat
import pytest

from grading.class_report import class_facts
from tests.support import cell_scores, notebook_path, structure
from tests.support.report_check import disagreements

pytestmark = pytest.mark.slow  # real nbgrader batches: minutes

TEST_CELLS = {cell.grade_id: cell.points for cell in structure().cells}  # grade_id: points

# Pat assigns gradients instead of adding them (caught wherever a node is shared) and
# drops the minus sign of Divide's second partial. Nothing else may cost Pat points:
# in particular fit, which back-propagates through shared nodes, is graded on its own.
PARTIAL_PAT = dict(TEST_CELLS, compute_gradient_nested=0, compute_gradient_shared_nodes=0,
                   divide_gradient_correct=0)

EXPECTED = {
    "correct_carla": TEST_CELLS,
    "blank_ben": {grade_id: 0 for grade_id in TEST_CELLS},
    "partial_pat": PARTIAL_PAT,
}


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_scores_per_cell(demo_class, student):
    scores = cell_scores(demo_class, student)
    assert {grade_id: score for grade_id, (score, _) in scores.items()} == EXPECTED[student]
    assert {grade_id: max_score for grade_id, (_, max_score) in scores.items()} == TEST_CELLS


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_autograded_notebook_and_feedback_exist(demo_class, student):
    graded = nbformat.read(str(notebook_path(demo_class, "autograded", student)), as_version=4)
    assert any(cell.get("outputs") for cell in graded.cells if cell.cell_type == "code")
    feedback = notebook_path(demo_class, "feedback", student).read_text()
    total = sum(EXPECTED[student].values())
    assert f"Score: <b>{total:g} / 100</b>" in feedback
    for grade_id, score in EXPECTED[student].items():  # each test's heading: its name, its score
        assert re.search(rf'<a name="{grade_id}"></a>\s*<div class="panel-heading test-heading">\s*'
                         rf'<span class="pull-right">{score:g} / {TEST_CELLS[grade_id]:g} ', feedback), grade_id


def test_grades_csv_holds_every_student(demo_class):
    with open(demo_class / "grades.csv", newline="") as f:
        rows = {row["student_id"]: row for row in csv.DictReader(f)}
    assert {student: float(rows[student]["score"]) for student in EXPECTED} == {
        student: float(sum(cells.values())) for student, cells in EXPECTED.items()}
    assert all(float(row["max_score"]) == 100 for row in rows.values())


def test_instructor_report_holds_every_student(demo_class):
    with open(demo_class / "reports" / "expressions_to_ml.csv", newline="") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert set(rows) == set(EXPECTED)
    for student, cells in EXPECTED.items():
        assert float(rows[student]["score"]) == sum(cells.values()), student
        # None of the demo students does anything that deserves an instructor's look.
        assert rows[student]["needs_review"] == "no", (student, rows[student]["flags"])
        for question in structure().questions:  # one column per question, from its heading
            assert float(rows[student][question.title]) == sum(
                cells[c.grade_id] for c in question.cells), (student, question.title)


def test_class_report_agrees_with_the_gradebook(demo_class):
    assert disagreements(demo_class, "expressions_to_ml", sorted(EXPECTED)) == []


def test_class_report_names_pats_mistakes(demo_class):
    """Pat's two mistakes are in the table of known mistakes: the report recognises both,
    and names Divide's lost sign alone. (Question 1's failures depend on the judge's draws:
    which known mistakes match them best varies.)"""
    diagnoses = {d.unit: d for d in class_facts(demo_class, "expressions_to_ml").diagnoses["partial_pat"]}
    assert set(diagnoses) == {"Question 1", "Question 2b: Divide"}
    assert diagnoses["Question 1"].recognised
    divide = diagnoses["Question 2b: Divide"]
    assert ([m for m, _ in divide.mistakes], divide.quality) == (["divide_sign_error"], "exact")
