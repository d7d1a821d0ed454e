"""The feedback page students receive, without a kernel: what SummariseFeedback makes of
an autograded notebook (the table per question, each test's docstring, message and hint)
and what the template (grading/plugins/templates/feedback.html.j2) renders from it. The
real page, from `nbgrader generate_feedback` on the graded demo class, is checked in a
browser by test_browser.py."""
import os
import re
import shutil
from pathlib import Path

import nbformat
import nbgrader
import pytest
from nbconvert import HTMLExporter
from traitlets.config import Config

from grading import diagnosis
from grading.plugins.feedback import TEMPLATE, HideHiddenTests, NO_ERROR_SHOWN, SummariseFeedback
from tests.support import ASSIGNMENT, NOTEBOOK, ROOT, fresh_course, notebook_path, structure

FORMGRADER = os.path.join(os.path.dirname(nbgrader.__file__), "server_extensions", "formgrader")
SIGN = ("AssertionError: vp / vq at vp = 6, vq = 2: the partial derivative with respect to vq "
        "should be -1.5, found 1.5. Nudging vq from 2 to 2.001 moves vp / vq from 3 to 2.9985.")


def autograded(lost):
    """The source notebook as GetGrades leaves an autograded one: every test cell scored,
    those in `lost` ({grade_id: error message or None}) at 0, with that error output."""
    nb = nbformat.read(str(notebook_path(ROOT, "source")), as_version=4)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            meta["score"] = meta["points"]
        if meta.get("grade_id") in lost:
            meta["score"] = 0
            message = lost[meta["grade_id"]]
            cell.outputs = [] if message is None else [nbformat.v4.new_output(
                "error", ename=message.split(":")[0], evalue=message.split(": ", 1)[1],
                traceback=["a traceback that quotes hidden lines"])]
    return nb


def summarise(nb, course=ROOT):
    config = Config()
    config.CourseDirectory.root = str(course)
    resources = {"nbgrader": {"notebook": NOTEBOOK, "assignment": ASSIGNMENT, "student": "pat",
                              "score": 0.0, "max_score": 100.0, "late_penalty": 0}}
    nb, resources = HideHiddenTests(config=config).preprocess(nb, resources)
    return SummariseFeedback(config=config).preprocess(nb, resources)


def render(nb, resources):
    """The page as generate_feedback renders it with the course's template."""
    config = Config()
    config.HTMLExporter.extra_template_basedirs = [os.path.join(FORMGRADER, "templates")]
    config.HTMLExporter.template_name = "feedback"
    config.HTMLExporter.extra_template_paths = [
        os.path.join(FORMGRADER, "static", "node_modules", "bootstrap", "dist", "css")]
    config.HTMLExporter.template_file = TEMPLATE
    return HTMLExporter(config=config).from_notebook_node(nb, resources=resources)[0]


def test_the_table_has_a_row_per_question_with_its_failed_tests():
    nb, resources = summarise(autograded({"divide_gradient_correct": SIGN, "fit_uses_its_arguments": None}))
    rows = resources["feedback"]["questions"]
    assignment = structure()
    assert [row["title"] for row in rows] == [q.title for q in assignment.questions]
    assert [(row["score"], row["max_score"], row["failed"]) for row in rows] == [
        (30, 30, []), (20, 30, ["divide_gradient_correct"]), (25, 40, ["fit_uses_its_arguments"])]


def test_each_test_gets_its_docstring_and_a_failure_its_message():
    nb, _ = summarise(autograded({"divide_gradient_correct": SIGN, "fit_uses_its_arguments": None}))
    tests = {c.metadata.nbgrader.grade_id: c.metadata.feedback for c in nb.cells if "feedback" in c.metadata}
    docstrings = {c.grade_id: c.docstring for c in structure().cells if c.kind == "test"}
    assert {g: f["docstring"] for g, f in tests.items()} == docstrings
    assert tests["divide_gradient_correct"]["message"] == SIGN
    assert tests["fit_uses_its_arguments"]["message"] == NO_ERROR_SHOWN  # lost without an error
    assert not any(f["failed"] or f["message"] for g, f in tests.items()
                   if g not in ("divide_gradient_correct", "fit_uses_its_arguments"))


def course_with_table(tmp_path, *known):
    course = fresh_course(tmp_path / "course")
    entries = [diagnosis.Known(mistake, "words", fails, mistake, hint) for mistake, fails, hint in known]
    diagnosis.table_path(course, ASSIGNMENT).write_text(diagnosis.table_text(ASSIGNMENT, entries, "test"))
    return course


def test_a_recognised_mistake_adds_its_hint_to_the_failed_test(tmp_path):
    normalised = diagnosis.normalise(SIGN)
    course = course_with_table(
        tmp_path, ("divide_sign_error", {"divide_gradient_correct": normalised}, "Check the sign."),
        ("minus_swapped", {"minus_gradient_correct": "x"}, "Check the order."))
    nb, _ = summarise(autograded({"divide_gradient_correct": SIGN}), course)
    hints = {c.metadata.nbgrader.grade_id: c.metadata.feedback["hint"] for c in nb.cells if "feedback" in c.metadata}
    assert hints["divide_gradient_correct"] == "Check the sign."
    assert set(hints.values()) == {"", "Check the sign."}


def hint_for_sign_error(course):
    nb, _ = summarise(autograded({"divide_gradient_correct": SIGN}), course)
    [cell] = [c for c in nb.cells if c.get("id") == "divide_gradient_correct"]
    return cell.metadata.feedback["hint"]


def test_mistakes_the_tests_cannot_tell_apart_give_their_hints_together_up_to_three(tmp_path):
    same = {"divide_gradient_correct": diagnosis.normalise(SIGN)}
    agree = course_with_table(tmp_path / "agree", ("a", same, "Check the sign."), ("b", same, "Check the sign."))
    assert hint_for_sign_error(agree) == "Check the sign."
    two = course_with_table(tmp_path / "two", ("a", same, "Check the sign."), ("b", same, "Check y."))
    assert hint_for_sign_error(two) == "Check the sign. Or: Check y."
    three = course_with_table(tmp_path / "three", ("a", same, "Check the sign."), ("b", same, "Check y."),
                              ("c", same, "Check x."))
    assert hint_for_sign_error(three) == "Check the sign. Or: Check y. Or: Check x."
    four = course_with_table(tmp_path / "four", ("a", same, "Check the sign."), ("b", same, "Check y."),
                             ("c", same, "Check x."), ("d", same, "Check z."))
    assert hint_for_sign_error(four) == ""


def test_every_known_mistake_has_a_hint_that_gives_no_formula():
    """The committed table: each mistake has a hint, phrased as something to check, and
    none writes out code or a derivative: no powers, no `1 / y`, no `(1, -1)`, no
    `return (...)`."""
    table = diagnosis.read_table(ROOT, ASSIGNMENT)
    assert table and all(known.hint for known in table)
    code = re.compile(r"\*\*|\b\d+\s*/\s*[a-z]\b|\(\s*-?1\s*,\s*-?1\s*\)|\breturn\s+[-(\d]")
    for known in table:
        assert not code.search(known.hint), known.hint
    assert code.search("return (1, -1)") and code.search("-x / y**2") and code.search("1 / y")


def test_the_page_opens_with_the_table_and_names_each_test():
    nb, resources = summarise(autograded({"divide_gradient_correct": SIGN}))
    html = render(nb, resources)
    assert html.count("<body") == 1 and 'name="viewport"' in html
    assert "Test cell" not in html and "BEGIN HIDDEN TESTS" not in html
    assert "a traceback that quotes hidden lines" not in html
    summary = html[html.index('<section class="summary">'):html.index("</section>")]
    assert summary.count("<tr class=") == 3 and "divide_gradient_correct" in summary
    assert html.count('class="panel-heading test-heading"') == 10
    assert html.count('<div class="verdict failed">') == 1 and html.count('<div class="verdict passed">') == 9


def test_what_a_student_controls_is_text_on_the_page():
    """A failure message quotes the student's value (its repr): markup in it is escaped."""
    evil = SIGN.replace("found 1.5", "found </span><script>alert(1)</script>")
    nb, resources = summarise(autograded({"divide_gradient_correct": evil}))
    html = render(nb, resources)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_every_question_3_mistake_of_the_table_gets_a_hint():
    """Each way a known fit mistake fails, diagnosed with the whole table as the page does,
    shows a hint: its own, or each question of the few it ties with (README: the share)."""
    from tests.support.mistake_table import hint_share

    table = diagnosis.read_table(ROOT, ASSIGNMENT)
    shown, ways = hint_share(table, "Question 3")
    assert ways > 20 and shown == ways


# A Question 3 mistake the issue names: gradients zeroed before every point, as the
# one-point preview suggested when copied into fit's loop.
PER_POINT = "wrong/fit_zeroes_gradient_per_point"


@pytest.fixture(scope="module")
def per_point_feedback(corpus_course, tmp_path_factory):
    """That answer as the mutation corpus graded it (the session's corpus_course: the same
    submission, graded by `grading autograde`), in a copy of that course, with its
    feedback page made by nbgrader's generate_feedback as `grading autograde --feedback`
    makes it when the gradebook is what it records: (course, student). Grading the
    answer again in a class of its own cost a LocalCluster and a kernel run."""
    from grading.record import Recorder
    from tests.support.corpus import CORPUS

    [answer] = [a for a in CORPUS if a.label == PER_POINT]
    graded, _ = corpus_course
    course = Path(shutil.copytree(graded, tmp_path_factory.mktemp("per-point") / "course"))
    processed, error, log = Recorder(course, ASSIGNMENT, ()).make_feedback(answer.student, force=True)
    assert processed and error is None, log
    return course, answer.student


@pytest.mark.slow  # one submission graded with feedback, then its case run on a kernel
def test_a_fit_mistake_gets_its_hint_and_a_case_that_runs_in_the_notebook(per_point_feedback):
    """The real page: the fit tests that lost points say in plain words that a second check
    disagreed (no grader jargon, no hidden expected value), show the mistake's hint, and
    give a case. Pasted after the student's own cells, the case runs and prints what the
    message says the student's fit gave."""
    from bs4 import BeautifulSoup
    from nbclient import NotebookClient

    course, student = per_point_feedback
    page = BeautifulSoup(notebook_path(course, "feedback", student).read_text(), "html.parser")
    verdicts = page.select(".verdict.failed")
    assert verdicts, "the wrong fit lost no points"
    text = page.get_text()
    assert "OutsideCheckFailed" not in text and "2.096314520528721" not in text
    hint = [a.hint for a in diagnosis.read_table(ROOT, ASSIGNMENT) if a.answer == PER_POINT][0]
    cell = page.find("a", attrs={"name": "fit_one_exact_step"}).find_parent(class_="code_cell")
    first = cell.find_next_sibling("div", class_="verdict")
    message = first.select_one(".message").get_text()
    assert message.startswith("A second check, on new numbers, disagreed: fit with two points")
    assert hint in first.select_one(".hint").get_text()
    case = first.select_one(".case pre").get_text()
    # The student's notebook, as handed in, then the case: it prints the values the
    # message reports as found.
    nb = nbformat.read(str(notebook_path(course, "submitted", student)), as_version=4)
    nb.cells = [c for c in nb.cells if c.cell_type == "code"
                and not c.metadata.get("nbgrader", {}).get("grade")] + [nbformat.v4.new_code_cell(case)]
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True).execute()
    printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    found = re.findall(r"found (-?[\d.e+-]+)\)", message)
    assert found and all(value in printed for value in found), (message, printed)
