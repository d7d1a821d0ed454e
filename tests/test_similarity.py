"""`grading similarity`: what hides a copy and what does not, how rarity weighs, the
calibration on made-up classes with known copies (tests/support/similarity_class.py), and
the command on a collected class whose files are damaged, moved, linked or hostile."""
import csv
import json
import math
import os
import random
import subprocess
import sys

import nbformat
import pytest

from grading import similarity
from grading.commands import report
from grading.commands.similarity import COLUMNS, REVIEW_AT, csv_path, json_path
from grading.course import tool_env
from grading.submissions import build_submission, read_answers, write_submission
from tests.support import ASSIGNMENT, NOTEBOOK, ROOT, generated_course, notebook_path
from tests.support.corpus import BASELINE
from tests.support.similarity_class import answer_pool, class_with_copies, disguise, release_template, score

TEMPLATE = release_template()
FIT = read_answers(BASELINE)["fit"]


def prints(code, cell="fit"):
    return set(TEMPLATE.answer(cell, code).prints)


def test_names_comments_layout_and_order_hide_nothing():
    """A disguised copy (names changed, comments added, lines re-wrapped, neighbouring
    statements swapped) has the fingerprints of the answer it copied."""
    rng = random.Random(1)
    for _ in range(5):
        copied = disguise(FIT, TEMPLATE.names, rng)
        assert copied != FIT
        assert prints(copied) == prints(FIT), copied


def test_indentation_width_and_continuation_lines_change_no_token():
    """Two spaces or four, and a statement continued on a line indented anyhow, give the
    same tokens, each statement marked with its depth."""
    four = "def f(x):\n    if x:\n        return g(x, 1)\n    return 0\n"
    two = "def f(x):\n  if x:\n      return g(x,\n   1)\n  return 0\n"
    assert similarity.tokens(two).text == similarity.tokens(four).text
    assert [t for t in similarity.tokens(four).text if t.startswith("<")] == ["<0>", "<1>", "<2>", "<1>"]


def test_a_changed_operator_is_seen():
    """One token changed (the step taken uphill) leaves a different set of fingerprints."""
    uphill = FIT.replace("vv.value - delta", "vv.value + delta")
    assert uphill != FIT and prints(uphill) != prints(FIT)
    assert prints(uphill) & prints(FIT)  # the rest is still shared


def test_the_release_code_counts_for_nothing():
    """An answer cell left as released holds no fingerprint; the lines a student adds are
    the only ones that count."""
    release = nbformat.read(str(notebook_path(ROOT, "release")), as_version=4)
    stubs = {c.metadata["nbgrader"]["grade_id"]: c.source for c in release.cells
             if c.metadata.get("nbgrader", {}).get("solution")}
    assert all(prints(stub, cell) == set() for cell, stub in stubs.items())
    added = stubs["minus_gradient"].replace("raise NotImplementedError()", "return 1.0, -1.0")
    assert prints(added, "minus_gradient") == prints(
        "def minus_operator_gradient(self):\n    return 1.0, -1.0", "minus_gradient") != set()
    # code from elsewhere in the release is an answer: Plus's partials given for Minus
    assert prints("def minus_operator_gradient(self):\n    return 1, 1", "minus_gradient")


def test_a_huge_answer_is_cut():
    """An answer of a megabyte is compared on its first MAX_ANSWER_CHARS characters."""
    huge = "".join(f"value_{i} = {i} * {i + 1}\n" for i in range(50_000))
    spans = TEMPLATE.answer("fit", huge).tokens.spans
    assert len(huge) > 50 * similarity.MAX_ANSWER_CHARS
    assert spans and max(end for _, end in spans) <= similarity.MAX_ANSWER_CHARS


def test_pairwise_sums_in_blocks_are_exact(monkeypatch):
    """The weighted overlap summed a block of fingerprints at a time equals the sum over
    every pair of students and every fingerprint they share."""
    rng = random.Random(4)
    sets = [{rng.randrange(40) for _ in range(rng.randrange(15))} for _ in range(25)]
    monkeypatch.setattr(similarity, "BLOCK", 3)
    shared, total = similarity._weighted_overlap(sets, len(sets))
    held = lambda item: sum(item in s for s in sets)
    weight = lambda item: math.log(len(sets) / held(item))
    for a in range(len(sets)):
        assert total[a] == pytest.approx(sum(weight(i) for i in sets[a]))
        for b in range(len(sets)):
            if a != b:
                assert shared[a, b] == pytest.approx(sum(weight(i) for i in sets[a] & sets[b]))


def test_shared_names_and_comments_add_evidence_but_renaming_loses_none():
    """Two students sharing a rare answer agree fully whether or not the copy kept the
    original's names and comments; an odd comment both kept makes unrelated code agree."""
    rare = "def fit(loss, points, params, delta=0.0001, num_iterations=4000):\n" \
           "    # walk downhill one tiny bunny hop at a time\n    return sorted(points)[::-1]\n"
    renamed = rare.replace("# walk downhill one tiny bunny hop at a time", "")
    common = "def fit(loss, points, params, delta=0.0001, num_iterations=4000):\n    return 0\n"
    students = {f"s{i}": common for i in range(8)}
    students.update(a=rare, b=rare, c=renamed)
    answers = {"fit": {s: TEMPLATE.answer("fit", code) for s, code in students.items()}}
    pairs = {(p.student_a, p.student_b): p for p in similarity.compare(answers)}
    assert pairs["a", "b"].cells["fit"][0] == pytest.approx(1.0)
    assert pairs["a", "c"].cells["fit"][0] == pytest.approx(1.0)
    assert "fit" not in pairs["s0", "s1"].cells  # what the whole class wrote matches nobody


def test_a_common_answer_weighs_less_than_a_rare_one():
    """Two of the many students who wrote what most of the class wrote score near 0; two
    who share answers nobody else wrote score high, though both pairs agree on everything."""
    rng = random.Random(3)
    pool = answer_pool()
    students = {f"common_{i}": {cell: answers[0] for cell, answers in pool.items()} for i in range(24)}
    for i in range(12):
        students[f"other_{i}"] = {cell: rng.choice(answers[1:-1]) for cell, answers in pool.items()}
    students["rare_a"] = students["rare_b"] = {cell: answers[-1] for cell, answers in pool.items()}
    by_pair = {(p.student_a, p.student_b): p for p in score(students)}
    assert by_pair["common_0", "common_1"].cells == {}
    assert by_pair["common_0", "common_1"].similarity < 0.01
    assert by_pair["rare_a", "rare_b"].similarity > 0.99


@pytest.mark.parametrize("size", [20, 100])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_copies_rank_first_and_no_honest_pair_reaches_the_threshold(size, seed):
    """Calibration: three disguised copies in a class of honest students drawn from the
    mutation corpus are the three most similar pairs, each at or above the report's
    threshold, and no honest pair reaches it."""
    students, copied = class_with_copies(size, 3, seed)
    pairs = score(students)
    copies = {frozenset(pair) for pair in copied.items()}
    top = [frozenset((p.student_a, p.student_b)) for p in pairs[:3]]
    assert set(top) == copies, [(p.student_a, p.student_b, round(p.similarity, 3)) for p in pairs[:5]]
    assert all(p.similarity >= REVIEW_AT for p in pairs[:3])
    honest = max(p.similarity for p in pairs[3:])
    assert honest < REVIEW_AT, pairs[3]


@pytest.mark.slow
def test_five_hundred_students():
    """At 500 students the corpus's answers recur by the dozen: copies still rank near the
    top and no honest pair reaches the threshold (the README has the figures)."""
    students, copied = class_with_copies(500, 3, 0)
    pairs = score(students)
    copies = {frozenset(pair) for pair in copied.items()}
    ranks = [i for i, p in enumerate(pairs) if frozenset((p.student_a, p.student_b)) in copies]
    assert max(ranks) < 10, ranks
    assert max(p.similarity for i, p in enumerate(pairs) if i not in ranks) < REVIEW_AT


# --- The command on a collected (not graded) class --------------------------------------

@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """A class of 12 honest students and 2 disguised copies as submitted notebooks, one
    copy with its answer cells moved to the end and one renamed; beside them submissions
    that are links to a classmate's notebook or folder, a FIFO, not JSON, and markup in code."""
    course = generated_course(tmp_path_factory.mktemp("similarity") / "course")
    students, copied = class_with_copies(12, 2, seed=5)
    release = notebook_path(course, "release")
    paths = {}
    for student, answers in students.items():
        paths[student] = write_submission(course, student, ASSIGNMENT, NOTEBOOK,
                                          build_submission(release, answers))
    moved, renamed = sorted(copied)
    nb = nbformat.read(str(paths[moved]), as_version=4)
    answer_cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    nb.cells = [c for c in nb.cells if c not in answer_cells] + answer_cells
    nbformat.write(nb, str(paths[moved]))
    nb = nbformat.read(str(paths[renamed]), as_version=4)
    for cell in nb.cells:  # a copy made by pasting the cell: nbgrader's metadata lost
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "fit":
            del cell.metadata["nbgrader"]
    nbformat.write(nb, str(paths[renamed]))
    victim = paths[sorted(students)[0]]
    for name, make in (("links_to_classmate", lambda p: p.symlink_to(victim)),
                       ("fifo_notebook", lambda p: os.mkfifo(p)),
                       ("not_json", lambda p: p.write_text("{ this is not json")),
                       ("markup_in_code", None)):
        path = course / "submitted" / name / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
        path.parent.mkdir(parents=True)
        if make:
            make(path)
    (course / "submitted" / "folder_links_to_classmate").symlink_to(victim.parent.parent)
    markup = dict(students[sorted(students)[1]])
    markup["fit"] = markup["fit"].replace("def fit(", "# </pre><script>alert(1)</script>\ndef fit(")
    write_submission(course, "markup_in_code", ASSIGNMENT, NOTEBOOK, build_submission(release, markup))
    done = subprocess.run([sys.executable, "-m", "grading", "similarity", ASSIGNMENT, "--course", str(course)],
                          env=tool_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    with open(csv_path(course, ASSIGNMENT), newline="") as f:
        rows = list(csv.DictReader(f))
    return course, copied, students, rows, done.stdout, sorted(students)[0], sorted(students)[1]


@pytest.mark.slow
def test_the_csv_ranks_the_copies_first(collected):
    """The two disguised copies, one with its cells moved and one with its `fit` cell
    pasted without nbgrader's metadata, and the copy with markup in it are the three most
    similar pairs, all at or above the threshold and printed; the `fit` cell that lost its
    metadata is still compared (the repair step finds it by its function)."""
    course, copied, _, rows, stdout, _, markup_original = collected
    with open(csv_path(course, ASSIGNMENT), newline="") as f:
        assert next(csv.reader(f)) == COLUMNS
    similarities = [float(row["similarity"]) for row in rows]
    assert similarities == sorted(similarities, reverse=True)
    copies = {frozenset(pair) for pair in copied.items()} | {frozenset(("markup_in_code", markup_original))}
    assert {frozenset((r["student_a"], r["student_b"])) for r in rows[:3]} == copies, rows[:4]
    assert all(float(row["similarity"]) >= REVIEW_AT for row in rows[:3])
    assert all(float(row["similarity"]) < REVIEW_AT for row in rows[3:])
    renamed = max(copied)
    [row] = [r for r in rows if {r["student_a"], r["student_b"]} == {renamed, copied[renamed]}]
    assert "Question 3" in row["questions"]
    for pair in copies:
        assert " / ".join(sorted(pair)) in stdout


@pytest.mark.slow
def test_a_link_a_fifo_or_a_broken_file_is_no_copy(collected):
    """A notebook that links to a classmate's (which would frame them as a copy), a FIFO
    (which would stall a reader) and a file that is not JSON are compared as empty; a
    student folder that links to a classmate's is not compared at all, and the report
    flags it."""
    course, rows = collected[0], collected[3]
    for row in rows:
        pair = {row["student_a"], row["student_b"]}
        assert not pair & {"links_to_classmate", "fifo_notebook", "not_json",
                           "folder_links_to_classmate"}, row
    flags = {row["student"]: row["flags"] for row in report.report_rows(course, ASSIGNMENT)[0]}
    assert flags["folder_links_to_classmate"] == \
        "the submission folder is a link, not the student's own: not graded"
    assert "is a link or a special file" in flags["links_to_classmate"]


@pytest.mark.slow
def test_the_side_by_side_record_escapes_nothing_it_should_not(collected):
    """similarity.json keeps the answers as written; the markup pair is in it, and the
    class report (test_class_report) shows it as text."""
    course, *_ = collected
    record = json.loads(json_path(course, ASSIGNMENT).read_text())
    assert record["students"] == 18 and record["review_at"] == REVIEW_AT
    sources = [cell[side]["source"] for pair in record["top"] for cell in pair["cells"] for side in "ab"]
    assert any("<script>alert(1)</script>" in source for source in sources)
    for pair in record["top"]:
        for cell in pair["cells"]:
            for side in "ab":
                spans = cell[side]["shared"]
                assert spans and all(0 <= a < b <= len(cell[side]["source"]) for a, b in spans)
