"""The table of known mistakes, mistakes/expressions_to_ml.json, built from the mutation
corpus (tests/answers/wrong/), and how well it diagnoses answers it has not seen.

    python -m tests.support.mistake_table [--runs N | --graded COURSE ...] [--accuracy]

grades every wrong answer of the corpus N times (default 3; one `grading autograde` run
each, a few minutes) and rewrites the table; --graded reuses courses where the corpus was
graded already. The judge draws new inputs on every run, and a few answers fail slightly
differently from one draw to the next (a test passes by chance, the numbers relate
differently), so the table keeps every distinct way an answer was seen to fail.
--accuracy also prints the held-out measurement of the README: the corpus is split in two
halves, the table built from one diagnoses the other, and back. test_mutations.py fails
when the committed table is out of date with the corpus (see stale()).
"""
import argparse
import hashlib
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import nbformat

from grading import diagnosis
from tests.support import ASSIGNMENT, ROOT, cell_scores, notebook_path, structure
from tests.support.corpus import CORPUS, grade_corpus

WRONG = [answer for answer in CORPUS if answer.kind == "wrong"]
BUILT_FROM = "tests/answers/wrong/ (python -m tests.support.mistake_table)"
# How much of an answer's failures may differ from every way the table saw it fail, and
# for how many answers, before the table counts as out of date. The judge's draws make a
# few answers fail in a new way now and then (about 1 in 68 per run); a change to the
# messages or to how they are normalised changes most of them.
STALE_BELOW = 0.5
STALE_SHARE = 0.1


def build(*courses, answers=WRONG):
    """[Known]: the distinct ways each wrong answer failed in the courses where it was
    graded. A mistake is worded by its own file (a variant's first line describes its style)."""
    words = {a.mistake: a.summary.removeprefix("Wrong: ") for a in WRONG if a.mistake == a.path.stem}
    hints = {a.mistake: a.hint for a in WRONG if a.mistake == a.path.stem}
    notebooks = structure().notebooks
    table = []
    for course, answer in ((c, a) for a in answers for c in courses):
        scores = cell_scores(course, answer.student)
        if scores is None:
            continue
        fails = diagnosis.failures(course, ASSIGNMENT, answer.student, scores, notebooks)
        known = diagnosis.Known(answer.mistake, words[answer.mistake], fails, answer.label,
                                hints[answer.mistake])
        if known not in table:
            table.append(known)
    missing = {a.label for a in answers} - {k.answer for k in table}
    if missing:
        raise RuntimeError(f"never graded in {', '.join(map(str, courses))}: {', '.join(sorted(missing))}")
    return table


def text(table):
    return diagnosis.table_text(ASSIGNMENT, table, BUILT_FROM, fingerprints())


def fingerprints():
    """What the table is built from: each wrong answer's file, and the assignment's tests
    (the source notebook's test cells and the judge)."""
    digest = lambda text: hashlib.sha256(text.encode()).hexdigest()[:16]
    source = nbformat.read(str(notebook_path(ROOT, "source")), as_version=4)
    tests = "\n".join(cell.source for cell in source.cells
                      if cell.metadata.get("nbgrader", {}).get("grade")
                      and not cell.metadata.get("nbgrader", {}).get("solution"))
    judge = (ROOT / "judges" / f"{ASSIGNMENT}.py").read_text()
    return {"tests": digest(tests + judge),
            "answers": {a.label: digest(a.path.read_text()) for a in WRONG}}


def stale(committed, fresh, built_with, now):
    """Why the committed table is out of date ([] when it is not):
    - its fingerprints differ from now's: an answer file, a test cell or the judge changed;
    - its answers, mistakes, words or hints differ from the corpus's;
    - more than STALE_SHARE of the answers, graded now, fail in a way that agrees less than
      STALE_BELOW with every way the table has for them (the messages or their
      normalisation changed). The odd answer may, since the judge draws new inputs each run."""
    problems = []
    if built_with.get("tests") != now["tests"]:
        problems.append("the test cells or the judge changed since the table was built")
    old_answers, new_answers = built_with.get("answers", {}), now["answers"]
    problems += [f"{a}: changed since the table was built" for a in sorted(new_answers)
                 if a in old_answers and old_answers[a] != new_answers[a]]
    old = {k.answer: k for k in committed}
    new = {k.answer: k for k in fresh}
    problems += [f"{a}: in the table, not in the corpus" for a in sorted(set(old) - set(new))]
    problems += [f"{a}: in the corpus, not in the table" for a in sorted(set(new) - set(old))]
    odd = []
    for answer in sorted(set(old) & set(new)):
        before, now_ = old[answer], new[answer]
        if (before.mistake, before.words, before.hint) != (now_.mistake, now_.words, now_.hint):
            problems.append(f"{answer}: the table says {before.mistake!r} ({before.words!r}; "
                            f"hint {before.hint!r}), the corpus {now_.mistake!r} ({now_.words!r}; "
                            f"hint {now_.hint!r})")
            continue
        seen = [k.fails for k in committed if k.answer == answer]
        for known in (k for k in fresh if k.answer == answer):
            if max(diagnosis.agreement(known.fails, fails) for fails in seen) < STALE_BELOW:
                odd.append(f"{answer}: fails {known.fails}; the table has {seen}")
    if len(odd) > STALE_SHARE * max(len(new), 1):
        problems += odd
    return problems


def halves(table):
    """Two halves of the table: each mistake written in two ways has one way in each half;
    the other mistakes alternate."""
    answers = defaultdict(set)  # {mistake: its answers}
    for known in table:
        answers[known.mistake].add(known.answer)
    singles = sorted(a for names in answers.values() if len(names) == 1 for a in names)
    in_first = {a for i, a in enumerate(singles) if i % 2 == 0} | {
        a for names in answers.values() if len(names) > 1 for a in names if "--" not in a}
    return ([k for k in table if k.answer in in_first], [k for k in table if k.answer not in in_first])


def held_out(table):
    """Diagnoses each half with a table built from the other half: [(answer's Known,
    its best Diagnosis in its own unit, whether its mistake was in the other half)]."""
    shape = structure()
    first, second = halves(table)
    result = []
    for build_half, held in ((first, second), (second, first)):
        known_mistakes = {k.mistake for k in build_half}
        for answer in held:
            best = max(diagnosis.diagnose(answer.fails, build_half, shape), key=lambda d: d.score)
            result.append((answer, best, answer.mistake in known_mistakes))
    return result


def named(verdict, threshold):
    return {m for m, _ in verdict.mistakes} if verdict.score >= threshold else set()


def self_check(table):
    """Each answer diagnosed with the whole table: how many mistakes are named with it."""
    shape = structure()
    tied = []
    for answer in table:
        names = {m for d in diagnosis.diagnose(answer.fails, table, shape) if d.recognised
                 for m, _ in d.mistakes}
        assert answer.mistake in names, answer.answer
        tied.append(len(names))
    return tied


def hint_share(table, question="Question 3"):
    """(ways of failing whose feedback shows a hint, all ways of failing) for the table's
    mistakes in a question: each way diagnosed with the whole table, as the feedback page
    does (a hint for a recognised mistake, or the hints of up to diagnosis.MAX_HINTS tied
    ones)."""
    shape = structure()
    keys = {shape.key(c.notebook, c.grade_id) for q in shape.questions if q.label == question
            for c in q.cells}
    ways = [known for known in table if set(known.fails) & keys]
    shown = sum(any(d.hint for d in diagnosis.diagnose(known.fails, table, shape)
                    if d.unit.startswith(question)) for known in ways)
    return shown, len(ways)


def accuracy_text(table):
    """The README's figures: the whole table on its own answers, then held-out halves at
    several thresholds (the report uses diagnosis.RECOGNISED)."""
    tied, results = self_check(table), held_out(table)
    mistakes, answers = len({k.mistake for k in table}), len({k.answer for k in table})
    seen = [(a, d) for a, d, s in results if s]
    unseen = [(a, d) for a, d, s in results if not s]
    lines = [
        f"{answers} wrong answers, {mistakes} mistakes ({answers - mistakes} written a second way), "
        f"{len(table)} distinct ways of failing seen.",
        f"Whole table, each way of failing diagnosed: its mistake is always named; alone for "
        f"{sum(n == 1 for n in tied)} of {len(tied)} (the others tie with mistakes the tests cannot "
        f"tell apart; mean {sum(tied) / len(tied):.1f} named).",
        "Feedback with a hint (whole table): " + ", ".join(
            f"{q}: {shown} of {ways} ways of failing" for q in ("Question 1", "Question 2", "Question 3")
            for shown, ways in [hint_share(table, q)]) + ".",
        f"Held out: {len(seen)} ways of failing whose mistake is in the other half (written another "
        f"way), {len(unseen)} whose mistake is not.",
        "",
        "| threshold | mistake seen: the right one named | named alone | mistakes named (mean) "
        "| mistake unseen: said unrecognised |",
        "|---|---|---|---|---|",
    ]
    for threshold in (0.5, 0.75, 1.0):
        right = sum(a.mistake in named(d, threshold) for a, d in seen)
        alone = sum(named(d, threshold) == {a.mistake} for a, d in seen)
        mean = sum(len(named(d, threshold)) for _, d in seen) / max(len(seen), 1)
        missed = sum(not named(d, threshold) for _, d in unseen)
        mark = " (the report's)" if threshold == diagnosis.RECOGNISED else ""
        lines.append(f"| {threshold:g}{mark} | {right}/{len(seen)} ({100 * right / max(len(seen), 1):.0f}%) | "
                     f"{alone} | {mean:.1f} | {missed}/{len(unseen)} ({100 * missed / max(len(unseen), 1):.0f}%) |")
    return "\n".join(lines)


def main(argv=None):
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--runs", type=int, default=3, help="gradings of the corpus (default 3)")
    options.add_argument("--graded", type=Path, action="append",
                         help="a course where the corpus is graded (repeatable)")
    options.add_argument("--accuracy", action="store_true")
    options = options.parse_args(argv)
    courses = options.graded or []
    for _ in range(0 if courses else options.runs):
        course, summary = grade_corpus(Path(tempfile.mkdtemp(prefix="mistake-table-")), WRONG)
        print(summary, file=sys.stderr)
        courses.append(course)
    table = build(*courses)
    path = diagnosis.table_path(ROOT, ASSIGNMENT)
    path.parent.mkdir(exist_ok=True)
    path.write_text(text(table))
    print(f"wrote {path.relative_to(ROOT)}: {len({k.answer for k in table})} wrong answers, "
          f"{len(table)} ways of failing")
    if options.accuracy:
        print(accuracy_text(table))


if __name__ == "__main__":
    main()
