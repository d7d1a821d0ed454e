"""From an LMS download to grades the LMS can import (grading.plugins.lms, `grading class-run`)."""
import csv
import zipfile

import pytest

from grading import cli
from grading.commands import class_run
from grading.course import run_nbgrader
from grading.gradebook import db_url
from grading.plugins.lms import plan_collection
from tests.support import (ASSIGNMENT, NOTEBOOK, cell_scores, fresh_course, generated_course,
                           notebook_path, synthetic)
from nbgrader.api import Gradebook



EXTRACTED = "/course/downloaded/expressions_to_ml/extracted/canvas"


def plan(*names, notebooks=(NOTEBOOK,)):
    paths = [f"{EXTRACTED}/{name}" for name in names]
    return {p.rsplit("/", 1)[1]: e for p, e in plan_collection(paths, list(notebooks)).items()}


def test_canvas_names_are_matched_on_the_absolute_path():
    entry = plan("doejane_12345_67890_expressions_to_ml.ipynb")["doejane_12345_67890_expressions_to_ml.ipynb"]
    assert (entry.student_id, entry.name, entry.late, entry.notebook, entry.decision) == (
        "12345", "doejane", False, NOTEBOOK, "collected")


def test_latest_upload_is_kept_and_late_marker_read():
    decisions = plan("doejane_12345_67890_expressions_to_ml.ipynb",
                     "doejane_late_12345_67990_expressions_to_ml-1.ipynb",
                     "doejane_late_12345_67990_expressions_to_ml-2.ipynb",
                     "roe_22222_67000_expressions_to_ml.ipynb")
    assert {name: e.decision for name, e in decisions.items()} == {
        "doejane_12345_67890_expressions_to_ml.ipynb": "superseded",
        "doejane_late_12345_67990_expressions_to_ml-1.ipynb": "superseded",
        "doejane_late_12345_67990_expressions_to_ml-2.ipynb": "collected",
        "roe_22222_67000_expressions_to_ml.ipynb": "collected",
    }
    assert decisions["doejane_late_12345_67990_expressions_to_ml-2.ipynb"].late
    assert "doejane_late_12345_67990_expressions_to_ml-2.ipynb" in \
        decisions["doejane_12345_67890_expressions_to_ml.ipynb"].note


def test_renamed_notebook_taken_as_the_only_notebook():
    entry = plan("doe_12345_67890_Copy of expressions_to_ml (2).ipynb")[
        "doe_12345_67890_Copy of expressions_to_ml (2).ipynb"]
    assert (entry.notebook, entry.decision) == (NOTEBOOK, "renamed")
    # With several notebooks there is no telling which one it is: the name stays.
    entry = plan("doe_12345_67890_lab.ipynb", notebooks=("part1", "part2"))["doe_12345_67890_lab.ipynb"]
    assert (entry.notebook, entry.decision) == ("lab", "collected")


def test_dash_number_that_belongs_to_the_notebook_name_is_kept():
    entry = plan("doe_12345_67890_hw-1.ipynb", notebooks=("hw-1", "hw-2"))["doe_12345_67890_hw-1.ipynb"]
    assert entry.notebook == "hw-1"


def test_files_not_named_by_the_lms_are_not_collected():
    assert plan("expressions_to_ml.ipynb")["expressions_to_ml.ipynb"].decision == "not an LMS file name"


# Each student's uploads, oldest first: (kind, the student's file name, late).
DOWNLOAD = {
    "10001": [("correct", f"{NOTEBOOK}.ipynb", False), ("blank", f"{NOTEBOOK}-1.ipynb", True)],
    "10002": [("partial", f"{NOTEBOOK}.ipynb", False)],
    "10003": [("correct", f"Copy of {NOTEBOOK}.ipynb", False)],
    "10004": [("broken_code", f"{NOTEBOOK}.ipynb", True)],
}
EXPECTED_TOTALS = {"10001": 0, "10002": 70, "10003": 100}  # 10001's latest upload is blank


def write_download(path, uploads):
    upload_id = 50000
    with zipfile.ZipFile(path, "w") as archive:
        for student, files in uploads.items():
            for kind, file_name, late in files:
                upload_id += 1
                name = synthetic.canvas_name(student, file_name, upload_id, f"doe{student}", late)
                archive.writestr(name, synthetic.notebook_text(kind))
        archive.writestr("grading_notes.txt", "not a submission")
    return path


@pytest.fixture(scope="module")
def class_run_once(tmp_path_factory):
    """A fresh course (its gradebook empty) through the one command, on a download."""
    base = tmp_path_factory.mktemp("lms")
    course = fresh_course(base / "course")
    download = write_download(base / "submissions.zip", DOWNLOAD)
    status, summary = class_run.grade_download(course, ASSIGNMENT, download, workers=2,
                                    lms_column="Homework 3 (4242)")
    return course, status, summary


def totals(course, students):
    return {s: sum(score for score, _ in cell_scores(course, s).values()) for s in students}


@pytest.mark.slow  # real kernels
def test_class_run_collects_grades_and_gives_feedback(class_run_once):
    course, status, summary = class_run_once
    assert status == 0
    assert sorted(p.name for p in (course / "submitted").iterdir()) == sorted(DOWNLOAD)
    assert totals(course, EXPECTED_TOTALS) == EXPECTED_TOTALS
    assert cell_scores(course, "10004") is not None  # broken code is graded, not lost
    for student in DOWNLOAD:
        assert notebook_path(course, "feedback", student).exists()
    assert "4 students collected (2 late); older uploads skipped: 1; renamed notebooks accepted: 1" in summary
    assert "autograde: 4 done" in summary


@pytest.mark.slow  # real kernels
def test_lms_grades_file_is_ready_for_import(class_run_once):
    course, _, _ = class_run_once
    with open(course / "reports" / ASSIGNMENT / "lms_grades.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Homework 3 (4242)"]
    assert rows[1][0] == "Points Possible" and rows[1][5] == "100"
    scores = {row[1]: row[5] for row in rows[2:]}
    assert {s: float(scores[s]) for s in EXPECTED_TOTALS} == EXPECTED_TOTALS
    assert {row[1]: row[0] for row in rows[2:]}["10002"] == "doe10002"  # the LMS's name


def canvas_target(name):
    """(user id, file id) as Canvas's "Re-upload submissions" reads them from a file in
    the zip: the first two all-digit `_`-separated parts of its base name, "LATE" aside
    (canvas-lms, AbstractAssignment#infer_comment_context_from_filename)."""
    parts = [p for p in name.rsplit("/", 1)[-1].split("_") if p != "LATE"]
    return tuple(p for p in parts if p.isdigit())[:2]


@pytest.mark.slow  # real kernels
def test_feedback_zip_names_each_page_after_the_graded_upload(class_run_once):
    """Canvas attaches each page of the zip to the upload its name points to: one page
    per student, on the upload that was graded (the latest, a renamed one too), never a
    superseded one; each is that student's feedback, with no hidden test in it."""
    course, _, summary = class_run_once
    canvas_zip = course / "reports" / ASSIGNMENT / "feedback_for_canvas.zip"
    assert f"feedback for Canvas:  {canvas_zip} (Re-upload submissions)" in summary
    with zipfile.ZipFile(course.parent / "submissions.zip") as download:
        uploads = [n for n in download.namelist() if n.endswith(".ipynb")]
    graded = {}  # the latest upload of each student, as the download names it
    for name in uploads:
        student, upload = canvas_target(name)
        if int(upload) > int(graded.get(student, ("", "0"))[1]):
            graded[student] = (name, upload)
    with zipfile.ZipFile(canvas_zip) as pages:
        names = pages.namelist()
        assert sorted(names) == sorted(n.removesuffix(".ipynb") + "_feedback.html" for n, _ in graded.values())
        assert sorted(map(canvas_target, names)) == sorted((s, u) for s, (_, u) in graded.items())
        for name in names:
            student, _ = canvas_target(name)
            page = pages.read(name)
            assert page == notebook_path(course, "feedback", student).read_bytes()
            assert b"BEGIN HIDDEN TESTS" not in page and b"for found, expected, what in" not in page  # hidden code


@pytest.mark.slow  # real kernels
def test_new_students_get_the_lms_name_in_the_gradebook(class_run_once):
    course, _, _ = class_run_once
    with Gradebook(db_url(course)) as gb:
        assert {s.id: s.last_name for s in gb.students} == {s: f"doe{s}" for s in DOWNLOAD}


@pytest.mark.slow  # real kernels
def test_a_later_download_regrades_who_resubmitted(class_run_once, tmp_path):
    course, _, _ = class_run_once
    download = write_download(tmp_path / "later.zip", {"10002": [("correct", f"{NOTEBOOK}.ipynb", True)]})
    status, summary = class_run.grade_download(course, ASSIGNMENT, download, workers=2)
    assert status == 0
    assert totals(course, EXPECTED_TOTALS) == dict(EXPECTED_TOTALS, **{"10002": 100})


def test_not_a_zip_is_refused_before_anything_changes(tmp_path, capsys):
    course = fresh_course(tmp_path / "course")
    bogus = tmp_path / "submissions.zip"
    bogus.write_text("this is not a zip")
    before = sorted(p.name for p in course.iterdir())
    assert cli.main(["class-run", ASSIGNMENT, str(bogus), "--course", str(course)]) == 2
    assert "is not a zip file" in capsys.readouterr().err
    assert sorted(p.name for p in course.iterdir() if p.name != ".grading.lock") == before


def test_plain_zip_collect_reads_canvas_names_with_the_course_config(tmp_path):
    """nbgrader_config.py makes CanvasCollector zip_collect's collector: no flags needed."""
    course = generated_course(tmp_path / "course")
    archive = course / "downloaded" / ASSIGNMENT / "archive"
    archive.mkdir(parents=True)
    write_download(archive / "submissions.zip", DOWNLOAD)
    run_nbgrader(course, "zip_collect", ASSIGNMENT)
    assert sorted(p.name for p in (course / "submitted").iterdir()) == sorted(DOWNLOAD)
    # 10001 uploaded a correct notebook, then a blank one: the latest is the one kept.
    kept = notebook_path(course, "submitted", "10001").read_text()
    assert kept == synthetic.notebook_text("blank")
