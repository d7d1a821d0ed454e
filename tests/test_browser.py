"""Seen in a real browser: headless Debian Chromium, driven by Playwright, against
JupyterLab servers on 127.0.0.1.

- A student opens the release (with correct answers filled in) in JupyterLab, runs all
  cells, and sees the three inline plots, with no error anywhere.
- The instructor's formgrader (nbgrader's JupyterLab server extension) lists the graded
  demo class with each student's score.

Needs /usr/bin/chromium (apt-get install chromium; .ci/run installs it) and the Python
package playwright (requirements.txt); Playwright never downloads a browser here.
Skipped when either is missing, except in CI, where that fails.
"""
import importlib.util
import json
import os
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

from grading.course import ROOT, notebook_path, tool_env
from grading.submissions import build_submission, read_answers

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


ALL_CODE_CELLS_RAN = """() => {
    const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
    return prompts.length > 0 && prompts.every(p => /^\\[\\d+\\]:$/.test(p.textContent.trim()));
}"""


def test_student_runs_the_release_in_jupyterlab_and_sees_the_plots(browser, tmp_path):
    answers = read_answers(ROOT / "demo" / "students" / "correct_carla.py")
    nb = build_submission(notebook_path(ROOT, "release"), answers)
    nbformat.write(nb, str(tmp_path / "homework.ipynb"))
    code_cells = sum(cell.cell_type == "code" for cell in nb.cells)

    with JupyterLab(tmp_path) as lab:
        page = browser.new_page()
        page.set_default_timeout(PAGE_SECONDS * 1000)
        page.goto(lab.url("lab/tree/homework.ipynb"))
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")
        page.click(".lm-MenuBar-itemLabel:text-is('Run')")
        page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
        page.wait_for_function(ALL_CODE_CELLS_RAN, timeout=RUN_ALL_SECONDS * 1000)

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
