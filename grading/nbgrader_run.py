"""nbgrader's own applications and converters, run inside this process for one student at
a time: the same code as `nbgrader autograde|generate_feedback|generate_assignment`, with
the facts of each run kept (did the converter process the student, which exceptions did
it meet) instead of only logged, and its log captured per student. generate_feedback runs
in a forked child under the course's FeedbackLimits (CPU and wall-clock time, memory): one
student's page can stall nobody."""
import contextlib
import glob
import importlib
import io
import logging
import os
import pickle
import resource
import select
import signal
import time
import warnings

from nbgrader.converters.base import NbGraderException

# step -> the nbgrader application that `nbgrader <step>` runs, and its converter
STEPS = {
    "autograde": ("nbgrader.apps.autogradeapp.AutogradeApp",
                  "nbgrader.converters.autograde.Autograde"),
    "generate_feedback": ("nbgrader.apps.generatefeedbackapp.GenerateFeedbackApp",
                          "nbgrader.converters.generate_feedback.GenerateFeedback"),
    "generate_assignment": ("nbgrader.apps.generateassignmentapp.GenerateAssignmentApp",
                            "nbgrader.converters.generate_assignment.GenerateAssignment"),
}


class StartError(RuntimeError):
    """nbgrader could not start: the course's configuration is broken."""


def _load(dotted):
    module, name = dotted.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)


class Observed:
    """Mixed into an nbgrader converter: keeps the facts of one run that nbgrader
    otherwise only logs."""

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


class TimeLimit(RuntimeError):
    """A step stopped at its time or memory limit."""


def _memory_in_use():
    """This process's address space, in bytes (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def in_child(function, seconds, memory_mb, cpu_seconds=None):
    """function()'s result, computed in a forked child that may run `seconds` (wall clock),
    use `cpu_seconds` of CPU and grow by `memory_mb`: past a time limit the child is
    killed and TimeLimit raised; past the memory limit it fails with MemoryError. What
    function() raises is raised here too. CPU time measures the work whatever the load of
    the machine; the wall clock catches a child that waits forever.
    A fork, not a thread (a thread cannot be stopped) nor a new interpreter (nbgrader's
    set-up would be paid again); the child leaves with os._exit, so no atexit hook of this
    process (a worker's copy of the course is removed by one) runs in it."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_end)
        try:
            limit = _memory_in_use() + memory_mb * 2**20
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            if cpu_seconds:  # SIGXCPU ends the child (a child's CPU time starts at 0)
                cpu = max(1, round(cpu_seconds))
                resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
            try:
                result = (True, function())
            except BaseException as error:  # noqa: BLE001 (sent to the parent)
                result = (False, error)
            try:
                data = pickle.dumps(result)
            except Exception:  # noqa: BLE001 (an exception that does not pickle)
                data = pickle.dumps((False, RuntimeError(repr(result[1])[:2000])))
            with os.fdopen(write_end, "wb") as out:
                out.write(data)
        finally:
            os._exit(0)
    os.close(write_end)
    deadline, chunks, ended = time.monotonic() + seconds, [], False
    ready = select.poll()
    ready.register(read_end, select.POLLIN)
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not ready.poll(left * 1000):
                raise TimeLimit(f"stopped after {seconds:g} s (the time limit)")
            chunk = os.read(read_end, 1 << 20)
            if not chunk:  # the child has written all and is leaving, or has died
                ended = True
                break
            chunks.append(chunk)
    finally:  # past the limit or interrupted: the child is stopped here
        os.close(read_end)
        if not ended:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    if not chunks:
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU:
            raise TimeLimit(f"stopped after {cpu_seconds:g} s of CPU time (the limit)")
        raise RuntimeError(f"the process making it died (status {status})")
    ok, value = pickle.loads(b"".join(chunks))
    if not ok:
        raise value
    return value


def _names(table):
    """The option names of an application's flags or aliases (a key may be a tuple)."""
    return {name for key in table for name in ((key,) if isinstance(key, str) else key)}


def arguments_for(step, args):
    """The part of a command's nbgrader arguments (meant for autograde) that `nbgrader
    STEP` accepts: every --Class.trait=value setting, and the flags and aliases that
    application knows. Autograde's `--no-execute` means nothing to generate_feedback,
    which would refuse to start on it."""
    app_class = _load(STEPS[step][0])
    flags, aliases = _names(app_class.flags), _names(app_class.aliases)
    kept, args = [], list(args)
    while args:
        arg = args.pop(0)
        name, has_value = arg.lstrip("-").split("=", 1)[0], "=" in arg
        if not arg.startswith("-") or "." in name or name in flags:
            kept.append(arg)
        elif name in aliases:
            kept += [arg] if has_value or not args else [arg, args.pop(0)]
        elif not has_value and args and not args[0].startswith("-"):
            args.pop(0)  # an alias of another application, and its value
    return kept


class Step:
    """One nbgrader application, set up as `nbgrader STEP ARGS...` would be (in the
    current folder, with its nbgrader_config.py), then run for one student at a time.
    Steps other than autograde take only the arguments they know (arguments_for)."""

    def __init__(self, step, assignment, args=()):
        app_class, converter_class = (_load(name) for name in STEPS[step])
        self.step, self.assignment = step, assignment
        self.app = app_class()  # not the singleton: a worker may hold several steps
        if step != "autograde":
            args = arguments_for(step, args)
        try:
            self.app.initialize([assignment, *args])
        except BaseException as error:  # e.g. the config exits: every student would fail alike
            raise StartError(f"nbgrader {step} could not start: {error!r}") from None
        self.app.coursedir.assignment_id = assignment
        # No console output: each run's log is captured (see run) and kept per student.
        for handler in list(self.app.log.handlers):
            self.app.log.removeHandler(handler)
        self.app.log.propagate = False
        self.converter_class = type(f"Observed{converter_class.__name__}",
                                    (Observed, converter_class), {})
        self.limits = None  # (seconds, memory_mb, cpu_seconds) a run may take: generate_feedback's
        if step == "generate_feedback":
            from .plugins.feedback import FeedbackLimits
            limits = FeedbackLimits(config=self.app.config)
            self.limits = (limits.seconds, limits.memory_mb, limits.cpu_seconds)

    def converter(self, student, **traits):
        """A converter for one student, as `nbgrader STEP --student ID` makes it."""
        self.app.coursedir.student_id = glob.escape(student)  # a glob in nbgrader: match literally
        converter = self.converter_class(coursedir=self.app.coursedir, parent=self.app)
        for name, value in traits.items():
            setattr(converter, name, value)
        converter.processed, converter.errors = False, []
        return converter

    def run(self, student, **traits):
        """Runs the step for one student: (processed, errors, log text). A step with
        limits runs in a child process, stopped at them (a TimeLimit error)."""
        if not self.limits:
            return self._run(student, **traits)
        try:
            return in_child(lambda: self._run(student, **traits), *self.limits)
        except TimeLimit as error:
            return False, [TimeLimit(f"{self.step} {error}")], f"[ERROR] {self.step} {error}\n"
        except Exception as error:  # noqa: BLE001 (what the child could not send back)
            return False, [error], ""

    def _run(self, student, **traits):
        converter = self.converter(student, **traits)
        with self.captured_log() as log, warnings.catch_warnings(record=True) as warned:
            warnings.simplefilter("default")
            try:
                converter.start()
            except NbGraderException as error:  # raised after the failures it recorded
                if not converter.errors:
                    converter.errors.append(error)
            except Exception as error:  # never let one student stop the others
                converter.errors.append(error)
                self.app.log.exception("%s for %s failed", self.step, student)
        # Warnings (nbgrader's own SQLAlchemy ones, a library's) belong in the log too.
        text = log.getvalue() + "".join(f"[WARNING] {w.category.__name__}: {w.message}\n"
                                        for w in warned)
        return converter.processed, converter.errors, text

    def would_process(self, student):
        """Whether the step would process this student now (nbgrader's own choice:
        without --force, what is already done is skipped)."""
        converter = self.converter(student, force=False)
        with self.captured_log():
            return converter.init_destination(self.assignment, student)

    @contextlib.contextmanager
    def captured_log(self):
        text = io.StringIO()
        handler = logging.StreamHandler(text)
        handler.setLevel(self.app.log_level)  # what `nbgrader STEP` would print
        handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
        self.app.log.addHandler(handler)
        try:
            yield text
        finally:
            self.app.log.removeHandler(handler)


def first_error(errors):
    """One line saying what went wrong first, or None."""
    if not errors:
        return None
    error = errors[0]
    reason = f"{type(error).__name__}: {error}".strip()
    return reason.splitlines()[0][:500]
