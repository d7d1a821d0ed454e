"""The mutation corpus of tests/answers/: student answers in the answer-file format of
grading.submissions, each answering one question, right (correct/) or wrong (wrong/), and
a baseline that answers everything correctly."""
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from grading.commands import autograde
from grading.submissions import build_submission, read_answers, write_submission

from . import ASSIGNMENT, NOTEBOOK, ROOT, generated_course, notebook_path

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
    def mistake(self):
        """What a wrong answer gets wrong, as an id: "name--style.py" is another way of
        writing the mistake of "name.py"."""
        return self.path.stem.split("--")[0]

    @property
    def summary(self):
        return self.path.read_text().splitlines()[0].lstrip("# ")

    @property
    def hint(self):
        """What a student with this mistake should check (a wrong answer's second line,
        "# Hint: ..."): a question or a pointer, never the fix."""
        lines = self.path.read_text().splitlines()
        return lines[1].removeprefix("# Hint: ") if len(lines) > 1 and lines[1].startswith("# Hint: ") else ""

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
EVERYONE = [Answer(BASELINE)] + CORPUS  # what the mutation suite grades


def submit(course_dir, answers, release=None):
    """Writes one submission per answer into course_dir/submitted/: the release with the
    baseline's answers, then the answer file's own on top."""
    release = release or notebook_path(ROOT, "release")
    baseline = read_answers(BASELINE)
    for answer in answers:
        nb = build_submission(release, {**baseline, **answer.cells})
        write_submission(course_dir, answer.student, ASSIGNMENT, NOTEBOOK, nb)


def grade_corpus(folder, answers, workers=None):
    """A scratch course in folder/course with one submission per answer, graded in one
    parallel run (`grading autograde`). Returns (course folder, summary of the run)."""
    course = generated_course(Path(folder) / "course")
    submit(course, answers)
    results, seconds = autograde.grade_class(course, ASSIGNMENT, force=True,
                                             workers=workers).steps["autograde"]
    return course, autograde.summarize(results, seconds)
