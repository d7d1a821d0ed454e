"""Autograde a class on every core, with exactly the scores of serial `nbgrader autograde`.

    grading autograde ASSIGNMENT [--workers N] [--force] [--feedback] [--student ID ...]
                      [--course DIR] [-- NBGRADER_ARGS...]

Each worker process sets up nbgrader's own AutogradeApp the way `nbgrader autograde
ASSIGNMENT` does (same arguments, the course's nbgrader_config.py and all it registers),
then takes students one at a time from a shared queue and runs nbgrader's converter for
each. Grading is nbgrader's, unchanged: only the order differs. `--feedback` then runs
generate_feedback the same way.

What happened to each student is read from facts, never from nbgrader's log text: whether
the converter chose to process the submission (skipped: already graded; use --force),
the exceptions it met, and its exit. SQLite lets one writer in at a time; the workers
wait for it up to SQLITE_WAIT_SECONDS, and a student whose grading still met a busy
database (SQLite's SQLITE_BUSY) is graded again. PostgreSQL handles concurrent writers.

The whole run holds the course lock (grading.course_lock). Per-student nbgrader logs go to
reports/<assignment>/logs/<step>/<student>.log.
"""
import concurrent.futures
import glob
import importlib
import logging
import os
import sqlite3
import time
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from pathlib import Path

import sqlalchemy.exc
from nbgrader.converters.base import NbGraderException

from .. import gradebook
from ..course_lock import course_lock
from ..progress import Progress, duration

ATTEMPTS = 3  # a student is tried again after a busy database or a crashed worker

# step -> the nbgrader application that `nbgrader <step>` runs, and its converter
STEPS = {
    "autograde": ("nbgrader.apps.autogradeapp.AutogradeApp",
                  "nbgrader.converters.autograde.Autograde"),
    "generate_feedback": ("nbgrader.apps.generatefeedbackapp.GenerateFeedbackApp",
                          "nbgrader.converters.generate_feedback.GenerateFeedback"),
}


def usable_cores():
    return len(os.sched_getaffinity(0))


def submitted_students(course_dir, assignment):
    """Ids of the students with a submitted/<id>/<assignment>/ folder, sorted."""
    submitted = Path(course_dir) / "submitted"
    return sorted(p.parent.name for p in submitted.glob(f"*/{glob.escape(assignment)}") if p.is_dir())


class WorkerStartError(RuntimeError):
    """nbgrader could not start in a worker: the course's configuration is broken."""


def database_busy(error):
    """Whether an exception is SQLite's "another writer holds the database"."""
    original = getattr(error, "orig", None)
    return (isinstance(error, sqlalchemy.exc.OperationalError)
            and isinstance(original, sqlite3.OperationalError)
            and getattr(original, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY,
                                                                 sqlite3.SQLITE_LOCKED))


def _load(dotted):
    module, name = dotted.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)


class Observed:
    """Mixed into an nbgrader converter: keeps the facts of one run (did it process the
    submission, which exceptions did it meet) that nbgrader otherwise only logs."""

    def init_destination(self, assignment_id, student_id):
        self.processed = super().init_destination(assignment_id, student_id)
        return self.processed

    def init_assignment(self, assignment_id, student_id):
        try:
            return super().init_assignment(assignment_id, student_id)
        except Exception as error:
            self.errors.append(error)
            raise

    def convert_single_notebook(self, notebook_filename):
        try:
            return super().convert_single_notebook(notebook_filename)
        except Exception as error:
            self.errors.append(error)
            raise


# --- inside a worker process --------------------------------------------------------

_worker = {}


def _start_worker(course_dir, step, assignment, nbgrader_args, log_dir):
    """Runs once in each worker: sets up nbgrader's app as `nbgrader STEP` would."""
    os.chdir(course_dir)  # nbgrader reads ./nbgrader_config.py, as from the command line
    # nbgrader's console log, kernels' messages and anything a library prints go to a
    # file, so the parent's progress bar stays readable.
    worker_log = open(Path(log_dir) / f"worker-{os.getpid()}.log", "a")
    os.dup2(worker_log.fileno(), 1)
    os.dup2(worker_log.fileno(), 2)
    _worker["log_dir"] = Path(log_dir)
    try:
        app_class, converter_class = (_load(name) for name in STEPS[step])
        app = app_class.instance()
        app.initialize([assignment, *nbgrader_args])
    except BaseException as error:  # e.g. the config exits: every student would fail alike
        _worker["start_error"] = f"nbgrader {step} could not start ({error!r}); see {worker_log.name}"
        return
    app.coursedir.db_url = gradebook.patient_db_url(app.coursedir.db_url)
    app.coursedir.assignment_id = assignment
    _worker.update(app=app, converter=type(f"Observed{converter_class.__name__}",
                                           (Observed, converter_class), {}))


def _grade_once(app, converter_class, student):
    """One run of the converter for one student: (processed, errors)."""
    app.coursedir.student_id = glob.escape(student)  # a glob in nbgrader: match literally
    converter = converter_class(coursedir=app.coursedir, parent=app)
    converter.processed, converter.errors = False, []
    try:
        converter.start()
    except NbGraderException as error:  # raised after the failures it recorded
        if not converter.errors:
            converter.errors.append(error)
    except Exception as error:  # never let one student stop the worker
        converter.errors.append(error)
        app.log.exception("grading %s failed", student)
    return converter.processed, converter.errors


def _run_for_student(student):
    """Runs the step for one student; returns (student, outcome, seconds, log path, error)."""
    if "start_error" in _worker:
        raise WorkerStartError(_worker["start_error"])
    app, log_path = _worker["app"], _worker["log_dir"] / f"{student}.log"
    started = time.monotonic()
    handler = logging.FileHandler(log_path, mode="w")
    handler.setLevel(app.log_level)  # what `nbgrader autograde` would print
    handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
    app.log.addHandler(handler)
    try:
        for attempt in range(1, ATTEMPTS + 1):
            processed, errors = _grade_once(app, _worker["converter"], student)
            if any(database_busy(e) for e in errors) and attempt < ATTEMPTS:
                app.log.warning("the gradebook was busy: grading %s again", student)
                time.sleep(attempt)
                continue
            break
    finally:
        app.log.removeHandler(handler)
        handler.close()
    seconds = time.monotonic() - started
    if errors:
        error = errors[0]
        reason = f"{type(error).__name__}: {error}".strip()
        return student, "failed", seconds, str(log_path), reason.splitlines()[0][:500]
    return student, "done" if processed else "skipped", seconds, str(log_path), None


# --- in the parent --------------------------------------------------------------------

def run_step(course_dir, assignment, students, step="autograde", workers=None, force=False,
             nbgrader_args=(), progress_stream=None):
    """Runs `nbgrader STEP ASSIGNMENT` for each student, `workers` at a time (default:
    one per core). Returns {student: (outcome, seconds, log path, error)} with outcome
    'done', 'skipped' (already graded; use force) or 'failed'."""
    course_dir = Path(course_dir).resolve()
    workers = max(1, min(workers or usable_cores(), len(students) or 1))
    log_dir = course_dir / "reports" / assignment / "logs" / step
    log_dir.mkdir(parents=True, exist_ok=True)
    args = [*nbgrader_args, *(["--force"] if force else [])]
    progress = Progress(len(students), step, stream=progress_stream)
    results, attempts, pending = {}, dict.fromkeys(students, 0), list(students)
    while pending:
        with concurrent.futures.ProcessPoolExecutor(
                workers, mp_context=get_context("spawn"), initializer=_start_worker,
                initargs=(str(course_dir), step, assignment, args, str(log_dir))) as pool:
            futures = {pool.submit(_run_for_student, s): s for s in pending}
            pending = []
            for future in concurrent.futures.as_completed(futures):
                student = futures[future]
                try:
                    _, outcome, seconds, log_path, error = future.result()
                except BrokenProcessPool:
                    # A worker died (killed, out of memory): this student and the ones
                    # queued behind it go to a fresh pool, a few times at most.
                    attempts[student] += 1
                    if attempts[student] < ATTEMPTS:
                        pending.append(student)
                        continue
                    outcome, seconds, log_path, error = "failed", 0.0, "", "grading process died"
                results[student] = (outcome, seconds, log_path, error)
                progress.advance(outcome)
    progress.finish()
    return results


def summarize(results, wall_seconds):
    """A few lines: counts, time per submission, and each failure with its log."""
    counts = {}
    for outcome, *_ in results.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    lines = [", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())) or "nothing to do"]
    if results:
        lines[0] += (f" in {duration(wall_seconds)} "
                     f"({wall_seconds / len(results):.2f} s per submission)")
    for student, (outcome, _, log_path, error) in sorted(results.items()):
        if outcome == "failed":
            lines.append(f"  failed: {student}: {error} (log: {log_path})")
    return "\n".join(lines)


def grade_class(course_dir, assignment, students=None, workers=None, force=False, feedback=False,
                nbgrader_args=(), progress_stream=None):
    """Autograde (and, with feedback=True, generate_feedback) in parallel. The caller
    holds the course lock. Returns {step: (results, seconds)}, results as run_step's."""
    gradebook.prepare(course_dir, assignment)
    students = list(submitted_students(course_dir, assignment) if students is None else students)
    results, todo = {}, students
    for step in ["autograde"] + (["generate_feedback"] if feedback else []):
        started = time.monotonic()
        step_results = run_step(course_dir, assignment, todo, step, workers, force,
                                nbgrader_args, progress_stream)
        results[step] = step_results, time.monotonic() - started
        # the next step only for those this one did not fail on (no graded notebook)
        todo = [s for s in todo if step_results[s][0] != "failed"]
    return results


# --- the command ----------------------------------------------------------------------

def add_arguments(parser):
    parser.add_argument("assignment")
    parser.add_argument("--workers", type=int, default=None,
                        help=f"worker processes (default: one per core, here {usable_cores()})")
    parser.add_argument("--force", action="store_true", help="grade again what is already graded")
    parser.add_argument("--feedback", action="store_true", help="then generate feedback HTML")
    parser.add_argument("--student", action="append", help="only this student (repeatable)")
    parser.epilog = "Arguments after -- go to nbgrader unchanged (e.g. -- --Execute.timeout=60)."


def run(course_dir, options):
    with course_lock(course_dir, f"grading autograde {options.assignment}"):
        results = grade_class(course_dir, options.assignment, options.student, options.workers,
                              options.force, options.feedback, options.nbgrader_args)
    for step, (step_results, seconds) in results.items():
        print(f"{step}: {summarize(step_results, seconds)}")
    failed = any(outcome == "failed" for step_results, _ in results.values()
                 for outcome, *_ in step_results.values())
    return 1 if failed else 0
