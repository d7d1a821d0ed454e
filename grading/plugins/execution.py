"""BoundedExecute: nbgrader's Execute preprocessor, made to survive what students hand in.

- Time: each cell has Execute.timeout seconds and the whole notebook notebook_budget
  seconds; cells left when the budget runs out are marked "not run" (their tests score 0).
- A kernel that dies (os._exit, a crash, the memory or CPU limit) or hangs (a loop that
  swallows KeyboardInterrupt) is restarted, the cells before it are replayed quietly, and
  grading goes on without the cell that caused it: a runaway answer costs its own
  question, not the rest of the notebook. The cell gets an error saying what happened.
- Output: at most max_output_chars per cell are kept, counted as messages arrive (and
  capped in the kernel too), so a print loop cannot fill the grader's memory.
- Messages: everything the kernel sends for a cell (widget/comm messages, displays,
  display updates, unknown types) counts against max_cell_message_bytes and
  max_notebook_message_bytes; what comes past them is dropped and flagged, except one
  error per cell, so a failing test still fails. Widget state is never kept.
- Integrity: the kernel guard (kernel_side/guard.py) is installed before any student
  code runs, and every instructor cell (tests included) runs between two guard checks
  that undo and report tampering with IPython, builtins or the modules tests use.
- Warnings: a test cell's stderr (a DeprecationWarning from correct code, say) is kept
  as ordinary output, so it no longer zeroes the cell.
- Kernels start through grading.plugins.sandbox.SandboxedKernelManager (isolation, limits).

Everything it notices is recorded with grading.plugins.findings, for the report and the gradebook.
"""
import ast
import copy
import json
import math
import uuid
from pathlib import Path
from time import monotonic

from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4 import new_output, output_from_msg
import zmq
from nbgrader import utils
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer

from .findings import cell_label, record
from .judge import Rejected, load_judge, parse_reply, probe_expression, rejection_text, short
from .sandbox import SandboxedKernelManager, check_bubblewrap

GUARD_SOURCE = (Path(__file__).parent / "kernel_side" / "guard.py").read_text()
CUT_MARK = "output cut by the grader"  # the guard's note in the kernel says the same
GUARD_REPLY_CHARS = 100_000  # the guard's answer is a short JSON list of changes
ERROR_CHARS = 10_000  # what is kept of an error's name, value and traceback
MB = 1024 * 1024
# iopub messages nbgrader turns into outputs; any other type (comm_*, unknown) is counted
# and dropped: nothing of widgets is kept.
KEPT_TYPES = {"status", "stream", "display_data", "execute_result", "error", "clear_output",
              "update_display_data", "execute_input"}


def guard_bootstrap(max_output_chars):
    """The code sent to a new kernel to install the guard: it runs guard.py as its own
    module, _grading_guard, and calls install(). It runs inside exec(..., {}), so the
    notebook's namespace gets no new names."""
    code = ("import sys, types\n"
            "guard = types.ModuleType('_grading_guard')\n"
            "exec(source, guard.__dict__)\n"
            "sys.modules['_grading_guard'] = guard\n"
            f"guard.install(get_ipython(), {int(max_output_chars)})\n")
    return f"exec({code!r}, {{'source': {GUARD_SOURCE!r}}})\n"


class KernelLost(Exception):
    """The kernel died or stopped answering while running the cell at `index`."""

    def __init__(self, index, what):
        super().__init__(what)
        self.index, self.what = index, what


class BudgetSpent(Exception):
    pass


def message_bytes(msg):
    """About the size of a kernel message: the characters of every key and value of its
    content (walked, not copied: it may be many MiB), plus its binary buffers."""
    size, stack = 0, [msg.get("content")]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        else:
            size += len(item) if isinstance(item, str) else 8
    return size + sum(len(memoryview(buffer).cast("B")) for buffer in msg.get("buffers") or [])


def shrunk_error(msg):
    """An error message cut to ERROR_CHARS: its name, value and traceback stay readable."""
    content = msg["content"]
    traceback = content.get("traceback")
    traceback = traceback if isinstance(traceback, list) else []
    text = "\n".join(str(line) for line in traceback[:50])[:ERROR_CHARS]
    return {**msg, "content": {"ename": str(content.get("ename"))[:200],
                               "evalue": str(content.get("evalue"))[:ERROR_CHARS],
                               "traceback": [text]}}


def error_output(ename, evalue):
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


class BoundedExecute(Execute):
    """Execute with a notebook budget, kernel recovery, an output cap and the guard."""

    notebook_budget = Integer(
        240, help="Seconds the whole notebook may take, replays after restarts included."
    ).tag(config=True)
    max_kernel_restarts = Integer(
        3, help="Kernel restarts (after a death or hang) before the rest is left unrun."
    ).tag(config=True)
    max_output_chars = Integer(
        200_000, help="Characters of output kept per cell; the rest is dropped as it comes."
    ).tag(config=True)
    max_notebook_output_chars = Integer(
        2_000_000, help="Characters of output kept for the whole notebook."
    ).tag(config=True)
    max_message_bytes = Integer(
        16 * MB, help="Largest message read from a kernel (all its parts, at the sandbox's "
                      "relay; each part, at ZeroMQ's sockets): a larger one cuts the connection."
    ).tag(config=True)
    max_queued_messages = Integer(
        4, help="Messages a socket to the kernel holds before the kernel must wait "
                 "(ZMQ_RCVHWM; the kernel drops broadcast output past it)."
    ).tag(config=True)
    max_cell_message_bytes = Integer(
        64 * MB, help="Bytes of messages (outputs, widgets, anything) a cell may send; the "
                      "rest is dropped and the submission flagged."
    ).tag(config=True)
    max_notebook_message_bytes = Integer(
        256 * MB, help="Bytes of messages the whole notebook may send; then as above."
    ).tag(config=True)
    judge = Bool(
        True, help="Have each test cell's answer checked by the assignment's outside judge "
                   "(judges/<assignment>.py in the course folder), if it has one, and run "
                   "its SETUP code before the cells it names."
    ).tag(config=True)
    judge_timeout = Integer(
        10, help="Seconds the student's kernel has to answer one check of the judge."
    ).tag(config=True)

    def __init__(self, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(**kwargs)
        self.store_widget_state = False  # widget state is never kept (nor rendered)
        self.comm_open_handlers = {}  # no Output widget: its outputs stay the cell's

    # -- the notebook ------------------------------------------------------------------

    def preprocess(self, nb, resources, km=None):
        self._check_sandbox()
        self.nb, self.resources = nb, resources
        self.checks = self._load_checks(nb, resources)
        self.judge_seconds, self.judge_count = 0.0, 0
        self.notebook_output_chars = self.notebook_message_bytes = 0
        self.timed_out = set()
        self.deadline = monotonic() + self.notebook_budget
        self.cell_timeout = self.timeout
        done, lost, restarts = set(), {}, 0  # cells run; cells that killed the kernel
        while True:
            try:
                self._run_notebook(done, lost)
                break
            except KernelLost as failure:
                cell = nb.cells[failure.index]
                lost[failure.index] = failure.what
                done.add(failure.index)
                cell.outputs = cell.get("outputs", []) + [error_output("KernelLost", failure.what)]
                record(nb, f"{failure.what} in {cell_label(cell, failure.index)}")
                restarts += 1
                if restarts > self.max_kernel_restarts:
                    self._leave_unrun(done, f"not run: the kernel was lost {restarts} times")
                    record(nb, f"stopped after {restarts} lost kernels: later cells not run")
                    break
            except BudgetSpent:
                self._leave_unrun(done, f"not run: the notebook used up its "
                                        f"{self.notebook_budget} s time budget")
                record(nb, f"time budget of {self.notebook_budget} s spent: later cells not run")
                break
        if self.judge_count:
            self.log.info("outside judge: %d checks in %.3f s", self.judge_count, self.judge_seconds)
        return nb, resources

    def _check_sandbox(self):
        """Refuses to run student code unconfined unless isolation was turned off."""
        if (issubclass(self.kernel_manager_class, SandboxedKernelManager)
                and self.config.SandboxedKernelManager.get("isolation", "bwrap") == "bwrap"):
            check_bubblewrap()

    def _run_notebook(self, done, lost):
        """Runs every cell on a fresh kernel: cells already done are replayed without
        keeping their output, cells that lost a kernel are skipped."""
        NotebookClient.__init__(self, self.nb, None)
        self.reset_execution_trackers()
        self.shutdown_kernel = "immediate"  # graded kernels hold nothing worth a clean exit
        # Starting (and restarting) a kernel is paid from the notebook's budget too.
        remaining = self.deadline - monotonic()
        if remaining <= 1:
            raise BudgetSpent()
        self.startup_timeout = min(self.startup_timeout, math.ceil(remaining))
        with self.setup_kernel():
            note = getattr(self.km, "limits_note", None)
            if note:
                record(self.nb, note)
            try:
                self.wait_for_reply(self.kc.kernel_info())
                self._install_guard()
            except DeadKernelError:
                raise RuntimeError("the student kernel died while starting") from None
            for index, cell in enumerate(self.nb.cells):
                if cell.cell_type != "code" or index in lost or index in self.timed_out:
                    continue  # replaying a cell that hung or killed the kernel costs it again
                self._run_cell(index, cell, keep_output=index not in done)
                done.add(index)

    def create_kernel_manager(self):
        """nbclient's kernel manager, whose sockets, and its clients', refuse any message
        part over max_message_bytes and queue at most max_queued_messages."""
        km = super().create_kernel_manager()
        make_client = km.client

        def client(**kwargs):
            kc = make_client(**kwargs)
            self._limit_sockets(kc.context)  # its own context: set before its sockets exist
            return kc

        self._limit_sockets(km.context)
        km.client = client
        if isinstance(km, SandboxedKernelManager):
            km.max_message_bytes = self.max_message_bytes  # its relay's limit, all parts
        return km

    def _limit_sockets(self, context):
        context.setsockopt(zmq.MAXMSGSIZE, self.max_message_bytes)
        context.setsockopt(zmq.RCVHWM, self.max_queued_messages)

    def _leave_unrun(self, done, why):
        for index, cell in enumerate(self.nb.cells):
            if cell.cell_type == "code" and index not in done:
                cell.outputs = [error_output("NotRun", why)]

    # -- one cell ----------------------------------------------------------------------

    def _run_cell(self, index, cell, keep_output):
        remaining = self.deadline - monotonic()
        if remaining <= 0:
            raise BudgetSpent()
        self.timeout = max(1, min(self.cell_timeout, math.ceil(remaining)))
        instructor = utils.is_locked(cell)
        target = cell if keep_output else copy.deepcopy(cell)
        self.start_cell()
        self.replaying = not keep_output
        judged = keep_output and utils.is_grade(cell) and cell.cell_type == "code"
        try:
            if instructor:
                self._guard_check(f"before {cell_label(cell, index)}")
            self._set_up(index, cell)  # replays too: they rebuild the same state
            rejection = self._judge(index, cell) if judged else None
            self.execute_cell(target, index, store_history=True)
            if instructor:
                self._guard_check(f"after {cell_label(cell, index)}")
            if self._connection_cut():
                raise KernelLost(index, self._cut_text())
        except DeadKernelError:
            raise KernelLost(index, "the kernel died (os._exit, a crash, or the memory or "
                                    "CPU limit)") from None
        except CellTimeoutError:
            if self._connection_cut():  # its end was lost with the message cut
                raise KernelLost(index, self._cut_text()) from None
            raise KernelLost(index, f"timed out after {self.timeout} s and ignored the "
                                    "interrupt, so the kernel was restarted,") from None
        finally:
            self.nb.cells[index] = cell
        if keep_output:
            self._note_outcome(index, cell)
        if judged and rejection is not None:
            self._withhold_points(index, cell, rejection)

    def _note_outcome(self, index, cell):
        for output in cell.outputs:
            if output.output_type == "error" and output.ename == "CellTimeoutError":
                self.timed_out.add(index)
                record(self.nb, f"timed out after {self.timeout} s in {cell_label(cell, index)}")
            if output.output_type == "stream" and output.name == "stderr" and utils.is_grade(cell):
                output.name = "stdout"  # a warning is not a failure
        if any(CUT_MARK in output.get("text", "") for output in cell.outputs):
            record(self.nb, f"output of {cell_label(cell, index)} cut at "
                            f"{self.max_output_chars} characters")

    def _connection_cut(self):
        """Whether the sandbox's relay cut a connection of this kernel (a message over
        max_message_bytes): what the cell sent after it may be lost, so the kernel is."""
        relay = getattr(self.km, "relay", None)
        return bool(relay and relay.cut)

    def _cut_text(self):
        return (f"lost its output channel (a message over {self.max_message_bytes // MB} MiB), "
                "so the kernel was restarted,")

    def start_cell(self):
        """The cell's counters: characters of output, bytes of messages."""
        self.output_chars = self.message_bytes = 0
        self.replaying = False
        self.error_kept = self.flooded = False

    def process_message(self, msg, cell, cell_index):
        """Counts every message the kernel sends for the cell against the cell's and the
        notebook's byte budgets and drops what comes past them (flagged), except the
        cell's first error; keeps only the message types that make outputs."""
        msg_type = msg.get("msg_type")
        if msg_type == "status":  # how a cell ends: always read, nothing kept
            return super().process_message(msg, cell, cell_index)
        if self.replaying:
            return None  # a replay's output is thrown away: nothing to count or keep
        size = message_bytes(msg)
        self.message_bytes += size
        self.notebook_message_bytes += size
        if msg_type == "error":
            msg = shrunk_error(msg)
        if (self.message_bytes > self.max_cell_message_bytes
                or self.notebook_message_bytes > self.max_notebook_message_bytes):
            self._note_flood(cell, cell_index)
            if msg_type == "error" and not self.error_kept:
                self.error_kept = True
                cell.outputs.append(output_from_msg(msg))
            return None
        if msg_type not in KEPT_TYPES:
            return None
        if msg_type == "error":
            self.error_kept = True
        content = msg["content"]
        display_id = (content.get("transient") or {}).get("display_id")
        if display_id and msg_type in ("display_data", "execute_result", "update_display_data"):
            # An update rewrites every output shown under that id: each copy counts.
            copies = sum(map(len, self._display_id_map.get(display_id, {}).values()))
            self.output_chars += size * copies
            self.notebook_output_chars += size * copies
            if (self.output_chars > self.max_output_chars
                    or self.notebook_output_chars > self.max_notebook_output_chars):
                if not any(CUT_MARK in output.get("text", "") for output in cell.outputs):
                    cell.outputs.append(new_output("stream", name="stdout", text=(
                        f"\n[{CUT_MARK} after {self.max_output_chars} characters]\n")))
                if msg_type == "update_display_data":
                    return None
                msg = {**msg, "content": {**content, "transient": {}}}  # shown, updates nothing
        return super().process_message(msg, cell, cell_index)

    def _note_flood(self, cell, cell_index):
        if self.flooded:
            return
        self.flooded = True
        cap, total = self.max_cell_message_bytes, self.message_bytes
        if self.notebook_message_bytes > self.max_notebook_message_bytes:
            cap, total = self.max_notebook_message_bytes, self.notebook_message_bytes
        label = cell_label(cell, cell_index)
        record(self.nb, f"messages from the kernel past the cap of {cap // MB} MiB dropped "
                        f"from {label} on (output, widgets: {total // MB} MiB)", review=True)
        cell.outputs.append(new_output("stream", name="stdout", text=(
            f"\n[the grader dropped what came next: the kernel sent more than {cap // MB} "
            "MiB]\n")))

    def output(self, outs, msg, display_id, cell_index):
        """Keeps output only up to max_output_chars per cell, dropping the rest as it
        arrives (nbclient would hold all of it, then nbgrader would cut it). The kernel
        cuts its prints there too; the little room left is for the kernel's own note."""
        content = msg["content"]
        text = content.get("text")
        size = len(text) if isinstance(text, str) else len(json.dumps(content))
        self.output_chars += size
        self.notebook_output_chars += size
        limit = self.max_output_chars + 200
        if (msg["msg_type"] == "error" and not any(o.output_type == "error" for o in outs)
                and (self.output_chars > limit
                     or self.notebook_output_chars > self.max_notebook_output_chars)):
            return super().output(outs, msg, display_id, cell_index)  # a failing test fails
        if self.notebook_output_chars > self.max_notebook_output_chars:
            if self.notebook_output_chars - size <= self.max_notebook_output_chars:
                record(self.nb, f"output of the notebook cut at {self.max_notebook_output_chars} "
                                f"characters, from {cell_label(self.nb.cells[cell_index], cell_index)} on",
                       review=True)
                outs.append(new_output("stream", name="stdout", text=(
                    f"\n[{CUT_MARK}: the notebook's output reached "
                    f"{self.max_notebook_output_chars} characters]\n")))
            return None
        if self.output_chars > limit:
            if self.output_chars - size <= limit:
                outs.append(new_output("stream", name="stdout", text=(
                    f"\n[{CUT_MARK} after {self.max_output_chars} characters]\n")))
            return None
        return super().output(outs, msg, display_id, cell_index)

    # -- the outside judge -------------------------------------------------------------

    def _load_checks(self, nb, resources):
        """{grade_id: check} of the assignment's judge (grading/plugins/judge.py); test cells
        without one are graded by their notebook tests alone, and the report says so.
        Also keeps the judge's SETUP code, {grade_id: source}, in self.setups."""
        self.setups = {}
        if not self.judge:
            return {}
        info = resources.get("nbgrader", {})
        judge = load_judge(CourseDirectory(config=self.config).root, info.get("assignment", ""))
        grade_ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if utils.is_grade(c)
                     and c.cell_type == "code"]
        if judge is None:
            record(nb, f"no outside judge for assignment {info.get('assignment')!r}: "
                       "test cells are graded by their notebook tests alone")
            return {}
        self.judge_code = judge.KERNEL_CODE
        self.setups = dict(getattr(judge, "SETUP", {}))
        missing = [grade_id for grade_id in grade_ids if grade_id not in judge.CHECKS]
        if missing:
            record(nb, "test cells without an outside check, graded by their notebook tests "
                       "alone: " + ", ".join(missing))
        return judge.CHECKS

    def _set_up(self, index, cell):
        """Runs the judge's SETUP code for this cell, if any, in the student's kernel, in a
        copy of the notebook's namespace (no name it defines reaches the notebook). What
        it changes is its own to undo once the cell has run."""
        source = self.setups.get(cell.metadata.get("nbgrader", {}).get("grade_id"))
        if source is None:
            return
        reply = self._silent_request(f"exec({source!r}, dict(globals()))")
        content = (reply or {}).get("content", {})
        if content.get("status") != "ok":
            record(self.nb, f"the grader could not prepare {cell_label(cell, index)}: "
                            f"{short(str(content.get('ename')))}: "
                            f"{short(str(content.get('evalue'))[:200])}")

    def _judge(self, index, cell):
        """Runs the outside check of a test cell, before the cell: None when the student's
        code gave the right values, else what was wrong."""
        check = self.checks.get(cell.metadata["nbgrader"].get("grade_id"))
        if check is None:
            return None

        def ask(function, payload):
            remaining = self.deadline - monotonic()
            if remaining <= 1:
                raise Rejected("the notebook's time budget ran out before the grader's check")
            saved, self.timeout = self.timeout, max(1, min(self.judge_timeout, math.ceil(remaining)))
            try:
                msg_id = self.kc.execute(
                    "", silent=True, store_history=False,
                    user_expressions={"judge": probe_expression(self.judge_code, function, payload)})
                return parse_reply(self.wait_for_reply(msg_id), "judge")
            finally:
                self.timeout = saved

        started = monotonic()
        try:
            check(ask)
        except Rejected as rejected:
            return rejection_text(rejected)
        except (DeadKernelError, CellTimeoutError):
            raise  # the kernel is lost: handled like any cell that loses it
        except Exception as error:  # noqa: BLE001 (an answer the judge could not take apart)
            return short(f"the grader's check could not use the answer: {type(error).__name__}")
        finally:
            self.judge_count += 1
            self.judge_seconds += monotonic() - started
        return None

    def _withhold_points(self, index, cell, rejection):
        """The cell scores 0: an error output goes first (nbgrader grades a test cell by
        its first error or result). If the notebook's own (visible) tests had passed, the
        report says so: the student's code is wrong on inputs it had not seen, or fooled
        those tests. That alone is no flag: the hidden checks are the judge's, so a wrong
        answer that passes the visible tests (Pat's, say) ends here too."""
        # Any error means the notebook tests failed, whatever result came before it
        # (grading.plugins.integrity.OwnResultOnly scores the cell so, later).
        passed = (utils.determine_grade(cell)[0] != 0
                  and not any(output.output_type == "error" for output in cell.outputs))
        cell.outputs.insert(0, error_output("OutsideCheckFailed", rejection))
        if passed:
            record(self.nb, f"outside check failed for {cell_label(cell, index)} although its "
                            f"notebook tests passed: {rejection.splitlines()[0]}")

    # -- the integrity guard -----------------------------------------------------------

    def _silent_request(self, code="", expressions=None):
        msg_id = self.kc.execute(code, silent=True, store_history=False,
                                 user_expressions=expressions or {})
        return self.wait_for_reply(msg_id)

    def _install_guard(self):
        reply = self._silent_request(guard_bootstrap(self.max_output_chars))
        if reply is None or reply["content"]["status"] != "ok":
            record(self.nb, "the grader could not install its integrity guard", review=True)
        self._guard_check("at kernel start")  # records the clean state

    def _guard_check(self, when):
        """Asks the guard to undo tampering; a guard that does not answer properly is
        itself a sign of tampering."""
        nonce = uuid.uuid4().hex
        expression = f"__import__('sys').modules['_grading_guard'].check({nonce!r})"
        reply = self._silent_request(expressions={"guard": expression})
        try:
            text = reply["content"]["user_expressions"]["guard"]["data"]["text/plain"]
            if len(text) > GUARD_REPLY_CHARS:
                raise ValueError("answer too long")
            answer = json.loads(ast.literal_eval(text))
            if answer["nonce"] != nonce:
                raise ValueError("wrong nonce")
            changes = [short(str(change)[:200]) for change in answer["changes"][:20]]
        except Exception:  # noqa: BLE001 (any malformed answer means the same)
            record(self.nb, f"the integrity guard did not answer {when}", review=True)
            return
        if changes:
            record(self.nb, f"tampering undone {when}: " + "; ".join(changes), review=True)
