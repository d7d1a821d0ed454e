"""Parallel autograde (`grading autograde`): exactly the scores of serial `nbgrader autograde`,
a shared SQLite gradebook that waits instead of failing, and one run per course at a time."""
import signal
import sqlite3
import subprocess
import sys
import threading

import pytest

from grading import cli, gradebook
from grading.commands import autograde
from grading.course import run_nbgrader, tool_env
from grading.course_lock import CourseBusy, course_lock
from tests.support import ASSIGNMENT, ROOT, cell_scores, fresh_course, notebook_path, synthetic


# Every kind of submission, the working ones twice, so three workers share the batch.
CLASS = synthetic.class_list(
    6, mix=("correct", "partial", "blank", "broken_code", "broken_file", "correct"))


def graded_course(destination):
    course = fresh_course(destination)
    run_nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    synthetic.write_submitted(course, CLASS)
    return course


def all_scores(course):
    return gradebook.snapshot(course, ASSIGNMENT, [student for student, _ in CLASS])


@pytest.fixture(scope="module")
def serial_and_parallel(tmp_path_factory):
    """The same class graded by plain serial `nbgrader autograde` and by the parallel
    command (three workers on two cores, so writers really overlap)."""
    serial = graded_course(tmp_path_factory.mktemp("serial") / "course")
    run_nbgrader(serial, "autograde", ASSIGNMENT, check=False)  # broken files may fail it
    in_parallel = graded_course(tmp_path_factory.mktemp("parallel") / "course")
    status = cli.main(["autograde", ASSIGNMENT, "--course", str(in_parallel), "--workers", "3", "--feedback"])
    return serial, in_parallel, status


@pytest.mark.slow  # real kernels
def test_parallel_scores_equal_serial_scores(serial_and_parallel):
    serial, in_parallel, _ = serial_and_parallel
    expected = all_scores(serial)
    assert all_scores(in_parallel) == expected
    kinds = dict(CLASS)
    totals = {s: sum(score for score, *_ in cells.values()) for s, cells in expected.items() if cells}
    assert {totals[s] for s in totals if kinds[s] == "correct"} == {100}
    assert {totals[s] for s in totals if kinds[s] == "blank"} == {0}


@pytest.mark.slow  # real kernels
def test_every_graded_student_has_notebook_and_feedback(serial_and_parallel):
    serial, in_parallel, status = serial_and_parallel
    graded = [s for s, cells in all_scores(in_parallel).items() if cells is not None]
    assert {s for s, kind in CLASS if kind != "broken_file"} <= set(graded)
    for student in graded:
        assert notebook_path(in_parallel, "autograded", student).exists()
        assert notebook_path(in_parallel, "feedback", student).exists()
    # Exit status 1 exactly when a submission could not be graded, as nbgrader's.
    assert status == (0 if len(graded) == len(CLASS) else 1)


@pytest.mark.slow  # real kernels
def test_sqlite_writers_wait_and_outcomes_are_facts(tmp_path):
    """The gradebook is held by another writer for longer than pysqlite's default 5 s
    wait while the workers start grading: they wait, and every score is right. Graded,
    skipped and failed come from what nbgrader's converter did, not from its log."""
    course = fresh_course(tmp_path / "course")
    run_nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    students = [("10001", "correct"), ("10002", "blank")]
    synthetic.write_submitted(course, students)
    gradebook.prepare(course, ASSIGNMENT)
    holder = sqlite3.connect(course / "gradebook.db", isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    release = threading.Timer(8.0, lambda: holder.execute("ROLLBACK"))
    release.start()
    try:
        results = autograde.run_step(course, ASSIGNMENT, [s for s, _ in students], workers=2)
    finally:
        release.join()
        holder.close()
    assert {s: outcome for s, (outcome, *_) in results.items()} == {"10001": "done", "10002": "done"}
    totals = {s: sum(score for score, _ in cell_scores(course, s).values()) for s, _ in students}
    assert totals == {"10001": 100, "10002": 0}
    # Run again without force: nbgrader's converter chooses to skip both (a fact, not a log line).
    again = autograde.run_step(course, ASSIGNMENT, [s for s, _ in students], workers=2)
    assert {s: outcome for s, (outcome, *_) in again.items()} == {"10001": "skipped", "10002": "skipped"}
    # A submission without its notebook: failed, with the reason nbgrader's exception gives.
    (course / "submitted" / "10003" / ASSIGNMENT).mkdir(parents=True)
    (outcome, _, _, reason), = autograde.run_step(course, ASSIGNMENT, ["10003"]).values()
    assert outcome == "failed" and reason.startswith("NbGraderException: No notebooks were matched")


HOLD_LOCK = """
import sys, time
from grading.course_lock import course_lock
with course_lock(sys.argv[1], "a test holding the course"):
    print("locked", flush=True)
    time.sleep(120)
"""


@pytest.fixture
def locked_course(tmp_path):
    """A course whose lock another process holds; yields (course, that process)."""
    course = fresh_course(tmp_path / "course")
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(course)], cwd=ROOT,
                              env=tool_env(), stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        yield course, holder
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize("command", [
    ["autograde", ASSIGNMENT, "--course", "{course}"],
    ["class-run", ASSIGNMENT, "{download}", "--course", "{course}"],
])
def test_second_run_refuses_and_touches_nothing(locked_course, command, tmp_path):
    course, _ = locked_course
    download = synthetic.canvas_download(tmp_path / "download.zip", [("10001", "correct")])
    args = [a.format(course=course, download=download) for a in command]
    result = subprocess.run([sys.executable, "-m", "grading", *args], cwd=ROOT, env=tool_env(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "another grading run is working on" in result.stderr
    assert "a test holding the course" in result.stderr
    assert sorted(p.name for p in course.iterdir()) == sorted(
        [".grading.lock", "judges", "nbgrader_config.py", "release", "source"])


def test_lock_is_released_when_its_holder_dies(locked_course):
    course, holder = locked_course
    with pytest.raises(CourseBusy):
        with course_lock(course, "second"):
            pass
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    with course_lock(course, "after the holder died"):
        assert "after the holder died" in (course / ".grading.lock").read_text()
