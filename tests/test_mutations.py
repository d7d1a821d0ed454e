"""Mutation suite: the test cells give every correct answer full marks and catch every
wrong one, in its own question only.

tests/answers/ holds a corpus of student answers in the answer-file format of
grading/submissions.py (`# %% <grade_id>` sections). Each file answers ONE question (only
that question's answer cells) and opens with a one-line comment saying what it is:
- correct/<name>.py: a correct answer, in some reasonable style;
- wrong/<name>.py: a plausible mistake.
baseline.py answers all five answer cells correctly, in a style of its own; it supplies
every answer a corpus file leaves out.

Each file becomes one submission (the committed release with the baseline's answers, then
the file's own), and ONE real grading run grades them all (`grading autograde`: nbgrader's own
AutogradeApp for each student, on every core; test_parallel.py proves it scores exactly as
serial `nbgrader autograde`), the baseline alone
included. Then one test per answer checks that:
- a correct answer (and the baseline) scores full marks in every test cell;
- a wrong answer loses points in a test cell of its own question,
  and in no test cell of any other question.
The points per question are printed as a table (`pytest -s` shows it) and written to
mutation_scores.txt in the fixture's temporary folder.
"""
import csv

import pytest

from grading import diagnosis
from grading.class_report import class_facts
from grading.commands import similarity
from tests.support import ASSIGNMENT, ROOT, cell_scores, notebook_path, structure
from tests.support import mistake_table
from tests.support.corpus import BASELINE, CORPUS, EVERYONE, Answer
from tests.support.report_check import disagreements

pytestmark = pytest.mark.slow  # real nbgrader batches: minutes



def problems(answer, scores):
    """What is unfair in the scores of answer's submission; an empty list when none."""
    if scores is None:
        return ["nbgrader did not grade it: see autograde.log next to mutation_scores.txt"]
    lost = {cell: max_score - score for cell, (score, max_score) in scores.items() if score < max_score}
    if answer.kind != "wrong":
        return [f"a correct answer lost {points:g} points in {cell}" for cell, points in lost.items()]
    own = answer.own_test_cells(scores)
    found = [] if set(lost) & own else [f"not caught: full marks in its own cells {sorted(own)}"]
    return found + [f"lost {points:g} points in {cell}, which does not grade its answer"
                    for cell, points in lost.items() if cell not in own]


STRUCTURE = structure()  # questions and points, read from the source notebook
QUESTIONS = STRUCTURE.questions


def where(cells, all_cells):
    """Question 1, or Question 2 (divide_gradient_correct) when the cells are only part of
    their question."""
    (question,) = {STRUCTURE.question_of(cell).label for cell in cells}
    whole = {cell for cell in all_cells if STRUCTURE.question_of(cell).label == question}
    return question + ("" if cells == whole else f" ({', '.join(sorted(cells))})")


def score_table(answers, scores_by_student):
    """One row per answer: what it should get, its points per question, the cells where it
    lost points, and whether that is right."""
    some_scores = next(s for s in scores_by_student.values() if s)
    header = ["answer", "expected"] + [f"{q.label} /{q.points:g}" for q in QUESTIONS] + [
        "total", "cells that lost points", "verdict"]
    rows = []
    for answer in answers:
        scores = scores_by_student.get(answer.student)
        if answer.kind == "wrong":
            expected = f"loses in {where(answer.own_test_cells(some_scores), some_scores)} only"
        else:
            expected = "full marks"
        if scores is None:
            rows.append([answer.label, expected] + ["-"] * len(QUESTIONS) + ["-", "", "NOT GRADED"])
            continue
        per_question = STRUCTURE.question_scores(scores)
        lost = ", ".join(f"{c} -{m - s:g}" for c, (s, m) in scores.items() if s < m)
        rows.append([answer.label, expected] + [f"{per_question[q.title][0]:g}" for q in QUESTIONS] + [
            f"{sum(s for s, _ in scores.values()):g}", lost,
            "ok" if not problems(answer, scores) else "WRONG"])
    widths = [max(len(row[i]) for row in [header] + rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
             for row in [header] + rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    fair = sum(1 for row in rows if row[-1] == "ok")
    correct = [a for a in answers if a.kind != "wrong"]
    lines += ["", f"{fair} of {len(rows)} answers graded as expected "
                  f"({len(correct)} correct incl. the baseline, {len(rows) - len(correct)} wrong)"]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def graded(corpus_course):
    """{student id: cell scores} of the whole corpus."""
    course, log = corpus_course
    folder = log.parent
    # A submission nbgrader failed to grade has no autograded notebook (and zeros in the
    # gradebook): that says nothing about the test cells, so it is reported as not graded.
    scores = {answer.student: cell_scores(course, answer.student)
              if notebook_path(course, "autograded", answer.student).exists() else None
              for answer in EVERYONE}
    if not any(scores.values()):
        pytest.fail(f"nbgrader autograde graded nothing:\n{log.read_text()}")
    table = score_table(EVERYONE, scores)
    (folder / "mutation_scores.txt").write_text(table + "\n")
    print(f"\n{table}\n(also in {folder / 'mutation_scores.txt'}; nbgrader's output in {log})")
    return scores


def test_corpus_is_well_formed():
    assert len([a for a in CORPUS if a.kind == "correct"]) >= 10
    assert len([a for a in CORPUS if a.kind == "wrong"]) >= 30
    assert set(Answer(BASELINE).cells) == {
        "compute_gradient", "minus_gradient", "divide_gradient", "negative_gradient", "fit"}
    for answer in CORPUS:
        assert answer.summary.startswith(f"{answer.kind.capitalize()}: "), (
            f"{answer.label} should open with '# {answer.kind.capitalize()}: <what it is>'")
        assert answer.cells and set(answer.cells) <= set(Answer(BASELINE).cells), answer.label
        if answer.kind == "wrong" and answer.mistake != answer.path.stem:
            assert (answer.path.parent / f"{answer.mistake}.py").exists(), (
                f"{answer.label}: a variant of a mistake needs the mistake's own file")
        questions = {STRUCTURE.question_of(cell).title for cell in answer.cells}
        assert len(questions) == 1, f"{answer.label} answers more than one question: {questions}"


@pytest.mark.parametrize("answer", EVERYONE, ids=lambda answer: answer.label)
def test_graded_fairly(graded, answer):
    assert problems(answer, graded[answer.student]) == [], answer.summary


def test_mistake_table_is_up_to_date(corpus_course):
    """mistakes/expressions_to_ml.json is what the corpus, graded now, gives."""
    course, _ = corpus_course
    problems = mistake_table.stale(diagnosis.read_table(ROOT, ASSIGNMENT), mistake_table.build(course),
                                   diagnosis.table_fingerprints(ROOT, ASSIGNMENT),
                                   mistake_table.fingerprints())
    assert problems == [], ("the table of known mistakes is out of date: refresh it with "
                            "`python -m tests.support.mistake_table`\n" + "\n".join(problems))


def test_no_two_corpus_answers_look_copied(corpus_report):
    """The graded corpus as a class of 92 honest students, each the baseline with one
    question answered its own way: no pair reaches the similarity threshold. The pairs
    flagged for the same rare failures are wrong answers to the same cells, among them
    mistakes written two ways. (`grading similarity` ran in the corpus_report fixture.)"""
    course = corpus_report
    with open(similarity.csv_path(course, ASSIGNMENT), newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows and max(float(row["similarity"]) for row in rows) < similarity.REVIEW_AT
    by_student = {answer.student: answer for answer in EVERYONE}
    flagged = [(by_student[row["student_a"]], by_student[row["student_b"]])
               for row in rows if row["identical_failures"]]
    for a, b in flagged:
        assert a.kind == b.kind == "wrong" and set(a.cells) == set(b.cells), (a.label, b.label)
    assert sum(a.mistake == b.mistake for a, b in flagged) >= 4, [(a.label, b.label) for a, b in flagged]


def test_class_report_agrees_with_the_gradebook(corpus_report):
    course = corpus_report  # `grading report --html` ran in the fixture, after similarity
    assert disagreements(course, ASSIGNMENT, [answer.student for answer in EVERYONE]) == []


def test_class_report_names_each_wrong_answers_own_mistake(corpus_course):
    """The report, with the committed table, names each corpus mistake for the answer that
    makes it (among mistakes the tests cannot tell apart), and nothing for a correct one.
    On the judge's new inputs an answer now and then fails in a new way that another
    mistake matches better (mistake_table.STALE_SHARE): a tenth of them may."""
    course, _ = corpus_course
    facts = class_facts(course, ASSIGNMENT)
    missed = []
    for answer in EVERYONE:
        verdicts = facts.diagnoses.get(answer.student, [])
        named = {m for d in verdicts if d.recognised for m, _ in d.mistakes}
        if answer.kind == "wrong":
            if answer.mistake not in named:
                missed.append((answer.label, verdicts))
        else:
            assert verdicts == [], (answer.label, verdicts)
    wrong = [answer for answer in EVERYONE if answer.kind == "wrong"]
    assert len(missed) <= mistake_table.STALE_SHARE * len(wrong), missed
