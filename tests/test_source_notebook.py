"""The master notebook, with the model answers, runs top to bottom and teaches what the seed did."""
import ast

import nbformat
import pytest
from nbclient import NotebookClient

from tests.support import ROOT, notebook_path

# The seed's printed results with the course's seven points.
SEED_PARABOLA_LOSS = "2.096314520528721"
SEED_PARAMETERS = "a: 0.2676799989525098 b: 0.09448237346204012 c: 1.9726742011455856"
SEED_LINEAR_LOSS = "10.960358128998926"


@pytest.fixture(scope="module")
def executed():
    nb = nbformat.read(str(notebook_path(ROOT, "source")), as_version=4)
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True).execute()
    return {cell.id: cell for cell in nb.cells}


def text_of(cell):
    """Everything a code cell printed or returned, as one string."""
    parts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            parts.append(output.text)
        elif "data" in output:
            parts.append(output.data.get("text/plain", ""))
    return "".join(parts)


@pytest.mark.slow  # runs the notebook on a kernel
def test_runs_without_errors(executed):
    errors = {cid: f"{o.ename}: {o.evalue}" for cid, cell in executed.items()
              for o in cell.get("outputs", []) if o.output_type == "error"}
    assert errors == {}


@pytest.mark.slow  # runs the notebook on a kernel
def test_every_test_cell_passes_silently(executed):
    test_cells = [c for c in executed.values() if c.metadata.get("nbgrader", {}).get("grade")]
    assert len(test_cells) == 10
    for cell in test_cells:
        kinds = [(o.output_type, o.get("name")) for o in cell.outputs]
        assert ("stream", "stderr") not in kinds, f"{cell.id} wrote to stderr"
        assert all(kind != "error" for kind, _ in kinds), f"{cell.id} failed"


@pytest.mark.slow  # runs the notebook on a kernel
@pytest.mark.parametrize("cell_id", ["plot_points", "plot_fit", "plot_linear_fit"])
def test_plots_appear_inline(executed, cell_id):
    images = [o for o in executed[cell_id].outputs
              if o.output_type == "display_data" and "image/png" in o.data]
    assert len(images) == 1


@pytest.mark.slow  # runs the notebook on a kernel
def test_reproduces_the_seed_numbers(executed):
    assert text_of(executed["fit_trains_parabola"]).splitlines()[-1] == f"Loss: {SEED_PARABOLA_LOSS}"
    assert text_of(executed["train_parabola"]).splitlines()[-2:] == [
        f"Loss: {SEED_PARABOLA_LOSS}", SEED_PARABOLA_LOSS]
    assert text_of(executed["trained_parameters"]).strip() == SEED_PARAMETERS
    linear = text_of(executed["linear_model"]).splitlines()
    assert linear[-2:] == [f"Loss: {SEED_LINEAR_LOSS}", SEED_LINEAR_LOSS]


@pytest.mark.slow  # runs the notebook on a kernel
def test_too_large_a_step_diverges(executed):
    losses = [line.split()[-1] for line in text_of(executed["big_step"]).splitlines()
              if line.startswith("Loss:")]
    assert "inf" in losses and losses[-1] == "nan"


def test_source_has_no_outputs_committed():
    nb = nbformat.read(str(notebook_path(ROOT, "source")), as_version=4)
    assert all(not c.get("outputs") and c.get("execution_count") is None
               for c in nb.cells if c.cell_type == "code")


# The names later cells depend on: the data, the parabola's model and loss, and the two
# variables fit loads each point into.
SHARED_NAMES = ("vx", "vy", "loss", "va", "vb", "vc", "points")
TEST_CELLS_OF_QUESTIONS_1_AND_2 = (
    "compute_gradient_sum", "compute_gradient_product", "compute_gradient_nested",
    "compute_gradient_shared_nodes", "minus_gradient_correct", "divide_gradient_correct",
    "negative_gradient_correct")


@pytest.mark.slow  # runs the notebook on a kernel
def test_cells_run_again_out_of_order_leave_fit_working():
    """A student runs the notebook up to the parabola's plot, goes back and runs every
    Question 1 and 2 test cell and demo again, then resets the parameters and trains once
    more: the seed's final loss again. (Cells that rebound vx or vy used to leave the loss
    built on the old objects, and fit trained nothing.)"""
    nb = nbformat.read(str(notebook_path(ROOT, "source")), as_version=4)
    ids = [cell.id for cell in nb.cells]
    again = [i for i, cell in enumerate(nb.cells[:ids.index("question_3")])
             if cell.cell_type == "code" and cell.id in {
                 "expr_demo", "why_accumulate_demo", *TEST_CELLS_OF_QUESTIONS_1_AND_2}]
    assert len(again) == 9
    retrain = nbformat.v4.new_code_cell(
        "va.assign(0)\nvb.assign(0)\nvc.assign(0)\nfit(loss, points, [va, vb, vc])")
    client = NotebookClient(nb, timeout=60, kernel_name="python3")
    with client.setup_kernel():
        for index in range(ids.index("big_step")):
            client.execute_cell(nb.cells[index], index)
        for index in again:
            client.execute_cell(nb.cells[index], index)
            assert not any(o.output_type == "error" for o in nb.cells[index].outputs), nb.cells[index].id
        nb.cells.append(retrain)
        client.execute_cell(retrain, len(nb.cells) - 1)
    assert text_of(retrain).splitlines()[-2:] == [f"Loss: {SEED_PARABOLA_LOSS}", SEED_PARABOLA_LOSS]


def bound_names(source):
    """The names a cell's code (hidden blocks included) assigns at the top level or in loops."""
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("###"))
    return {node.id for node in ast.walk(ast.parse(code))
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}


def test_no_test_cell_rebinds_a_name_later_cells_use():
    """No test cell or demo, visible or hidden, assigns vx, vy, loss, va, vb, vc or points:
    only the cells that build the data and the models do."""
    nb = nbformat.read(str(notebook_path(ROOT, "source")), as_version=4)
    builders = {"points", "parabola_model", "linear_model"}
    for cell in nb.cells:
        if cell.cell_type != "code" or cell.id in builders:
            continue
        bound = bound_names(cell.source)
        assert not bound & set(SHARED_NAMES), (cell.id, sorted(bound & set(SHARED_NAMES)))


def test_test_cells_set_only_names_of_their_own():
    """A test cell sets only vp, vq, vr, vw and names starting with test_ (as the notebook
    tells students), so a student's helper called square, total or step survives every test."""
    nb = nbformat.read(str(notebook_path(ROOT, "source")), as_version=4)
    tests = [cell for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("grade")]
    assert len(tests) == 10
    for cell in tests:
        foreign = {name for name in bound_names(cell.source)
                   if name not in {"vp", "vq", "vr", "vw"} and not name.startswith("test_")}
        assert not foreign, (cell.id, sorted(foreign))


@pytest.mark.slow  # runs a student's notebook on a kernel, twice
@pytest.mark.parametrize("wrong", ["minus_both_plus_one", "backprop_assigns_instead_of_adding"])
def test_a_question_1_or_2_mistake_is_named_before_fit_is_blamed(wrong):
    """A student whose fit is right but whose Minus or compute_gradient is wrong runs the
    notebook: every fit test fails locally (the loss back-propagates through both), and
    says to fix Questions 1 and 2 first instead of blaming fit."""
    from grading.submissions import build_submission, read_answers
    from tests.support.corpus import ANSWERS, BASELINE

    answers = {**read_answers(BASELINE), **read_answers(ANSWERS / "wrong" / f"{wrong}.py")}
    nb = build_submission(notebook_path(ROOT, "release"), answers)
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True).execute()
    for cell in nb.cells:
        if cell.get("id", "").startswith("fit_") and cell.metadata.get("nbgrader", {}).get("grade"):
            errors = [o for o in cell.outputs if o.output_type == "error"]
            assert errors and "fix those first" in errors[0].evalue, (cell.id, errors)
