"""What runs on a Dask worker: grade one submission with nbgrader, in a private course
folder built from the task, and send back what the instructor's machine keeps.

A worker needs the same requirements.txt, this package and bubblewrap; it never needs the
course folder. The first task of a course sets up a temporary copy of it (config and the
files beside it, source, judge) with a gradebook of its own, filled with the assignment's
cells as the course's gradebook holds them (generate_assignment ran once, on the
instructor's machine); every task then runs `nbgrader autograde` (and generate_feedback)
for its student there, with --force, and returns the autograded notebooks, the feedback,
the autograder's scores of that private gradebook and the log. Nothing here writes the
course's gradebook.

A worker that cannot sandbox student code refuses every task (WorkerRefused).

The course copy (solutions and hidden tests included) is removed at any stop the process
can catch: a normal exit (atexit; a nanny's graceful close ends so), and SIGTERM or SIGINT,
whose handlers remove it and then do what was to be done before (stopping the process).
"""
import atexit
import os
import shutil
import signal
import socket
import tempfile
import threading
import time
from pathlib import Path

from nbgrader.api import Gradebook

from . import gradebook
from .course import inside
from .nbgrader_run import StartError, Step, first_error
from .task import Graded, read_folder, write_folder

_lock = threading.Lock()  # nbgrader's apps and the working folder belong to the process
_course = {}  # the one course set up in this process: {"key": ..., "setup": CourseCopy}
_copies = set()  # folders of this process's course copies, until removed
_stop_handlers = {}  # {signal: the handler that was there before ours}
_catching = threading.Event()  # set once the stop handlers are (being) installed


class WorkerRefused(RuntimeError):
    """This worker cannot grade safely: it has no working sandbox."""


class CourseSetupError(RuntimeError):
    """The course sent with the task cannot be set up (its configuration is broken)."""


def worker_name():
    try:
        from distributed import get_worker
        return get_worker().address
    except (ImportError, ValueError):
        return f"{socket.gethostname()} pid {os.getpid()}"


def isolation(config):
    """The sandbox a course's nbgrader configuration asks for ("bwrap" unless turned off)."""
    return config.get("SandboxedKernelManager", {}).get("isolation", "bwrap")


def readiness(isolation="bwrap"):
    """None when this worker can grade, else why not (asked of every worker before a run)."""
    if isolation != "bwrap":
        return None
    from .plugins.sandbox import SandboxUnavailable, check_bubblewrap
    try:
        check_bubblewrap()
    except SandboxUnavailable as error:
        return str(error)
    return None


class CourseCopy:
    """A private course folder on this worker, set up from a task's Course."""

    def __init__(self, course):
        self.assignment = course.assignment
        self.folder = Path(tempfile.mkdtemp(prefix=f"grading-{course.assignment}-"))
        _copies.add(self.folder)
        try:
            self._set_up(course)
        except BaseException:
            self.remove()
            raise

    def _set_up(self, course):
        write_folder(self.folder, course.files)
        db = self.folder / "gradebook.db"
        gradebook.start_sqlite(db)
        # Kernels talk over unix sockets in this copy (jupyter's "ipc" transport): with
        # nbgrader's default TCP, two workers of a machine that start kernels at once
        # may pick the same free port ("Address already in use"); a sandboxed kernel
        # (grading.plugins.sandbox) chooses its own sockets anyway.
        (self.folder / "kernels").mkdir()
        args = ["--KernelManager.transport=ipc", f"--KernelManager.ip={self.folder / 'kernels' / 'k'}",
                *course.nbgrader_args, f"--CourseDirectory.root={self.folder}",
                f"--CourseDirectory.db_url=sqlite:///{db}", "--force"]
        with inside(self.folder):
            try:
                self.autograde = Step("autograde", self.assignment, args)
            except StartError as error:
                raise CourseSetupError(f"on worker {worker_name()}: {error}") from None
            refused = readiness(isolation(self.autograde.app.config))
            if refused:
                raise WorkerRefused(f"worker {worker_name()} refuses to grade: {refused}")
            self.args, self.feedback = args, None  # generate_feedback: set up when first asked for
            # The assignment's cells as the course's gradebook holds them: what
            # generate_assignment made there (header, automatic tests and all) is what
            # autograde checks here, with nothing generated again.
            gradebook.fill(self.autograde.app.coursedir.db_url,
                           self.autograde.app.coursedir.course_id, course.structure)

    def grade(self, submission, feedback=False):
        """Autogrades one submission here (and makes its feedback); returns Graded."""
        student, started = submission.student, time.monotonic()
        graded = Graded(student, worker_name())
        place = {folder: self.folder / folder / student for folder in
                 ("submitted", "autograded", "feedback")}
        for path in place.values():
            shutil.rmtree(path, ignore_errors=True)
        write_folder(place["submitted"] / self.assignment, submission.files)
        try:
            with inside(self.folder):
                _, errors, graded.log = self.autograde.run(student)
                if not errors and feedback:
                    self.feedback = self.feedback or Step("generate_feedback", self.assignment, self.args)
                    _, feedback_errors, log = self.feedback.run(student)
                    graded.log += log  # a failed page (its time limit) leaves the grades
                    graded.feedback_error = first_error(feedback_errors)
            graded.error = first_error(errors)
            if not graded.error:
                self._collect(graded, place, feedback and not graded.feedback_error)
        finally:
            for path in place.values():
                shutil.rmtree(path, ignore_errors=True)
        graded.seconds = time.monotonic() - started
        return graded

    def _collect(self, graded, place, feedback):
        autograded = place["autograded"] / self.assignment
        graded.notebooks = {path.stem: path.read_text()
                            for path in sorted(autograded.glob("*.ipynb"))}
        if feedback:
            graded.feedback = read_folder(place["feedback"] / self.assignment)
        with Gradebook(self.autograde.app.coursedir.db_url) as gb:
            submission = gb.find_submission(self.assignment, graded.student)
            graded.scores = gradebook.scores(submission, gradebook.AUTOGRADED, graded.notebooks)
            graded.shown = gradebook.shown_in_feedback(submission)

    def remove(self):
        shutil.rmtree(self.folder, ignore_errors=True)
        _copies.discard(self.folder)


def _remove_copies():
    for folder in list(_copies):
        shutil.rmtree(folder, ignore_errors=True)
        _copies.discard(folder)


atexit.register(_remove_copies)


def _on_stop(signum, frame):
    """SIGTERM or SIGINT. Where the signal would have killed the process outright (no
    atexit), the copies are removed first; a handler that was there (Dask's, Python's
    KeyboardInterrupt) runs as before, and its exit runs atexit."""
    before = _stop_handlers.get(signum, signal.SIG_DFL)
    if callable(before):
        before(signum, frame)
    elif before == signal.SIG_DFL:
        _remove_copies()
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)  # dies of the signal, as it would have


def _install_stop_handlers():
    for signum in (signal.SIGTERM, signal.SIGINT):
        before = signal.signal(signum, _on_stop)
        if before is not _on_stop:
            _stop_handlers[signum] = before


def _catch_stops():
    """Installs the stop handlers once per process. Only the main thread may set signal
    handlers, and tasks run in Dask's thread pool: the worker's event loop, which runs in
    the main thread, installs them."""
    if _catching.is_set():
        return
    _catching.set()
    if threading.current_thread() is threading.main_thread():
        _install_stop_handlers()
        return
    try:
        from distributed import get_worker
        get_worker().loop.add_callback(_install_stop_handlers)
    except (ImportError, ValueError):  # not on a Dask worker: nothing to chain with
        pass


def grade_submission(course, submission):
    """The Dask task: grades one submission of `course` on this worker."""
    _catch_stops()
    with _lock:
        started = time.monotonic()
        if _course.get("key") != course.key:
            if "setup" in _course:
                _course.pop("setup").remove()
            _course.clear()
            setup = CourseCopy(course)  # raises for a broken course or a worker without sandbox
            _course.update(key=course.key, setup=setup)
        setup_seconds = time.monotonic() - started
        try:
            graded = _course["setup"].grade(submission, course.feedback)
        except Exception as error:  # noqa: BLE001 (sent back as text: a traceback may not travel)
            graded = Graded(submission.student, worker_name(), error=first_error([error]))
        graded.setup_seconds = setup_seconds
        return graded
