"""The class report's parts on their own, in milliseconds: failure messages normalised so
that a mistake looks the same on any inputs, the matching of failures with known mistakes,
and a page that shows what students wrote as text. (The report of real graded classes is
checked against their gradebooks in test_mutations, test_bad_submissions, test_browser.)"""
import html

import pytest

from grading import diagnosis
from grading.class_report import ClassFacts, CellStats, render
from grading.diagnosis import Diagnosis, Known, diagnose, normalise
from tests.support import ROOT, structure
from tests.support.report_check import Page, REPORT_TAGS


@pytest.mark.parametrize("first, second", [
    # the judge's random case and inputs go; the check and the verdict stay
    ("OutsideCheckFailed: compute_gradient on a sum: in a + -0.47 with a=1.47, after "
     "compute_gradient(2.8), the gradient of variable a: expected 2.8, found 3.8",
     "OutsideCheckFailed: compute_gradient on a sum: in a + b with a=-1.03, b=-2.43, after "
     "compute_gradient(), the gradient of variable b: expected -2.31, found 1.0"),
    ("OutsideCheckFailed: fit(loss, [(1.0, -2.08)], [a, c], delta=0.0038, num_iterations=6), "
     "starting from a=0.0: the returned total loss: expected 6.95, found 13.9",
     "OutsideCheckFailed: fit(loss, [(-1.5, -2.21), (1.75, -1.42)], [a, c], delta=0.0019, "
     "num_iterations=2), starting from a=-0.21: the returned total loss: expected 5.4, found 10.8"),
    # the judge's messages as they read now: the case drawn is in the code to try, which
    # follows the first line and is never compared
    ("OutsideCheckFailed: compute_gradient on a sum: the gradient of variable a: expected 2.8, "
     "found 3.8",
     "OutsideCheckFailed: compute_gradient on a sum: the gradient of variable b: expected -2.31, "
     "found 1.0"),
    ("OutsideCheckFailed: fit with two points and one iteration: a moved half as far as it should "
     "(from 0.5: expected 0.4, found 0.45); b moved half as far as it should (from -0.2: expected "
     "0.1, found -0.05)",
     "OutsideCheckFailed: fit with two points and one iteration: a moved half as far as it should "
     "(from -0.91: expected -0.7, found -0.805); b moved half as far as it should (from 0.0: "
     "expected 1.5, found 0.75)"),
    ("AttributeError: 'Expr' object at 0x7f3a2c0 has no attribute 'grad'",
     "AttributeError: 'Expr' object at 0x55e1d80 has no attribute 'grad'"),
])
def test_one_mistake_on_other_inputs_reads_the_same(first, second):
    assert normalise(first) == normalise(second)


@pytest.mark.parametrize("message, kept", [
    ("x: expected 2.5, found -2.5", "found the opposite of what was expected"),
    ("x: expected 2.5, found 5.0", "found twice what was expected"),
    ("x: expected 2.5, found 1.25", "found half of what was expected"),
    ("x: expected 2.5, found 0.0", "expected #, found #"),  # zeros come and go with the inputs
    ("x: expected 2.5, found 3.1", "expected #, found #"),
])
def test_how_the_numbers_relate_is_kept(message, kept):
    assert normalise(message).endswith(kept)


SHAPE = structure()
SIGN = "the partial derivative with respect to its denominator: expected #, found the opposite of what was expected"
TABLE = [
    Known("divide_sign_error", "lost the minus sign", {"divide_gradient_correct": SIGN}),
    Known("divide_y_times_two", "y * 2 for y squared", {"divide_gradient_correct": "expected #, found #"}),
    Known("assigns", "assigns instead of adding", {"compute_gradient_nested": "m", "compute_gradient_shared_nodes": "m"}),
    Known("visited_set", "stops at shared nodes", {"compute_gradient_nested": "m", "compute_gradient_shared_nodes": "m"}),
    Known("forgets_vy", "never assigns vy", {"fit_trains_parabola": "loss", "fit_one_exact_step": "loss",
                                             "fit_uses_its_arguments": "loss"}),
]


def by_unit(failed):
    return {d.unit: d for d in diagnose(failed, TABLE, SHAPE)}


def test_a_known_failure_names_its_mistake_in_its_own_part():
    [verdict] = diagnose({"divide_gradient_correct": SIGN}, TABLE, SHAPE)
    assert (verdict.unit, verdict.quality, verdict.words) == (
        "Question 2b: Divide", "exact", "lost the minus sign")


def test_mistakes_the_tests_cannot_tell_apart_are_named_together():
    [verdict] = diagnose({"compute_gradient_nested": "m", "compute_gradient_shared_nodes": "m"}, TABLE, SHAPE)
    assert {m for m, _ in verdict.mistakes} == {"assigns", "visited_set"}
    assert verdict.words == "assigns instead of adding / or: stops at shared nodes"


def test_a_close_match_says_so_and_a_poor_one_is_unrecognised():
    close = by_unit({"fit_trains_parabola": "loss", "fit_one_exact_step": "loss",
                     "fit_uses_its_arguments": "something else"})["Question 3"]
    assert close.quality == "close" and close.score == pytest.approx(2.5 / 3)
    poor = by_unit({"fit_trains_parabola": "loss"})["Question 3"]
    assert (poor.quality, poor.words) == ("unrecognised", "unrecognised")
    assert by_unit({"minus_gradient_correct": "x"})["Question 2a: Minus"].words == "unrecognised"


def test_each_part_is_diagnosed_on_its_own():
    verdicts = by_unit({"divide_gradient_correct": SIGN, "fit_trains_parabola": "loss",
                        "fit_one_exact_step": "loss", "fit_uses_its_arguments": "loss"})
    assert verdicts["Question 2b: Divide"].words == "lost the minus sign"
    assert verdicts["Question 3"].words == "never assigns vy"


def test_what_students_wrote_is_text_on_the_page():
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    test = [c for c in SHAPE.cells if c.kind == "test"][0]
    cell = CellStats(test.grade_id, "Question 1", test.points, evil, {evil: 0.0, "ok": test.points},
                     failures=[(evil, [evil])])
    row = {"student": evil, "score": 0.0, "max_score": 100.0, "needs_review": "yes",
           "flags": evil, "reasons": ""}
    row.update({q.title: 0.0 for q in SHAPE.questions})
    facts = ClassFacts("expressions_to_ml", SHAPE, [row], {evil: 0.0}, 100.0,
                       {q.title: {evil: 0.0} for q in SHAPE.questions}, [cell],
                       {evil: [Diagnosis("Question 1", ((evil, evil),), 1.0)]}, 1,
                       [(evil, 3600.0, 5.0)], [evil], {"finished": evil, "seconds": 1.0,
                                                       "per_submission": 1.0, "engine": evil},
                       similar_record(evil))
    page = Page(render(facts))
    assert page.tags <= REPORT_TAGS
    assert all(not src.startswith("x") for src in page.images.values())
    assert evil not in render(facts)
    # the similar pair's answers, side by side: shared parts marked, the rest as text
    assert page.pairs == [{"a": evil, "b": "ok", "similarity": "0.97"}]
    assert "x = 1<mark>" + html.escape(evil, quote=True) + "</mark>" in render(facts)


def similar_record(evil):
    code = "x = 1" + evil
    side = {"source": code, "shared": [[5, len(code)], [6, 8]]}  # overlapping spans: marked once
    return {"students": 2, "pairs": 1, "review_at": 0.5, "seconds": 0.1, "finished": evil,
            "top": [{"student_a": evil, "student_b": "ok", "similarity": 0.97, "questions": evil,
                     "identical_failures": [evil],
                     "cells": [{"cell": evil, "question": evil, "similarity": 1.0, "as_close": 0.1,
                                "a": side, "b": side}]}]}


def test_the_committed_table_reads_back():
    table = diagnosis.read_table(ROOT, "expressions_to_ml")
    assert len(table) >= 60 and all(k.fails and k.words for k in table)
    assert diagnosis.table_text("expressions_to_ml", table, "x").count('"mistake"') == len(table)
