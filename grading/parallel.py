"""Autograde a class on every core, with the scores of serial `nbgrader autograde`.

    python -m grading.parallel ASSIGNMENT [--workers N] [--force] [--feedback]
                               [--course DIR] [--student ID ...] [-- NBGRADER_ARGS...]

Each worker process starts nbgrader's own AutogradeApp the way `nbgrader autograde
ASSIGNMENT` does (same arguments, the course's nbgrader_config.py and whatever it
registers: preprocessors, kernel manager, limits), then takes students one at a time
from a shared queue and runs the app for each with CourseDirectory.student_id set to
that student. Grading is nbgrader's, unchanged: only the order differs, so the scores
are those of a serial run. `--feedback` then runs generate_feedback the same way.

The gradebook is shared by all workers:
- its tables and course rows are created once, before the workers start (nbgrader
  creates them on first use, and two processes doing so at once collide);
- SQLite lets one writer in at a time and makes the others wait, but pysqlite waits 5 s
  at most before "database is locked"; the workers wait up to SQLITE_WAIT_SECONDS, and a
  student whose grading still hit a locked database is graded again;
- PostgreSQL handles concurrent writers itself.

The whole run holds the course lock (grading.course_lock): a second run refuses to start.
Per-student nbgrader logs go to reports/<assignment>/logs/<step>/<student>.log.
"""
import argparse
import concurrent.futures
import glob
import io
import logging
import os
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy.engine import make_url

from .course import ASSIGNMENT, ROOT
from .gradebook import course_config
from .course_lock import CourseBusy, course_lock
from .progress import Progress, duration

SQLITE_WAIT_SECONDS = 300
ATTEMPTS = 3  # a student is tried again after a locked database or a crashed worker

# step -> the nbgrader application that `nbgrader <step>` runs
APPS = {
    "autograde": ("nbgrader.apps.autogradeapp", "AutogradeApp"),
    "generate_feedback": ("nbgrader.apps.generatefeedbackapp", "GenerateFeedbackApp"),
}


def usable_cores():
    return len(os.sched_getaffinity(0))


def submitted_students(course_dir, assignment=ASSIGNMENT):
    """Ids of the students with a submitted/<id>/<assignment>/ folder, sorted."""
    submitted = Path(course_dir) / "submitted"
    return sorted(p.parent.name for p in submitted.glob(f"*/{glob.escape(assignment)}") if p.is_dir())


def course_settings(course_dir):
    """(db_url, course_id) as the course's nbgrader_config.py sets them (db_url made
    patient: see patient_db_url)."""
    config = course_config(course_dir)
    return patient_db_url(config.CourseDirectory.db_url), config.CourseDirectory.course_id


def patient_db_url(db_url, seconds=SQLITE_WAIT_SECONDS):
    """db_url, with SQLite told to wait up to `seconds` for another writer; other
    databases unchanged."""
    url = make_url(db_url)
    if url.get_backend_name() != "sqlite" or "timeout" in url.query:
        return db_url
    return url.update_query_dict({"timeout": str(seconds)}).render_as_string(hide_password=False)


def prepare_gradebook(course_dir, assignment):
    """Creates the gradebook's tables and course rows now, so the workers never race to
    create them; raises ValueError if the assignment is not in the gradebook."""
    db_url, course_id = course_settings(course_dir)
    with Gradebook(db_url):  # some nbgrader preprocessors open it without a course id
        pass
    with Gradebook(db_url, course_id) as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            raise ValueError(
                f"assignment {assignment!r} is not in the gradebook ({db_url}): run "
                f"`nbgrader generate_assignment {assignment}` in {course_dir} first") from None


class WorkerStartError(RuntimeError):
    """nbgrader could not start in a worker: the course's configuration is broken."""


def gradebook_snapshot(course_dir, assignment, students):
    """{student: {grade_id: (score, max_score, needs_manual_grade)}, or None when not
    graded}: everything grading wrote per test cell, for comparing two runs."""
    db_url, course_id = course_settings(course_dir)
    snapshot = {}
    with Gradebook(db_url, course_id) as gb:
        for student in students:
            try:
                submission = gb.find_submission(assignment, student)
            except MissingEntry:
                snapshot[student] = None
                continue
            snapshot[student] = {grade.cell.name: (grade.score, grade.max_score, grade.needs_manual_grade)
                                 for notebook in submission.notebooks for grade in notebook.grades}
    return snapshot


# --- inside a worker process --------------------------------------------------------

_worker = {}


def _start_worker(course_dir, step, assignment, nbgrader_args, log_dir):
    """Runs once in each worker: sets up nbgrader's app as `nbgrader STEP` would."""
    import importlib

    os.chdir(course_dir)  # nbgrader reads ./nbgrader_config.py, as from the command line
    # nbgrader's console log, kernels' messages and anything a library prints go to a
    # file, so the parent's progress bar stays readable.
    worker_log = open(Path(log_dir) / f"worker-{os.getpid()}.log", "a")
    os.dup2(worker_log.fileno(), 1)
    os.dup2(worker_log.fileno(), 2)
    _worker["log_dir"] = Path(log_dir)
    try:
        module, name = APPS[step]
        app = getattr(importlib.import_module(module), name).instance()
        app.initialize([assignment, *nbgrader_args])
    except BaseException as error:  # e.g. the config exits: every student would fail alike
        _worker["start_error"] = f"nbgrader {step} could not start ({error!r}); see {worker_log.name}"
        return
    app.coursedir.db_url = patient_db_url(app.coursedir.db_url)
    _worker["app"] = app


def _run_for_student(student):
    """Runs the app for one student; returns (student, outcome, seconds, log path, error)."""
    if "start_error" in _worker:
        raise WorkerStartError(_worker["start_error"])
    app, log_dir = _worker["app"], _worker["log_dir"]
    started = time.monotonic()
    for attempt in range(1, ATTEMPTS + 1):
        buffer = io.StringIO()
        handler = logging.StreamHandler(buffer)
        handler.setLevel(app.log_level)  # what `nbgrader autograde` would print
        handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
        app.log.addHandler(handler)
        app.coursedir.assignment_id = ""  # start() takes it from the arguments again
        app.coursedir.student_id = glob.escape(student)  # a glob in nbgrader: match literally
        failed = None
        try:
            app.start()
        except SystemExit as exit:  # nbgrader's apps exit(1) when a submission failed
            failed = None if exit.code in (0, None) else f"nbgrader exited with {exit.code}"
        except Exception as error:  # never let one student stop the worker
            failed = f"{type(error).__name__}: {error}"
            app.log.exception("grading %s failed", student)
        finally:
            app.log.removeHandler(handler)
        log = buffer.getvalue()
        log_path = log_dir / f"{student}.log"
        log_path.write_text(log)
        if failed and "database is locked" in log and attempt < ATTEMPTS:
            time.sleep(attempt)
            continue
        break
    if failed:
        errors = [line for line in log.splitlines() if line.startswith("[ERROR]")]
        return student, "failed", time.monotonic() - started, str(log_path), (errors or [failed])[0]
    outcome = "skipped" if "Skipping existing" in log else "done"
    return student, outcome, time.monotonic() - started, str(log_path), None


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
    prepare_gradebook(course_dir, assignment)
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


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m grading.parallel", description=__doc__.split("\n\n")[0],
        epilog="Arguments after -- go to nbgrader unchanged (e.g. -- --Execute.timeout=60).")
    parser.add_argument("assignment", nargs="?", default=ASSIGNMENT)
    parser.add_argument("--course", default=str(ROOT), help="course folder (default: %(default)s)")
    parser.add_argument("--workers", type=int, default=None,
                        help=f"worker processes (default: one per core, here {usable_cores()})")
    parser.add_argument("--force", action="store_true", help="grade again what is already graded")
    parser.add_argument("--feedback", action="store_true", help="then generate feedback HTML")
    parser.add_argument("--student", action="append", help="only this student (repeatable)")
    argv = sys.argv[1:] if argv is None else list(argv)
    nbgrader_args = argv[argv.index("--") + 1:] if "--" in argv else []
    options = parser.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    try:
        with course_lock(options.course, f"python -m grading.parallel {options.assignment}"):
            results = grade_class(options.course, options.assignment, options.student,
                                  options.workers, options.force, options.feedback, nbgrader_args)
    except (CourseBusy, ValueError, WorkerStartError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted: what was graded is in the gradebook; run again without --force "
              "to grade the rest", file=sys.stderr)
        return 130
    for step, (step_results, seconds) in results.items():
        print(f"{step}: {summarize(step_results, seconds)}")
    failed = any(outcome == "failed" for step_results, _ in results.values()
                 for outcome, *_ in step_results.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
