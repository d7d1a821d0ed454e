"""On the instructor's machine: write what a worker sent back into the course, through
nbgrader's own code, so that only this machine writes autograded/, feedback/ and the
gradebook (one writer: no "database is locked").

Recording a student runs nbgrader's Autograde converter, configured by the course's
nbgrader_config.py as `nbgrader autograde` is, with one change: the steps that produce
the graded notebook (sanitising, executing in the sandbox, the judge, output limits) ran
on the worker, so here the worker's notebook stands in for them (UseGradedNotebook), and
the rest of the course's autograde_preprocessors, from SaveAutoGrades on, run unchanged.
nbgrader itself creates the student and submission, reads timestamp.txt, copies the
source's other files, saves every cell's score, flags for review, applies late penalties
and writes the autograded notebook.

A student is marked unfinished while it is recorded; an interrupted run leaves the mark,
and the next run removes that half-written result and grades the student again.
"""
import contextlib
import shutil
from pathlib import Path

import nbformat
from nbconvert.preprocessors import Preprocessor
from nbgrader.api import Gradebook
from nbgrader.preprocessors import CheckCellMetadata, SaveAutoGrades
from traitlets import Dict

from . import gradebook
from .course import inside
from .nbgrader_run import StartError, Step, first_error
from .plugins.execution import BoundedExecute
from .task import write_folder


class UseGradedNotebook(Preprocessor):
    """Stands in for execution: the notebook as the worker graded it."""
    notebooks = Dict()  # {notebook name: JSON text}

    def preprocess(self, nb, resources):
        name = resources["unique_key"]
        if name not in self.notebooks:
            raise ValueError(f"the worker sent back no graded {name}.ipynb")
        return nbformat.reads(self.notebooks[name], as_version=4), resources


def _kind(preprocessor):
    return preprocessor if isinstance(preprocessor, type) else type(preprocessor)


def recording_steps(configured):
    """The course's autograde preprocessors from SaveAutoGrades on, less CheckCellMetadata:
    it only validates, and the worker already ran it on this very notebook (it costs
    a quarter of a second: nbgrader checks the schema itself for every cell)."""
    for index, preprocessor in enumerate(configured):
        if issubclass(_kind(preprocessor), SaveAutoGrades):
            return [p for p in configured[index:] if not issubclass(_kind(p), CheckCellMetadata)]
    raise StartError("the course's Autograde.autograde_preprocessors has no SaveAutoGrades: "
                     "nothing would save the scores")


class Recorder:
    """nbgrader's autograde and generate_feedback for one assignment, set up in the course
    folder as `nbgrader autograde ASSIGNMENT NBGRADER_ARGS` would be."""

    def __init__(self, course_dir, assignment, nbgrader_args=()):
        self.course_dir, self.assignment = Path(course_dir).resolve(), assignment
        args = [*nbgrader_args, f"--CourseDirectory.root={self.course_dir}"]
        with inside(self.course_dir):
            self.autograde = Step("autograde", assignment, args)
            self.feedback = Step("generate_feedback", assignment, args)
        probe = self.autograde.converter("-")
        self.after_execution = recording_steps(probe.autograde_preprocessors)
        # A course whose configuration runs notebooks with nbgrader's own Execute (a
        # bare nbgrader_config.py) is graded as stock nbgrader grades it: unsandboxed.
        self.sandboxed = any(issubclass(_kind(p), BoundedExecute) for p in probe.autograde_preprocessors)
        self.config = self.autograde.app.config
        self.marks = self.course_dir / "reports" / assignment / "unfinished"

    def to_grade(self, students, force):
        """(those nbgrader would grade now, those it skips as already graded)."""
        self.recover()
        if force:
            return list(students), []
        with inside(self.course_dir):
            chosen = {s: self.autograde.would_process(s) for s in students}
        return [s for s in students if chosen[s]], [s for s in students if not chosen[s]]

    def recover(self):
        """Removes what an interrupted run left half-written, so it is graded again."""
        for mark in sorted(self.marks.glob("*")) if self.marks.is_dir() else []:
            self.discard(mark.name)
            mark.unlink()

    def discard(self, student):
        """Removes a student's autograded and feedback folders, so a run grades them again."""
        for folder in ("autograded", "feedback"):
            shutil.rmtree(self.course_dir / folder / student / self.assignment, ignore_errors=True)

    @contextlib.contextmanager
    def unfinished(self, student):
        """Marks the student while the block writes their results; an interruption
        leaves the mark for recover()."""
        mark = self.marks / student
        self.marks.mkdir(parents=True, exist_ok=True)
        mark.touch()
        yield
        mark.unlink()

    def record(self, graded):
        """Writes a worker's result: (error or None, log text)."""
        with inside(self.course_dir):
            _, errors, log = self.autograde.run(
                graded.student, force=True, sanitize_preprocessors=[],
                autograde_preprocessors=[UseGradedNotebook(notebooks=graded.notebooks, enabled=True),
                                         *self.after_execution])
        return first_error(errors), log

    def recorded(self, student, notebooks):
        """What the gradebook now holds for a student: (the autograder's scores in the
        named notebooks, what feedback shows)."""
        coursedir = self.autograde.app.coursedir  # the gradebook nbgrader just wrote
        with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
            submission = gb.find_submission(self.assignment, student)
            return (gradebook.scores(submission, gradebook.AUTOGRADED, notebooks),
                    gradebook.shown_in_feedback(submission))

    def write_feedback(self, student, files):
        """The worker's feedback files, in place of any earlier ones."""
        target = self.course_dir / "feedback" / student / self.assignment
        shutil.rmtree(target, ignore_errors=True)
        write_folder(target, files)

    def make_feedback(self, student, force):
        """Feedback made here by nbgrader's generate_feedback: (processed, error, log)."""
        with inside(self.course_dir):
            processed, errors, log = self.feedback.run(student, force=force)
        if errors:  # never half a page (a run stopped at its time limit)
            shutil.rmtree(self.course_dir / "feedback" / student / self.assignment, ignore_errors=True)
        return processed, first_error(errors), log
