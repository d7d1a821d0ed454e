"""Feedback students learn from, that keeps hidden tests hidden.

Autograded notebooks keep everything (instructors review them in the formgrader). The
feedback students receive (`nbgrader generate_feedback`) goes through, after GetGrades:
- HideHiddenTests: each test cell shows its visible part only, and a failure shows as
  one short line, "AssertionError: <the assertion's message>", instead of a traceback
  that would quote hidden lines;
- SummariseFeedback: what the page (templates/feedback.html.j2) opens with, a table per
  question (score, maximum, failed tests), and what it shows with each test: its name,
  its docstring, and for a failure the message and, when the course's table of known
  mistakes recognises it (grading.diagnosis), what to check.
"""
import ast
import os
import re

import nbformat
from nbgrader import utils
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Float, Integer
from traitlets.config import Configurable

from .. import diagnosis
from ..assignment import AssignmentError, read_assignment
from .judge import CASE_MARK

TEMPLATE = os.path.join(os.path.dirname(__file__), "templates", "feedback.html.j2")
NO_ERROR_SHOWN = ("no error shown, but the cell lost its points: a test cell scores 0 when it "
                  "writes to the error stream (warnings included) or when the notebook stops before it")

HIDDEN_BLOCK = re.compile(r"^[^\n]*BEGIN HIDDEN TESTS.*?END HIDDEN TESTS[^\n]*(\n|$)",
                          re.MULTILINE | re.DOTALL)
ANSI = re.compile(r"\x1b\[[0-9;]*m")
MAX_MESSAGE = 600


class FeedbackLimits(Configurable):
    """What making one student's feedback page may take, when the grading tools run
    generate_feedback (grading.nbgrader_run.Step: `grading autograde --feedback`, on a
    worker or here, regrade, class-run). Past it the student gets no page, and the run
    reports why; the rest of the class goes on. The page renders within bounds of its own
    (grading.plugins.sanitize), so an honest page takes about a second."""
    cpu_seconds = Float(30, help="CPU seconds for one student's feedback (an honest page: "
                                 "about one).").tag(config=True)
    seconds = Float(300, help="Wall-clock seconds for it (a busy machine slows every page; "
                              "this catches a page that waits).").tag(config=True)
    memory_mb = Integer(1024, help="Memory (MiB) it may add to the grader's process.").tag(config=True)


def visible_source(source):
    """A test cell's source as students see it: hidden blocks removed."""
    return HIDDEN_BLOCK.sub("", source).strip()


# The outside judge's verdict (grading.plugins.judge), said in plain words to students.
SECOND_CHECK = ("OutsideCheckFailed", "A second check, on new numbers, disagreed")


def failure_parts(output):
    """(one student-readable line, code to try or "") for an error output: the judge's
    rejection carries its case after judge.CASE_MARK."""
    name = ANSI.sub("", output.get("ename", "Error"))
    message = ANSI.sub("", str(output.get("evalue", ""))).strip()
    message, _, case = message.partition(f"\n{CASE_MARK}\n")
    if not message and name == "AssertionError":
        message = "a hidden test failed"
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE] + " ..."
    if name == SECOND_CHECK[0]:
        name = SECOND_CHECK[1]
    return (f"{name}: {message}" if message else name), case.strip()


class HideHiddenTests(NbGraderPreprocessor):
    """Strips hidden test code and tracebacks from instructor cells in feedback."""

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and (utils.is_grade(cell) or utils.is_locked(cell)):
            cell.source = visible_source(cell.source)
            if utils.is_grade(cell):
                for output in cell.outputs:
                    if output.output_type == "error":
                        line, case = failure_parts(output)
                        output.traceback = [line] + ([CASE_MARK, case] if case else [])
        return cell, resources


def _docstring(source):
    """The first line of a cell's docstring, "" when it has none or does not parse."""
    try:
        text = ast.get_docstring(ast.parse(source)) or ""
    except SyntaxError:
        return ""
    return text.strip().splitlines()[0] if text.strip() else ""


def _number(value):
    return float(value or 0)


class SummariseFeedback(NbGraderPreprocessor):
    """After GetGrades and HideHiddenTests: resources["feedback"] holds one row per
    question of this notebook (title, score, max_score, failed: the failed tests' grade
    ids), and each test cell's metadata "feedback" holds its docstring, whether it failed,
    its one-line message and a hint (or "")."""

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        notebook = info.get("notebook", "")
        tests = [cell for cell in nb.cells if cell.cell_type == "code"
                 and utils.is_grade(cell) and not utils.is_solution(cell)]
        structure = self._structure(info.get("assignment", ""))
        key = (lambda grade_id: structure.key(notebook, grade_id)) if structure else (lambda g: g)
        for cell in tests:
            meta = cell.metadata.nbgrader
            errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
            failed = _number(meta.get("score")) < _number(meta.get("points"))
            message, case = failure_parts(errors[0]) if errors else (NO_ERROR_SHOWN, "")
            cell.metadata["feedback"] = {
                "docstring": _docstring(cell.source), "failed": failed, "hint": "",
                "message": message if failed else "", "case": case if failed else ""}
        if structure:
            self._add_hints(nb, notebook, tests, structure, key)
        graded = [cell for cell in nb.cells if utils.is_grade(cell) or utils.is_task(cell)]
        resources["feedback"] = {"questions": self._questions(graded, structure, notebook, key)}
        return nb, resources

    def _structure(self, assignment):
        try:
            return read_assignment(CourseDirectory(config=self.config).root, assignment)
        except AssignmentError as error:
            self.log.warning("feedback without questions and hints: %s", error)
            return None

    def _add_hints(self, nb, notebook, tests, structure, key):
        """The hint of each failed test: that of the course's known mistake that its
        part's failures match (grading.diagnosis: both hints when two mistakes tie)."""
        table = diagnosis.read_table(CourseDirectory(config=self.config).root, structure.name)
        if not table:
            return
        named = nbformat.from_dict({"cells": nb.cells, "metadata": {"name": notebook}})
        messages = diagnosis.cell_messages(named, several=len(structure.notebooks) > 1)
        failed = {key(c.metadata.nbgrader.grade_id): diagnosis.normalise(
                      messages.get(key(c.metadata.nbgrader.grade_id), ""))
                  for c in tests if c.metadata.feedback["failed"]}
        units = dict(diagnosis.units(structure))
        for found in diagnosis.diagnose(failed, table, structure):
            for cell in tests:
                if cell.metadata.feedback["failed"] and key(cell.metadata.nbgrader.grade_id) in units[found.unit]:
                    cell.metadata.feedback["hint"] = found.hint

    @staticmethod
    def _questions(graded, structure, notebook, key):
        """A row per question: what its graded cells (tests, and any graded by hand) scored."""
        by_key = {key(cell.metadata.nbgrader.grade_id): cell for cell in graded}
        groups = ([(q.title, [key(c.grade_id) for c in q.cells]) for q in structure.questions
                   if q.notebook == notebook] if structure else [])
        covered = {k for _, keys in groups for k in keys}
        rest = [k for k in by_key if k not in covered]
        if rest:
            groups.append(("Other tests" if groups else "Tests", rest))
        rows = []
        for title, keys in groups:
            cells = [by_key[k] for k in keys if k in by_key]
            if cells:
                rows.append({
                    "title": title,
                    "score": sum(_number(c.metadata.nbgrader.get("score")) for c in cells),
                    "max_score": sum(_number(c.metadata.nbgrader.get("points")) for c in cells),
                    "failed": [c.metadata.nbgrader.grade_id for c in cells
                               if c.get("metadata", {}).get("feedback", {}).get("failed")]})
        return rows
