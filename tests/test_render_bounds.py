"""Rendering and scanning a student's notebook is bounded: what the feedback page (and the
formgrader, through the same exporter settings) renders of each cell and output, the code
scan's parse, and the time and memory of making one student's feedback. Measurements of
the costs are in bench/feedback_bounds.py; the same attacks graded for real are in
tests/bad_submissions/ (oversized_cells, nested_html_output)."""
import os
import time

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import markdown2html_mistune
from traitlets.config import Config, PyFileConfigLoader

from grading.nbgrader_run import Step, TimeLimit, in_child
from grading.plugins import sanitize
from grading.plugins.findings import findings
from grading.plugins.integrity import MAX_SCANNED_CHARS, ScanStudentCode
from tests.support import ASSIGNMENT, ROOT, fresh_course
from tests.test_feedback import FORMGRADER, autograded, summarise


def nested_divs(depth):
    return "<div>" * depth + "INSIDE" + "</div>" * depth


def course_config(bounded=True):
    """The HTMLExporter settings of generate_feedback, from the course's nbgrader_config.py
    (without the bounded filters when bounded=False: the exporter as it was before)."""
    course = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    config = Config()
    config.HTMLExporter.merge(course.HTMLExporter)
    config.HTMLExporter.extra_template_basedirs = [os.path.join(FORMGRADER, "templates")]
    config.HTMLExporter.template_name = "feedback"
    config.HTMLExporter.extra_template_paths = [
        os.path.join(FORMGRADER, "static", "node_modules", "bootstrap", "dist", "css")]
    config.HTMLExporter.template_file = course.GenerateFeedback.HTMLExporter.template_file
    if not bounded:
        config.HTMLExporter.filters = {"markdown2html": course.HTMLExporter.filters["markdown2html"]}
    return config


def page(nb, bounded=True):
    nb, resources = summarise(nb)
    return HTMLExporter(config=course_config(bounded)).from_notebook_node(nb, resources=resources)[0]


def honest():
    return autograded({})


def small(*cells):
    """A notebook of a few cells (its page renders in a moment, unlike the whole homework)."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("Intro, with $x^2$."), *cells])
    nb.metadata.language_info = {"name": "python", "pygments_lexer": "ipython3"}
    return nb


def test_nesting_is_estimated_from_above():
    assert sanitize.nesting(nested_divs(500)) == sanitize.MAX_NESTING + 1
    assert sanitize.nesting("<b>" * 300 + "x") > sanitize.MAX_NESTING  # never closed
    assert sanitize.nesting("<div></x>" * 300) > sanitize.MAX_NESTING  # stray end tags close nothing
    table = "<table><tbody>" + "<tr><td>1</td><td>2.5</td></tr>" * 5000 + "</tbody></table>"
    assert sanitize.nesting(table) == 4
    assert sanitize.nesting("<p>one<p>two<li>a<li>b<br><img src=x>") == 2
    # Markdown nests block quotes and lists 20 deep at most (mistune's own bound).
    assert sanitize.nesting(markdown2html_mistune("> " * 200 + "x")) <= 21


def test_the_notebook_s_own_cells_are_within_the_bounds():
    assert sanitize.unshown(honest()) == []


def test_an_honest_page_is_the_same_with_the_bounds():
    assert page(honest()) == page(honest(), bounded=False)


def test_pieces_past_the_bounds_are_notices_on_the_page_and_findings():
    output = nbformat.v4.new_code_cell("Deep()")
    output.outputs = [nbformat.v4.new_output("execute_result", execution_count=1,
                                             data={"text/html": nested_divs(5000), "text/plain": "Deep"})]
    pieces = [
        (nbformat.v4.new_markdown_cell(nested_divs(3000)), "markdown with elements nested more than 100 deep"),
        (nbformat.v4.new_markdown_cell("INSIDE " * 10_000), "markdown of 70 KB (more than 50 KB)"),
        (nbformat.v4.new_code_cell("x = 1\n" * 5000), "code cell of 30 KB (more than 20 KB)"),
        (output, "HTML with elements nested more than 100 deep"),
    ]
    nb = small(*(cell for cell, _ in pieces))
    html = page(nb)
    notices = [n.get_text() for n in BeautifulSoup(html, "html.parser").find_all("div", class_="not-shown")]
    assert len(notices) == len(pieces), notices
    for text, (_, reason) in zip(notices, pieces):
        assert text == f"[{reason}: not shown on this page; the notebook holds it]"
    assert "INSIDE" not in html and "<div>" * 120 not in html
    assert "x = 1\nx = 1" in html and "x = 1\n" * 400 not in html  # the code cell's start, as text
    assert "<math" in html  # the rest renders as before
    # The autograde findings (FlagForReview) say the same.
    assert sanitize.unshown(nb) == [
        f"cell {i}: {reason}, shown as a notice in the feedback and the formgrader" for i, reason in [
            ("2 (student's own)", "markdown with elements nested more than 100 deep"),
            ("3 (student's own)", "markdown of 70 KB (more than 50 KB)"),
            ("4 (student's own)", "code of 30 KB (more than 20 KB)"),
            ("5 (student's own)", "text/html output with elements nested more than 100 deep")]]


def test_a_page_renders_a_bounded_total(monkeypatch):
    monkeypatch.setattr(sanitize, "PAGE_CHARS", 40_000)
    html = page(small(*[nbformat.v4.new_markdown_cell("Some words of mine. " * 200) for _ in range(20)]))
    assert 0 < html.count("more than the page shows") < 20  # 4 KB each: the first ones are shown
    assert html.count("Some words of mine.") >= 200


def test_the_scan_refuses_a_huge_code_cell():
    huge = "import os\n" + "x = 1\n" * (MAX_SCANNED_CHARS // 6 + 1)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(huge), nbformat.v4.new_code_cell("import sys")])
    nb, _ = ScanStudentCode().preprocess(nb, {})
    reasons = [(e["reason"], e["review"]) for e in findings(nb)]
    assert reasons == [(f"code cell too large to scan in cell 1 (student's own) ({len(huge) // 1000} KB > 100 KB)", True),
                       ("code that can reach the grader in cell 2 (student's own): import sys", True)]


# --- The time and memory of one student's feedback ------------------------------------

def test_a_child_returns_what_it_computed_or_raised():
    assert in_child(lambda: sum(range(10)), 30, 256) == 45
    with pytest.raises(ZeroDivisionError):
        in_child(lambda: 1 / 0, 30, 256)


def test_a_child_past_its_time_is_stopped():
    with pytest.raises(TimeLimit, match="stopped after 0.5 s"):
        in_child(lambda: time.sleep(3600), 0.5, 256)  # killed, not waited for


def spin():
    while True:
        pass


def test_a_child_past_its_cpu_time_is_stopped():
    with pytest.raises(TimeLimit, match="stopped after 1 s of CPU time"):
        in_child(spin, 600, 256, cpu_seconds=1)


def test_a_child_past_its_memory_fails():
    with pytest.raises(MemoryError):
        in_child(lambda: len(bytearray(2 * 2**30)), 30, 256)


def test_generate_feedback_runs_within_the_course_s_limits(tmp_path):
    course = fresh_course(tmp_path / "course")
    with open(course / "nbgrader_config.py", "a") as f:
        f.write("\nc.FeedbackLimits.seconds = 0.001\nc.FeedbackLimits.memory_mb = 300\n"
                "c.FeedbackLimits.cpu_seconds = 5\n")
    cwd = os.getcwd()
    os.chdir(course)
    try:
        step = Step("generate_feedback", ASSIGNMENT, [f"--CourseDirectory.root={course}"])
        assert step.limits == (0.001, 300, 5)
        processed, errors, log = step.run("some_student")
    finally:
        os.chdir(cwd)
    assert not processed and [str(e) for e in errors] == ["generate_feedback stopped after 0.001 s (the time limit)"]
    assert "stopped after" in log
