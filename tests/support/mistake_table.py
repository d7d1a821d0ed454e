"""The table of known mistakes, mistakes/expressions_to_ml.json, built from the mutation
corpus (tests/answers/wrong/), and how well it diagnoses answers it has not seen.

    python -m tests.support.mistake_table [--graded COURSE] [--accuracy]

grades every wrong answer of the corpus (one `grading autograde` run, a few minutes) and
rewrites the table; --graded reuses a course where the corpus was graded already (the
mutation suite's). --accuracy also prints the held-out measurement of the README: the
corpus is split in two halves, the table built from one diagnoses the other, and back.
test_mutations.py fails when the committed table differs from what this would write.
"""
import argparse
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from grading import diagnosis
from tests.support import ASSIGNMENT, ROOT, cell_scores, structure
from tests.support.corpus import CORPUS, grade_corpus

WRONG = [answer for answer in CORPUS if answer.kind == "wrong"]
BUILT_FROM = "tests/answers/wrong/ (python -m tests.support.mistake_table)"


def build(course, answers=WRONG):
    """[Known]: what each wrong answer, graded in course, does to the tests. A mistake is
    worded by its own file (a variant's first line describes its style)."""
    words = {a.mistake: a.summary.removeprefix("Wrong: ") for a in answers if a.mistake == a.path.stem}
    notebooks = structure().notebooks
    table = []
    for answer in answers:
        scores = cell_scores(course, answer.student)
        if scores is None:
            raise RuntimeError(f"{answer.label} was not graded in {course}")
        fails = diagnosis.failures(course, ASSIGNMENT, answer.student, scores, notebooks)
        table.append(diagnosis.Known(answer.mistake, words[answer.mistake], fails, answer.label))
    return table


def text(table):
    return diagnosis.table_text(ASSIGNMENT, table, BUILT_FROM)


def stale(committed, fresh):
    """Why the committed table is out of date with the corpus as graded now ([] when it is
    not). Answers, mistakes and words must be the same. Failures need not be identical,
    since the judge draws new inputs each run (a test may pass by chance on one draw): each
    answer's failures now must be recognised by the committed table as its own mistake."""
    problems = []
    old = {k.answer: k for k in committed}
    new = {k.answer: k for k in fresh}
    problems += [f"{a}: in the table, not in the corpus" for a in sorted(set(old) - set(new))]
    problems += [f"{a}: in the corpus, not in the table" for a in sorted(set(new) - set(old))]
    shape = structure()
    for answer in sorted(set(old) & set(new)):
        before, now = old[answer], new[answer]
        if (before.mistake, before.words) != (now.mistake, now.words):
            problems.append(f"{answer}: the table says {before.mistake!r} ({before.words!r}), "
                            f"the corpus {now.mistake!r} ({now.words!r})")
            continue
        verdicts = diagnosis.diagnose(now.fails, committed, shape)
        if not any(d.recognised and now.mistake in {m for m, _ in d.mistakes} for d in verdicts):
            problems.append(f"{answer}: fails {now.fails}, which the table does not recognise "
                            f"as {now.mistake!r} (it has {before.fails})")
    return problems


def halves(table):
    """Two halves of the table: each mistake written in two ways has one way in each half;
    the other mistakes alternate."""
    first, second = [], []
    singles = sorted((k for k in table if sum(o.mistake == k.mistake for o in table) == 1),
                     key=lambda k: k.answer)
    for i, known in enumerate(singles):
        (first if i % 2 == 0 else second).append(known)
    for known in table:
        if known not in singles:
            (first if "--" not in known.answer else second).append(known)
    return first, second


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


def accuracy_text(table):
    """The README's figures: the whole table on its own answers, then held-out halves at
    several thresholds (the report uses diagnosis.RECOGNISED)."""
    tied, results = self_check(table), held_out(table)
    mistakes = len({k.mistake for k in table})
    seen = [(a, d) for a, d, s in results if s]
    unseen = [(a, d) for a, d, s in results if not s]
    lines = [
        f"{len(table)} wrong answers, {mistakes} mistakes ({len(table) - mistakes} written a second way).",
        f"Whole table, each answer diagnosed: its mistake is always named; alone for "
        f"{sum(n == 1 for n in tied)} of {len(tied)} (the others tie with mistakes the tests cannot "
        f"tell apart; mean {sum(tied) / len(tied):.1f} named).",
        f"Held out: {len(seen)} answers whose mistake is in the other half (written another way), "
        f"{len(unseen)} whose mistake is not.",
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
    options.add_argument("--graded", type=Path, help="a course where the corpus is graded")
    options.add_argument("--accuracy", action="store_true")
    options = options.parse_args(argv)
    course = options.graded
    if course is None:
        course, summary = grade_corpus(Path(tempfile.mkdtemp(prefix="mistake-table-")), WRONG)
        print(summary, file=sys.stderr)
    table = build(course)
    path = diagnosis.table_path(ROOT, ASSIGNMENT)
    path.parent.mkdir(exist_ok=True)
    path.write_text(text(table))
    print(f"wrote {path.relative_to(ROOT)}: {len(table)} wrong answers")
    if options.accuracy:
        print(accuracy_text(table))


if __name__ == "__main__":
    main()
