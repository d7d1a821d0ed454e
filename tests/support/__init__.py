"""Helpers for the tests and the benchmarks (not part of the installed package): a scratch
copy of this repository's course, and shortcuts for its one assignment."""
import atexit
import shutil
import tempfile
from pathlib import Path

from grading import gradebook
from grading.assignment import read_assignment
from grading.course import notebook_path as _notebook_path, run_nbgrader

ROOT = Path(__file__).resolve().parents[2]  # this repository: the course folder
ASSIGNMENT = "expressions_to_ml"
NOTEBOOK = "expressions_to_ml"  # its one notebook's file name, without .ipynb


def fresh_course(destination, demo=False):
    """A scratch course folder: the course's config, source/, release/, judges/ and
    mistakes/ (and demo/ when asked), no gradebook."""
    destination = Path(destination)
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "nbgrader_config.py", destination)
    for folder in ("source", "release", "judges", "mistakes") + (("demo",) if demo else ()):
        shutil.copytree(ROOT / folder, destination / folder)
    return destination


_generated = []  # the course generated once in this test run, on first use


def generated_course(destination):
    """fresh_course(destination) with the assignment generated: release/ and the gradebook
    as `nbgrader generate_assignment` leaves them. A copy of one real run, made once per
    test run: each run costs 8 s, most of it nbgrader's start-up and its alembic call."""
    if not _generated:
        template = Path(tempfile.mkdtemp(prefix="generated-course-")) / "course"
        atexit.register(shutil.rmtree, template.parent, True)
        run_nbgrader(fresh_course(template), "generate_assignment", ASSIGNMENT, "--force")
        _generated.append(template)
    return Path(shutil.copytree(_generated[0], destination, dirs_exist_ok=True))


def notebook_path(course_dir, folder, student=None):
    """The assignment's notebook in source/, release/, or a student's folder."""
    return _notebook_path(course_dir, folder, ASSIGNMENT, NOTEBOOK, student)


def cell_scores(course_dir, student):
    """{grade_id: (score, max_score)} of a student, or None when not graded."""
    return gradebook.cell_scores(course_dir, ASSIGNMENT, student)


def structure():
    """The assignment's questions and points, read from source/."""
    return read_assignment(ROOT, ASSIGNMENT)


def question_scores(scores):
    """{question title: (score, max_score)} from cell_scores()."""
    return structure().question_scores(scores)
