"""Seen in a real browser: headless Debian Chromium, driven by Playwright, against
JupyterLab servers on 127.0.0.1.

- A student opens the release (with correct answers filled in) in JupyterLab, runs all
  cells, and sees the three inline plots, with no error anywhere.
- The instructor's formgrader (nbgrader's JupyterLab server extension) lists the graded
  demo class with each student's score.
- The class report (reports/<assignment>/class_report.html) of the graded mutation corpus
  opens from disk: every figure renders, and the totals and test pass rates it shows are
  the gradebook's. Its screenshot is docs/class_report.png (GRADING_REFRESH_DOCS=1
  rewrites it).
- Similar answers: in the class report of a collected class with a disguised copy, the
  copy is the first pair, marked, its answers side by side (one above the other on a
  phone) with the shared parts highlighted. Screenshot: docs/similar_pair.png.
- Stored XSS: a submission whose markdown, raw html cell and outputs (text/html,
  application/javascript, SVG, text/markdown, widget view) carry script is graded; neither
  the formgrader's submission view of it nor its feedback page runs any of it, and both
  still show the inline plots. (The same pages are also checked without a browser, so
  that part runs everywhere.)

Needs /usr/bin/chromium (apt-get install chromium; .ci/run installs it) and the Python
package playwright (requirements.txt); Playwright never downloads a browser here.
Skipped when either is missing, except in CI, where that fails.
"""
import importlib.util
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from grading import cli, gradebook
from grading.course import run_nbgrader, tool_env
from grading.gradebook import db_url
from grading.submissions import build_submission, read_answers, write_submission
from tests.support import ASSIGNMENT, NOTEBOOK, ROOT, cell_scores, generated_course, notebook_path
from tests.support.similarity_class import class_with_copies


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-dev-shm-usage"]  # a small /dev/shm in containers crashes tabs
SERVER_START_SECONDS = 90
RUN_ALL_SECONDS = 180
PAGE_SECONDS = 60
# JupyterLab settings for a quiet, deterministic page: every cell in the DOM (no
# virtual scrolling), no news fetched from the internet.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"},
}


@pytest.fixture(scope="module")
def browser():
    missing = [what for what, ok in [
        (CHROMIUM, os.access(CHROMIUM, os.X_OK)),
        ("the playwright package", importlib.util.find_spec("playwright") is not None),
    ] if not ok]
    if missing:
        message = f"browser tests need {' and '.join(missing)} (apt-get install chromium; requirements.txt)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    profile = Path(tempfile.mkdtemp(prefix="chromium-profile-"))
    with sync_playwright() as playwright:
        # A persistent context is how Playwright takes a fresh --user-data-dir of our own.
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 1000})
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class JupyterLab:
    """`jupyter lab` serving a folder on 127.0.0.1 at a free port, with its own settings,
    workspaces and runtime folders; always stopped on exit."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.port, self.token = _free_port(), secrets.token_hex(16)
        self.home = Path(tempfile.mkdtemp(prefix="jupyterlab-"))

    def url(self, path):
        return f"http://127.0.0.1:{self.port}/{path}?token={self.token}"

    def __enter__(self):
        settings = self.home / "settings"
        for name, values in LAB_SETTINGS.items():
            (settings / name).parent.mkdir(parents=True, exist_ok=True)
            (settings / name).write_text(json.dumps(values))
        env = tool_env()  # with the grading package that nbgrader_config.py imports
        env.update(JUPYTER_CONFIG_DIR=str(self.home / "config"),
                   JUPYTER_RUNTIME_DIR=str(self.home / "runtime"))
        self.log = open(self.home / "server.log", "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
             f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
             f"--IdentityProvider.token={self.token}", "--ServerApp.allow_root=True",
             f"--ServerApp.root_dir={self.folder}", f"--LabApp.user_settings_dir={settings}",
             f"--LabApp.workspaces_dir={self.home / 'workspaces'}"],
            cwd=self.folder, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        try:
            self._wait_until_up()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait_until_up(self):
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited:\n{(self.home / 'server.log').read_text()}")
            try:
                with urllib.request.urlopen(self.url("api/status"), timeout=5):
                    return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"jupyter lab did not answer in {SERVER_START_SECONDS} s:\n"
                           f"{(self.home / 'server.log').read_text()}")

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        shutil.rmtree(self.home, ignore_errors=True)


PROMPTS = "() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.textContent.trim())"
START_SECONDS = 30


def _ran(prompt):
    return re.fullmatch(r"\[\d+\]:", prompt) is not None


def run_all_cells(page, lab):
    """Run > Run All Cells, as a student would, and wait until every code cell shows its
    execution count. A click that starts nothing within START_SECONDS (JupyterLab can drop
    a run sent while the kernel connects) is made once more. A stall fails with the cells'
    prompts and the server log, so that the failure says where the run stopped."""
    deadline = time.monotonic() + RUN_ALL_SECONDS
    prompts = []
    for attempt in range(2):
        page.click(".lm-MenuBar-itemLabel:text-is('Run')")
        page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
        clicked = time.monotonic()
        while time.monotonic() < deadline:
            prompts = page.evaluate(PROMPTS)
            if prompts and all(map(_ran, prompts)):
                return
            nothing_started = all(p in ("[ ]:", "") for p in prompts)
            if attempt == 0 and nothing_started and time.monotonic() - clicked > START_SECONDS:
                break
            time.sleep(0.5)
        else:
            break
    unfinished = [i for i, p in enumerate(prompts) if not _ran(p)]
    counts = {p: prompts.count(p) for p in sorted(set(prompts)) if not _ran(p)}
    log = (lab.home / "server.log").read_text()[-4000:]
    pytest.fail(f"Run All Cells did not finish in {RUN_ALL_SECONDS} s: {len(unfinished)} of "
                f"{len(prompts)} code cells unfinished {counts}, first the one at index "
                f"{unfinished[0] if unfinished else None}\nserver log (end):\n{log}")


@pytest.mark.slow  # real kernels, a browser
def test_student_runs_the_release_in_jupyterlab_and_sees_the_plots(browser, tmp_path):
    answers = read_answers(ROOT / "demo" / "students" / "correct_carla.py")
    nb = build_submission(notebook_path(ROOT, "release"), answers)
    nbformat.write(nb, str(tmp_path / "homework.ipynb"))
    code_cells = sum(cell.cell_type == "code" for cell in nb.cells)

    with JupyterLab(tmp_path) as lab:
        page = browser.new_page()
        page.set_default_timeout(PAGE_SECONDS * 1000)
        page.goto(lab.url("lab/tree/homework.ipynb"))
        # The whole notebook in the page and its kernel connected and idle before the click.
        page.locator(".jp-CodeCell").nth(code_cells - 1).wait_for(state="attached")
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")
        page.locator("#jp-main-statusbar").get_by_text("Idle").wait_for()
        run_all_cells(page, lab)

        assert page.locator(".jp-CodeCell .jp-InputPrompt").count() == code_cells
        images = page.locator(".jp-OutputArea-output img")
        images.first.wait_for()
        assert images.count() >= 3
        for i in range(images.count()):
            assert images.nth(i).get_attribute("src").startswith("data:image/png")
            assert images.nth(i).evaluate("img => img.complete && img.naturalWidth > 100")
        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        assert errors.count() == 0, errors.all_inner_texts()
        page.close()


@pytest.mark.slow  # real kernels, a browser
@pytest.mark.slow  # the corpus graded, a browser
def test_class_report_renders_the_gradebook(browser, corpus_report, tmp_path):
    course = corpus_report  # similarity, then report --html, run on the graded corpus
    students = sorted(gradebook.student_ids(course))
    report = course / "reports" / ASSIGNMENT / "class_report.html"
    page = browser.new_page()
    page.set_viewport_size({"width": 1100, "height": 1500})
    page.set_default_timeout(PAGE_SECONDS * 1000)
    try:
        page.goto(report.resolve().as_uri(), wait_until="load")
        page.wait_for_function("() => [...document.images].every(img => img.complete)")
        figures = page.locator("img[id^='figure-']")
        assert figures.count() == 4  # totals, questions, tests, likely mistakes
        for i in range(figures.count()):
            assert figures.nth(i).evaluate("img => img.naturalWidth > 300 && img.naturalHeight > 100")

        totals = gradebook.totals(course, ASSIGNMENT, students)
        shown = {}
        for row in page.locator("#totals tr[data-student]").all():
            cells = [c.strip() for c in row.locator("td").all_inner_texts()]
            shown[cells[0]] = cells[-2]
        assert shown == {s: f"{score:g}" for s, (score, _) in totals.items()}

        scores = {s: cell_scores(course, s) for s in students}
        for row in page.locator("#tests tr[data-cell]").all():
            key = row.get_attribute("data-cell")
            points = [sc[key] for sc in scores.values()]
            rate = sum(score >= top for score, top in points) / len(points)
            assert row.locator("td").nth(3).inner_text().strip() == f"{100 * rate:.0f}%", key
        page.screenshot(path=str(tmp_path / "class_report.png"))

        if os.environ.get("GRADING_REFRESH_DOCS") == "1":
            shutil.copy(tmp_path / "class_report.png", ROOT / "docs" / "class_report.png")
    finally:
        page.close()


@pytest.mark.slow  # a class, a browser
def test_similar_answers_side_by_side(browser, tmp_path):
    """A collected class of 12 with one disguised copy: the class report opens with the
    copy as its most similar pair, marked, its five answers side by side with the shared
    parts highlighted, and one above the other on a phone."""
    course = generated_course(tmp_path / "course")
    students, copied = class_with_copies(12, 1, seed=7)
    for student, answers in students.items():
        write_submission(course, student, ASSIGNMENT, NOTEBOOK,
                         build_submission(notebook_path(course, "release"), answers))
    assert cli.main(["similarity", ASSIGNMENT, "--course", str(course)]) == 0
    assert cli.main(["report", ASSIGNMENT, "--html", "--course", str(course)]) == 0
    page = browser.new_page()
    page.set_viewport_size({"width": 1000, "height": 1500})
    page.set_default_timeout(PAGE_SECONDS * 1000)
    try:
        page.goto((course / "reports" / ASSIGNMENT / "class_report.html").resolve().as_uri())
        pair = page.locator("details.similar").first
        assert pair.get_attribute("open") is not None  # a pair at the threshold opens itself
        summary = pair.locator("summary b").inner_text()
        [(copier, original)] = copied.items()
        assert summary.endswith(f"{original} and {copier}") and float(summary.split(":")[0]) >= 0.9
        blocks = pair.locator(".pair")
        assert blocks.count() == 5  # every answer cell matches
        for i in range(blocks.count()):
            left, right = (blocks.nth(i).locator("pre").nth(j).bounding_box() for j in (0, 1))
            assert left["y"] == right["y"] and left["x"] + left["width"] <= right["x"] <= 1000
            assert blocks.nth(i).locator("mark").count() >= 2
        pair.screenshot(path=str(tmp_path / "similar_pair.png"))
        page.set_viewport_size({"width": 400, "height": 800})
        left, right = (blocks.nth(0).locator("pre").nth(j).bounding_box() for j in (0, 1))
        assert right["y"] >= left["y"] + left["height"] and right["x"] + right["width"] <= 400
        if os.environ.get("GRADING_REFRESH_DOCS") == "1":
            shutil.copy(tmp_path / "similar_pair.png", ROOT / "docs" / "similar_pair.png")
    finally:
        page.close()


@pytest.mark.slow  # the demo class graded, a browser
def test_feedback_opens_with_the_questions_and_names_every_test(browser, demo_class, tmp_path):
    """Pat's feedback page (the demo's partly right student): a table per question with
    the gradebook's scores and the failed tests, each test headed by its name and its
    docstring (never "Test cell"), a verdict under each, no hidden test; on a phone the
    table fits the screen. Its screenshot is docs/feedback.png."""
    from grading.assignment import read_assignment

    student = "partial_pat"
    structure = read_assignment(demo_class, ASSIGNMENT)
    scores = cell_scores(demo_class, student)
    page = browser.new_page()
    page.set_viewport_size({"width": 1000, "height": 1100})
    page.set_default_timeout(PAGE_SECONDS * 1000)
    try:
        page.goto(notebook_path(demo_class, "feedback", student).resolve().as_uri())
        rows = [[c.strip() for c in row.locator("td").all_inner_texts()]
                for row in page.locator(".summary tbody tr").all()]
        expected = []
        for question in structure.questions:
            score, top = structure.question_scores(scores)[question.title]
            failed = [c.grade_id for c in question.cells if scores[c.grade_id][0] < scores[c.grade_id][1]]
            expected.append([question.title, f"{score:g} / {top:g}", " ".join(failed) or "none"])
        assert [[title, score, " ".join(failed.split())] for title, score, failed in rows] == expected
        assert any(row[2] != "none" for row in rows)  # Pat fails something: the page shows what
        headings = page.locator(".test-heading")
        assert headings.count() == len([c for c in structure.cells if c.kind == "test"])
        for cell, heading in zip([c for c in structure.cells if c.kind == "test"], headings.all()):
            assert heading.locator(".test-name").inner_text() == cell.grade_id
            assert heading.locator(".test-doc").inner_text() == cell.docstring.splitlines()[0]
        failed = [c.grade_id for c in structure.cells
                  if c.kind == "test" and scores[c.grade_id][0] < scores[c.grade_id][1]]
        assert page.locator(".verdict").count() == headings.count()
        assert page.locator(".verdict.failed").count() == len(failed)
        assert all(message.strip() for message in page.locator(".verdict.failed .message").all_inner_texts())
        text = page.locator("body").inner_text()
        assert "Test cell" not in text and "BEGIN HIDDEN" not in text and "for test_found, test_expected" not in text  # hidden code
        assert "OutsideCheckFailed" not in text and "A second check, on new numbers, disagreed" in text
        page.screenshot(path=str(tmp_path / "feedback.png"))
        # Pat's Divide lost its minus sign, a mistake the course's table knows: the
        # verdict under the test says what to check.
        cell = page.locator("div.code_cell", has=page.locator('a[name="divide_gradient_correct"]'))
        verdict = cell.locator("xpath=following-sibling::div[contains(@class, 'verdict')][1]")
        assert "What to check:" in verdict.inner_text() and "sign" in verdict.inner_text()
        # ... and gives the case to try: Divide's derivatives on the judge's numbers
        case = verdict.locator(".case pre").inner_text()
        assert " / " in case and "e.operator_gradient()" in case
        cell.scroll_into_view_if_needed()
        top, bottom = cell.bounding_box(), verdict.bounding_box()
        page.screenshot(path=str(tmp_path / "feedback_failed_test.png"), clip={
            "x": top["x"], "y": top["y"], "width": top["width"],
            "height": bottom["y"] + bottom["height"] - top["y"]})
        page.set_viewport_size({"width": 390, "height": 844})
        table = page.locator(".summary table").bounding_box()
        assert table["x"] >= 0 and table["x"] + table["width"] <= 390
        if os.environ.get("GRADING_REFRESH_DOCS") == "1":
            for name in ("feedback.png", "feedback_failed_test.png"):
                shutil.copy(tmp_path / name, ROOT / "docs" / name)
    finally:
        page.close()


def test_formgrader_lists_the_graded_demo_class(browser, demo_class):
    with JupyterLab(demo_class) as lab:
        page = browser.new_page()
        page.set_default_timeout(PAGE_SECONDS * 1000)
        page.goto(lab.url("formgrader/manage_students"))
        rows = page.locator("table tbody tr")
        page.wait_for_function("() => document.querySelectorAll('table tbody tr td').length >= 3 * 4")
        table = {}
        for row in rows.all():
            cells = [c.strip() for c in row.locator("td").all_inner_texts()]
            table[cells[1]] = cells[3]  # Student ID -> Overall Score
        assert table == {"blank_ben": "0 / 100", "correct_carla": "100 / 100", "partial_pat": "70 / 100"}

        page.goto(lab.url("formgrader/manage_assignments"))
        assignment = page.locator("table tbody tr", has_text="expressions_to_ml")
        assignment.wait_for()
        assert "3" in [c.strip() for c in assignment.locator("td").all_inner_texts()]  # submissions
        page.close()


# --------------------------------------------------------------------------------------
# Stored XSS: what a student hands in is shown to others (the instructor in the
# formgrader, in the Jupyter server's origin; the student or instructor opening feedback).

XSS_STUDENT = "xss_sam"
XSS_MARK = "__xss"  # every payload's code names it; it appears in nothing else


def mark(kind, target="window"):
    """JavaScript that, if it ever runs, leaves traces: window.__xss, the page title, a
    console message, a request. No spaces, brackets or double quotes, so it fits a
    markdown link, an HTML attribute and a Python string alike."""
    return (f"{target}.{XSS_MARK}=({target}.{XSS_MARK}||'')+'{kind},';"
            f"{target}.document.title='XSS:{kind}';console.log('XSS:{kind}');"
            f"fetch('/xss-ping/{kind}')")


def xss_cells():
    """The student's extra cells: a markdown cell, a raw text/html cell, and a code cell
    whose outputs (made while autograding) carry script."""
    markdown = "\n\n".join([  # blank lines: each its own block, the link a real link
        "A note from the student: **bold words**, `code` and $\\frac{\\partial L}{\\partial x}$.",
        f"<script>{mark('md-script')}</script>",
        f'<img src="x" onerror="{mark("md-img-onerror")}">',
        f'<svg onload="{mark("md-svg-onload")}"><circle r="5"></circle></svg>',
        f'<iframe srcdoc="&lt;script&gt;{mark("md-iframe-srcdoc", "parent")}&lt;/script&gt;"></iframe>',
        f'<iframe src="javascript:{mark("md-iframe-src", "parent")}"></iframe>',
        f'<details open ontoggle="{mark("md-details-ontoggle")}">details</details>',
        f'<a href="javascript:{mark("md-html-link")}">html link</a>',
        f"[markdown link](javascript:{mark('md-markdown-link')})",
        # Math is turned into MathML when pages are written (grading/plugins/sanitize.py),
        # after bleach: a formula must carry no link, handler, style or markup of its own.
        f"$\\href{{javascript:{mark('math-href')}}}{{link}}$",
        f"$\\text{{<img src=x onerror=\"{mark('math-text-img')}\">}}$",
        f"$$x</annotation></semantics></math><script>{mark('math-escape')}</script>$$",
        f"$$\\style{{background:url(javascript:{mark('math-style')})}}{{x}}$$",
        f"$\\color{{red\" onmouseover=\"{mark('math-color')}}}{{x}}$",
        f'<math><mi onclick="{mark("md-mathml-onclick")}" href="javascript:{mark("md-mathml-href")}">x</mi></math>',
    ])
    raw = nbformat.v4.new_raw_cell(
        f'<script>{mark("raw-script")}</script><img src="x" onerror="{mark("raw-img-onerror")}">',
        metadata={"raw_mimetype": "text/html"})
    html = f'<script>{mark("out-html-script")}</script><img src="x" onerror="{mark("out-html-img")}">'
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20" '
           f'onload="{mark("out-svg-onload")}"><script>{mark("out-svg-script")}</script>'
           f'<circle cx="10" cy="10" r="5"/></svg>')
    markdown_out = (f'<img src="x" onerror="{mark("out-md-img")}">\n\n'
                    f"[out link](javascript:{mark('out-md-link')})")
    isolated = f'<img src="x" onerror="{mark("out-isolated")}">'
    widget = {"model_id": "0", "version_major": 2, "version_minor": 0}
    code = "\n".join([
        "from IPython.display import HTML, SVG, Javascript, Markdown, display",
        f"display(HTML({html!r}))",
        f"display(Javascript({mark('out-javascript')!r}))",
        f"display(SVG({svg!r}))",
        f"display(Markdown({markdown_out!r}))",
        f"display({{'text/html': {isolated!r}, 'text/plain': 'isolated'}}, raw=True,",
        "        metadata={'text/html': {'isolated': True}})",
        f"display({{'application/vnd.jupyter.widget-view+json': {widget!r}, 'text/plain': 'widget'}},"
        " raw=True)",
        f"print({html!r})",
        f"HTML({isolated!r})",
    ])
    return [nbformat.v4.new_markdown_cell(markdown), raw, nbformat.v4.new_code_cell(code)]


@pytest.fixture(scope="module")
def xss_course(tmp_path_factory):
    """A course with one graded submission: Carla's correct answers, plus the script-laden
    cells after the first answer cell; autograded and feedback generated by nbgrader."""
    course = generated_course(tmp_path_factory.mktemp("xss") / "course")
    nb = build_submission(notebook_path(course, "release"),
                          read_answers(ROOT / "demo" / "students" / "correct_carla.py"))
    first_answer = next(i for i, cell in enumerate(nb.cells)
                        if cell.metadata.get("nbgrader", {}).get("solution"))
    nb.cells[first_answer + 1:first_answer + 1] = xss_cells()
    write_submission(course, XSS_STUDENT, ASSIGNMENT, NOTEBOOK, nb)
    run_nbgrader(course, "autograde", ASSIGNMENT, "--force")
    run_nbgrader(course, "generate_feedback", ASSIGNMENT, "--force")
    return course


def _submission_id(course):
    from nbgrader.api import Gradebook

    with Gradebook(db_url(course)) as gb:
        return gb.find_submission_notebook(NOTEBOOK, ASSIGNMENT, XSS_STUDENT).id


@pytest.mark.slow  # real kernels, a browser
def test_the_xss_submission_is_graded_with_its_payloads_in_place(xss_course):
    """The fixture is what it claims: full marks, and every payload kind reached the
    autograded notebook (the outputs were really produced by the student's code)."""
    scores = cell_scores(xss_course, XSS_STUDENT)
    assert sum(s for s, _ in scores.values()) == sum(m for _, m in scores.values()) == 100
    nb = nbformat.read(str(notebook_path(xss_course, "autograded", XSS_STUDENT)), as_version=4)
    assert any(c.cell_type == "markdown" and XSS_MARK in c.source for c in nb.cells)
    assert any(c.cell_type == "raw" and XSS_MARK in c.source for c in nb.cells)
    mimetypes = {key for c in nb.cells if c.cell_type == "code" and XSS_MARK in c.source
                 for o in c.outputs for key in o.get("data", {})}
    assert {"text/html", "application/javascript", "image/svg+xml", "text/markdown",
            "application/vnd.jupyter.widget-view+json"} <= mimetypes, mimetypes


def executable_payloads(html):
    """Where a payload in this HTML page could run: script elements, event handlers,
    javascript: URLs, srcdoc and inline SVG naming XSS_MARK, looking inside data:text/html
    iframes too. Payloads shown as escaped text (inert) are not listed."""
    import base64

    from bs4 import BeautifulSoup

    found = []
    for element in BeautifulSoup(html, "html.parser").find_all(True):
        if element.name in ("script", "style", "svg") and XSS_MARK in element.get_text():
            found.append(f"<{element.name}> {element.get_text()[:60]}")
        for name, value in element.attrs.items():
            value = " ".join(value) if isinstance(value, list) else value
            if XSS_MARK in value or value.strip().lower().startswith("javascript:"):
                found.append(f"<{element.name} {name}={value[:60]!r}>")
            prefix = "data:text/html;base64,"
            if name == "src" and value.startswith(prefix):
                inner = base64.b64decode(value[len(prefix):]).decode("utf-8", "replace")
                found += [f"in <{element.name} src=data:...>: {what}"
                          for what in executable_payloads(inner)]
    return found


def assert_safe_and_formatted(html):
    assert executable_payloads(html) == []
    # The student's attempts are shown as text, formatting and math still render ...
    assert "&lt;script&gt;window.__xss" in html
    assert "<strong>bold words</strong>" in html
    for kind in ("math-href", "math-text-img", "math-escape", "math-style", "math-color"):
        assert kind in html  # each formula's payload is on the page, as text
    # (math is MathML made when the page is written, its TeX kept as an annotation)
    assert '<annotation encoding="application/x-tex">\\frac{\\partial L}{\\partial x}</annotation>' in html
    assert "<h1" in html and "From Expressions to Machine Learning" in html
    # ... and the three plots are there.
    assert html.count('src="data:image/png;base64,') >= 3


@pytest.mark.slow  # real kernels, a browser
def test_feedback_html_holds_no_student_script(xss_course):
    html = notebook_path(xss_course, "feedback", XSS_STUDENT).read_text()
    assert_safe_and_formatted(html)


@pytest.mark.parametrize("markdown, kept", [
    ("[a](javascript:alert(1))", "<a>a</a>"),
    ('<a href=" JaVa&#x09;script:alert(1)">a</a>', "<a>a</a>"),
    ('<a href="&#100;ata:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">a</a>', "<a>a</a>"),
    ('<img src="da\tta:text/html,x" onerror="alert(1)">', "<img>"),
    ("<svg><script>alert(1)</script></svg>", "&lt;svg&gt;&lt;script&gt;"),
    ('<form action="https://x.org"><input name="p"></form>', "&lt;form"),
    ('<p style="position:fixed">x</p>', "<p>x</p>"),
    ("![plot](data:image/png;base64,iVBORw0KGgo=)", 'src="data:image/png;base64,iVBORw0KGgo="'),
    ("[docs](https://x.org/a?b=1) and [top](#top)", '<a href="https://x.org/a?b=1">docs</a>'),
    ("## Title $a<b$\n\n| a | b |\n|:-|-:|\n| 1 | 2 |",
     '<td style="text-align:right;">2</td>'),
])
def test_markdown_filter_keeps_formatting_and_drops_what_runs(markdown, kept):
    from nbconvert.exporters import HTMLExporter
    from traitlets.config import Config

    from grading.plugins.sanitize import SafeMarkdown2HTML

    config = Config()
    config.HTMLExporter.filters = {"markdown2html": SafeMarkdown2HTML}
    exporter = HTMLExporter(config=config)
    cell = nbformat.v4.new_markdown_cell(markdown)
    html = exporter.environment.from_string(
        "{{ cell.source | markdown2html }}").render(cell=cell, resources={})
    assert kept in html
    assert dangerous_markup(html) == []


def dangerous_markup(html):
    """Elements and attributes in html that could run script, post a form or cover the
    page (entities decoded, as a browser reads them)."""
    from bs4 import BeautifulSoup

    found = []
    for element in BeautifulSoup(html, "html.parser").find_all(True):
        if element.name in ("script", "svg", "iframe", "object", "embed", "form", "input", "style"):
            found.append(f"<{element.name}>")
        for name, value in element.attrs.items():
            url = "".join((" ".join(value) if isinstance(value, list) else value).split()).lower()
            if name.startswith("on") or url.startswith(("javascript:", "data:text")) or "position" in url:
                found.append(f"<{element.name} {name}={url!r}>")
    return found


@pytest.mark.slow  # real kernels, a browser
def test_formgrader_submission_html_holds_no_student_script(xss_course):
    """The formgrader's submission view, fetched over HTTP (no browser needed)."""
    with JupyterLab(xss_course) as lab:
        url = lab.url(f"formgrader/submissions/{_submission_id(xss_course)}/")
        with urllib.request.urlopen(url, timeout=PAGE_SECONDS) as response:
            html = response.read().decode()
    assert "formgrade" in html  # the submission view itself, not an error page
    assert_safe_and_formatted(html)


def assert_no_student_script_runs(browser, url):
    """Opens url, lets every payload have its chance (page load, failed images, links
    clicked), then checks no trace of any, and that the plots show."""
    page = browser.new_page()
    page.set_default_timeout(PAGE_SECONDS * 1000)
    traces = []
    page.on("console", lambda message: traces.append(f"console: {message.text}")
            if "XSS:" in message.text or "xss-ping" in message.text else None)
    page.on("dialog", lambda dialog: (traces.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.on("request", lambda request: traces.append(f"request: {request.url}")
            if "xss-ping" in request.url else None)
    try:
        page.goto(url, wait_until="load")
        page.wait_for_function("() => [...document.images].every(img => img.complete)")
        for text in ("html link", "markdown link", "out link"):
            for link in page.get_by_text(text, exact=True).all():
                link.click(no_wait_after=True)
        page.wait_for_timeout(1000)
        ran = [frame.evaluate(f"() => window.{XSS_MARK} || ''") for frame in page.frames]
        assert ("".join(ran), traces) == ("", [])
        assert "XSS:" not in page.title()
        assert page.evaluate("() => document.querySelectorAll("
                             "'[href^=\"javascript:\" i], [src^=\"javascript:\" i]').length") == 0

        plots = page.locator("img[src^='data:image/png']")
        assert plots.count() >= 3
        for i in range(plots.count()):
            assert plots.nth(i).evaluate("img => img.complete && img.naturalWidth > 100")
    finally:
        page.close()


@pytest.mark.slow  # real kernels, a browser
def test_formgrader_submission_view_runs_no_student_script(browser, xss_course):
    with JupyterLab(xss_course) as lab:
        assert_no_student_script_runs(
            browser, lab.url(f"formgrader/submissions/{_submission_id(xss_course)}/"))


@pytest.mark.slow  # real kernels, a browser
def test_feedback_page_runs_no_student_script(browser, xss_course):
    feedback = notebook_path(xss_course, "feedback", XSS_STUDENT)
    assert_no_student_script_runs(browser, feedback.resolve().as_uri())
