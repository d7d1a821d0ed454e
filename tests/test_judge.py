"""The outside judge (judges/expressions_to_ml.py) on its own: it agrees with every correct
answer of the mutation corpus and, alone, without the notebook's tests, rejects every wrong
one in its own question and nowhere else. Its kernel-side code runs here on a namespace
made by executing the source notebook's instructor cells and the answers (no kernel, so
this takes seconds); through a real sandboxed kernel and `nbgrader autograde`, the judge is
exercised by test_mutations.py, test_bad_submissions.py and test_demo_class.py.
"""
import contextlib
import io

import matplotlib
import nbformat
import pytest

from tests.support import ROOT, notebook_path
from grading.plugins.judge import Rejected, load_judge, parse_reply, probe_expression
from grading.submissions import read_answers
from tests.support.corpus import BASELINE, CORPUS

JUDGE = load_judge(ROOT, "expressions_to_ml")
SOURCE = nbformat.read(str(notebook_path(ROOT, "source")), as_version=4)
TEST_CELLS = [cell.metadata["nbgrader"]["grade_id"] for cell in SOURCE.cells
              if cell.metadata.get("nbgrader", {}).get("grade")]
SKIPPED = {"big_step", "linear_model", "plot_points", "plot_fit", "plot_linear_fit"}  # slow or plots only
ROUNDS = 2  # inputs are drawn anew each round, as for each submission


def notebook_namespace(answers):
    """The notebook's globals after its instructor cells and these answer cells ran."""
    matplotlib.use("Agg")
    namespace = {}
    for cell in SOURCE.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or meta.get("grade") or meta.get("grade_id") in SKIPPED:
            continue
        with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(Exception):
            exec(answers.get(meta.get("grade_id"), cell.source), namespace)  # errors go on, as when grading
    return namespace


def verdicts(namespace):
    """{test cell: None or the judge's rejection} for the code in namespace."""
    def ask(function, payload):
        value = eval(probe_expression(JUDGE.KERNEL_CODE, function, payload), namespace)
        reply = {"content": {"user_expressions": {
            "judge": {"status": "ok", "data": {"text/plain": repr(value)}}}}}
        return parse_reply(reply, "judge")

    found = {}
    for grade_id, check in JUDGE.CHECKS.items():
        events = CellEvents()
        if grade_id in JUDGE.SETUP:  # as the grader does, in a copy of the namespace
            exec(JUDGE.SETUP[grade_id], {**namespace, "get_ipython": lambda: events})
        try:
            check(ask)
            found[grade_id] = None
        except Rejected as rejected:
            found[grade_id] = str(rejected)
        finally:
            events.cell_ran()
    return found


class CellEvents:
    """The part of IPython's shell that SETUP code uses: shell.events and post_run_cell."""

    def __init__(self):
        self.events, self.callbacks = self, []

    def register(self, name, callback):
        assert name == "post_run_cell"
        self.callbacks.append(callback)

    def unregister(self, name, callback):
        self.callbacks.remove(callback)

    def cell_ran(self):
        for callback in list(self.callbacks):
            callback(None)


def test_every_test_cell_has_an_outside_check():
    assert sorted(JUDGE.CHECKS) == sorted(TEST_CELLS)


def test_the_model_answers_pass():
    for _ in range(ROUNDS):
        assert verdicts(notebook_namespace({})) == {grade_id: None for grade_id in TEST_CELLS}


def test_stubs_are_rejected_everywhere():
    stubs = {cell.metadata["nbgrader"]["grade_id"]: cell.source
             for cell in nbformat.read(str(notebook_path(ROOT, "release")), as_version=4).cells
             if cell.metadata.get("nbgrader", {}).get("solution")}
    found = verdicts(notebook_namespace(stubs))
    assert all(found.values()), found
    assert "NotImplementedError" in found["compute_gradient_sum"]


@pytest.mark.slow
@pytest.mark.parametrize("answer", CORPUS, ids=lambda answer: answer.label)
def test_the_judge_alone_tells_right_from_wrong(answer):
    answers = {**read_answers(BASELINE), **answer.cells}
    own = answer.own_test_cells(TEST_CELLS)
    for _ in range(ROUNDS):
        found = verdicts(notebook_namespace(answers))
        rejected = {grade_id for grade_id, why in found.items() if why}
        if answer.kind == "correct":
            assert not rejected, {g: found[g] for g in rejected}
        else:
            assert rejected & own, f"{answer.summary}: the judge accepted it"
            assert not rejected - own, {g: found[g] for g in rejected - own}


def test_a_rejection_says_what_was_wrong():
    answers = read_answers(ROOT / "demo" / "students" / "partial_pat.py")
    found = verdicts(notebook_namespace(answers))
    assert "compute_gradient on an expression with shared nodes" in found["compute_gradient_shared_nodes"]
    assert "the gradient of" in found["compute_gradient_shared_nodes"]
    assert "the partial derivative with respect to its denominator: expected" in found["divide_gradient_correct"]
    assert found["fit_one_exact_step"] is None and found["minus_gradient_correct"] is None
