"""The mutation corpus of tests/answers/: student answers in the answer-file format of
grading.submissions, each answering one question, right (correct/) or wrong (wrong/), and
a baseline that answers everything correctly."""
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from grading.submissions import read_answers

from . import ROOT

ANSWERS = ROOT / "tests" / "answers"
BASELINE = ANSWERS / "baseline.py"
KINDS = ("correct", "wrong")


@dataclass(frozen=True)
class Answer:
    """One answer file of the corpus, or the baseline."""
    path: Path

    @property
    def kind(self):
        return "baseline" if self.path == BASELINE else self.path.parent.name

    @property
    def label(self):
        return "baseline" if self.kind == "baseline" else f"{self.kind}/{self.path.stem}"

    @property
    def student(self):
        """The student id its submission is graded under."""
        return self.label.replace("/", "-")

    @property
    def summary(self):
        return self.path.read_text().splitlines()[0].lstrip("# ")

    @cached_property
    def cells(self):
        """{answer cell grade_id: code} of this file."""
        return read_answers(self.path)

    def own_test_cells(self, test_cells):
        """The test cells that grade the answer cells this file replaces
        (a test cell's grade_id starts with its answer cell's grade_id)."""
        return {t for t in test_cells if any(t.startswith(a + "_") for a in self.cells)}


def load_corpus(kinds=KINDS):
    return [Answer(path) for kind in kinds for path in sorted((ANSWERS / kind).glob("*.py"))]


CORPUS = load_corpus()
