"""Autograde a class on a Dask cluster, with exactly the scores of serial `nbgrader autograde`.

    grading autograde ASSIGNMENT [--scheduler tls://HOST:PORT [--tls DIR] | --workers N]
                      [--force] [--feedback] [--student ID ...] [--course DIR] [-- NBGRADER_ARGS...]

Without --scheduler, a LocalCluster runs here: one single-threaded worker process per core
(or --workers N), started and stopped by the command. With --scheduler, the workers of an
existing Dask cluster grade, on any machines: they need this package, its requirements and
bubblewrap, never the course folder. The scheduler is reached over TLS with the course's
certificates (`grading cluster certs`; --tls DIR, default the course's tls/ folder); a
plain tcp:// address is refused unless --insecure is given.

Each task carries one submission and the course (nbgrader_config.py, source and release
folders, judge, NBGRADER_ARGS). The worker runs nbgrader autograde (and, with --feedback,
generate_feedback) for it in a private copy of the course, and sends back the autograded
notebooks, the feedback and the scores (grading.worker). This machine alone writes
autograded/, feedback/ and the gradebook, with nbgrader's own code (grading.record).

Without --force, what nbgrader would skip as already graded is skipped, so an interrupted
run started again grades only what is missing. A worker that dies mid-task has its task
run again elsewhere; a submission whose workers keep dying is recorded as failed. The
whole run holds the course lock. Per-student logs go to reports/<assignment>/logs/.
"""
import dataclasses
import itertools
import json
import sys
import time
import uuid
from pathlib import Path

from distributed import as_completed, get_task_stream
from distributed.scheduler import KilledWorker

from .. import gradebook, interrupt
from ..class_report import grading_record_path
from ..cluster import check_workers, dashboard, dask_client, scheduler_at, threads, usable_cores
from ..course import CourseError, submitted_folders
from ..course_lock import course_lock
from ..progress import Progress, duration
from ..record import Recorder
from ..task import Graded, Refused, Submission, read_course, read_folder
from ..worker import CourseSetupError, WorkerRefused, grade_submission, isolation


TLS_FOLDER = "tls"  # the course's certificates, by default (grading cluster certs)


class RunStopped(CourseError):
    """The run cannot go on: the course cannot be set up on the workers, or a worker that
    joined mid-run cannot sandbox. What was recorded stays; a new run grades the rest."""


@dataclasses.dataclass
class EngineCost:
    """Seconds spent around grading, to judge the engine: Dask's on the workers (taking a
    task in, sending its result, waiting for the next), recording on this machine (CPU),
    and grading itself."""
    grading: float = 0.0   # nbgrader on the workers, summed
    setup: float = 0.0     # setting the course up on the workers, summed
    dask: float = 0.0      # task and transfer time outside grading, summed
    recording: float = 0.0  # writing the results here, summed
    in_tasks: float = 0.0  # the tasks' own code on the workers (set-up and grading, failures too)
    submissions: int = 0

    def line(self):
        if not self.submissions:
            return ""
        n, per = self.submissions, self.grading / self.submissions
        engine = (self.dask + self.recording) / n
        return (f"engine: {engine:.3f} s per submission (Dask {self.dask / n:.3f} s, recording "
                f"{self.recording / n:.3f} s) = {100 * engine / per:.1f}% of grading "
                f"({per:.2f} s per submission); course set-up on the workers {self.setup:.1f} s")


@dataclasses.dataclass
class ClassGrading:
    steps: dict  # {"autograde"|"generate_feedback": ({student: (outcome, seconds, log, error)}, seconds)}
    cost: EngineCost

    def failed(self, step=None):
        """The students that failed in the step (default: in any step)."""
        chosen = [self.steps[step]] if step else self.steps.values()
        return sorted({student for results, _ in chosen
                       for student, (outcome, *_) in results.items() if outcome == "failed"})


def _tasks(client, course, course_dir, students):
    """Submits students' grading a few at a time and yields (student, Graded or the
    exception), as they finish."""
    pending, keys, finished = iter(students), {}, as_completed()
    window = max(4, 2 * threads(client))  # keeps every worker busy, holds few submissions

    def submit(count):
        for student in itertools.islice(pending, count):
            folder = Path(course_dir) / "submitted" / student / course.assignment
            try:
                submission = Submission(student, read_folder(folder))
            except Refused as error:  # too large, or a link
                yield student, error
                continue
            # The key names no student: the scheduler, its dashboard and its logs see
            # only "grade-" and a random id; the student is found again here, by the key.
            future = client.submit(grade_submission, course, submission, pure=False,
                                   key=f"grade-{uuid.uuid4().hex}")
            keys[future.key] = student
            finished.add(future)

    yield from submit(window)
    for future in finished:
        student = keys.pop(future.key)
        try:
            yield student, future.result()
        except (WorkerRefused, CourseSetupError) as error:
            for other in list(finished.futures):
                other.cancel()
            raise RunStopped(f"grading stopped: {error}") from None
        except Exception as error:  # noqa: BLE001 (a KilledWorker or anything a task raised)
            yield student, error
        finally:
            future.release()
        yield from submit(1)


def _reason(error):
    if isinstance(error, KilledWorker):
        last = getattr(error.last_worker, "address", error.last_worker)
        return (f"grading it killed every worker that took it ({error.allowed_failures + 1} "
                f"tries; the last on {last})")
    return f"{type(error).__name__}: {error}".splitlines()[0][:500]


def grade_class(course_dir, assignment, students=None, force=False, feedback=False,
                nbgrader_args=(), scheduler=None, workers=None, progress_stream=None):
    """Autogrades (and with feedback=True writes feedback for) the students, default all
    submitted, on the cluster: a submission folder that is a link fails with that reason
    (grading.task.read_folder). The caller holds the course lock. Returns ClassGrading."""
    course_dir = Path(course_dir).resolve()
    stream = progress_stream or sys.stderr
    gradebook.prepare(course_dir, assignment)
    students = list(submitted_folders(course_dir, assignment) if students is None else students)
    recorder = Recorder(course_dir, assignment, nbgrader_args)
    todo, skipped = recorder.to_grade(students, force)
    if todo and not recorder.sandboxed:
        print(f"note: {course_dir / 'nbgrader_config.py'} runs notebooks with nbgrader's own "
              "Execute, not grading.plugins.execution.BoundedExecute: students' code runs on "
              "the workers without sandbox or limits, as under plain nbgrader", file=stream)
    log_dir = course_dir / "reports" / assignment / "logs"
    for step in ("autograde", "generate_feedback"):
        (log_dir / step).mkdir(parents=True, exist_ok=True)
    graded_results = {s: ("skipped", 0.0, "", None) for s in skipped}
    feedback_results, cost = {}, EngineCost()
    started = time.monotonic()
    progress = Progress(len(students), "autograde", stream=stream)
    for _ in skipped:
        progress.advance("skipped")

    def keep_log(step, student, text):
        path = log_dir / step / f"{student}.log"
        path.write_text(text)
        return str(path)

    if isinstance(scheduler, str):
        scheduler = scheduler_at(scheduler, course_dir / TLS_FOLDER)
    if todo:
        course = read_course(course_dir, assignment, nbgrader_args, feedback)
        with dask_client(scheduler, workers) as client:
            engine = f"{threads(client)} Dask workers" + (f" at {scheduler}" if scheduler else "")
            link = dashboard(client)
            if link:
                print(f"Dask dashboard: {link}", file=stream)
            check_workers(client, isolation(recorder.config))
            with get_task_stream(client) as task_stream:
                for student, graded in _tasks(client, course, course_dir, todo):
                    if not isinstance(graded, Graded):
                        graded = Graded(student, "", error=_reason(graded))
                    outcome, error, fb = _record(recorder, graded, feedback, keep_log, cost)
                    graded_results[student] = (outcome, graded.seconds,
                                               str(log_dir / "autograde" / f"{student}.log"), error)
                    if fb:
                        feedback_results[student] = fb
                    progress.advance(outcome)
                    interrupt.check()
            cost.dask = _dask_seconds(task_stream.data) - cost.in_tasks
    progress.finish()
    autograde_seconds = time.monotonic() - started
    if feedback:
        for student in skipped:  # graded before: feedback made here, as generate_feedback would
            interrupt.check()
            processed, error, log = recorder.make_feedback(student, force)
            feedback_results[student] = ("failed" if error else "done" if processed else "skipped",
                                         0.0, keep_log("generate_feedback", student, log), error)
    if todo:
        _keep_record(course_dir, assignment, graded_results, autograde_seconds, engine)
    steps = {"autograde": (graded_results, autograde_seconds)}
    if feedback:
        steps["generate_feedback"] = (feedback_results, time.monotonic() - started - autograde_seconds)
    return ClassGrading(steps, cost)


def _keep_record(course_dir, assignment, results, seconds, engine):
    """reports/<assignment>/grading.json: when the last run that graded something ended,
    how long it took, on what, and its outcomes (the class report shows it)."""
    outcomes = [outcome for outcome, *_ in results.values()]
    graded = max(1, len(outcomes) - outcomes.count("skipped"))
    record = {"finished": time.strftime("%Y-%m-%d %H:%M"), "seconds": round(seconds, 1),
              "per_submission": round(seconds / graded, 2), "engine": engine,
              **{outcome: outcomes.count(outcome) for outcome in sorted(set(outcomes))}}
    grading_record_path(course_dir, assignment).write_text(json.dumps(record, indent=1) + "\n")


def _record(recorder, graded, feedback, keep_log, cost):
    """Writes one worker result here; returns (outcome, error, feedback result or None)."""
    student = graded.student
    cost.setup += graded.setup_seconds
    cost.in_tasks += graded.setup_seconds + graded.seconds
    if graded.error:
        keep_log("autograde", student, f"{graded.log}\nfailed on {graded.worker or 'the cluster'}: "
                                       f"{graded.error}\n")
        return "failed", graded.error, None
    cost.grading += graded.seconds
    cost.submissions += 1
    started = time.thread_time()  # this machine's CPU: what recording takes from grading
    with recorder.unfinished(student):
        error, log = recorder.record(graded)
        notes = [f"graded on {graded.worker} in {graded.seconds:.1f} s", graded.log,
                 "recorded on the instructor's machine:", log]
        fb = None
        if not error:
            # The autograder's scores only: a manual grade given before this run stays,
            # as with `nbgrader autograde --force`, and is no difference.
            scores, shown = recorder.recorded(student, graded.notebooks)
            if scores != graded.scores:  # never expected: the same notebook, the same steps
                error = ("the autograder's scores recorded here differ from the worker's; "
                         "the results were removed")
                recorder.discard(student)
            elif feedback:
                fb = _feedback(recorder, graded, shown, keep_log)
    cost.recording += time.thread_time() - started
    keep_log("autograde", student, "\n".join(notes + ([f"failed: {error}"] if error else [])))
    return ("failed" if error else "done"), error, fb


def _feedback(recorder, graded, shown, keep_log):
    """The worker's feedback when the gradebook shows what the worker's did (the usual
    case); otherwise (manual grades, comments, a late penalty) made here from the gradebook."""
    student = graded.student
    if graded.feedback_error:  # made on the worker and failed (its time limit): not again here
        recorder.write_feedback(student, {})
        log = f"failed on {graded.worker}: {graded.feedback_error}\n"
        return ("failed", 0.0, keep_log("generate_feedback", student, log), graded.feedback_error)
    if shown == graded.shown and graded.feedback:
        recorder.write_feedback(student, graded.feedback)
        return ("done", 0.0, keep_log("generate_feedback", student, "feedback made on the worker"), None)
    processed, error, log = recorder.make_feedback(student, force=True)
    return ("failed" if error else "done", 0.0, keep_log("generate_feedback", student, log), error)


def _dask_seconds(task_stream):
    """Seconds the workers spent on grading tasks outside the task's own code: in the
    task (taking it in, sending the result) and idle between one task and the next."""
    by_worker = {}
    for task in task_stream:
        if str(task.get("key", "")).startswith("grade-"):
            for part in task.get("startstops", ()):
                by_worker.setdefault(task.get("worker"), []).append((part["start"], part["stop"]))
    busy = gaps = 0.0
    for spans in by_worker.values():
        spans.sort()
        busy += sum(stop - start for start, stop in spans)
        gaps += sum(max(0.0, later[0] - earlier[1]) for earlier, later in zip(spans, spans[1:]))
    return busy + gaps


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


# --- the command ----------------------------------------------------------------------

def add_engine_arguments(parser):
    """--scheduler (with --tls or --insecure) and --workers, shared with class-run and regrade."""
    engine = parser.add_mutually_exclusive_group()
    engine.add_argument("--scheduler", metavar="ADDRESS",
                        help="grade on this running Dask cluster (tls://host:8786, started with "
                             "the course's certificates) instead of a LocalCluster on this machine")
    engine.add_argument("--workers", type=int, default=None,
                        help=f"LocalCluster worker processes (default: one per core, here {usable_cores()})")
    parser.add_argument("--tls", metavar="DIR", default=None,
                        help=f"the course's certificates for --scheduler (`grading cluster certs`; "
                             f"default: the course's {TLS_FOLDER}/ folder)")
    parser.add_argument("--insecure", action="store_true",
                        help="allow a plain tcp:// --scheduler: no encryption, no authentication; "
                             "only for a cluster nobody else can reach")


def engine_scheduler(course_dir, options):
    """The Scheduler the options name (None: a LocalCluster), refused before anything runs
    when it would be reached without TLS and --insecure was not given."""
    if not options.scheduler:
        return None
    return scheduler_at(options.scheduler, options.tls or Path(course_dir) / TLS_FOLDER,
                        options.insecure)


def add_arguments(parser):
    parser.add_argument("assignment")
    add_engine_arguments(parser)
    parser.add_argument("--force", action="store_true", help="grade again what is already graded")
    parser.add_argument("--feedback", action="store_true", help="also write feedback HTML")
    parser.add_argument("--student", action="append", help="only this student (repeatable)")
    parser.add_argument("--notebook", metavar="NAME",
                        help="only this notebook of the assignment (a glob, without .ipynb), "
                             "as nbgrader autograde --notebook")
    parser.epilog = "Arguments after -- go to nbgrader unchanged (e.g. -- --Execute.timeout=60)."


def run(course_dir, options):
    scheduler = engine_scheduler(course_dir, options)
    nbgrader_args = list(options.nbgrader_args)
    if options.notebook:
        nbgrader_args.append(f"--CourseDirectory.notebook_id={options.notebook}")
    with course_lock(course_dir, f"grading autograde {options.assignment}"):
        run = grade_class(course_dir, options.assignment, options.student, options.force,
                          options.feedback, nbgrader_args, scheduler, options.workers)
    for step, (step_results, seconds) in run.steps.items():
        print(f"{step}: {summarize(step_results, seconds)}")
    if run.cost.submissions:
        print(run.cost.line())
    return 1 if run.failed() else 0
