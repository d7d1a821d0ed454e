"""Feedback that keeps hidden tests hidden.

Autograded notebooks keep everything (instructors review them in the formgrader). The
feedback students receive (`nbgrader generate_feedback`) goes through HideHiddenTests:
each test cell shows its visible part only, with its score, and a failure shows as one
short line, "AssertionError: <the assertion's message>", instead of a traceback that
would quote hidden lines.
"""
import re

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

HIDDEN_BLOCK = re.compile(r"^[^\n]*BEGIN HIDDEN TESTS.*?END HIDDEN TESTS[^\n]*(\n|$)",
                          re.MULTILINE | re.DOTALL)
ANSI = re.compile(r"\x1b\[[0-9;]*m")
MAX_MESSAGE = 600


def visible_source(source):
    """A test cell's source as students see it: hidden blocks removed."""
    return HIDDEN_BLOCK.sub("", source).strip()


def failure_line(output):
    """One student-readable line for an error output."""
    name = ANSI.sub("", output.get("ename", "Error"))
    message = ANSI.sub("", str(output.get("evalue", ""))).strip()
    if not message and name == "AssertionError":
        message = "a hidden test failed"
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE] + " ..."
    return f"{name}: {message}" if message else name


class HideHiddenTests(NbGraderPreprocessor):
    """Strips hidden test code and tracebacks from instructor cells in feedback."""

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and (utils.is_grade(cell) or utils.is_locked(cell)):
            cell.source = visible_source(cell.source)
            if utils.is_grade(cell):
                for output in cell.outputs:
                    if output.output_type == "error":
                        output.traceback = [failure_line(output)]
        return cell, resources
