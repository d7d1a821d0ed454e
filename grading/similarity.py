"""Which students' answers agree more than chance explains: similarity, answer cell by
answer cell, weighted by how rare each shared piece is in this class.

An answer is its cell's code with the release's own code taken out. Pygments splits it
into tokens; comments, docstrings and layout are dropped, numbers are read by value, and
every name the student chose becomes "V" (names the release uses, such as `gradient` or
`compute_gradient`, and Python's builtins stay, since they carry the structure). Runs of
K tokens within a statement are hashed, as in MOSS (Schleimer, Wilkerson and Aiken,
2003): two answers share a fingerprint wherever they share K tokens of one statement,
whatever was wrapped, renamed, commented or moved around it. Fingerprints of the cell's
code in the release (what every student starts from) are dropped.

For one answer cell, two students agree by the weighted Jaccard index of their
fingerprints, each fingerprint weighing log(N / students holding it): a piece the whole
class wrote weighs nothing, one that only these two wrote weighs most. Names and
comments the two share verbatim add to the agreement (a copy that kept them is easier to
see) but never count against it (renaming hides nothing).

How surprising an agreement is depends on the class: `return 1, -1` is what most students
write. For student A and cell q, p is the share of A's classmates whose answer is at
least as close to A's as B's is (taken from both sides, A's and B's, and averaged). A
cell matches when the two agree at MATCH or more and p is below COMMON. Over the m
matching cells of the Q, the p's multiply as if each student answered each cell on their
own:

    similarity = 1 / (1 + pairs * C(Q, m) * product of p)    (0 when m = 0)

where pairs is the number of pairs in the class and C(Q, m) the ways to pick m cells. It
reads as: with this many pairs, how many would agree this much by chance? Expect one, and
similarity is 0.5; expect a tenth of one, 0.91. It is a reason to look at two
submissions, never a finding.
"""
import builtins
import keyword
import math
from dataclasses import dataclass, field

import numpy as np
from pygments.lexers import PythonLexer
from pygments.token import Comment, Name, Number, String, Text

K = 5  # tokens per hashed run (a statement's depth marker included)
# Two answers to a cell "match" when they agree at least this much and fewer than half
# the class (COMMON) answered as close: only matching cells add to a pair's evidence,
# and they are the questions the report names.
MATCH = 0.5
COMMON = 0.5
# An answer longer than this is cut for comparing (a real answer is a few hundred
# characters; a pasted blob must not make the class wait).
MAX_ANSWER_CHARS = 20_000
KEPT_NAMES = frozenset(dir(builtins)) | {"self", "cls"}
BLOCK = 4096  # fingerprints per block of the pairwise sums

_LEXER = PythonLexer(stripnl=False, ensurenl=False)


@dataclass
class Tokens:
    """An answer's normalised tokens, where each came from, the statements they form, and
    the words (chosen names, comment lines) that a copy may have kept verbatim."""
    text: list = field(default_factory=list)   # normalised token strings
    spans: list = field(default_factory=list)  # (start, end) of each in the source
    statements: list = field(default_factory=list)  # (first, end) token index ranges
    words: set = field(default_factory=set)


def _number(value):
    try:
        return repr(float(value.rstrip("jJlL")))
    except ValueError:
        return value


def tokens(source, kept_names=KEPT_NAMES):
    """Tokens of Python source: comments, docstrings and whitespace dropped, a string
    literal as one "S", numbers by value, names not in kept_names as "V". Each statement
    (a logical line, however it was wrapped) opens with its indentation depth."""
    result = Tokens()
    source = source[:MAX_ANSWER_CHARS]
    in_string, depth, first, line_start = False, 0, 0, 0
    indents = {}  # {index of a statement's marker: its indentation width}

    def close():
        if len(result.text) > first + 1:  # more than its indentation marker
            result.statements.append((first, len(result.text)))
        else:
            del result.text[first:], result.spans[first:]

    for start, kind, value in _LEXER.get_tokens_unprocessed(source):
        end = start + len(value)
        if kind in Text or kind in Comment or kind in String.Doc:
            if kind in Comment or kind in String.Doc:
                line = " ".join(value.strip("#\"' \n\t").lower().split())
                if len(line) >= 8:  # "# loop" says nothing; a sentence may
                    result.words.add("comment: " + line)
            if "\n" in value and depth == 0 and not value.startswith("\\"):
                close()
                first, in_string, line_start = len(result.text), False, end
            continue
        if len(result.text) == first:  # a statement starts: a marker for its depth first
            indents[first] = len(source[line_start:start]) - len(source[line_start:start].lstrip(" \t"))
            result.text.append("<>")
            result.spans.append((start, start))
        if kind in String:
            if in_string:  # quotes, affixes and parts of one literal: one token
                result.spans[-1] = (result.spans[-1][0], end)
                continue
            in_string, value = True, "S"
        else:
            in_string = False
            if kind in Number:
                value = _number(value)
            elif kind in Name and not keyword.iskeyword(value) and value not in kept_names:
                if len(value) >= 4:
                    result.words.add("name: " + value)
                value = "V"
            elif value in ("(", "[", "{"):
                depth += 1
            elif value in (")", "]", "}"):
                depth = max(depth - 1, 0)
        result.text.append(value)
        result.spans.append((start, end))
    close()
    # The depth is the rank of the indentation among the answer's statements: two spaces or
    # four, and continuation lines however indented, give the same markers.
    ranks = {width: rank for rank, width in enumerate(sorted(set(indents.values())))}
    for first, _ in result.statements:
        result.text[first] = f"<{ranks[indents[first]]}>"
    return result


def fingerprints(toks, k=K):
    """{hash: [(first, end) token indexes of each run]}: every run of k tokens inside one
    statement, or the whole statement when it is shorter. Runs never cross statements,
    so swapping two statements or re-wrapping one changes nothing. (Winnowing would keep
    a fraction of these: it pays off on long files, but answers here are a few lines.)"""
    prints = {}
    for first, end in toks.statements:
        for i in range(first, max(end - k, first) + 1):
            prints.setdefault(_hash(toks.text[i:min(i + k, end)]), []).append((i, min(i + k, end)))
    return prints


def _hash(run):
    # Python's str hash is salted per process: fine, every answer is hashed in this one.
    return hash("\x1f".join(run))


@dataclass
class Answer:
    """One student's answer to one answer cell."""
    source: str
    tokens: Tokens
    prints: dict  # {hash: [(first, end) token indexes]}: its fingerprints, the release's removed


class Template:
    """What every student starts from: the release. Names its code uses stay visible in the
    tokens, and its comments and docstrings count for nothing. From each answer the
    release's own code *in that cell* is taken out (the stub's `def` line, the loop `fit`
    comes with); code from elsewhere in the release stays, since `return 1, 1` copied from
    Plus is a real (wrong) answer to Minus."""

    def __init__(self, sources, cells):
        """sources: the release's code cells; cells: {answer cell: its code in the release}."""
        names = set(KEPT_NAMES)
        for source in sources:
            names.update(value for _, kind, value in _LEXER.get_tokens_unprocessed(source)
                         if kind in Name)
        self.names = frozenset(names)
        self.words = set()
        for source in sources:
            self.words.update(tokens(source, self.names).words)
        self.prints = {cell: set(fingerprints(tokens(source, self.names))) for cell, source in cells.items()}

    def answer(self, cell, source):
        toks = tokens(source, self.names)
        toks.words -= self.words
        given = self.prints.get(cell, set())
        prints = {h: where for h, where in fingerprints(toks).items() if h not in given}
        return Answer(source, toks, prints)


@dataclass
class Pair:
    student_a: str
    student_b: str
    similarity: float
    evidence: float   # the sum of -log p over cells
    cells: dict       # {cell: (similarity of the two answers, p)} of the cells that match
    identical_failures: list = field(default_factory=list)  # test cells: same rare failure


def _weighted_overlap(sets, n):
    """(shared, total): shared[a, b] is the summed weight of the items both a and b hold,
    total[a] that of everything a holds; an item held by k of the n students weighs
    log(n / k). Only items two or more hold and not everyone holds can be shared: only
    they enter the matrix, a block of columns at a time (memory stays small however long
    one student's answer is)."""
    held_by = {}
    for i, items in enumerate(sets):
        for item in items:
            held_by.setdefault(item, []).append(i)
    total = np.zeros(n)
    columns = []
    for holders in held_by.values():
        weight = math.log(n / len(holders))
        total[holders] += weight
        if len(holders) > 1 and weight > 0:
            columns.append((holders, weight))
    shared = np.zeros((n, n))
    for start in range(0, len(columns), BLOCK):
        block = columns[start:start + BLOCK]
        held = np.zeros((n, len(block)))
        weights = np.array([weight for _, weight in block])
        for j, (holders, _) in enumerate(block):
            held[holders, j] = 1.0
        shared += (held * weights) @ held.T
    return shared, total


def _cell_matrix(answers, students):
    """For one answer cell: the students' pairwise similarity (N x N)."""
    n = len(students)
    found = [answers.get(student) for student in students]
    shared, total = _weighted_overlap([a.prints if a else () for a in found], n)
    union = total[:, None] + total[None, :] - shared
    shared_words, _ = _weighted_overlap([a.tokens.words if a else () for a in found], n)
    with np.errstate(invalid="ignore", divide="ignore"):
        similarity = np.where(union + shared_words > 1e-9,
                              (shared + shared_words) / (union + shared_words), 0.0)
    np.fill_diagonal(similarity, 0.0)
    # rounded, so that answers equally close compare equal whatever order they were summed in
    return np.clip(similarity, 0.0, 1.0).round(9)


def _surprise(similarity):
    """p for every pair of one cell's similarity matrix: the share of A's classmates at
    least as close to A as B, averaged over A's side and B's."""
    n = len(similarity)
    if n < 3:
        return np.ones_like(similarity)
    # at_least[a, b] = #{c != a: sim[a, c] >= sim[a, b]}, from each row sorted once
    ordered = np.sort(similarity, axis=1)
    at_least = np.empty_like(similarity)
    for a in range(n):
        at_least[a] = (n - 1) - np.searchsorted(ordered[a][1:], similarity[a], side="left") \
            if n > 1 else 0
    p_rows = at_least / (n - 1)
    p = (p_rows + p_rows.T) / 2
    return np.where(similarity > 0, p, 1.0)


def compare(answers, students=None):
    """answers: {cell: {student: Answer}}. Returns every pair's Pair, most similar first."""
    students = sorted(students or {s for per_cell in answers.values() for s in per_cell})
    n = len(students)
    if n < 2:
        return []
    pairs_count = n * (n - 1) / 2
    per_cell = {}
    for cell, cell_answers in answers.items():
        similarity = _cell_matrix(cell_answers, students)
        per_cell[cell] = (similarity, _surprise(similarity))
    matches = {cell: (sim >= MATCH) & (p < COMMON) for cell, (sim, p) in per_cell.items()}
    matched = sum(m.astype(float) for m in matches.values())
    evidence = sum(np.where(matches[cell], -np.log(p), 0.0) for cell, (_, p) in per_cell.items())
    result = []
    for i in range(n):
        for j in range(i + 1, n):
            e, m = float(evidence[i, j]), int(matched[i, j])
            chance = pairs_count * math.comb(len(per_cell), m) * math.exp(-min(e, 700.0))
            cells = {cell: (float(sim[i, j]), float(p[i, j])) for cell, (sim, p) in per_cell.items()
                     if matches[cell][i, j]}
            score = 1.0 / (1.0 + chance) if m else 0.0  # no matching cell: nothing to see
            result.append(Pair(students[i], students[j], score, e, cells))
    result.sort(key=lambda pair: (-pair.evidence, pair.student_a, pair.student_b))
    return result


def shared_spans(first, second):
    """The character spans of each answer's source that lie in fingerprints both hold:
    ([(start, end)], [(start, end)]), merged and sorted."""
    common = first.prints.keys() & second.prints.keys()

    def spans(ans):
        marked = []
        for h in common:
            for first, end in ans.prints[h]:
                marked.append((ans.tokens.spans[first][0], ans.tokens.spans[end - 1][1]))
        merged = []
        for start, end in sorted(marked):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged
    return spans(first), spans(second)
