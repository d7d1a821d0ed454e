"""Honest students keep 100: whatever a student with right answers does in the play cells
and in cells of their own (train the notebook's parabola, rebind loss, points, va, vx or
vy, run the model cell again, define helpers named like the tests' old variables and use
them in the answers, print a lot, hand in stale outputs, insert experiments between
cells), every test cell earns its full points, under `grading autograde` and under plain
`nbgrader autograde`. The family is tests/honest/, one answer file per student in the
format of grading.submissions (whose extensions for play cells, new cells and saved
outputs are unit-tested here too), applied on top of the corpus's correct baseline
(tests/answers/baseline.py): a file gives only what its student does differently. And the master notebook's test cells pass when run
again after the whole notebook, in order and in reverse."""
import copy
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from grading.commands import autograde
from grading.course import tool_env
from grading.plugins.findings import findings
from grading.submissions import (Section, answer_cell_ids, build_submission, read_answers,
                                 read_sections, write_submission)
from tests.support import (ASSIGNMENT, NOTEBOOK, ROOT, cell_scores, generated_course,
                           notebook_path, structure)
from tests.support.corpus import BASELINE

HONEST = ROOT / "tests" / "honest"
FAMILY = {path.stem: path for path in sorted(HONEST.glob("*.py"))}  # student id: answer file
RELEASE = notebook_path(ROOT, "release")
PLAY_CELLS = ("play_expressions", "play_compute_gradient", "play_operator_gradients", "play_fit")
TEST_CELLS = {cell.grade_id: cell.points for cell in structure().cells}


def family_sections(path):
    """An honest student's notebook: the baseline's correct answers, then the file's own
    sections (a later section fills a cell again)."""
    return read_sections(BASELINE) + read_sections(path)


def answer_file(tmp_path, text, name="answers.py"):
    path = tmp_path / name
    path.write_text(text)
    return path


def cells_by_id(nb):
    return {cell.id: cell for cell in nb.cells}


# ---------------------------------------------------------------------------------------
# The answer-file format (fast)


def test_the_original_format_reads_and_builds_as_before():
    answers = read_answers(BASELINE)
    assert list(answers) == ["compute_gradient", "minus_gradient", "divide_gradient",
                             "negative_gradient", "fit"]
    assert answers["minus_gradient"].startswith("def minus_operator_gradient(self):")
    assert not answers["fit"].endswith("\n")
    release = nbformat.read(str(RELEASE), as_version=4)
    built = build_submission(RELEASE, answers)
    assert [c.id for c in built.cells] == [c.id for c in release.cells]
    for before, after in zip(release.cells, built.cells):
        grade_id = before.metadata.get("nbgrader", {}).get("grade_id")
        assert after.source == (answers[grade_id] if grade_id in answers else before.source)
        assert after.metadata == before.metadata
        if after.cell_type == "code":
            assert (after.outputs, after.execution_count) == ([], None)


def test_a_play_cell_is_filled_by_its_cell_id(tmp_path):
    path = answer_file(tmp_path, "# %% play_fit\nprint(1)\n\n# %% negative_gradient\nx = 1\n")
    assert read_answers(path) == {"play_fit": "print(1)", "negative_gradient": "x = 1"}
    for answers in (read_answers(path), read_sections(path)):
        cells = cells_by_id(build_submission(RELEASE, answers))
        assert cells["play_fit"].source == "print(1)"
        assert "nbgrader" not in cells["play_fit"].metadata
        assert cells["negative_gradient"].source == "x = 1"


def test_new_cells_follow_their_cell_in_file_order(tmp_path):
    path = answer_file(tmp_path, "\n".join([
        "# %% new after play_fit", "a = 1",
        "# %% fit", "def fit(*args):\n    return 0.",
        "# %% new after fit_trains_parabola", "b = 2",
        "# %% new after play_fit", "c = 3", ""]))
    sections = read_sections(path)
    assert [(s.cell, s.new, s.code) for s in sections] == [
        ("play_fit", True, "a = 1"), ("fit", False, "def fit(*args):\n    return 0."),
        ("fit_trains_parabola", True, "b = 2"), ("play_fit", True, "c = 3")]
    nb = build_submission(RELEASE, sections)
    nbformat.validate(nb)
    ids = [cell.id for cell in nb.cells]
    release_ids = [cell.id for cell in nbformat.read(str(RELEASE), as_version=4).cells]
    assert [i for i in ids if i in release_ids] == release_ids
    at = ids.index("play_fit")
    assert [nb.cells[at + 1].source, nb.cells[at + 2].source] == ["a = 1", "c = 3"]
    after_test = nb.cells[ids.index("fit_trains_parabola") + 1]
    assert after_test.source == "b = 2"
    added = [cell for cell in nb.cells if cell.id not in release_ids]
    assert len(added) == 3 and len({cell.id for cell in added}) == 3
    assert all(cell.cell_type == "code" and cell.metadata == {} and cell.outputs == []
               for cell in added)
    with pytest.raises(ValueError, match="use read_sections"):
        read_answers(path)


def test_saved_outputs_and_execution_counts(tmp_path):
    path = answer_file(tmp_path, "\n".join([
        "# %% play_fit [12]", "print('x')", "#> Loss: 1", "#> Loss: 2", "#>",
        "#! ValueError: bad", "#> after",
        "# %% fit_trains_parabola [3]", "#! AssertionError: found nan",
        "# %% expr_class [7]",
        "# %% compute_gradient_sum", "#! NotImplementedError",
        "# %% new after fit [1]", "y = 2", "#> 2", ""]))
    sections = {(s.cell, s.new): s for s in read_sections(path)}
    play = sections["play_fit", False]
    assert (play.code, play.execution_count) == ("print('x')", 12)
    assert play.outputs == (("stdout", "Loss: 1\nLoss: 2\n\n"), ("error", "ValueError", "bad"),
                            ("stdout", "after\n"))
    nb = build_submission(RELEASE, read_sections(path))
    nbformat.validate(nb)
    cells = cells_by_id(nb)
    assert cells["play_fit"].execution_count == 12
    assert [o.output_type for o in cells["play_fit"].outputs] == ["stream", "error", "stream"]
    assert cells["play_fit"].outputs[0].text == "Loss: 1\nLoss: 2\n\n"
    test = cells["fit_trains_parabola"]
    release = cells_by_id(nbformat.read(str(RELEASE), as_version=4))
    assert test.source == release["fit_trains_parabola"].source  # unchanged: outputs only
    assert test.execution_count == 3
    assert [(o.ename, o.evalue) for o in test.outputs] == [("AssertionError", "found nan")]
    assert (cells["expr_class"].execution_count, cells["expr_class"].outputs) == (7, [])
    assert [(o.ename, o.evalue) for o in cells["compute_gradient_sum"].outputs] == [
        ("NotImplementedError", "")]
    new = nb.cells[[c.id for c in nb.cells].index("fit") + 1]
    assert (new.source, new.execution_count, new.outputs[0].text) == ("y = 2", 1, "2\n")


@pytest.mark.parametrize("text, message", [
    ("# %% fit_trains_parabola\nassert True\n", "only saved outputs"),
    ("# %% question_1\nhello\n", "only saved outputs"),
    ("# %% no_such_cell\nx = 1\n", "no cell with grade_id or id"),
    ("# %% new after no_such_cell\nx = 1\n", "no cell with grade_id or id"),
])
def test_what_cannot_be_built_is_refused(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        build_submission(RELEASE, read_sections(answer_file(tmp_path, text)))


def test_a_cell_filled_twice_in_one_file_is_refused(tmp_path):
    with pytest.raises(ValueError, match="named twice"):
        read_sections(answer_file(tmp_path, "# %% play_fit\na = 1\n# %% play_fit [2]\nb = 2\n"))


def test_later_sections_fill_a_cell_again():
    nb = build_submission(RELEASE, [Section("play_fit", "a = 1"), Section("play_fit", "b = 2", execution_count=4)])
    assert (cells_by_id(nb)["play_fit"].source, cells_by_id(nb)["play_fit"].execution_count) == ("b = 2", 4)


@pytest.mark.parametrize("student", sorted(FAMILY))
def test_every_honest_student_answers_everything_and_says_what_they_do(student):
    path = FAMILY[student]
    assert path.read_text().splitlines()[0].startswith("# Honest: ")
    sections = family_sections(path)
    release = nbformat.read(str(RELEASE), as_version=4)
    filled = {s.cell for s in sections if not s.new and s.code}
    assert set(answer_cell_ids(release)) <= filled
    assert filled - set(answer_cell_ids(release)) <= set(PLAY_CELLS) | {"name_and_collaborators"}
    nbformat.validate(build_submission(RELEASE, sections))


def test_the_family_does_what_the_issue_asks():
    """About ten students, and the one of the issue among them: training the notebook's
    parabola in the play cell after fit."""
    assert len(FAMILY) >= 10
    play_fit = {s.cell: s.code for s in read_sections(FAMILY["trains_in_play_cell"])}["play_fit"]
    assert "print(fit(loss, points, [va, vb, vc], num_iterations=300))" in play_fit
    everything = read_sections(FAMILY["does_everything"])
    assert any(s.new for s in everything) and any(s.saved for s in everything)


# ---------------------------------------------------------------------------------------
# The family, graded (slow): one run per grader, every student at once


def submit_family(course):
    release = notebook_path(course, "release")  # what this course's students received
    for student, path in FAMILY.items():
        write_submission(course, student, ASSIGNMENT, NOTEBOOK,
                         build_submission(release, family_sections(path)))


@pytest.fixture(scope="module")
def graded_family(tmp_path_factory):
    """The family graded by both graders, each in a course of its own, at the same time:
    plain serial `nbgrader autograde` (one process, one core) runs in the background while
    `grading autograde` (the Dask engine, as the corpus is) grades the other course, so the
    machine's cores are busy with both instead of one after the other.
    {grader: (course, {student: what to say when it was not graded})}."""
    engine = generated_course(tmp_path_factory.mktemp("honest-engine") / "course")
    serial = generated_course(tmp_path_factory.mktemp("honest-nbgrader") / "course")
    submit_family(engine)
    submit_family(serial)
    output = serial.parent / "nbgrader.log"  # a file: a full pipe would stall nbgrader
    with open(output, "w") as log:
        nbgrader = subprocess.Popen([sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT],
                                    cwd=serial, env=tool_env(), stdout=log, stderr=subprocess.STDOUT)
        try:
            results, _ = autograde.grade_class(engine, ASSIGNMENT, force=True).steps["autograde"]
        finally:
            nbgrader.wait()  # as run_nbgrader(check=False), only started first
    engine_log = {student: f"{outcome}: {error or ''} (log: {path})"
                  for student, (outcome, _, path, error) in results.items()}
    tail = output.read_text()[-3000:]
    serial_log = {student: f"exit status {nbgrader.returncode}; end of its output:\n{tail}"
                  for student in FAMILY}
    return {"grading autograde": (engine, engine_log), "nbgrader autograde": (serial, serial_log)}


@pytest.fixture(scope="module")
def graded_by_engine(graded_family):
    """The family graded by `grading autograde` (the Dask engine, as the corpus is)."""
    return graded_family["grading autograde"]


@pytest.fixture(scope="module")
def graded_by_nbgrader(graded_family):
    """The family graded by plain serial `nbgrader autograde`, in another course."""
    return graded_family["nbgrader autograde"]


def what_the_cell_showed(course, student, grade_id):
    """A graded test cell's errors and stderr in the student's autograded notebook."""
    path = notebook_path(course, "autograded", student)
    if not path.exists():
        return "(no autograded notebook)"
    nb = nbformat.read(str(path), as_version=4)
    shown = []
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") != grade_id:
            continue
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                shown.append(f"{output.ename}: {output.evalue}")
            elif output.output_type == "stream" and output.name == "stderr":
                shown.append(f"stderr: {output.text}")
        return "\n".join(shown)[-2000:] or "(no error output)"
    return "(cell missing from the autograded notebook)"


@pytest.mark.slow  # the family graded twice: about a minute each
@pytest.mark.parametrize("grader", ["grading autograde", "nbgrader autograde"])
@pytest.mark.parametrize("student", sorted(FAMILY))
def test_honest_student_keeps_every_point(request, grader, student):
    course, log = request.getfixturevalue(
        "graded_by_engine" if grader == "grading autograde" else "graded_by_nbgrader")
    summary = FAMILY[student].read_text().splitlines()[0].removeprefix("# Honest: ")
    scores = cell_scores(course, student)
    assert scores is not None, f"{student} ({summary}) was not graded by {grader}: {log[student]}"
    assert {grade_id: max_score for grade_id, (_, max_score) in scores.items()} == TEST_CELLS
    lost = [f"  {grade_id}: {score:g} / {max_score:g}\n    "
            + what_the_cell_showed(course, student, grade_id).replace("\n", "\n    ")
            for grade_id, (score, max_score) in scores.items() if score != max_score]
    assert not lost, (f"honest student {student} ({summary}) lost points under {grader} in "
                      f"{len(lost)} test cell(s):\n" + "\n".join(lost))


@pytest.mark.slow
@pytest.mark.parametrize("grader", ["grading autograde", "nbgrader autograde"])
def test_no_honest_student_is_flagged_for_review(request, grader):
    course, _ = request.getfixturevalue(
        "graded_by_engine" if grader == "grading autograde" else "graded_by_nbgrader")
    reasons = {student: [f["reason"] for f in findings(nbformat.read(
                   str(notebook_path(course, "autograded", student)), as_version=4)) if f["review"]]
               for student in FAMILY}
    assert {student: why for student, why in reasons.items() if why} == {}


# ---------------------------------------------------------------------------------------
# The master notebook, test cells run again (slow)


def trouble(cell):
    """A code cell's error outputs and stderr, as text ("" when it ran cleanly)."""
    return "\n".join(
        f"{o.ename}: {o.evalue}" if o.output_type == "error" else f"stderr: {o.text}"
        for o in cell.get("outputs", [])
        if o.output_type == "error" or (o.output_type == "stream" and o.name == "stderr"))


@pytest.mark.slow  # runs the notebook on a kernel
def test_master_test_cells_pass_again_in_order_and_in_reverse():
    """The master notebook (model answers, hidden tests) run in order on a plain kernel,
    then every graded test cell again in order, then every one in reverse order: each run
    of each cell passes, with no error and nothing on stderr."""
    nb = nbformat.read(str(notebook_path(ROOT, "source")), as_version=4)
    tests = [i for i, cell in enumerate(nb.cells) if cell.metadata.get("nbgrader", {}).get("grade")]
    assert [nb.cells[i].metadata.nbgrader.grade_id for i in tests] == list(TEST_CELLS)
    client = NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True)
    problems = []
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
            if trouble(cell):
                problems.append(f"first run, {cell.id}: {trouble(cell)}")
        for run, order in (("again", tests), ("in reverse", tests[::-1])):
            for index in order:
                again = copy.deepcopy(nb.cells[index])
                again.outputs = []
                client.execute_cell(again, index)
                if trouble(again):
                    problems.append(f"{run}, {again.id}: {trouble(again)}")
    assert not problems, "\n".join(problems)


# The cells a student may run again in any order: everything but the cells that define
# the classes and the operators' methods (running one of those again makes new classes
# that the expressions built before do not belong to, in any notebook).
FRAMEWORK = {"expr_class", "variable_class", "operator_classes", "gradient_methods",
             "plus_multiply_gradients", "fit_test_helper", "plot_points", "plot_fit"}


@pytest.mark.slow  # runs a student's notebook on a kernel, three orders
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_student_session_out_of_order_passes_every_test(seed):
    """The does_everything student's notebook (play in every play cell, new cells, helpers
    named like the tests' old variables) run in order on a plain kernel, then every other
    code cell run again in a shuffled order, twice over, then each test cell: no test cell
    ever fails, whatever ran before it."""
    import random

    nb = build_submission(RELEASE, family_sections(FAMILY["does_everything"]))
    client = NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True)
    rerun = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
             and cell.get("id") not in FRAMEWORK]
    order = random.Random(seed).sample(rerun, len(rerun)) + random.Random(-seed).sample(rerun, len(rerun))
    tests = [i for i, cell in enumerate(nb.cells) if cell.metadata.get("nbgrader", {}).get("grade")]
    problems = []
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                client.execute_cell(cell, index)
        for index in order + tests:
            again = copy.deepcopy(nb.cells[index])
            again.outputs = []
            client.execute_cell(again, index)
            if index in tests and trouble(again):
                problems.append(f"{again.get('id')}: {trouble(again)}")
    assert not problems, f"seed {seed}:\n" + "\n".join(problems)
