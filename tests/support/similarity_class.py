"""A made-up class for calibrating grading.similarity: honest students and disguised copies.

An honest student answers each answer cell with an answer drawn at random from the
mutation corpus (tests/answers/: the baseline, right and wrong answers), independently of
everyone else. A copier takes one honest student's answers and disguises them: every name
they chose renamed, comments added, long lines re-wrapped, and neighbouring statements
that share no name swapped.

The corpus is a hard case for a similarity check: its answers are one-line changes of
each other, and a class of hundreds draws each of them many times.
"""
import ast
import random
import re

from grading import similarity
from grading.assignment import read_assignment
from grading.commands.similarity import release_template as release_template_of
from grading.submissions import read_answers

from . import ASSIGNMENT, ROOT
from .corpus import BASELINE, CORPUS


def release_template():
    """grading.similarity.Template of this course's release (what the command builds)."""
    return release_template_of(ROOT, ASSIGNMENT, read_assignment(ROOT, ASSIGNMENT))


def answer_pool():
    """{answer cell: [distinct answers to it in the corpus]}."""
    pool = {}
    for cells in [read_answers(BASELINE)] + [answer.cells for answer in CORPUS]:
        for cell, code in cells.items():
            if code not in pool.setdefault(cell, []):
                pool[cell].append(code)
    return pool


def honest_class(size, rng, pool=None):
    pool = pool or answer_pool()
    return {f"student_{i:04d}": {cell: rng.choice(answers) for cell, answers in sorted(pool.items())}
            for i in range(size)}


def _rename(code, kept, rng):
    new = {}

    def swap(match):
        name = match.group(0)
        if name in kept or not name.isidentifier() or name in ("True", "False", "None"):
            return name
        return new.setdefault(name, f"{rng.choice(['my', 'the', 'tmp', 'val'])}_{name[::-1]}_{len(new)}")
    out, last = [], 0
    # names only, outside strings and comments: the tokenizer says which is which
    for start, kind, value in similarity._LEXER.get_tokens_unprocessed(code):
        if kind in similarity.Name and not (start > 0 and code[start - 1] == "."):
            out.append(code[last:start])
            out.append(re.sub(r"\w+", swap, value))
            last = start + len(value)
    out.append(code[last:])
    return "".join(out)


def _independent(first, second):
    """Two one-line simple statements that share no name (so swapping them is harmless)."""
    simple = (ast.Assign, ast.AugAssign, ast.Expr, ast.AnnAssign)
    if not (isinstance(first, simple) and isinstance(second, simple)):
        return False
    if first.lineno != first.end_lineno or second.lineno != second.end_lineno:
        return False
    names = lambda node: {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} - {"self"}
    return not (names(first) & names(second))


def _reorder(code):
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    lines = code.split("\n")
    for node in ast.walk(tree):
        for body in (getattr(node, "body", None), getattr(node, "orelse", None)):
            if not isinstance(body, list):
                continue
            for first, second in zip(body, body[1:]):
                if _independent(first, second):
                    a, b = first.lineno - 1, second.lineno - 1
                    lines[a], lines[b] = lines[b], lines[a]
                    return "\n".join(lines)
    return code


def _rewrap(code):
    """Breaks each line at its first comma inside brackets."""
    out = []
    for line in code.split("\n"):
        depth, cut = 0, None
        for i, char in enumerate(line):
            if char == "#":
                break
            depth += char in "([{"
            depth -= char in ")]}"
            if char == "," and depth > 0:
                cut = i
                break
        if cut is None:
            out.append(line)
        else:
            indent = len(line) - len(line.lstrip())
            out += [line[:cut + 1], " " * (indent + 8) + line[cut + 1:].lstrip()]
    return "\n".join(out)


def _comment(code, rng):
    verbs = ["compute", "update", "check", "loop over", "handle", "store", "apply", "add up"]
    nouns = ["the step", "everything", "the values", "this part", "the result", "gradients"]
    out = []
    for line in code.split("\n"):
        if line.strip() and rng.random() < 0.3 and not line.rstrip().endswith(("(", ",", "\\")):
            out.append(line[:len(line) - len(line.lstrip())] + f"# {rng.choice(verbs)} {rng.choice(nouns)}")
        out.append(line)
    return "\n".join(out)


def disguise(code, kept_names, rng):
    return _comment(_rewrap(_reorder(_rename(code, kept_names, rng))), rng)


def class_with_copies(size, copies, seed=0):
    """(class {student: {cell: code}}, {copier: the student copied}): size honest students,
    then `copies` of them copied under new ids (so the class has size + copies students)."""
    rng = random.Random(seed)
    students = honest_class(size, rng)
    kept = release_template().names
    originals = rng.sample(sorted(students), copies)
    copied = {}
    for i, original in enumerate(originals):
        copier = f"student_{size + i:04d}"
        students[copier] = {cell: disguise(code, kept, rng) for cell, code in students[original].items()}
        copied[copier] = original
    return students, copied


def score(students, template=None):
    """Every pair's similarity.Pair for a class {student: {cell: code}}."""
    template = template or release_template()
    cells = sorted({cell for answers in students.values() for cell in answers})
    answers = {cell: {s: template.answer(cell, a[cell]) for s, a in students.items() if cell in a}
               for cell in cells}
    return similarity.compare(answers, students)
