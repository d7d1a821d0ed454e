"""The outside judge: a test cell earns its points only when code the student cannot reach
agrees that the answer is right.

The hidden tests in the notebook run inside the student's kernel, where the student's code
ran first and can rebind whatever they use. So before each test cell runs, the grader
(grading.plugins.execution.BoundedExecute, in nbgrader's own process, outside the sandbox) asks
the assignment's judge to check the answer that cell grades: the judge draws fresh inputs
with the operating system's random source, has the student's kernel run the student's
code on them, reads back plain data (JSON: numbers, lists, strings) and compares it with
the reference answers it computes itself. Whatever the kernel prints, patches or forges,
it earns the points only by sending back the right values for inputs it had not seen.

An assignment's judge is judges/<assignment>.py in the course folder (beside
nbgrader_config.py; never released, never visible inside the sandbox). It defines

    KERNEL_CODE   Python source of functions that run in the student's kernel, each
                  taking a JSON-decoded payload and returning a JSON string;
    CHECKS        {grade_id: check}: check(ask) returns when the answer is right and
                  raises Rejected("what was wrong", case) when it is not, where case is
                  Python a student can paste into a cell to see it happen. ask(function,
                  payload) runs KERNEL_CODE's function(payload) in the kernel and returns
                  its answer, decoded (never executed, never trusted beyond its values).
                  A check reads answers only through answers(), field() and compare()
                  below, never by itself: compare() counts and compares every value it
                  decoded, whatever the kernel reported (tests/test_judge.py enforces it).

and may define

    SETUP         {grade_id: source}: Python source the grader runs in the student's
                  kernel (in a copy of the notebook's namespace) just before that test
                  cell's check and the cell itself, to put the notebook in the state the
                  cell is graded in (a correct back-propagation while fit is tested, say),
                  and to undo it when the cell has run (IPython's post_run_cell event).
                  It reaches the kernel only then, so no other check can find it there.
"""
import ast
import importlib.util
import json
import math
from pathlib import Path

MAX_REPLY_CHARS = 2_000_000  # a judge answer is a few kilobytes; anything bigger is refused
MAX_MESSAGE_CHARS = 600
MAX_CASE_CHARS = 2000
ANSWER = "__judge_answer__"
# Between a rejection's one-line message and its case, in the error output the test cell
# gets: the feedback page shows what follows as code to try.
CASE_MARK = "To see it in your notebook, run:"


class Rejected(Exception):
    """The student's code did not give the right values; the message says which, in one
    line, and case (optional) is code that builds the same inputs in the notebook."""

    def __init__(self, message, case=""):
        super().__init__(message)
        self.case = case


def rejection_text(rejected):
    """The error value a rejected test cell shows: the message, then its case, if any."""
    message = short(rejected)
    case = getattr(rejected, "case", "") or ""
    if case and len(case) <= MAX_CASE_CHARS:
        return f"{message}\n{CASE_MARK}\n{case.strip()}"
    return message


def load_judge(course_dir, assignment):
    """The judge module of an assignment, or None when the course has none."""
    path = Path(course_dir) / "judges" / f"{assignment}.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(f"judges_{assignment}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in ("KERNEL_CODE", "CHECKS"):
        if not hasattr(module, name):
            raise RuntimeError(f"{path} defines no {name}: see grading/plugins/judge.py")
    return module


def probe_expression(kernel_code, function, payload):
    """A user expression (evaluated by the kernel in the notebook's namespace) that runs
    function(payload) from kernel_code in a copy of that namespace, so that names the
    judge defines never appear in the notebook, and evaluates to its JSON answer."""
    source = (f"{kernel_code}\n"
              f"{ANSWER} = {function}(__import__('json').loads({json.dumps(payload)!r}))\n")
    return f"(lambda g: (exec({source!r}, g), g[{ANSWER!r}])[1])(dict(globals()))"


def parse_reply(reply, key):
    """The decoded answer in a kernel's execute reply, or Rejected saying why there is none."""
    if reply is None:
        raise Rejected("the grader's check got no answer in time")
    result = reply.get("content", {}).get("user_expressions", {}).get(key)
    if not isinstance(result, dict):
        raise Rejected("the grader's check got no answer")
    if result.get("status") != "ok":
        raise Rejected(f"the grader's check could not run: {result.get('ename')}: "
                       f"{str(result.get('evalue'))[:200]}")
    text = result.get("data", {}).get("text/plain")
    if not isinstance(text, str) or len(text) > MAX_REPLY_CHARS:
        raise Rejected("the grader's check got an answer it cannot read")
    try:
        answer = json.loads(ast.literal_eval(text))
    except Exception:  # noqa: BLE001 (any malformed answer means the same)
        raise Rejected("the grader's check got an answer it cannot read") from None
    if not isinstance(answer, dict):
        raise Rejected("the grader's check got an answer it cannot read")
    return answer


def answers(ask, function, cases, payload):
    """Runs function on every payload item in the kernel: [(case, answer)], one pair per
    case, in order, each answer a dict as json.loads made it. Rejected when the kernel
    sent back any other number of answers, or anything else."""
    reply = ask(function, {"cases": payload})
    found = reply.get("answers") if type(reply) is dict else None
    if (type(found) is not list or len(found) != len(payload) or len(cases) != len(payload)
            or any(type(answer) is not dict for answer in found)):
        raise Rejected("the grader's check got an answer it cannot read")
    return [(case, found[index]) for index, case in enumerate(cases)]


def field(answer, key, what, case=""):
    """An answer's value under key; Rejected with the error the kernel met, or for none."""
    if type(answer) is not dict or ("error" not in answer and key not in answer):
        raise Rejected(f"{what}: no answer", case)
    if "error" in answer:
        error = answer["error"]
        raise Rejected(f"{what}: {error if type(error) is str else 'an error'}", case)
    return answer[key]


def compare(found, expected, what, labels, case="", rel=1e-9, scales=0.0, first=True,
            noun="value(s)"):
    """The one way a judge compares what a kernel answered with its reference.

    found: a value from field(); expected: the reference, a list of numbers; what: the
    answer, noun: its items, labels: what each one is, for the messages. found must be a list of exactly len(expected) items
    (counted here: nothing the kernel reports about itself counts) and each item an int
    or a float (exact types, as json.loads makes them; never a bool, a dict or a string),
    or Rejected. Every value is compared with its reference (within rel of the larger of
    its size and its scale, a number or one per value), in order: a value that is no
    number is Rejected at once, and so is the first that disagrees, unless first=False,
    which collects those instead. Returns (the values as floats, indices that disagree)."""
    if type(found) is not list or len(found) != len(expected):
        count = len(found) if type(found) is list else f"no list ({type(found).__name__})"
        raise Rejected(f"{what}: expected {len(expected)} {noun}, found {count}", case)
    scales = scales if type(scales) is list else [scales] * len(expected)
    values, wrong = [], []
    for index, reference in enumerate(expected):
        value = found[index]
        if type(value) not in (int, float):
            kind = value.get("not a number") if type(value) is dict else None
            kind = kind if type(kind) is str else type(value).__name__
            raise Rejected(f"{labels[index]}: expected a number, found {kind[:100]}", case)
        try:
            value = float(value)
        except OverflowError:  # an int too large for a float
            value = math.inf
        values.append(value)
        if not agrees(value, reference, rel, scales[index]):
            if first:
                raise Rejected(f"{labels[index]}: expected {reference!r}, found {value!r}", case)
            wrong.append(index)
    return values, wrong


def agrees(value, expected, rel=1e-9, scale=0.0):
    """value is expected, within rel of the larger of |expected| and scale (NaN never is)."""
    return abs(value - expected) <= rel * max(abs(expected), scale) + 1e-12


def short(message):
    message = " ".join(str(message).split())
    return message if len(message) <= MAX_MESSAGE_CHARS else message[:MAX_MESSAGE_CHARS] + " ..."
