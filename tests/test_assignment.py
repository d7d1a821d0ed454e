"""An assignment's structure read from its source notebooks (grading.assignment): questions,
parts, points, grade ids and every disagreement about points; the repository's own
assignments are consistent; and a second, tiny assignment written here goes through
generate_assignment, `grading autograde` and `grading report` with its own questions.

Everything but the end-to-end run is fast (notebooks built in memory, no kernel)."""
import csv
import subprocess
import sys

import nbformat
import pytest
from nbformat import v4

from grading import gradebook
from grading.assignment import (POINTS, AssignmentError, assignment_names, points_problems,
                                read_assignment)
from grading.course import notebook_path, run_nbgrader, tool_env
from grading.submissions import build_submission, write_submission
from tests.support import ROOT, fresh_course

KERNEL_METADATA = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                   "name": "python3"},
    "language_info": {"name": "python"},
}


# --- building notebooks ----------------------------------------------------------------

def _nbgrader(grade_id, grade=False, solution=False, locked=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def markdown(grade_id, text):
    """A locked instructions cell (headings, the points table)."""
    return v4.new_markdown_cell(text, metadata=_nbgrader(grade_id, locked=True))


def answer(grade_id, code):
    """An autograded answer cell (the student's)."""
    return v4.new_code_cell(code, metadata=_nbgrader(grade_id, solution=True))


def check(grade_id, points, code):
    """A locked, autograded test cell worth `points`."""
    return v4.new_code_cell(code, metadata=_nbgrader(grade_id, grade=True, locked=True,
                                                     points=points))


def notebook(cells):
    return v4.new_notebook(cells=list(cells), metadata=KERNEL_METADATA)


def write_notebook(course, assignment, name, cells):
    """Writes source/<assignment>/<name>.ipynb in a course folder; returns its path."""
    path = course / "source" / assignment / f"{name}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook(cells), str(path))
    return path


def points_table(*rows, total):
    lines = ["| Part | What you write | Points |", "|---|---|---|"]
    lines += [f"| {label} | {what} | {points} |" for label, what, points in rows]
    lines.append(f"| **Total** | | **{total}** |")
    return "\n".join(lines)


def quiz_cells(q1_heading="## Question 1: `double` (4 points)",
               q2_heading="## **Question 2**: `is_even` (6 points)",
               part_a="### Part 2a: evens (2 points)", part_b="### Part 2b: odds (4 points)",
               table=None, double_docstring="(2 points)", extra=()):
    """A consistent two-question notebook (10 points; question 2 in two parts)."""
    table = table or points_table(("Question 1", "`double`", 4), ("Question 2", "`is_even`", 6),
                                  total=10)
    return [
        markdown("title", "# A quiz\n\nTwo short functions.\n\n" + table),
        markdown("q1", q1_heading + "\n\nWrite `double(x)`."),
        answer("double", "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n"
                         "    ### END SOLUTION"),
        check("double_positive", 2,
                  f'"""double doubles positive numbers {double_docstring}."""\n'
                  "assert double(3) == 6"),
        check("double_negative", 2,
                  '"""double doubles negative numbers (2 points)."""\nassert double(-1) == -2'),
        markdown("q2", q2_heading + "\n\nWrite `is_even(n)`."),
        answer("is_even", "def is_even(n):\n    ### BEGIN SOLUTION\n    return n % 2 == 0\n"
                          "    ### END SOLUTION"),
        markdown("q2a", part_a),
        check("is_even_evens", 2, '"""Evens are even (2 points)."""\nassert is_even(2)'),
        markdown("q2b", part_b),
        answer("is_odd", "def is_odd(n):\n    ### BEGIN SOLUTION\n    return not is_even(n)\n"
                         "    ### END SOLUTION"),
        check("is_even_odds", 4,
                  '"""Odds are not even (4 points)."""\nassert not is_even(3) and is_odd(3)'),
        *extra,
    ]


@pytest.fixture
def course(tmp_path):
    return tmp_path / "course"


@pytest.fixture
def quiz(course):
    write_notebook(course, "quiz", "quiz", quiz_cells())
    return read_assignment(course, "quiz")


# --- questions, parts, cells -------------------------------------------------------------

def test_questions_titles_labels_and_points(quiz):
    assert [q.title for q in quiz.questions] == ["Question 1: double", "Question 2: is_even"]
    assert [q.label for q in quiz.questions] == ["Question 1", "Question 2"]
    assert [q.points for q in quiz.questions] == [4, 6]
    assert [q.level for q in quiz.questions] == [2, 2]
    assert not any(q.implicit for q in quiz.questions)
    assert quiz.notebooks == ["quiz"]
    assert quiz.name == "quiz"


def test_deeper_headings_are_parts(quiz):
    assert [(p.title, p.label, p.points, p.level) for p in quiz.parts] == [
        ("Part 2a: evens", "Part 2a", 2, 3), ("Part 2b: odds", "Part 2b", 4, 3)]
    assert [[c.grade_id for c in p.cells] for p in quiz.parts] == [["is_even_evens"],
                                                                   ["is_even_odds"]]


def test_graded_cells_and_answers_per_question(quiz):
    assert [[c.grade_id for c in q.cells] for q in quiz.questions] == [
        ["double_positive", "double_negative"], ["is_even_evens", "is_even_odds"]]
    assert [q.answers for q in quiz.questions] == [["double"], ["is_even", "is_odd"]]
    assert [q.cell_points for q in quiz.questions] == [4, 6]
    assert [(c.grade_id, c.points, c.kind) for c in quiz.cells] == [
        ("double_positive", 2, "test"), ("double_negative", 2, "test"),
        ("is_even_evens", 2, "test"), ("is_even_odds", 4, "test")]
    assert quiz.cells[0].docstring == "double doubles positive numbers (2 points)."
    assert quiz.parts[1].answers == ["is_odd"]


def test_question_of_a_test_or_answer_cell(quiz):
    assert quiz.question_of("double_negative").label == "Question 1"
    assert quiz.question_of("is_odd").label == "Question 2"
    with pytest.raises(KeyError, match="nothing"):
        quiz.question_of("nothing")


def test_max_score_and_question_scores(quiz):
    assert quiz.max_score == 10
    scores = {"double_positive": (2, 2), "double_negative": (0, 2), "is_even_odds": (4, 4)}
    # is_even_evens has no score: 0, out of its points
    assert quiz.question_scores(scores) == {"Question 1: double": (2, 4),
                                            "Question 2: is_even": (4, 6)}
    assert list(quiz.question_scores({})) == ["Question 1: double", "Question 2: is_even"]
    assert quiz.question_scores({}) == {"Question 1: double": (0, 4),
                                        "Question 2: is_even": (0, 6)}


def test_points_table_is_read(quiz):
    assert quiz.tables == [("quiz", [("Question 1", "4"), ("Question 2", "6"), ("Total", "10")])]


def test_titles_lose_their_markdown(course):
    write_notebook(course, "styled", "styled", [
        markdown("q1", "## **Question 1**: the `__init__` of [Expr](https://example.org) "
                       "(1 point) ##"),
        check("t1", 1, "pass"),
        markdown("q2", "## Question 2 - *fit* (2.5 points)"),
        check("t2", 2.5, "pass"),
        markdown("q3", "## Question 3: strings in C# (1 point)"),
        check("t3", 1, "pass"),
    ])
    styled = read_assignment(course, "styled")
    assert [(q.title, q.points) for q in styled.questions] == [
        ("Question 1: the __init__ of Expr", 1), ("Question 2 - fit", 2.5),
        ("Question 3: strings in C#", 1)]
    assert styled.max_score == 4.5
    assert points_problems(styled) == []


def test_a_closing_hash_is_part_of_a_title(course):
    # "## C#": the "#" ends the title; only " ##" after a space closes a heading
    write_notebook(course, "csharp", "csharp", [markdown("title", "# Strings in C#"),
                                                check("t", 1, "pass")])
    assert [q.title for q in read_assignment(course, "csharp").questions] == ["Strings in C#"]


def test_notebook_without_point_headings_is_one_question(course):
    write_notebook(course, "plain", "plain", [
        markdown("title", "# Warm-up: `square`\n\nSome words."),
        markdown("sub", "## What to do"),
        answer("square", "def square(x):\n    return x * x"),
        check("square_two", 3, '"""square(2) is 4 (3 points)."""\nassert square(2) == 4'),
        check("square_three", 2, "assert square(3) == 9"),
    ])
    plain = read_assignment(course, "plain")
    (question,) = plain.questions
    assert question.title == "Warm-up: square"
    assert question.implicit and question.points == 5 == plain.max_score
    assert [c.grade_id for c in question.cells] == ["square_two", "square_three"]
    assert question.answers == ["square"]
    assert plain.question_of("square").title == "Warm-up: square"
    assert plain.parts == []
    assert points_problems(plain) == []


def test_graded_cells_before_the_first_question_are_reported(course):
    write_notebook(course, "early", "early", [
        markdown("title", "# Quiz"),
        check("too_early", 1, '"""Runs before any question (1 point)."""\npass'),
        markdown("q1", "## Question 1 (2 points)"),
        check("t1", 2, "pass"),
    ])
    early = read_assignment(course, "early")
    assert [(q.title, q.implicit) for q in early.questions] == [
        ("early: outside every question", True), ("Question 1", False)]
    assert early.question_scores({"too_early": (1, 1), "t1": (2, 2)}) == {
        "early: outside every question": (1, 1), "Question 1": (2, 2)}
    assert points_problems(early) == [
        "early: graded cells outside every question heading: too_early"]


def test_graded_cells_after_an_unscored_heading_are_reported(course):
    # A heading of a question's level without points ends the question.
    write_notebook(course, "after", "after", [
        markdown("q1", "## Question 1 (2 points)"),
        check("t1", 2, "pass"),
        markdown("appendix", "## Appendix"),
        check("stray", 1, "pass"),
    ])
    problems = points_problems(read_assignment(course, "after"))
    assert problems == ["after: graded cells outside every question heading: stray"]


def test_graded_cells_under_a_part_before_the_first_question_belong_to_a_question(course):
    # A deeper heading with points above the first question covers no question: its
    # cells must still count in some question, and be reported.
    write_notebook(course, "warmup", "warmup", [
        markdown("warm", "### Warm-up (1 point)"),
        check("warm_t", 1, "pass"),
        markdown("q1", "## Question 1 (2 points)"),
        check("t1", 2, "pass"),
    ])
    warmup = read_assignment(course, "warmup")
    assert sum(q.cell_points for q in warmup.questions) == warmup.max_score == 3
    assert warmup.question_of("warm_t").implicit
    assert points_problems(warmup) == [
        "warmup: graded cells outside every question heading: warm_t"]


def test_code_in_markdown_is_not_a_heading(course):
    # A fenced code block's comment ("# ...") is no heading: it must not end question 1.
    write_notebook(course, "fenced", "fenced", [
        markdown("title", "# Quiz"),
        markdown("q1", "## Question 1: `double` (4 points)"),
        markdown("hint", "For example:\n\n```python\n# doubling\ndouble(2)\n```\n\n"
                         "~~~\n## (9 points)\n~~~"),
        check("t1", 4, "pass"),
    ])
    fenced = read_assignment(course, "fenced")
    assert [(q.title, [c.grade_id for c in q.cells]) for q in fenced.questions] == [
        ("Question 1: double", ["t1"])]
    assert points_problems(fenced) == []


def test_manual_and_task_cells_are_graded_cells(course):
    write_notebook(course, "mixed", "mixed", [
        markdown("q1", "## Question 1 (5 points)"),
        v4.new_markdown_cell("YOUR ANSWER HERE", metadata=_nbgrader(
            "essay", grade=True, solution=True, points=3)),
        v4.new_markdown_cell("Describe it.", metadata={"nbgrader": {
            "grade": False, "grade_id": "task1", "locked": True, "points": 2,
            "schema_version": 3, "solution": False, "task": True}}),
    ])
    mixed = read_assignment(course, "mixed")
    assert [(c.grade_id, c.kind, c.points) for c in mixed.cells] == [
        ("essay", "manual", 3), ("task1", "task", 2)]
    assert mixed.questions[0].answers == []  # a graded answer is a graded cell, not an answer
    assert points_problems(mixed) == []


# --- points_problems: each kind of disagreement -----------------------------------------

def test_consistent_notebook_has_no_problems(quiz):
    assert points_problems(quiz) == []


@pytest.mark.parametrize("change, expected", [
    (dict(double_docstring="(3 points)"),
     "quiz: double_positive's docstring says 3 points, its metadata 2"),
    (dict(q1_heading="## Question 1: `double` (5 points)",
          table=points_table(("Question 1", "", 5), ("Question 2", "", 6), total=10)),
     "quiz: 'Question 1: double' says 5 points, its graded cells add up to 4"),
    (dict(part_b="### Part 2b: odds (3 points)"),
     "quiz: 'Part 2b: odds' says 3 points, its graded cells add up to 4"),
    (dict(table=points_table(("Question 1", "", 4), ("Question 2", "", 7), total=10)),
     "quiz: the points table gives Question 2 7 points, its heading 6"),
    (dict(table=points_table(("Question 1", "", 4), ("Question 2", "", 6), total=12)),
     "quiz: the points table's total is 12, the graded cells add up to 10"),
    (dict(table=points_table(("Question 1", "", 4), ("Question 2", "", 6),
                             ("Question 3", "", 0), total=10)),
     "quiz: the points table's row 'Question 3' names no question"),
], ids=["docstring", "heading", "part", "table_row", "table_total", "table_unknown_row"])
def test_points_problems_catch_each_kind(course, change, expected):
    write_notebook(course, "quiz", "quiz", quiz_cells(**change))
    assert points_problems(read_assignment(course, "quiz")) == [expected]


def test_table_rows_without_numeric_points_are_ignored(course):
    table = points_table(("Question 1", "", 4), ("Question 2", "", 6), ("Bonus", "", "—"),
                         total=10)
    write_notebook(course, "quiz", "quiz", quiz_cells(table=table))
    assert points_problems(read_assignment(course, "quiz")) == []


def test_several_problems_are_all_listed(course):
    write_notebook(course, "quiz", "quiz", quiz_cells(
        double_docstring="(1 point)", part_a="### Part 2a: evens (1 point)",
        table=points_table(("Question 1", "", 4), ("Question 2", "", 6), total=11)))
    assert points_problems(read_assignment(course, "quiz")) == [
        "quiz: double_positive's docstring says 1 points, its metadata 2",
        "quiz: 'Part 2a: evens' says 1 points, its graded cells add up to 2",
        "quiz: the points table's total is 11, the graded cells add up to 10",
    ]


# --- several notebooks -------------------------------------------------------------------

@pytest.fixture
def two_notebooks(course):
    write_notebook(course, "pair", "part1", [
        markdown("title", "# Part one\n\n" + points_table(("Question 1", "", 3), total=3)),
        markdown("q1", "## Question 1: `add` (3 points)"),
        answer("add", "def add(a, b):\n    return a + b"),
        check("add_ints", 3, '"""Adds integers (3 points)."""\nassert add(1, 2) == 3'),
    ])
    write_notebook(course, "pair", "part2", [
        markdown("q2", "## Question 2: `mul` (2 points)"),
        answer("mul", "def mul(a, b):\n    return a * b"),
        check("add_ints", 2, '"""The same grade id, another notebook (2 points)."""\n'
                                 "assert mul(2, 3) == 6"),
    ])
    return read_assignment(course, "pair")


def test_two_notebooks(two_notebooks):
    pair = two_notebooks
    assert pair.notebooks == ["part1", "part2"]
    assert [(q.notebook, q.title, q.points) for q in pair.questions] == [
        ("part1", "Question 1: add", 3), ("part2", "Question 2: mul", 2)]
    assert pair.max_score == 5
    assert pair.key("part2", "add_ints") == "part2:add_ints"
    assert pair.question_of("part1:add_ints").label == "Question 1"
    assert pair.question_of("part2:add_ints").label == "Question 2"
    assert pair.question_of("part2:mul").label == "Question 2"
    with pytest.raises(KeyError):
        pair.question_of("add_ints")  # without its notebook: ambiguous, so unknown
    # keyed and named by notebook too: two notebooks may both have a "Question 1"
    assert pair.question_scores({"part1:add_ints": (3, 3), "part2:add_ints": (0, 2)}) == {
        "part1: Question 1: add": (3, 3), "part2: Question 2: mul": (0, 2)}
    assert [(q.key, q.name, q.words) for q in pair.questions] == [
        ("part1: Question 1: add", "part1: Question 1", "add"),
        ("part2: Question 2: mul", "part2: Question 2", "mul")]
    # part1's table lists only its own question, so its total is not the assignment's
    assert points_problems(pair) == [
        "part1: the points table's total is 3, the graded cells add up to 5"]


def test_two_notebooks_one_without_point_headings(course):
    write_notebook(course, "pair", "a_scored", [
        markdown("q1", "## Question 1 (3 points)"),
        check("t", 3, "pass"),
    ])
    write_notebook(course, "pair", "b_plain", [
        markdown("title", "# Bonus: `extra`"),
        answer("extra", "def extra():\n    return 1"),
        check("t", 1, '"""extra() is 1 (1 point)."""\nassert extra() == 1'),
    ])
    pair = read_assignment(course, "pair")
    assert [(q.notebook, q.title, q.implicit) for q in pair.questions] == [
        ("a_scored", "Question 1", False), ("b_plain", "Bonus: extra", True)]
    assert pair.question_of("b_plain:extra").title == "Bonus: extra"
    # a notebook without point headings is one question, not cells outside every question
    assert points_problems(pair) == []


# --- errors and names ----------------------------------------------------------------------

def test_missing_assignment(course):
    write_notebook(course, "quiz", "quiz", quiz_cells())
    with pytest.raises(AssignmentError) as error:
        read_assignment(course, "quizz")
    message = str(error.value)
    assert "no notebook in" in message and str(course / "source" / "quizz") in message
    assert "'quizz'" in message and "(quiz)" in message


def test_missing_assignment_in_an_empty_course(tmp_path):
    with pytest.raises(AssignmentError, match=r"is 'hw1' an assignment of this course\? \(none\)"):
        read_assignment(tmp_path, "hw1")


def test_unreadable_notebook(course):
    path = course / "source" / "broken" / "broken.ipynb"
    path.parent.mkdir(parents=True)
    path.write_text('{"cells": [')
    with pytest.raises(AssignmentError, match="cannot read .*broken.ipynb"):
        read_assignment(course, "broken")


def test_assignment_names(course):
    assert assignment_names(course) == []
    write_notebook(course, "b_quiz", "nb", quiz_cells())
    write_notebook(course, "a_quiz", "nb", quiz_cells())
    (course / "source" / "no_notebook").mkdir()
    (course / "source" / "stray.ipynb").write_text("{}")
    assert assignment_names(course) == ["a_quiz", "b_quiz"]


def test_assignment_error_is_a_value_error():
    assert issubclass(AssignmentError, ValueError)


# --- the repository's own assignments ------------------------------------------------------

REPO_ASSIGNMENTS = assignment_names(ROOT)


def test_the_repository_has_assignments():
    assert "expressions_to_ml" in REPO_ASSIGNMENTS


@pytest.mark.parametrize("name", REPO_ASSIGNMENTS)
def test_repository_assignment_points_agree(name):
    """Each test cell's docstring points agree with its metadata points, and the
    per-question sums agree with the headings and the notebook's points table."""
    assert points_problems(read_assignment(ROOT, name)) == []


@pytest.mark.parametrize("name", REPO_ASSIGNMENTS)
def test_repository_test_cells_state_their_points(name):
    assignment = read_assignment(ROOT, name)
    tests = [cell for cell in assignment.cells if cell.kind == "test"]
    assert tests
    unstated = [cell.grade_id for cell in tests if not POINTS.search(cell.docstring)]
    assert unstated == [], "test cells whose docstring does not say their points"
    for cell in tests:
        assert float(POINTS.search(cell.docstring).group(1)) == cell.points, cell.grade_id


@pytest.mark.parametrize("name", REPO_ASSIGNMENTS)
def test_repository_questions_have_graded_cells_and_a_points_table(name):
    assignment = read_assignment(ROOT, name)
    assert assignment.questions
    assert not any(q.implicit for q in assignment.questions)
    for question in assignment.questions:
        assert question.cells, f"{question.title} has no graded cell"
        assert question.cell_points == question.points
    # every graded cell counts in exactly one question
    assert sorted(assignment.key(c.notebook, c.grade_id) for q in assignment.questions
                  for c in q.cells) == sorted(assignment.key(c.notebook, c.grade_id)
                                              for c in assignment.cells)
    # the points table: a row per question with the sum of its cells, and the total
    rows = {first.lower(): float(points) for _, table in assignment.tables
            for first, points in table}
    for question in assignment.questions:
        assert rows[question.label.lower()] == question.cell_points, question.label
    assert rows["total"] == assignment.max_score


# --- end to end: a second, tiny assignment --------------------------------------------------

TINY = "tiny_quiz"
TINY_CELLS = [
    markdown("title", "# Tiny quiz\n\nTwo small functions.\n\n" + points_table(
        ("Question 1", "`double`", 4), ("Question 2", "`is_even`", 6), total=10)),
    markdown("q1", "## Question 1: `double` (4 points)\n\nWrite `double(x)`, twice `x`."),
    answer("double", "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n"
                     "    ### END SOLUTION"),
    check("double_small", 2,
              '"""double doubles small numbers (2 points)."""\n'
              "assert double(1) == 2\nassert double(3) == 6"),
    check("double_negative", 2,  # nbgrader's partial credit: the cell's own value is the score
              '"""double doubles negative numbers and zero: a point each (2 points)."""\n'
              "(double(-4) == -8) + (double(0) == 0)"),
    markdown("q2", "## Question 2: `is_even` (6 points)\n\nWrite `is_even(n)`: whether `n` "
                   "is even."),
    answer("is_even", "def is_even(n):\n    ### BEGIN SOLUTION\n    return n % 2 == 0\n"
                      "    ### END SOLUTION"),
    check("is_even_small", 2,
              '"""is_even tells 2 from 3 (2 points)."""\n'
              "assert is_even(2) is True\nassert is_even(3) is False"),
    check("is_even_more", 4,
              '"""is_even on zero, negative and large numbers (4 points)."""\n'
              "assert is_even(0)\n"
              "### BEGIN HIDDEN TESTS\n"
              "assert not is_even(-3)\nassert is_even(10 ** 12)\n"
              "### END HIDDEN TESTS"),
]
Q1, Q2 = "Question 1: double", "Question 2: is_even"
STUDENTS = {  # student: (answers, expected {question: score})
    "correct": ({"double": "def double(x):\n    return x + x",
                 "is_even": "def is_even(n):\n    return n % 2 == 0"}, {Q1: 4, Q2: 6}),
    "q1_only": ({"double": "def double(x):\n    return 2 * x",
                 "is_even": "def is_even(n):\n    return True"}, {Q1: 4, Q2: 0}),
    "hidden_fail": ({"double": "def double(x):\n    return 2 * x",
                     "is_even": "def is_even(n):\n    return n in (0, 2)"}, {Q1: 4, Q2: 2}),
    "syntax_error": ({"double": "def double(x)\n    return 2 * x",
                      "is_even": "def is_even(n):\n    return not n % 2"}, {Q1: 0, Q2: 6}),
    "untouched": ({}, {Q1: 0, Q2: 0}),
    # right for 0 only: a point of double_negative's two
    "half_double": ({"double": "def double(x):\n    return x",
                     "is_even": "def is_even(n):\n    return n % 2 == 0"}, {Q1: 1, Q2: 6}),
    # results written before each assert fails (or before the cell's own value): nbgrader
    # scored a test cell by its first result, so this stub got 10 of 10
    "displayhook_stub": ({"double": "import sys\ndef double(x):\n    sys.displayhook('full marks')",
                          "is_even": "def is_even(n):\n    sys.displayhook('full marks')"},
                         {Q1: 0, Q2: 0}),
}
CELL_SCORES = {  # student: {grade id: score}
    "correct": {"double_small": 2, "double_negative": 2, "is_even_small": 2, "is_even_more": 4},
    "q1_only": {"double_small": 2, "double_negative": 2, "is_even_small": 0, "is_even_more": 0},
    "hidden_fail": {"double_small": 2, "double_negative": 2, "is_even_small": 2,
                    "is_even_more": 0},
    "syntax_error": {"double_small": 0, "double_negative": 0, "is_even_small": 2,
                     "is_even_more": 4},
    "untouched": {"double_small": 0, "double_negative": 0, "is_even_small": 0, "is_even_more": 0},
    "half_double": {"double_small": 0, "double_negative": 1, "is_even_small": 2, "is_even_more": 4},
    "displayhook_stub": {"double_small": 0, "double_negative": 0, "is_even_small": 0,
                         "is_even_more": 0},
}
MAX_SCORES = {"double_small": 2, "double_negative": 2, "is_even_small": 2, "is_even_more": 4}


def grading_command(course, *args):
    return subprocess.run([sys.executable, "-m", "grading", *args, "--course", str(course)],
                          cwd=course, env=tool_env(), capture_output=True, text=True,
                          timeout=600)


def test_tiny_quiz_source_is_consistent(tmp_path):
    """The fast half of the end-to-end test: the tiny quiz reads as intended."""
    write_notebook(tmp_path, TINY, TINY, TINY_CELLS)
    tiny = read_assignment(tmp_path, TINY)
    assert [(q.title, q.label, q.points) for q in tiny.questions] == [
        (Q1, "Question 1", 4), (Q2, "Question 2", 6)]
    assert points_problems(tiny) == []
    assert {c.grade_id: c.points for c in tiny.cells} == MAX_SCORES


@pytest.fixture(scope="module")
def tiny_course(tmp_path_factory):
    """A fresh copy of this course with tiny_quiz added, generated, its class submitted,
    then `grading autograde` and `grading report` run: (course, autograde, report)."""
    course = fresh_course(tmp_path_factory.mktemp("tiny") / "course")
    write_notebook(course, TINY, TINY, TINY_CELLS)
    run_nbgrader(course, "generate_assignment", TINY, "--force")
    release = notebook_path(course, "release", TINY, TINY)
    for student, (answers, _) in STUDENTS.items():
        write_submission(course, student, TINY, TINY, build_submission(release, answers))
    autograde = grading_command(course, "autograde", TINY)
    report = grading_command(course, "report", TINY)
    return course, autograde, report


@pytest.mark.slow
def test_tiny_quiz_release_hides_solutions_and_hidden_tests(tiny_course):
    course, _, _ = tiny_course
    release = notebook_path(course, "release", TINY, TINY).read_text()
    assert "return n % 2 == 0" not in release and "return 2 * x" not in release
    assert "YOUR CODE HERE" in release
    assert "10 ** 12" not in release and "BEGIN HIDDEN TESTS" not in release
    assert "assert is_even(0)" in release
    # the repository's own assignment is still there, untouched
    assert sorted(assignment_names(course)) == ["expressions_to_ml", TINY]


@pytest.mark.slow
def test_tiny_quiz_autograde_grades_everyone(tiny_course):
    _, autograde, _ = tiny_course
    output = autograde.stdout + autograde.stderr
    # a syntax error is still graded (its cells fail): no submission fails
    assert autograde.returncode == 0, output
    assert f"autograde: {len(STUDENTS)} done in" in autograde.stdout, output
    assert "failed" not in autograde.stdout, output


@pytest.mark.slow
def test_tiny_quiz_cell_scores_in_the_gradebook(tiny_course):
    course, _, _ = tiny_course
    for student, expected in CELL_SCORES.items():
        scores = gradebook.cell_scores(course, TINY, student)
        assert scores == {gid: (expected[gid], MAX_SCORES[gid]) for gid in MAX_SCORES}, student
        assert read_assignment(course, TINY).question_scores(scores) == {
            title: (score, {Q1: 4, Q2: 6}[title])
            for title, score in STUDENTS[student][1].items()}, student


@pytest.mark.slow
def test_tiny_quiz_report_csv(tiny_course):
    course, _, report = tiny_course
    assert report.returncode == 0, report.stdout + report.stderr
    with open(course / "reports" / f"{TINY}.csv", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == ["student", "score", "max_score", Q1, Q2,
                                     "needs_review", "flags", "reasons"]
        rows = {row["student"]: row for row in reader}
    assert sorted(rows) == sorted(STUDENTS)
    for student, (_, expected) in STUDENTS.items():
        row = rows[student]
        assert {Q1: float(row[Q1]), Q2: float(row[Q2])} == expected, student
        assert float(row["score"]) == sum(expected.values()), student
        assert float(row["max_score"]) == 10
        assert "no outside judge for assignment 'tiny_quiz'" in row["reasons"], student
    correct = rows["correct"]
    assert correct["needs_review"] == "no" and correct["flags"] == ""
    # the stub's results: noted, never scored; an instructor's own partial credit: no note
    assert ("results shown before an error count for nothing: test cell double_small, "
            "test cell is_even_small, test cell is_even_more") in rows["displayhook_stub"]["reasons"]
    assert ("results shown before the last one count for nothing: test cell double_negative"
            in rows["displayhook_stub"]["reasons"])
    assert "count for nothing" not in rows["half_double"]["reasons"] + correct["reasons"]


@pytest.mark.slow
def test_tiny_quiz_report_table(tiny_course):
    _, _, report = tiny_course
    lines = report.stdout.splitlines()
    header = lines[0].split()
    assert lines[0].startswith("student")
    assert "Question 1 /4" in lines[0] and "Question 2 /6" in lines[0]
    assert lines[0].index("Question 1 /4") < lines[0].index("Question 2 /6") \
        < lines[0].index("total")
    assert header[-2:] == ["total", "review"]
    rows = {line.split()[0]: line.split() for line in lines[2:]
            if line and not line.startswith(" ") and line.split()[0] in STUDENTS}
    assert sorted(rows) == sorted(STUDENTS)
    for student, (_, expected) in STUDENTS.items():
        q1, q2, score, slash, max_score, _review = rows[student][1:]
        assert (float(q1), float(q2)) == (expected[Q1], expected[Q2]), student
        assert (float(score), slash, max_score) == (sum(expected.values()), "/", "10")
    assert rows["correct"][-1] == "no"
    assert "note: no outside judge for assignment 'tiny_quiz'" in report.stdout
    assert f"{len(STUDENTS)} submissions;" in report.stdout
