"""Any nbgrader course, not just ours: nbgrader's own documentation course (ps1, the
students bitdiddle and hacker) and scenarios adapted from nbgrader's
tests/apps/test_nbgrader_autograde.py, graded twice from the same generated course: once
by stock `nbgrader autograde` and once by `grading autograde` (on one Dask worker), with
a bare nbgrader_config.py (only the course id) and with this repository's plugin config.
The two gradebooks must be equal: every cell's auto_score, manual_score, extra_credit,
score, max_score and needs_manual_grade, every comment, each notebook's and submission's
late penalty and totals. The files come from nbgrader (tests/nbgrader_example/README.md).

Each course is generated once per module and copied into two twins; stock nbgrader and
`grading` grade their twin at the same time (each waits on its own processes)."""
import csv
import shutil
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from grading import gradebook
from grading.course import run_nbgrader, tool_env
from tests.support import ROOT

pytestmark = pytest.mark.slow  # every test here grades with real nbgrader runs and kernels

EXAMPLE = Path(__file__).parent / "nbgrader_example"
FILES = EXAMPLE / "files"  # from nbgrader's tests/apps/files/
BARE_CONFIG = 'c = get_config()\nc.CourseDirectory.course_id = "example"\n'
DUE = "2015-02-02 17:00:00 America/Los_Angeles"  # after bitdiddle's and hacker's timestamps
LATE = "2015-02-03 09:00:00.000000 America/Los_Angeles"
PS1 = ("problem1", "problem2")


# --- courses and runs -------------------------------------------------------------------

def plugin_config():
    """This repository's nbgrader_config.py with the example's course id (and its
    gradebook next to it, whatever NBGRADER_DB_URL says)."""
    text = (ROOT / "nbgrader_config.py").read_text()
    assert 'course_id = "expressions_to_ml"' in text
    return (text.replace('course_id = "expressions_to_ml"', 'course_id = "example"')
            + '\nc.CourseDirectory.db_url = "sqlite:///" + os.path.join('
              'os.path.dirname(os.path.abspath(__file__)), "gradebook.db")\n')


def copy(source, destination):
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    if Path(source).is_dir():
        shutil.copytree(source, destination, dirs_exist_ok=True)
    else:
        shutil.copy(source, destination)


def example_course(folder, config=BARE_CONFIG, extra_config=""):
    """A course folder with nbgrader's example ps1 (source and both submissions)."""
    folder.mkdir(parents=True)
    (folder / "nbgrader_config.py").write_text(config + extra_config)
    copy(EXAMPLE / "source" / "ps1", folder / "source" / "ps1")
    for student in ("bitdiddle", "hacker"):
        copy(EXAMPLE / "submitted" / student / "ps1", folder / "submitted" / student / "ps1")
    return folder


def twins(base):
    """Two copies of a generated course: (stock's, ours)."""
    return (Path(shutil.copytree(base, base.parent / "stock")),
            Path(shutil.copytree(base, base.parent / "ours")))


def start_grading(course, command, assignment, *options, nbgrader_args=()):
    """`python -m grading COMMAND ASSIGNMENT --course COURSE OPTIONS [-- NBGRADER_ARGS]`,
    started (subprocess.Popen)."""
    workers = ["--workers", "1"] if command in ("autograde", "regrade", "class-run") else []
    args = [sys.executable, "-m", "grading", command, assignment, "--course", str(course),
            *workers, *options] + (["--", *nbgrader_args] if nbgrader_args else [])
    return subprocess.Popen(args, env=tool_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finished(process):
    out, err = process.communicate()
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def grading(course, command, assignment, *options, nbgrader_args=()):
    return finished(start_grading(course, command, assignment, *options,
                                  nbgrader_args=nbgrader_args))


def autograde_both(stock, ours, assignment, *options, nbgrader_args=()):
    """Stock `nbgrader autograde` on one twin while `grading autograde` grades the other:
    (stock's CompletedProcess, ours)."""
    process = start_grading(ours, "autograde", assignment, *options, nbgrader_args=nbgrader_args)
    try:
        stock_run = run_nbgrader(stock, "autograde", assignment, *options, *nbgrader_args,
                                 check=False)
    finally:
        ours_run = finished(process)
    return stock_run, ours_run


def said(run):
    return f"exit {run.returncode}\n{run.stdout[-4000:]}\n{run.stderr[-6000:]}"


# --- the gradebook, as nbgrader holds it -------------------------------------------------

def gradebook_facts(course, assignment):
    """{student: everything the gradebook says about their submission}: per notebook
    (Gradebook.find_submission_notebook) each grade's auto_score, manual_score,
    extra_credit, score, max_score and needs_manual_grade, each comment's auto and
    manual comment, the notebook's score, max_score and late penalty; and the
    submission's totals, penalty and lateness."""
    db_url, course_id = gradebook.settings(course)
    facts = {}
    with Gradebook(db_url, course_id) as gb:
        for submission in gb.assignment_submissions(assignment):
            student = submission.student.id
            notebooks = {}
            for name in sorted(nb.name for nb in submission.notebooks):
                nb = gb.find_submission_notebook(name, assignment, student)
                notebooks[name] = {
                    "grades": {g.name: {"auto_score": g.auto_score, "manual_score": g.manual_score,
                                        "extra_credit": g.extra_credit, "score": g.score,
                                        "max_score": g.max_score,
                                        "needs_manual_grade": g.needs_manual_grade}
                               for g in nb.grades},
                    "comments": {c.name: {"auto_comment": c.auto_comment,
                                          "manual_comment": c.manual_comment}
                                 for c in nb.comments},
                    "score": nb.score, "max_score": nb.max_score,
                    "late_submission_penalty": nb.late_submission_penalty,
                    "needs_manual_grade": nb.needs_manual_grade}
            facts[student] = {"notebooks": notebooks, "score": submission.score,
                              "max_score": submission.max_score,
                              "late_submission_penalty": submission.late_submission_penalty,
                              "total_seconds_late": submission.total_seconds_late,
                              "needs_manual_grade": submission.needs_manual_grade}
    return facts


def autograded_files(course, assignment):
    """{student: sorted file names in autograded/STUDENT/ASSIGNMENT/}."""
    return {folder.parent.name: sorted(p.name for p in folder.iterdir())
            for folder in sorted((course / "autograded").glob(f"*/{assignment}"))}


def assert_same_grading(stock, ours, assignment):
    """Equal gradebooks and the same autograded files; returns stock's gradebook facts."""
    expected = gradebook_facts(stock, assignment)
    assert gradebook_facts(ours, assignment) == expected
    assert autograded_files(ours, assignment) == autograded_files(stock, assignment)
    return expected


def totals(facts):
    return {student: (f["score"], f["max_score"]) for student, f in facts.items()}


# --- the example course, and nbgrader's test notebooks ----------------------------------

def in_parallel(*jobs):
    """Runs the callables at once (each mostly waits on its own processes); their results."""
    with ThreadPoolExecutor(len(jobs)) as pool:
        return [future.result() for future in [pool.submit(job) for job in jobs]]


# "extras": one assignment for the scenarios of nbgrader's own tests, a notebook each
EXTRAS = {"environment": "validating-environment-variable", "relative_file": "open_relative_file",
          "timeout": "timeout", "p1": "submitted-unchanged"}
# nbgrader's test_autograde_timeout: its cell sleeps 5 s; the other cells get room on a busy machine
EXTRAS_ARGS = ("--Execute.timeout=4",)
CHANGES = {"unchanged": "submitted-unchanged", "changed": "submitted-changed",
           "cheat": "submitted-cheat-attempt", "cheat2": "submitted-cheat-attempt-alternative",
           "gradecell": "submitted-grade-cell-changed",
           "lockedcell": "submitted-locked-cell-changed"}


# nbgrader's documented way to a late penalty of your own: a plugin class in a module
# beside nbgrader_config.py, which a worker must get with the configuration
LATE_PLUGIN = "late_penalty.HalfOff"
LATE_PLUGIN_CODE = """from nbgrader.plugins import LateSubmissionPlugin


class HalfOff(LateSubmissionPlugin):
    def late_submission_penalty(self, student_id, score, total_seconds_late):
        return score / 2 if total_seconds_late > 0 else 0
"""


def build_ps1(base):
    """nbgrader's example ps1, due at DUE, with a late penalty of half the score from a
    plugin module beside the config (LATE_PLUGIN); handed in by
    bitdiddle, hacker, `late` (hacker's files after the due date) and `partial`
    (bitdiddle's problem1 only)."""
    example_course(base, extra_config=f'c.AssignLatePenalties.plugin_class = "{LATE_PLUGIN}"\n')
    (base / "late_penalty.py").write_text(LATE_PLUGIN_CODE)
    run_nbgrader(base, "db", "assignment", "add", "ps1", f"--duedate={DUE}")
    run_nbgrader(base, "generate_assignment", "ps1")
    submitted = base / "submitted"
    copy(submitted / "hacker" / "ps1", submitted / "late" / "ps1")
    (submitted / "late" / "ps1" / "timestamp.txt").write_text(LATE)
    for name in ("problem1.ipynb", "timestamp.txt"):
        copy(submitted / "bitdiddle" / "ps1" / name, submitted / "partial" / "ps1" / name)


def build_extras(base):
    """The assignment "extras": nbgrader's test notebooks (EXTRAS), data.txt beside them,
    and ps1_autotest's problem1 as autotest.ipynb, with autotests.yml at the course root.
    Handed in by foo (EXTRAS' notebooks as they are), CHANGES (p1 only), blank (the
    released autotest notebook), solver (the source's) and empty (an empty folder)."""
    base.mkdir(parents=True)
    (base / "nbgrader_config.py").write_text(BARE_CONFIG)
    source = base / "source" / "extras"
    for name, original in EXTRAS.items():
        copy(FILES / f"{original}.ipynb", source / f"{name}.ipynb")
    copy(FILES / "data.txt", source / "data.txt")
    copy(EXAMPLE / "source" / "ps1_autotest" / "problem1.ipynb", source / "autotest.ipynb")
    copy(EXAMPLE / "source" / "ps1_autotest" / "jupyter.png", source / "jupyter.png")
    copy(EXAMPLE / "autotests.yml", base / "autotests.yml")
    run_nbgrader(base, "generate_assignment", "extras")
    submitted = base / "submitted"
    for name, original in EXTRAS.items():
        copy(FILES / f"{original}.ipynb", submitted / "foo" / "extras" / f"{name}.ipynb")
    for student, original in CHANGES.items():
        copy(FILES / f"{original}.ipynb", submitted / student / "extras" / "p1.ipynb")
    for student, folder in (("blank", base / "release" / "extras"), ("solver", source)):
        copy(folder / "autotest.ipynb", submitted / student / "extras" / "autotest.ipynb")
    (submitted / "empty" / "extras").mkdir(parents=True)  # nbgrader's test_missing_files


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """ps1 and extras, each generated in a course of its own and graded by both twins,
    all four runs at once: {assignment: (stock, ours, stock's run, ours)}."""
    folder = tmp_path_factory.mktemp("example")
    built = {"ps1": (build_ps1, ()), "extras": (build_extras, EXTRAS_ARGS)}
    in_parallel(*[lambda b=b, a=a: b(folder / a / "base") for a, (b, _) in built.items()])
    courses = {assignment: twins(folder / assignment / "base") for assignment in built}
    runs = in_parallel(*[lambda a=a, args=args: autograde_both(*courses[a], a, nbgrader_args=args)
                         for a, (_, args) in built.items()])
    return {assignment: (*courses[assignment], *run) for assignment, run in zip(built, runs)}


def graded(example, assignment, failed=()):
    """(stock, ours) after both graded the assignment; stock's run succeeded, ours too
    but for the students `failed`, which it names."""
    stock, ours, stock_run, ours_run = example[assignment]
    assert stock_run.returncode == 0, said(stock_run)
    assert ours_run.returncode == (1 if failed else 0), said(ours_run)
    assert sorted(failed) == sorted(line.split(":")[1].strip() for line in ours_run.stdout.splitlines()
                                    if line.strip().startswith("failed:")), said(ours_run)
    return stock, ours


def extras(example):
    """(stock, ours, stock's gradebook facts) of extras, which both graded alike."""
    stock, ours = graded(example, "extras", failed=["empty"])
    return stock, ours, assert_same_grading(stock, ours, "extras")


def test_the_example_class_scores_as_under_stock_nbgrader(example):
    stock, ours = graded(example, "ps1")
    facts = assert_same_grading(stock, ours, "ps1")
    # nbgrader's documentation gives these (the fixture is the example as shipped)
    assert totals(facts)["bitdiddle"] == (1.5, 13) and totals(facts)["hacker"] == (3, 13)


def test_a_late_submission_gets_the_same_penalty(example):
    stock, ours = graded(example, "ps1")
    facts = assert_same_grading(stock, ours, "ps1")
    late = facts["late"]
    assert late["total_seconds_late"] > 0 and late["late_submission_penalty"] == late["score"] / 2 == 1.5
    assert facts["hacker"]["late_submission_penalty"] == 0  # on time


def test_a_missing_notebook_scores_zero_as_under_stock_nbgrader(example):
    """nbgrader's test_grade_missing_notebook: problem2 not handed in scores 0, needs no
    manual grading, and is not in autograded/."""
    stock, ours = graded(example, "ps1")
    facts = assert_same_grading(stock, ours, "ps1")
    problem2 = facts["partial"]["notebooks"]["problem2"]
    assert problem2["score"] == 0 and not problem2["needs_manual_grade"]
    assert "problem2.ipynb" not in autograded_files(stock, "ps1")["partial"]


def test_autotests_yml_at_the_course_root(example):
    """nbgrader's automatic tests (AUTOTEST lines, expanded by generate_assignment with the
    course root's autotests.yml): the blank release scores 0 and the source's answers
    more, as under stock nbgrader."""
    _, _, facts = extras(example)
    assert facts["blank"]["notebooks"]["autotest"]["score"] == 0
    assert facts["solver"]["notebooks"]["autotest"]["score"] > 0


def test_nbgrader_execution_is_set_while_autograding(example):
    """nbgrader's validating-environment-variable.ipynb: its test fails only when
    NBGRADER_EXECUTION is set, as nbgrader sets it while autograding."""
    _, _, facts = extras(example)
    assert facts["foo"]["notebooks"]["environment"]["score"] == 0


def test_a_data_file_of_the_source_is_there_for_the_tests(example):
    """source/extras/data.txt, not handed in, read by a test cell (open_relative_file.ipynb)."""
    _, ours, facts = extras(example)
    relative = facts["foo"]["notebooks"]["relative_file"]
    assert relative["score"] == relative["max_score"] == 10
    assert "data.txt" in autograded_files(ours, "extras")["foo"]


def test_a_cell_past_execute_timeout_scores_as_under_stock_nbgrader(example):
    """nbgrader's test_autograde_timeout: a 5 s cell with -- --Execute.timeout=4 fails."""
    _, _, facts = extras(example)
    assert facts["foo"]["notebooks"]["timeout"]["score"] == 0


def test_changed_cells_and_cheat_attempts_score_as_under_stock_nbgrader(example):
    """nbgrader's test_grade and test_showtraceback_exploit, and the changed grade and
    locked cells of its test files: same scores, same flags for manual grading."""
    _, _, facts = extras(example)
    p1 = {student: facts[student]["notebooks"]["p1"] for student in CHANGES}
    assert (p1["unchanged"]["score"], p1["unchanged"]["needs_manual_grade"]) == (1, False)
    assert (p1["changed"]["score"], p1["changed"]["needs_manual_grade"]) == (2, True)
    for cheat in ("cheat", "cheat2"):
        assert (p1[cheat]["score"], p1[cheat]["needs_manual_grade"]) == (1, True)


def test_an_empty_submission_folder_is_graded_by_nobody(example):
    """nbgrader's test_missing_files: a submission folder without a notebook. Stock
    nbgrader skips it with a warning (exit 0); `grading autograde` reports it as failed,
    with the reason (exit 1). Neither records a submission or writes autograded/."""
    stock, ours, facts = extras(example)
    assert "empty" not in facts
    assert not (stock / "autograded" / "empty").exists() and not (ours / "autograded" / "empty").exists()
    assert "No notebooks were matched" in example["extras"][3].stdout


# --- after a manual grade: --force, regrade, report -------------------------------------

def grade_by_hand(course):
    """An instructor's grade of hacker's problem2 part A, through nbgrader's API."""
    db_url, course_id = gradebook.settings(course)
    with Gradebook(db_url, course_id) as gb:
        grade = gb.find_grade("part-a", "problem2", "ps1", "hacker")
        grade.manual_score, grade.extra_credit = 0.5, 0.25
        comment = gb.find_comment("part-a", "problem2", "ps1", "hacker")
        comment.manual_comment = "Half right: the base cases are missing."
        gb.db.commit()


BY_HAND = {"manual_score": 0.5, "extra_credit": 0.25, "score": 0.75}  # score: with the extra credit


@pytest.fixture(scope="module")
def manually_graded(example, tmp_path_factory):
    """Copies of the graded ps1 twins, hacker's problem2 graded by hand in both, then
    hacker autograded again with --force by each: (stock, ours, stock's run, ours)."""
    stock_graded, ours_graded = graded(example, "ps1")
    folder = tmp_path_factory.mktemp("manual")
    stock = Path(shutil.copytree(stock_graded, folder / "stock"))
    ours = Path(shutil.copytree(ours_graded, folder / "ours"))
    for course in (stock, ours):
        grade_by_hand(course)
    in_parallel(*[lambda c=c: run_nbgrader(c, "generate_feedback", "ps1", "--student", "hacker")
                  for c in (stock, ours)])  # feedback pages to keep, in both
    stock_run, ours_run = autograde_both(stock, ours, "ps1", "--force", "--student", "hacker")
    return stock, ours, stock_run, ours_run


def hand_grade_kept(facts):
    part_a = facts["hacker"]["notebooks"]["problem2"]
    grade = part_a["grades"]["part-a"]
    assert {key: grade[key] for key in BY_HAND} == BY_HAND
    assert part_a["comments"]["part-a"]["manual_comment"] == "Half right: the base cases are missing."


def test_a_manual_grade_survives_autograde_force_as_under_stock_nbgrader(manually_graded):
    stock, ours, stock_run, ours_run = manually_graded
    assert stock_run.returncode == 0, said(stock_run)
    assert ours_run.returncode == 0, said(ours_run)
    facts = assert_same_grading(stock, ours, "ps1")
    hand_grade_kept(facts)
    for course in (stock, ours):
        for folder, suffix in (("autograded", "ipynb"), ("feedback", "html")):
            assert sorted(p.name for p in (course / folder / "hacker" / "ps1").glob(f"*.{suffix}")) \
                == [f"problem1.{suffix}", f"problem2.{suffix}"], course


def test_regrade_and_report_keep_the_manual_grade(manually_graded):
    stock, ours, _, ours_run = manually_graded
    assert ours_run.returncode == 0, said(ours_run)
    expected = gradebook_facts(stock, "ps1")
    regrade = grading(ours, "regrade", "ps1")
    assert regrade.returncode == 0, said(regrade)
    facts = gradebook_facts(ours, "ps1")
    hand_grade_kept(facts)
    assert facts == expected
    report = grading(ours, "report", "ps1")
    assert report.returncode == 0, said(report)
    with open(ours / "reports" / "ps1.csv", newline="") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert {student: float(row["score"]) for student, row in rows.items()} \
        == {student: f["score"] for student, f in facts.items()}


# --- --notebook -------------------------------------------------------------------------

def test_one_notebook_regraded_with_notebook_option(example, tmp_path):
    """nbgrader's test_force_single_notebook: hacker hands in blank notebooks, and
    `--notebook problem1 --force` regrades problem1 alone: problem2 keeps its scores and
    its autograded file, as under stock `nbgrader autograde ps1 --notebook problem1 --force`."""
    stock_graded, ours_graded = graded(example, "ps1")
    stock = Path(shutil.copytree(stock_graded, tmp_path / "stock"))
    ours = Path(shutil.copytree(ours_graded, tmp_path / "ours"))
    before = gradebook_facts(ours, "ps1")["hacker"]
    kept = (ours / "autograded" / "hacker" / "ps1" / "problem2.ipynb").read_bytes()
    for course in (stock, ours):
        for name in PS1:
            shutil.copy(course / "release" / "ps1" / f"{name}.ipynb",
                        course / "submitted" / "hacker" / "ps1" / f"{name}.ipynb")
    stock_run, ours_run = autograde_both(stock, ours, "ps1", "--notebook", "problem1",
                                         "--force", "--student", "hacker")
    assert stock_run.returncode == 0, said(stock_run)
    assert ours_run.returncode == 0, said(ours_run)
    facts = assert_same_grading(stock, ours, "ps1")
    after = facts["hacker"]
    assert after["notebooks"]["problem2"] == before["notebooks"]["problem2"]
    assert after["notebooks"]["problem1"]["score"] == 0 < before["notebooks"]["problem1"]["score"]
    assert (ours / "autograded" / "hacker" / "ps1" / "problem2.ipynb").read_bytes() == kept


def test_no_execute_grades_the_outputs_handed_in(example, tmp_path):
    """`-- --no-execute` (nbgrader autograde's flag: grade the outputs as handed in, as a
    course graded by hand does): the same gradebook as stock nbgrader's; it stopped
    generate_feedback, which has no such flag, before it was passed to autograde alone."""
    stock_graded, ours_graded = graded(example, "ps1")
    stock = Path(shutil.copytree(stock_graded, tmp_path / "stock"))
    ours = Path(shutil.copytree(ours_graded, tmp_path / "ours"))
    stock_run, ours_run = in_parallel(
        lambda: run_nbgrader(stock, "autograde", "ps1", "--force", "--student", "bitdiddle",
                             "--no-execute", check=False),
        lambda: grading(ours, "autograde", "ps1", "--force", "--feedback", "--student", "bitdiddle",
                        nbgrader_args=("--no-execute",)))
    assert stock_run.returncode == 0, said(stock_run)
    assert ours_run.returncode == 0, said(ours_run)
    facts = assert_same_grading(stock, ours, "ps1")
    # bitdiddle's notebook was saved with passing outputs that its code no longer earns
    assert facts["bitdiddle"]["score"] > gradebook_facts(stock_graded, "ps1")["bitdiddle"]["score"]
    assert (ours / "feedback" / "bitdiddle" / "ps1" / "problem1.html").is_file()


# --- configurations: a header, this repository's plugins -------------------------------

def build_configured(base, config):
    """The example class, with a header notebook in the release
    (c.IncludeHeaderFooter.header) under the bare config, or under this repository's
    plugin config (sandboxed kernels, repair, review flags), where ps1 also holds nbgrader's
    validating-environment-variable.ipynb (handed in by hacker): NBGRADER_EXECUTION must
    reach the sandboxed kernel too; and nbgrader's p1 with its cheat attempts (CHEATS)."""
    if config == "header":
        example_course(base, extra_config='c.IncludeHeaderFooter.header = "source/header.ipynb"\n')
        copy(EXAMPLE / "source" / "header.ipynb", base / "source" / "header.ipynb")
    else:
        example_course(base, config=plugin_config())
        copy(FILES / "validating-environment-variable.ipynb", base / "source" / "ps1" / "environment.ipynb")
        copy(FILES / "submitted-unchanged.ipynb", base / "source" / "ps1" / "p1.ipynb")
    run_nbgrader(base, "generate_assignment", "ps1")
    if config == "plugins":
        copy(FILES / "validating-environment-variable.ipynb",
             base / "submitted" / "hacker" / "ps1" / "environment.ipynb")
        for student, original in CHEATS.items():  # p1 alone: the rest not handed in
            copy(FILES / f"{original}.ipynb", base / "submitted" / student / "ps1" / "p1.ipynb")


CONFIGS = ("header", "plugins")
# Under the plugin config, nbgrader's p1 handed in untouched (foo) and with its two cheat
# attempts (showtraceback replaced, so that a failing test prints nothing)
CHEATS = {"foo": "submitted-unchanged", "spam": "submitted-cheat-attempt",
          "eggs": "submitted-cheat-attempt-alternative"}


@pytest.fixture(scope="module")
def configured(tmp_path_factory):
    """{config: (stock, ours, stock's run, ours)}, all four runs at once."""
    folder = tmp_path_factory.mktemp("configured")
    in_parallel(*[lambda c=c: build_configured(folder / c / "base", c) for c in CONFIGS])
    courses = {config: twins(folder / config / "base") for config in CONFIGS}
    runs = in_parallel(*[lambda c=c: autograde_both(*courses[c], "ps1") for c in CONFIGS])
    return {config: (*courses[config], *run) for config, run in zip(CONFIGS, runs)}


@pytest.mark.parametrize("config", CONFIGS)
def test_the_example_class_under_a_config(config, configured):
    stock, ours, stock_run, ours_run = configured[config]
    if config == "header":  # the header's cells are in the release
        assert "NAME = " in (stock / "release" / "ps1" / "problem1.ipynb").read_text()
    assert stock_run.returncode == 0, said(stock_run)
    assert ours_run.returncode == 0, said(ours_run)
    facts = assert_same_grading(stock, ours, "ps1")
    if config == "header":
        assert totals(facts) == {"bitdiddle": (1.5, 13), "hacker": (3, 13)}
    else:  # environment.ipynb: 1 point, which NBGRADER_EXECUTION takes away; p1: 7 points
        assert {s: totals(facts)[s] for s in ("bitdiddle", "hacker")} == {"bitdiddle": (1.5, 21),
                                                                         "hacker": (3, 21)}
        assert facts["hacker"]["notebooks"]["environment"]["max_score"] == 1
        # the cheats earn nothing more than the untouched notebook, and are flagged
        p1 = {s: facts[s]["notebooks"]["p1"] for s in CHEATS}
        assert p1["foo"]["max_score"] == 7 and p1["foo"]["score"] <= 1
        for cheat in ("spam", "eggs"):
            assert p1[cheat]["score"] <= p1["foo"]["score"] and p1[cheat]["needs_manual_grade"]


# --- class-run: from an LMS download to grades ------------------------------------------

def test_class_run_grades_the_example_from_a_canvas_download(configured, tmp_path):
    """The example class with its header, handed in through a Canvas-style download (two
    notebooks per student): `grading class-run` collects, grades and reports it with
    stock nbgrader's scores, cell by cell, and one report column per notebook's part."""
    stock = configured["header"][0]
    course = Path(shutil.copytree(stock.parent / "base", tmp_path / "course"))
    shutil.rmtree(course / "submitted")
    canvas_ids = {"bitdiddle": "1001", "hacker": "1002"}
    download = tmp_path / "submissions.zip"
    with zipfile.ZipFile(download, "w") as archive:
        for upload, (student, canvas_id) in enumerate(canvas_ids.items(), start=70001):
            for name in PS1:
                archive.write(EXAMPLE / "submitted" / student / "ps1" / f"{name}.ipynb",
                              f"{student}_{canvas_id}_{upload}_{name}.ipynb")
    run = grading(course, "class-run", "ps1", str(download))
    assert run.returncode == 0, said(run)
    expected = gradebook_facts(stock, "ps1")
    facts = gradebook_facts(course, "ps1")
    for student, canvas_id in canvas_ids.items():
        auto = lambda f: {nb: {g: grade["auto_score"] for g, grade in n["grades"].items()}
                          for nb, n in f["notebooks"].items()}
        assert auto(facts[canvas_id]) == auto(expected[student])
        assert facts[canvas_id]["score"] == expected[student]["score"]
    with open(course / "reports" / "ps1.csv", newline="") as f:
        reader = csv.DictReader(f)
        parts = [c for c in reader.fieldnames if c.startswith(("problem1: ", "problem2: "))]
        rows = {row["student"]: row for row in reader}
    assert len(parts) == len(set(parts)) == 7  # problem1's parts A to E, problem2's A and B
    for canvas_id, row in rows.items():
        assert sum(float(row[part]) for part in parts) == float(row["score"]) == facts[canvas_id]["score"]
    assert (course / "reports" / "ps1" / "class_report.html").is_file()
    with open(course / "reports" / "ps1" / "lms_grades.csv", newline="") as f:
        lms = {row["ID"]: row["ps1"] for row in csv.DictReader(f) if row["ID"]}
    assert lms == {canvas_id: f"{facts[canvas_id]['score']:g}" for canvas_id in canvas_ids.values()}
