"""The outside judge (judges/expressions_to_ml.py) on its own: it agrees with every correct
answer of the mutation corpus and, alone, without the notebook's tests, rejects every wrong
one in its own question and nowhere else. Its kernel-side code runs here on a namespace
made by executing the source notebook's instructor cells and the answers (no kernel, so
this takes seconds); through a real sandboxed kernel and `nbgrader autograde`, the judge is
exercised by test_mutations.py, test_bad_submissions.py and test_demo_class.py.

Every judge (judges/*.py) reads the kernel's answers only through grading.plugins.judge's
answers(), field() and compare(), which count and compare every value they decoded; a rule
below (judge_rule_breaches) checks that of each judge's source, and compare() is tested
on hostile answers.
"""
import ast
import contextlib
import io
import math
import re

import matplotlib
import nbformat
import pytest

from tests.support import ROOT, notebook_path
from grading.plugins.judge import (Rejected, answers, compare, field, load_judge, parse_reply,
                                   probe_expression)
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


def test_stubs_that_pass_the_visible_tests_with_hollow_answers_are_rejected():
    """cheat_hollow_partials: a tuple whose len() is right and whose slices are empty, of
    floats equal to anything. A judge that trusted the count the kernel reported and
    zipped the rest accepted all three operators (30 points); compare() counts itself."""
    answers = read_answers(ROOT / "tests" / "bad_submissions" / "cheat_hollow_partials.py")
    found = verdicts(notebook_namespace(answers))
    for grade_id in ("minus_gradient_correct", "divide_gradient_correct", "negative_gradient_correct"):
        assert "partial derivative(s), one per child, found 0" in found[grade_id], found[grade_id]


# --- compare(), the one way a judge reads numbers, on hostile answers -----------------------

LABELS = ["the first", "the second"]


@pytest.mark.parametrize("found, why", [
    ([], "answer: expected 2 value(s), found 0"),
    ([1.0], "answer: expected 2 value(s), found 1"),
    ([1.0, 2.0, 3.0], "answer: expected 2 value(s), found 3"),
    ([1.0] * 10 ** 6, "answer: expected 2 value(s), found 1000000"),
    ({"count": 2, "values": [1.0, 2.0]}, "answer: expected 2 value(s), found no list (dict)"),
    ("[1.0, 2.0]", "answer: expected 2 value(s), found no list (str)"),
    (None, "answer: expected 2 value(s), found no list (NoneType)"),
    ([True, 2.0], "the first: expected a number, found bool"),
    ([1.0, False], "the second: expected a number, found bool"),
    ([1.0, {"not a number": "AnyNumber"}], "the second: expected a number, found AnyNumber"),
    ([1.0, {"value": 2.0}], "the second: expected a number, found dict"),
    ([1.0, [2.0]], "the second: expected a number, found list"),
    ([1.0, "2.0"], "the second: expected a number, found str"),
    ([1.0, None], "the second: expected a number, found NoneType"),
    ([math.nan, 2.0], "the first: expected 1.0, found nan"),
    ([1.0, math.inf], "the second: expected 2.0, found inf"),
    ([1.0, 10 ** 400], "the second: expected 2.0, found inf"),
    ([1.0, 2.1], "the second: expected 2.0, found 2.1"),
])
def test_compare_refuses_anything_but_the_right_numbers(found, why):
    with pytest.raises(Rejected, match=f"^{re.escape(why)}$"):
        compare(found, [1.0, 2.0], "answer", LABELS)


def test_compare_accepts_ints_and_floats_within_tolerance_and_collects_when_asked():
    assert compare([1, 2.0 + 1e-12], [1.0, 2.0], "answer", LABELS) == ([1.0, 2.0 + 1e-12], [])
    values, wrong = compare([1.5, 2.0, 7.0], [1.0, 2.0, 3.0], "answer", LABELS + ["third"],
                            first=False)
    assert (values, wrong) == ([1.5, 2.0, 7.0], [0, 2])
    with pytest.raises(Rejected, match="the second: expected a number"):  # still at once
        compare([1.5, None], [1.0, 2.0], "answer", LABELS, first=False)
    assert compare([1.0001, 2.0], [1.0, 2.0], "answer", LABELS, rel=1e-3) == ([1.0001, 2.0], [])
    assert compare([1e-9, 2.0], [0.0, 2.0], "answer", LABELS, rel=1e-6, scales=[1e-2, 0.0])[1] == []


def test_answers_and_field_take_only_one_plain_answer_per_case():
    def asking(reply):
        return lambda function, payload: reply

    cases, payload = ["a", "b"], [{}, {}]
    assert answers(asking({"answers": [{"v": [1.0]}, {"error": "E"}]}), "f", cases, payload) == [
        ("a", {"v": [1.0]}), ("b", {"error": "E"})]
    for reply in ({"answers": [{}]}, {"answers": [{}, {}, {}]}, {"answers": [{}, [1.0]]},
                  {"answers": {"0": {}, "1": {}}}, {}, [{}, {}]):
        with pytest.raises(Rejected, match="cannot read"):
            answers(asking(reply), "f", cases, payload)
    assert field({"v": [1.0]}, "v", "it") == [1.0]
    for answer, why in (({"error": "ZeroDivisionError: x"}, "it: ZeroDivisionError: x"),
                        ({"error": ["E"]}, "it: an error"), ({}, "it: no answer"),
                        ([1.0], "it: no answer")):
        with pytest.raises(Rejected, match=f"^{re.escape(why)}$"):
            field(answer, "v", "it")


# --- the rule: a judge reads answers only through answers(), field() and compare() ---------

def judge_rule_breaches(source):
    """Where a judge's source reads the kernel's answers other than through the helpers of
    grading.plugins.judge: ask() called by hand; answers() other than as a for loop's
    iterable, bound as `for <case>, <answer> in answers(...)`; field() other than as
    compare()'s first argument; the answer name used for anything but field()'s first
    argument (no len, zip, slice, .get, comparison or message of its own). Each breach:
    "line N: what"."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            child.parent = node
    breaches = []
    helpers = {"answers", "field", "compare", "ask"}
    for node in ast.walk(tree):  # the helpers are grading.plugins.judge's, never the judge's own
        bound = ([node.name] if isinstance(node, (ast.FunctionDef, ast.ClassDef)) else
                 [t.id for t in ast.walk(node) if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store)]
                 if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For, ast.With)) else
                 [a.asname or a.name for a in node.names if node.module != "grading.plugins.judge"]
                 if isinstance(node, ast.ImportFrom) else [])
        for name in helpers & set(bound):
            breaches.append(f"line {node.lineno}: defines its own {name}")

    def called(node, name):
        return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name

    def first_argument_of(node, name):
        parent = getattr(node, "parent", None)
        return called(parent, name) and parent.args[:1] == [node]

    for function in [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]:
        kernel_answers = set()
        for node in ast.walk(function):
            if called(node, "ask"):
                breaches.append(f"line {node.lineno}: ask() called by hand, not through answers()")
            elif called(node, "answers"):
                loop = node.parent
                target = getattr(loop, "target", None)
                if (not isinstance(loop, (ast.For, ast.comprehension)) or loop.iter is not node
                        or not isinstance(target, ast.Tuple) or not isinstance(target.elts[-1], ast.Name)):
                    breaches.append(f"line {node.lineno}: answers() not read as "
                                    "`for <case>, <answer> in answers(...)`")
                else:
                    kernel_answers.add(target.elts[-1].id)
            elif called(node, "field") and not first_argument_of(node, "compare"):
                breaches.append(f"line {node.lineno}: field() read without compare()")
        for node in ast.walk(function):
            if (isinstance(node, ast.Name) and node.id in kernel_answers
                    and isinstance(node.ctx, ast.Load) and not first_argument_of(node, "field")):
                breaches.append(f"line {node.lineno}: the answer {node.id!r} read without field()")
    return breaches


@pytest.mark.parametrize("path", sorted((ROOT / "judges").glob("*.py")), ids=lambda p: p.name)
def test_every_judge_reads_answers_only_through_the_helpers(path):
    assert judge_rule_breaches(path.read_text()) == []


@pytest.mark.parametrize("source, breach", [
    # issue 23's hole: a count the kernel reported, and zip over what it sent
    ("def check(ask):\n"
     "    for nodes, answer in answers(ask, 'partials', cases, payload):\n"
     "        if answer.get('count') != 2:\n"
     "            raise Rejected('count')\n"
     "        for partial, reference in zip(answer['partials'], expected):\n"
     "            close(partial, reference)\n", "the answer 'answer' read without field()"),
    ("def check(ask):\n"
     "    for case, answer in answers(ask, 'f', cases, payload):\n"
     "        found = field(answer, 'partials', 'it')\n"
     "        assert len(found) == 2\n", "field() read without compare()"),
    ("def check(ask):\n"
     "    for case, answer in zip(cases, answers(ask, 'f', cases, payload)):\n"
     "        pass\n", "answers() not read as"),
    ("def check(ask):\n"
     "    found = ask('partials', {'cases': []})['answers']\n", "ask() called by hand"),
    ("def compare(found, expected, *args):\n"
     "    return [], []\n", "defines its own compare"),
    ("from somewhere import field\n", "defines its own field"),
    ("def check(ask):\n"
     "    for case, answer in answers(ask, 'f', cases, payload):\n"
     "        raise Rejected(f'{answer}')\n", "the answer 'answer' read without field()"),
])
def test_the_rule_catches_answers_read_by_hand(source, breach):
    found = judge_rule_breaches(source)
    assert any(breach in line for line in found), found
