"""From an LMS download to grades the LMS can import (grading.plugins.lms, `grading class-run`),
one upload at a time: what is inside a student's upload never names another student, an
archive is read with limits, one bad upload never stops the class, and no CSV cell is a
formula (grading/csv_safe.py)."""
import csv
import gzip
import io
import tarfile
import zipfile

import pytest

from grading import cli, csv_safe
from grading.commands import class_run
from grading.course import run_nbgrader
from grading.gradebook import db_url
from grading.plugins import uploads
from grading.plugins.lms import CanvasExtractor, Upload, feedback_name, plan_collection, read_manifest
from grading.plugins.uploads import UploadError, read_upload
from tests.support import (ASSIGNMENT, NOTEBOOK, cell_scores, fresh_course, generated_course,
                           notebook_path, synthetic)
from nbgrader.api import Gradebook


def plan(*names, notebooks=(NOTEBOOK,)):
    """The plan for plain notebook uploads, by upload name."""
    ups = [Upload(f"submissions.zip/{name}", [("", f"/extracted/{n}/0.ipynb")]) for n, name in enumerate(names)]
    return {e.upload.rsplit("/", 1)[1]: e for e in plan_collection(ups, list(notebooks))}


def test_canvas_names_are_read_from_the_upload_name():
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


def test_renamed_notebook_taken_by_the_name_it_contains_or_as_the_only_notebook():
    entry = plan("doe_12345_67890_Copy of expressions_to_ml (2).ipynb")[
        "doe_12345_67890_Copy of expressions_to_ml (2).ipynb"]
    assert (entry.notebook, entry.decision) == (NOTEBOOK, "renamed")
    assert plan("doe_1_2_lab.ipynb")["doe_1_2_lab.ipynb"].notebook == NOTEBOOK  # the only one
    several = plan("doe_1_2_Copy of part10.ipynb", "doe_1_3_lab.ipynb", notebooks=("part1", "part10"))
    assert (several["doe_1_2_Copy of part10.ipynb"].notebook, several["doe_1_2_Copy of part10.ipynb"].decision) \
        == ("part10", "renamed")  # the longest name it contains
    # With several notebooks and none named, there is no telling which one it is.
    assert several["doe_1_3_lab.ipynb"].decision == "not an assignment notebook"


def test_dash_number_that_belongs_to_the_notebook_name_is_kept():
    entry = plan("doe_12345_67890_hw-1.ipynb", notebooks=("hw-1", "hw-2"))["doe_12345_67890_hw-1.ipynb"]
    assert entry.notebook == "hw-1"


def test_files_not_named_by_the_lms_are_not_collected():
    assert plan("expressions_to_ml.ipynb")["expressions_to_ml.ipynb"].decision == "not an LMS file name"


def test_nothing_inside_an_archive_names_a_student():
    """The student is the upload's; a file inside named like a classmate's upload, or
    like new students, is one more candidate for the uploader's own notebook."""
    inside = [("doe10002_10002_99999_expressions_to_ml.ipynb", "/x/0/0.ipynb"),
              ("new_55555_99998_expressions_to_ml.ipynb", "/x/0/1.ipynb"),
              ("hw/expressions_to_ml.ipynb", "/x/0/2.ipynb")]
    entries = plan_collection([Upload("d.zip/eve_10005_50001_hw.zip", inside),
                               Upload("d.zip/doe_10002_50000_expressions_to_ml.ipynb", [("", "/x/1/0.ipynb")])],
                              [NOTEBOOK])
    assert {e.student_id for e in entries} == {"10005", "10002"}
    kept = {e.student_id: e.inner for e in entries if e.decision in ("collected", "renamed")}
    assert kept == {"10005": "hw/expressions_to_ml.ipynb", "10002": ""}  # the exact name wins
    assert sorted(e.decision for e in entries if e.student_id == "10005") == ["collected", "duplicate", "duplicate"]


def test_an_archive_can_hold_each_notebook_of_the_assignment():
    """Two notebooks in one zip, in folders: each collected, each with its own feedback
    page name pointing at the upload; a stray notebook is not taken for either."""
    inside = [("lab/part1.ipynb", "/x/0/0.ipynb"), ("lab/Copy of part2.ipynb", "/x/0/1.ipynb"),
              ("scratch.ipynb", "/x/0/2.ipynb")]
    entries = plan_collection([Upload("d.zip/doe_7_70_lab.zip", inside)], ["part1", "part2"])
    assert [(e.notebook, e.decision) for e in entries] == [
        ("part1", "collected"), ("part2", "renamed"), ("", "not an assignment notebook")]
    assert [feedback_name(e) for e in entries[:2]] == ["doe_7_70_lab_part1_feedback.html",
                                                        "doe_7_70_lab_part2_feedback.html"]


def zip_of(files, compression=zipfile.ZIP_DEFLATED):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def tar_of(files, mode="w:gz"):
    """A tar of {name: bytes}; a name may hold bytes that are not UTF-8 (as surrogates)."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode=mode, format=tarfile.GNU_FORMAT) as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


NB = b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
# A real zip bomb, small: 17 MiB of zeros as a "notebook" is a 17 KiB zip (ratio ~1000).
BOMB = zip_of({f"{NOTEBOOK}.ipynb": bytes(17 * uploads.MiB)})
NON_UTF8 = "hw/r\udcc9sum\udce9.txt"  # b"r\xc9sum\xe9": a Latin-1 name, not UTF-8


def test_an_archive_gives_its_notebooks_and_nothing_else():
    found, skipped = read_upload("x.zip", zip_of({
        "hw3/expressions_to_ml.ipynb": NB, "hw3/data.csv": b"1,2",
        "__MACOSX/hw3/._expressions_to_ml.ipynb": b"\0", "hw3/.ipynb_checkpoints/expressions_to_ml-checkpoint.ipynb": b"{}",
        "nested.tar.gz": tar_of({NON_UTF8: b"x", "deep/part2.ipynb": NB})}))
    assert found == [("hw3/expressions_to_ml.ipynb", NB), ("nested.tar.gz/deep/part2.ipynb", NB)]
    assert skipped == []
    assert read_upload("x.ipynb.gz", gzip.compress(NB)) == ([("", NB)], [])  # honest gzip


def test_links_and_unsafe_names_in_an_archive_are_not_read():
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as archive:
        link = tarfile.TarInfo("expressions_to_ml.ipynb")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        archive.addfile(link)
        up = tarfile.TarInfo("../../outside.ipynb")
        up.size = len(NB)
        archive.addfile(up, io.BytesIO(NB))
    assert read_upload("x.tar", out.getvalue()) == ([], ["expressions_to_ml.ipynb", "../../outside.ipynb"])


@pytest.mark.parametrize("name, data, reason", [
    ("x.zip", BOMB, "expands more than 100 times"),
    ("x.zip", zip_of({"a.zip": zip_of({"b.zip": zip_of({"c.zip": zip_of({"d.ipynb": NB})})})}),
     "nested more than 3 deep"),
    ("x.zip", NB, "is not a zip file"),                     # a notebook named .zip
    ("x.ipynb.gz", NB, "is not gzip-compressed"),           # a plain notebook named .ipynb.gz
    ("x.ipynb.gz", gzip.compress(NB)[:30], "unreadable"),   # cut short
    ("x.tar.gz", b"\x1f\x8b" + bytes(50), "unreadable"),
    ("x.ipynb", b"", "empty file"),
])
def test_a_bad_upload_is_refused_with_its_reason(name, data, reason):
    with pytest.raises(UploadError, match=reason):
        read_upload(name, data)


def test_limits_on_size_and_count_hold_whatever_the_archive_claims(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 2 * uploads.MiB)
    with pytest.raises(UploadError, match="expands past 2 MiB"):  # stored: the ratio is 1
        read_upload("x.zip", zip_of({"a.ipynb": bytes(3 * uploads.MiB)}, zipfile.ZIP_STORED))
    with pytest.raises(UploadError, match="expands past 2 MiB"):  # a tar is read through
        read_upload("x.tar.gz", tar_of({"big.dat": bytes(3 * uploads.MiB), "a.ipynb": NB}))
    monkeypatch.setattr(uploads, "MAX_MEMBERS", 20)
    with pytest.raises(UploadError, match="more than 20 files"):
        read_upload("x.zip", zip_of({f"{n}.txt": b"" for n in range(21)}))


def test_a_corrupt_upload_in_the_download_is_its_students_alone(tmp_path):
    """A member of the LMS's zip whose data is damaged (a bad CRC) is reported for its
    student; the next upload is read."""
    path = tmp_path / "submissions.zip"
    path.write_bytes(zip_of({"a_1_2_expressions_to_ml.ipynb": NB, "b_3_4_expressions_to_ml.ipynb": NB},
                            zipfile.ZIP_STORED).replace(b'"cells"', b'"CELLS"', 1))
    first, second = CanvasExtractor()._lms_zip(str(path), str(tmp_path), 0)
    assert (first.decision, first.notebooks) == ("unreadable", []) and "CRC" in first.note
    assert second.decision == "" and open(second.notebooks[0][1], "rb").read() == NB


def test_csv_cells_are_never_formulas():
    out = io.StringIO()
    csv_safe.writer(out).writerow(["=1+2", "+A1", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "\t=1",
                                   " =1", "\uff1d1", "-1", "+2.5", "1e-3", -4.0, "-", "a,b", "doe"])
    assert out.getvalue() == ('"\'=1+2","\'+A1","\'-2+3+cmd|\' /C calc\'!A0","\'@SUM(A1)","\'\t=1",'
                              '"\' =1","\'\uff1d1","-1","+2.5","1e-3","-4.0","-","a,b","doe"\r\n')
    assert [csv_safe.plain(v) for v in next(csv.reader(io.StringIO(out.getvalue())))][:5] == \
        ["=1+2", "+A1", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "\t=1"]


# Each student's uploads, oldest first: (kind, the student's file name, late).
DOWNLOAD = {
    "10001": [("correct", f"{NOTEBOOK}.ipynb", False), ("blank", f"{NOTEBOOK}-1.ipynb", True)],
    "10002": [("partial", f"{NOTEBOOK}.ipynb", False)],
    "10003": [("correct", f"Copy of {NOTEBOOK}.ipynb", False)],
    "10004": [("broken_code", f"{NOTEBOOK}.ipynb", True)],
}
FORMULA = "=SUM(1,2)+cmd|' -C calc'!A0"  # a name: a formula, with a comma in it
RESUME = "hw3/r\udcc9sum\udce9.txt"      # b"r\xc9sum\xe9": a name that is not UTF-8


def attacks():
    """{upload name: bytes}: the red team's uploads, and honest archives, in one download."""
    text = lambda kind: synthetic.notebook_text(kind).encode()
    classmate = synthetic.canvas_name("10002", f"{NOTEBOOK}.ipynb", 99999, "doe10002")
    strangers = {synthetic.canvas_name(str(20000 + i), f"{NOTEBOOK}.ipynb", 99000 + i, f"=HYPERLINK(1;{i})"):
                 text("blank") for i in range(30)}
    return {
        # 10005 (named as a formula) tries to take 10002's grade with a later upload id
        # and a blank notebook, and to register 30 new students; its own notebook is blank.
        f"{FORMULA}_10005_59001_homework.zip": zip_of({classmate: text("blank"), **strangers,
                                                       f"{FORMULA}.ipynb": text("blank")}),
        f"doe10006_10006_59002_{NOTEBOOK}.zip": BOMB,                        # 17 KiB -> 17 MiB
        f"doe10007_10007_59003_{NOTEBOOK}.zip": text("correct"),             # not a zip
        f"doe10008_10008_59004_{NOTEBOOK}.ipynb.gz": text("correct"),        # not gzip
        # honest: a tar.gz of a folder, with a Latin-1 name, macOS and Jupyter leftovers
        f"doe10009_10009_59005_hw3.tar.gz": tar_of({RESUME: b"cv", f"hw3/{NOTEBOOK}.ipynb": text("partial"),
                                                    f"hw3/._{NOTEBOOK}.ipynb": b"\0",
                                                    f"hw3/.ipynb_checkpoints/{NOTEBOOK}-checkpoint.ipynb": text("blank")}),
        f"doe10010_10010_59006_{NOTEBOOK}.ipynb.gz": gzip.compress(text("correct")),  # honest gzip
    }


ATTACKERS = {"10005": 0, "10009": 70, "10010": 100}  # graded, with these totals
NOT_READ = {"10006": "refused", "10007": "unreadable", "10008": "unreadable"}
EXPECTED_TOTALS = {"10001": 0, "10002": 70, "10003": 100, **ATTACKERS}  # 10001's latest is blank
GRADED = sorted([*DOWNLOAD, *ATTACKERS])


def write_download(path, students, raw=None):
    """A Canvas download: each student's notebook uploads, then the raw ones."""
    upload_id = 50000
    with zipfile.ZipFile(path, "w") as archive:
        for student, files in students.items():
            for kind, file_name, late in files:
                upload_id += 1
                name = synthetic.canvas_name(student, file_name, upload_id, f"doe{student}", late)
                archive.writestr(name, synthetic.notebook_text(kind))
        for name, data in (raw or {}).items():
            archive.writestr(name, data)
        archive.writestr("grading_notes.txt", "not a submission")
    return path


@pytest.fixture(scope="module")
def class_run_once(tmp_path_factory):
    """A fresh course (its gradebook empty) through the one command, on a download."""
    base = tmp_path_factory.mktemp("lms")
    course = fresh_course(base / "course")
    download = write_download(base / "submissions.zip", DOWNLOAD, attacks())
    status, summary = class_run.grade_download(course, ASSIGNMENT, download, workers=2,
                                    lms_column="Homework 3 (4242)")
    return course, status, summary


def totals(course, students):
    return {s: sum(score for score, _ in cell_scores(course, s).values()) for s in students}


@pytest.mark.slow  # real kernels
def test_class_run_collects_grades_and_gives_feedback(class_run_once):
    """The whole class is graded around three bad uploads, which are reported (exit 1)."""
    course, status, summary = class_run_once
    assert status == 1
    assert sorted(p.name for p in (course / "submitted").iterdir()) == GRADED
    assert totals(course, EXPECTED_TOTALS) == EXPECTED_TOTALS  # 10002 keeps their 70
    assert cell_scores(course, "10004") is not None  # broken code is graded, not lost
    for student in GRADED:
        assert notebook_path(course, "feedback", student).exists()
    assert ("12 uploads in submissions.zip: 7 students collected (2 late); older uploads skipped: 1; "
            "renamed notebooks accepted: 2; uploads not read: 3") in summary
    assert "autograde: 7 done" in summary
    for student, decision in NOT_READ.items():
        line = next(line for line in summary.splitlines() if f"_{student}_" in line)
        assert line.startswith(f"  {decision}: doe{student}_{student}_") and line.endswith("; NOT GRADED")
    assert "expands more than 100 times its size" in summary and "is not gzip-compressed" in summary


@pytest.mark.slow  # real kernels
def test_lms_grades_file_is_ready_for_import(class_run_once):
    course, _, _ = class_run_once
    with open(course / "reports" / ASSIGNMENT / "lms_grades.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Homework 3 (4242)"]
    assert rows[1][0] == "Points Possible" and rows[1][5] == "100"
    scores = {row[1]: row[5] for row in rows[2:]}
    assert {s: float(scores[s]) for s in EXPECTED_TOTALS} == EXPECTED_TOTALS
    # Who uploaded something unreadable has no grade here, which leaves Canvas's alone;
    # nobody but the download's students is in the file.
    assert set(scores) == {*GRADED, *NOT_READ} and all(scores[s] == "" for s in NOT_READ)
    names = {row[1]: row[0] for row in rows[2:]}
    assert names["10002"] == "doe10002"  # the LMS's name
    assert names["10005"] == "'" + FORMULA  # shown as text, never run


def spreadsheet_files(course):
    return sorted([*course.glob("downloaded/**/*.csv"), *course.glob("reports/**/*.csv")])


@pytest.mark.slow  # real kernels
def test_no_csv_cell_is_a_formula_and_every_field_is_quoted(class_run_once):
    """Every CSV the class-run wrote, nbgrader's grades.csv included: a name that is a
    formula (with a comma) is text in its own cell, in every file it reaches."""
    course, _, _ = class_run_once
    files = {p.name: p for p in spreadsheet_files(course)}
    assert {"collected.csv", "new_students.csv", "grades.csv", "lms_grades.csv", "similarity.csv",
            f"{ASSIGNMENT}.csv"} <= set(files)
    for path in files.values():
        text = path.read_text()
        rows = list(csv.reader(io.StringIO(text)))
        assert all(len(row) == len(rows[0]) for row in rows), path  # no row split by a comma
        assert all(line.startswith('"') and line.endswith('"') for line in text.splitlines()), path
        cells = [value for row in rows for value in row]
        assert all(csv_safe.cell(value) == value for value in cells), path
    for name in ("collected.csv", "new_students.csv", "grades.csv", "lms_grades.csv"):
        assert "'" + FORMULA in files[name].read_text(), name
    with open(files["grades.csv"], newline="") as f:
        grades = {row["student_id"]: row for row in csv.DictReader(f)}
    assert set(grades) == set(GRADED) | set(NOT_READ)  # nbgrader's columns and values
    assert float(grades["10002"]["score"]) == 70 and grades["10005"]["last_name"] == "'" + FORMULA


def canvas_target(name):
    """(user id, file id) as Canvas's "Re-upload submissions" reads them from a file in
    the zip: the first two all-digit `_`-separated parts of its base name, "LATE" aside
    (canvas-lms, AbstractAssignment#infer_comment_context_from_filename)."""
    parts = [p for p in name.rsplit("/", 1)[-1].split("_") if p != "LATE"]
    return tuple(p for p in parts if p.isdigit())[:2]


@pytest.mark.slow  # real kernels
def test_feedback_zip_names_each_page_after_the_graded_upload(class_run_once):
    """Canvas attaches each page of the zip to the upload its name points to: one page
    per student, on the upload that was graded (the latest, a renamed one too, an archive
    too), never a superseded one, never a classmate's; each is that student's feedback,
    with no hidden test in it."""
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
    archives = {"10005": f"{FORMULA}_10005_59001_homework_{NOTEBOOK}_feedback.html",
                "10009": f"doe10009_10009_59005_hw3_{NOTEBOOK}_feedback.html",
                "10010": f"doe10010_10010_59006_{NOTEBOOK}_feedback.html"}
    with zipfile.ZipFile(canvas_zip) as pages:
        names = pages.namelist()
        assert sorted(names) == sorted([*(n.removesuffix(".ipynb") + "_feedback.html" for n, _ in graded.values()),
                                        *archives.values()])
        assert sorted(map(canvas_target, names)) == sorted(
            [*((s, u) for s, (_, u) in graded.items()), *(canvas_target(n) for n in archives.values())])
        for name in names:
            student, _ = canvas_target(name)
            page = pages.read(name)
            assert page == notebook_path(course, "feedback", student).read_bytes()
            assert b"BEGIN HIDDEN TESTS" not in page and b"for found, expected, what in" not in page  # hidden code


@pytest.mark.slow  # real kernels
def test_new_students_get_the_lms_name_in_the_gradebook(class_run_once):
    """Named by their uploads only: the 30 strangers inside 10005's zip are not students."""
    course, _, _ = class_run_once
    with Gradebook(db_url(course)) as gb:
        assert {s.id: s.last_name for s in gb.students} == {
            **{s: f"doe{s}" for s in [*GRADED, *NOT_READ]}, "10005": "'" + FORMULA}


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
    """nbgrader_config.py makes CanvasExtractor and CanvasCollector zip_collect's plugins:
    no flags needed. One upload at a time: an archive gives only its uploader's notebook,
    bad uploads are reported and the rest is collected."""
    course = generated_course(tmp_path / "course")
    archive = course / "downloaded" / ASSIGNMENT / "archive"
    archive.mkdir(parents=True)
    write_download(archive / "submissions.zip", DOWNLOAD, attacks())
    run_nbgrader(course, "zip_collect", ASSIGNMENT)
    assert sorted(p.name for p in (course / "submitted").iterdir()) == GRADED
    # 10001 uploaded a correct notebook, then a blank one: the latest is the one kept.
    kept = lambda student: notebook_path(course, "submitted", student).read_text()
    assert kept("10001") == synthetic.notebook_text("blank")
    # 10005's zip held a blank notebook named as 10002's later upload: 10002 keeps their own.
    assert kept("10002") == synthetic.notebook_text("partial")
    assert kept("10009") == synthetic.notebook_text("partial")  # not the checkpoint
    entries = read_manifest(course / "downloaded" / ASSIGNMENT / "collected.csv")
    assert {e.student_id: e.decision for e in entries if e.student_id in NOT_READ} == NOT_READ
    assert {e.student_id for e in entries} - {""} == set(GRADED) | set(NOT_READ)  # no stranger
    attacker = [e for e in entries if e.student_id == "10005"]
    assert {e.name for e in attacker} == {FORMULA} and len(attacker) == 32
    assert sorted(e.decision for e in attacker) == ["duplicate"] * 31 + ["renamed"]
