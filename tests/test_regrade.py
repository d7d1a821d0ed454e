"""`grading regrade`: after a fix to the source notebook (a corrected hidden test, a new
test cell), release and class are graded again and the report lists exactly whose scores
changed; manual grades survive, a student whose regrade fails keeps what they had, and a
removed cell is refused before anything is touched."""
import csv
import shutil
import warnings
from pathlib import Path

import nbformat
import pytest
from nbgrader.preprocessors import AssignLatePenalties
from sqlalchemy.exc import SAWarning

from grading import cli, gradebook
from grading.commands import regrade
from grading.course import run_nbgrader
from tests.support import ASSIGNMENT, NOTEBOOK, generated_course, notebook_path, synthetic

# 10001 correct, 10002 and 10003 partial (Pat's answers: compute_gradient assigns the
# gradient instead of adding it, Divide's second partial lost its minus sign).
CLASS = synthetic.class_list(3, mix=("correct", "partial", "partial"))
STUDENTS = [student for student, _ in CLASS]
NEW_CELL = "regrade_new_test"


def grading_regrade(course, workers=2):
    return cli.main(["regrade", ASSIGNMENT, "--course", str(course), "--workers", str(workers)])


def only_submitted(course, students):
    """Leaves only these students' submissions in submitted/ (a regrade grades those):
    each submission regraded costs CI seconds."""
    for folder in (course / "submitted").iterdir():
        if folder.name not in students:
            shutil.rmtree(folder)


def edit_source(course, edit):
    """Applies edit(cells) to the source notebook's cells, in place."""
    path = notebook_path(course, "source")
    nb = nbformat.read(str(path), as_version=4)
    edit(nb.cells)
    nbformat.write(nb, str(path))


def index_of(cells, grade_id):
    [index] = [i for i, cell in enumerate(cells)
               if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    return index


def the_csv(course):
    [path] = (course / "reports" / ASSIGNMENT).glob("regrade-*.csv")
    with open(path, newline="") as f:
        return list(csv.DictReader(f)), path.read_text()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The class graded once, with feedback; each test regrades a copy."""
    course = generated_course(tmp_path_factory.mktemp("graded") / "course")
    synthetic.write_submitted(course, CLASS)
    assert cli.main(["autograde", ASSIGNMENT, "--course", str(course), "--workers", "2",
                     "--feedback"]) == 0
    return course


@pytest.fixture
def course(graded, tmp_path):
    return Path(shutil.copytree(graded, tmp_path / "course"))


def product_test_covers_a_square(cells):
    """A hidden test added to compute_gradient_product: a product of a variable with
    itself. The correct answer passes; Pat's compute_gradient, which assigns the gradient
    instead of adding it, finds 2 instead of 4 for vp in vp * vp at vp = 2, and the partial
    students lose the cell's 5 points."""
    cell = cells[index_of(cells, "compute_gradient_product")]
    cell.source += ("\n### BEGIN HIDDEN TESTS\n"
                    "vp = V(value=2.)\n"
                    "product = vp * vp\n"
                    "product.eval()\n"
                    "product.zero_gradient()\n"
                    "product.compute_gradient()\n"
                    "assert vp.gradient == 4, f'vp * vp at vp = 2: found {vp.gradient!r}'\n"
                    "### END HIDDEN TESTS\n")


@pytest.mark.slow  # real kernels
def test_a_corrected_hidden_test_changes_exactly_whose_scores_it_should(course, monkeypatch,
                                                                        capsys):
    # An instructor's manual score and comment, which nbgrader's autograde keeps.
    with gradebook.open_gradebook(course) as gb:
        gb.find_grade("compute_gradient_sum", NOTEBOOK, ASSIGNMENT, "10001").manual_score = 3
        gb.find_comment("fit", NOTEBOOK, ASSIGNMENT, "10001").manual_comment = "See me about delta."
        gb.db.commit()
    before = gradebook.totals(course, ASSIGNMENT, STUDENTS)
    kept = {folder: notebook_path(course, folder, "10003").read_bytes()
            for folder in ("autograded", "feedback")}
    old_feedback = notebook_path(course, "feedback", "10002").read_bytes()
    release_written = notebook_path(course, "release").stat().st_mtime_ns
    edit_source(course, product_test_covers_a_square)

    # 10003's new results fail to record after nbgrader saved its new scores and removed
    # its old autograded notebook: the worst moment, when only put-back restores them.
    late_penalties = AssignLatePenalties.preprocess

    def fails_for_10003(self, nb, resources):
        if resources["nbgrader"]["student"] == "10003":
            raise RuntimeError("recording failed, as the test asks")
        return late_penalties(self, nb, resources)

    monkeypatch.setattr(AssignLatePenalties, "preprocess", fails_for_10003)

    assert grading_regrade(course) == 1  # 10003 failed
    out = capsys.readouterr().out
    old, new = before["10002"][0], before["10002"][0] - 5
    rows, _ = the_csv(course)
    assert rows == [{"student": "10002", "old_total": f"{old:g}", "new_total": f"{new:g}",
                     "changed_cells": "compute_gradient_product: 5 -> 0"}]
    assert f"10002: {old:g} -> {new:g}  (compute_gradient_product: 5 -> 0)" in out
    assert "failed: 10003" in out
    after = gradebook.totals(course, ASSIGNMENT, STUDENTS)
    assert after == {**before, "10002": (new, before["10002"][1])}
    # The manual grade and comment survived; the failed student has what they had.
    with gradebook.open_gradebook(course) as gb:
        assert gb.find_grade("compute_gradient_sum", NOTEBOOK, ASSIGNMENT, "10001").score == 3
        comment = gb.find_comment("fit", NOTEBOOK, ASSIGNMENT, "10001")
        assert comment.manual_comment == "See me about delta."
    assert gradebook.cell_scores(course, ASSIGNMENT, "10003")["compute_gradient_product"] == (5, 5)
    assert {folder: notebook_path(course, folder, "10003").read_bytes() for folder in kept} == kept
    # Release and feedback were made again.
    assert notebook_path(course, "release").stat().st_mtime_ns != release_written
    assert notebook_path(course, "feedback", "10002").read_bytes() != old_feedback


def add_new_test(cells):
    """A new 5-point test after Question 2b's: Divide at other values. The correct answer
    passes; Pat's Divide, whose second partial lost its minus sign, fails."""
    test = nbformat.v4.new_code_cell(
        '"""Divide: de/dy at other values (5 points)."""\n'
        "e = V(3.) / V(-2.)\n"
        "e.eval()\n"
        "partials = e.operator_gradient()\n"
        "assert abs(partials[1] - -0.75) < 1e-9, (\n"
        "    f'd(x / y)/dy should be -x/y**2 = -0.75, found {partials[1]!r}')\n",
        metadata={"nbgrader": {"grade": True, "grade_id": NEW_CELL, "locked": True, "points": 5,
                               "schema_version": 3, "solution": False, "task": False}})
    cells.insert(index_of(cells, "divide_gradient_correct") + 1, test)


def plant_the_new_test_passing(course, student):
    """The attack of a student who guesses a test to come: their submission already holds
    a cell with its grade id and nbgrader metadata, whose code passes (`pass`)."""
    path = notebook_path(course, "submitted", student)
    nb = nbformat.read(str(path), as_version=4)
    forged = nbformat.v4.new_code_cell(
        '"""Divide: de/dy at other values (5 points)."""\npass\n',
        metadata={"nbgrader": {"grade": True, "grade_id": NEW_CELL, "locked": True, "points": 5,
                               "schema_version": 3, "solution": False, "task": False}})
    nb.cells.insert(index_of(nb.cells, "divide_gradient_correct") + 1, forged)
    nbformat.write(nb, str(path))


@pytest.mark.slow  # real kernels
def test_a_new_test_cell_is_graded_for_every_submission(course, capsys):
    only_submitted(course, ["10001", "10002"])  # one passes the new test, one fails it
    before = gradebook.totals(course, ASSIGNMENT, STUDENTS)
    plant_the_new_test_passing(course, "10002")  # earns nothing: the gradebook's code runs
    edit_source(course, add_new_test)
    assert grading_regrade(course) == 0
    out = capsys.readouterr().out
    assert f"new cells, added to the gradebook for every submission: {NEW_CELL}" in out
    with gradebook.open_gradebook(course) as gb:  # 10003 too, not regraded: no score yet
        assert gb.find_grade(NEW_CELL, NOTEBOOK, ASSIGNMENT, "10003").auto_score is None
    expected = {"10001": 5.0, "10002": 0.0}
    scores = gradebook.snapshot(course, ASSIGNMENT, list(expected))
    assert {s: cells[NEW_CELL][:2] for s, cells in scores.items()} == {
        s: (v, 5.0) for s, v in expected.items()}
    assert gradebook.totals(course, ASSIGNMENT, list(expected)) == {
        s: (before[s][0] + v, before[s][1] + 5) for s, v in expected.items()}
    rows, _ = the_csv(course)
    assert rows == [{"student": s, "old_total": f"{before[s][0]:g}", "new_total":
                     f"{before[s][0] + v:g}", "changed_cells": f"{NEW_CELL}: - -> {v:g}"}
                    for s, v in expected.items()]
    cells = nbformat.read(str(notebook_path(course, "release")), as_version=4).cells
    assert index_of(cells, NEW_CELL) == 1 + index_of(cells, "divide_gradient_correct")


@pytest.mark.slow  # real kernels
def test_nothing_changed_says_so(course, capsys):
    only_submitted(course, ["10002"])
    before = gradebook.snapshot(course, ASSIGNMENT, STUDENTS)
    assert grading_regrade(course, workers=1) == 0
    out = capsys.readouterr().out
    assert "No score changed (1 regraded): every student kept the scores they had" in out
    rows, text = the_csv(course)
    assert rows == [] and text.strip() == ",".join(f'"{c}"' for c in regrade.COLUMNS)
    assert gradebook.snapshot(course, ASSIGNMENT, STUDENTS) == before


# --- refused before anything is touched (no kernel) --------------------------------------

@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A generated course with a submission in submitted/, not graded."""
    course = generated_course(tmp_path_factory.mktemp("generated") / "course")
    (course / "submitted" / "10001" / ASSIGNMENT).mkdir(parents=True)
    return course


@pytest.fixture
def submitted(generated, tmp_path):
    return Path(shutil.copytree(generated, tmp_path / "course"))


def in_gradebook(course):
    """The course, its submission in the gradebook as autograde puts it (without grades)."""
    with gradebook.open_gradebook(course) as gb, warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)  # nbgrader's add_submission, on SQLAlchemy 2
        gb.add_student("10001")
        gb.add_submission(ASSIGNMENT, "10001")
    return course


def everything(course):
    """Every file of the course but the lock, which any command takes."""
    return {path: path.read_bytes() for path in sorted(course.rglob("*"))
            if path.is_file() and path.name != ".grading.lock"}


def test_removing_a_graded_cell_is_refused_and_nothing_touched(submitted, capsys):
    in_gradebook(submitted)
    edit_source(submitted, lambda cells: cells.pop(index_of(cells, "divide_gradient_correct")))
    files = everything(submitted)
    assert grading_regrade(submitted) == 2
    err = capsys.readouterr().err
    assert "no longer has the cell(s) divide_gradient_correct" in err
    assert "nbgrader cannot remove a cell once submissions are collected, so nothing was " \
           "changed" in err
    assert "Traceback" not in err
    assert everything(submitted) == files


def test_new_cells_go_into_the_gradebook_so_nbgrader_can_regenerate(submitted):
    in_gradebook(submitted)
    edit_source(submitted, add_new_test)
    stock = run_nbgrader(submitted, "generate_assignment", ASSIGNMENT, "--force", check=False)
    assert "Cannot add or remove cells" in stock.stdout + stock.stderr
    added = regrade.new_cells(submitted, ASSIGNMENT)
    assert {kind: list(cells) for kind, cells in added[NOTEBOOK].items()} == {
        "grade": [NEW_CELL], "solution": [], "task": [], "source": [NEW_CELL]}
    assert regrade.add_cells(submitted, ASSIGNMENT, added) == [NEW_CELL]
    run_nbgrader(submitted, "generate_assignment", ASSIGNMENT, "--force")
    with gradebook.open_gradebook(submitted) as gb:
        grade = gb.find_grade(NEW_CELL, NOTEBOOK, ASSIGNMENT, "10001")
        assert (grade.max_score, grade.auto_score, grade.score) == (5, None, 0)
        assert gb.find_source_cell(NEW_CELL, NOTEBOOK, ASSIGNMENT).source.startswith('"""Divide')
    nothing_new = {kind: {} for kind in regrade.KINDS}
    assert regrade.new_cells(submitted, ASSIGNMENT)[NOTEBOOK] == nothing_new


def test_a_class_never_autograded_is_refused(submitted, capsys):
    assert grading_regrade(submitted) == 2  # a submission, never graded
    assert f"run `grading autograde {ASSIGNMENT}` instead" in capsys.readouterr().err
    shutil.rmtree(submitted / "submitted")
    assert grading_regrade(submitted) == 2
    assert "holds no submission: nothing to regrade" in capsys.readouterr().err


def test_score_changes_lists_changed_and_new_cells():
    before = {"a": {"t1": (5.0, 5.0, False)}, "b": {"t1": (0.0, 5.0, False)}, "c": None}
    after = {"a": {"t1": (5.0, 5.0, False), "t2": (2.0, 2.0, False)},
             "b": {"t1": (0.0, 5.0, True)}, "c": {"t1": (1.0, 5.0, False)}}
    assert regrade.score_changes(before, after) == [
        ("a", 5.0, 7.0, [("t2", None, 2.0)]), ("c", None, 1.0, [("t1", None, 1.0)])]


@pytest.mark.parametrize("part", ["header", "footer"])
def test_a_release_whose_header_or_footer_would_be_dropped_is_refused(tmp_path, part):
    """A release generated with a header (footer) notebook that the regrade's configuration
    does not give: regenerating it would silently drop those cells (21 cells -> 18 on
    nbgrader's example). Refused before anything is touched, naming the option; accepted
    when the option is given after --."""
    course = tmp_path / "course"
    (course / "source" / "a").mkdir(parents=True)
    (course / "release" / "a").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "x"\n')
    cells = [nbformat.v4.new_markdown_cell("# The assignment"), nbformat.v4.new_code_cell("x = 1")]
    extra = [nbformat.v4.new_markdown_cell(f"the {part}")]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), str(course / "source" / "a" / "n.ipynb"))
    released = extra + cells if part == "header" else cells + extra
    nbformat.write(nbformat.v4.new_notebook(cells=released), str(course / "release" / "a" / "n.ipynb"))
    with pytest.raises(regrade.CannotRegrade, match=f"with a {part} .* --IncludeHeaderFooter.{part}="):
        regrade.check_header_footer(course, "a")
    regrade.check_header_footer(course, "a", [f"--IncludeHeaderFooter.{part}=source/{part}.ipynb"])
    nbformat.write(nbformat.v4.new_notebook(cells=cells), str(course / "release" / "a" / "n.ipynb"))
    regrade.check_header_footer(course, "a")  # a release without either: nothing to keep
