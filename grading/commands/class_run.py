"""Take an LMS submissions download through to grades the LMS can import.

    grading class-run ASSIGNMENT DOWNLOAD.zip [--scheduler tls://HOST:PORT | --workers N] [--course DIR]
                      [--lms-column "Homework 3 (123456)"]

Every step is nbgrader's own, run in the course folder with its nbgrader_config.py:
1. `nbgrader zip_collect` with grading.plugins.lms.CanvasExtractor and CanvasCollector:
   the download -> submitted/, one upload at a time (each student's latest; archives read
   with limits, and nothing inside one names a student; who was late, renamed, skipped,
   unreadable or refused goes to downloaded/<assignment>/collected.csv); students new to
   the gradebook are added with the name the LMS gave them (`nbgrader db student import`);
2. autograde on the Dask engine of `grading autograde` (a LocalCluster on every core, or
   --scheduler): scores into the gradebook;
3. generate_feedback, on the same workers: feedback/<student>/<assignment>/*.html;
4. `nbgrader export`: reports/<assignment>/grades.csv (nbgrader's columns) and, with
   grading.plugins.lms.CanvasGradesExport, reports/<assignment>/lms_grades.csv for the LMS;
   and reports/<assignment>/feedback_for_canvas.zip, every student's feedback page named
   for Canvas's "Re-upload submissions" (grading.plugins.lms.feedback_zip);
5. similar answers (grading similarity): reports/<assignment>/similarity.csv;
6. the instructor report (grading report): reports/<assignment>.csv and .txt, one row
   per submission with its scores per question, flags and reasons, and the class report
   (reports/<assignment>/class_report.html); then a summary.

The course lock is held throughout: a second run on the same course refuses to start.
Exit status: 0 when every collected submission was graded; 1 when some failed, or some
upload could not be read or was refused, or a student in the download got nothing
collected (the rest of the class is graded; the summary and collected.csv say who and
why); 2 when nothing could be done (bad download, not one readable upload, course busy).
Every CSV is written with grading/csv_safe.py.
"""
import os
import shutil
import statistics
import time
import zipfile
from pathlib import Path

from .. import gradebook
from ..class_report import write_class_report
from ..course import CourseError, run_nbgrader as nbgrader
from ..cluster import usable_cores
from .. import csv_safe
from ..course_lock import course_lock
from ..plugins.lms import KEPT, MANIFEST, NOT_READ, feedback_zip, read_manifest
from ..plugins.uploads import kind
from ..progress import duration
from . import autograde, report, similarity


class ClassRunError(CourseError):
    """The run cannot go on; the message says why and what to do."""


def step(text):
    print(f"==> {text}", flush=True)


def ensure_assignment(course_dir, assignment):
    """The gradebook must know the assignment's cells before autograding; a fresh
    gradebook (a new machine, a switch to PostgreSQL) gets them from source/."""
    try:
        gradebook.prepare(course_dir, assignment)
    except gradebook.NotInGradebook:
        step(f"the gradebook has no {assignment} yet: nbgrader generate_assignment")
        nbgrader(course_dir, "generate_assignment", assignment, "--force")
        gradebook.prepare(course_dir, assignment)


def check_download(download):
    """Refuses anything but a zip holding notebooks or archives, before the course is touched."""
    if not zipfile.is_zipfile(download):
        raise ClassRunError(f"{download} is not a zip file: download the submissions from the "
                            "LMS as one zip ('Download submissions') and pass that file")
    with zipfile.ZipFile(download) as archive:
        if not any(kind(name) for name in archive.namelist()):
            raise ClassRunError(f"{download} holds no notebook (nor an archive): is it the right download?")


def collect(course_dir, assignment, download):
    """zip_collect of the download into submitted/; returns the collection plan entries."""
    downloaded = Path(course_dir) / "downloaded" / assignment
    archive_dir = downloaded / "archive"
    if archive_dir.exists():  # a copy of an earlier download; the new one supersedes it
        shutil.rmtree(archive_dir)
    archive_dir.mkdir(parents=True)
    shutil.copy(download, archive_dir / Path(download).name)
    (downloaded / MANIFEST).unlink(missing_ok=True)
    nbgrader(course_dir, "zip_collect", assignment, "--force",
             "--extractor=grading.plugins.lms.CanvasExtractor",
             "--collector=grading.plugins.lms.CanvasCollector")
    if not (downloaded / MANIFEST).exists():
        raise ClassRunError(f"nothing was collected from {download}")
    entries = read_manifest(downloaded / MANIFEST)
    if not any(e.decision in KEPT for e in entries):
        raise ClassRunError(f"not one notebook could be collected from {download}: "
                            f"see {downloaded / MANIFEST}")
    return entries


def register_new_students(course_dir, entries):
    """Adds students the gradebook does not know yet, named as in the LMS download
    (known students keep the names an instructor may have imported from a roster)."""
    known = set(gradebook.student_ids(course_dir))
    new = {e.student_id: e.name for e in entries if e.student_id and e.student_id not in known}
    if not new:
        return 0
    roster = Path(course_dir) / "downloaded" / "new_students.csv"
    with open(roster, "w", newline="") as f:
        writer = csv_safe.writer(f)
        writer.writerow(["id", "last_name"])
        writer.writerows(sorted(new.items()))
    nbgrader(course_dir, "db", "student", "import", str(roster))
    return len(new)


def export_grades(course_dir, assignment, lms_column):
    reports = Path(course_dir) / "reports" / assignment
    reports.mkdir(parents=True, exist_ok=True)
    grades, lms_grades = reports / "grades.csv", reports / "lms_grades.csv"
    nbgrader(course_dir, "export", "--to", str(grades), f"--assignment={assignment}")
    lms_args = [f"--CanvasGradesExport.column={lms_column}"] if lms_column else []
    nbgrader(course_dir, "export", "--exporter=grading.plugins.lms.CanvasGradesExport",
             "--to", str(lms_grades), f"--assignment={assignment}", *lms_args)
    return grades, lms_grades


def instructor_report(course_dir, assignment):
    """The instructor report of `grading report` (one row per submission: scores per
    question, flags, reasons) as reports/<assignment>.csv and .txt; returns lines for
    the summary."""
    rows, structure, csv_path = report.write_report(course_dir, assignment)
    csv_path.with_suffix(".txt").write_text(report.table(rows, structure) + "\n")
    review = [row["student"] for row in rows if row["needs_review"] == "yes"]
    html_path, _ = write_class_report(course_dir, assignment, (rows, structure))
    lines = [f"instructor report:    {csv_path} (and .txt): {len(rows)} submissions, "
             f"{len(review)} need review",
             f"class report:         {html_path}"]
    if review:
        shown = ", ".join(review[:20]) + (f" and {len(review) - 20} more" if len(review) > 20 else "")
        lines.append(f"  need review: {shown}")
    return lines


def collection_summary(entries, download):
    """(summary lines, students collected, late ones, whether some upload needs the
    instructor: unreadable or refused, or its student got nothing collected)."""
    by_decision = {}
    for entry in entries:
        by_decision.setdefault(entry.decision, []).append(entry)
    kept = [e for e in entries if e.decision in KEPT]
    students = {e.student_id for e in kept}
    late = {e.student_id for e in kept if e.late}
    count = lambda *decisions: sum(len(by_decision.get(d, [])) for d in decisions)
    lines = [f"{len({e.upload for e in entries})} uploads in {Path(download).name}: "
             f"{len(students)} students collected ({len(late)} late); older uploads skipped: "
             f"{count('superseded')}; renamed notebooks accepted: {count('renamed')}; "
             f"uploads not read: {count(*NOT_READ)}"]
    ungraded = {e.student_id for e in entries if e.student_id} - students
    for entry in entries:
        if entry.decision in KEPT + ("superseded", "duplicate"):
            continue
        who = f"student {entry.student_id}, " if entry.student_id else ""
        graded = "" if not entry.student_id or entry.student_id in students else "; NOT GRADED"
        lines.append(f"  {entry.decision}: {os.path.basename(entry.upload)}"
                     f"{'/' + entry.inner if entry.inner else ''} ({who}{entry.note}){graded}")
    return lines, sorted(students), sorted(late), bool(ungraded or count(*NOT_READ))


def score_summary(scores):
    if not scores:
        return "scores: none"
    values = [score for score, _ in scores.values()]
    top = max(max_score for _, max_score in scores.values())
    return (f"scores (of {top:g}): mean {statistics.mean(values):.1f}, median "
            f"{statistics.median(values):g}, min {min(values):g}, max {max(values):g}; "
            f"{sum(v == top for v in values)} full marks, {sum(v == 0 for v in values)} zero")


def grade_download(course_dir, assignment, download, workers=None, lms_column="", scheduler=None):
    """The whole pipeline; returns (exit status, summary text)."""
    course_dir = Path(course_dir).resolve()
    download = Path(download).resolve()
    started = time.monotonic()
    with course_lock(course_dir, f"grading class-run {assignment} {download.name}"):
        check_download(download)
        ensure_assignment(course_dir, assignment)
        step(f"collecting {download.name} into submitted/ (nbgrader zip_collect)")
        entries = collect(course_dir, assignment, download)
        collected_lines, students, late, attention = collection_summary(entries, download)
        register_new_students(course_dir, entries)
        engine = (f"on the Dask cluster at {scheduler}" if scheduler else
                  f"on {workers or usable_cores()} local Dask workers")
        step(f"autograding and writing feedback for {len(students)} students, {engine}")
        graded = autograde.grade_class(course_dir, assignment, students, force=True, feedback=True,
                                       scheduler=scheduler, workers=workers)
        step("exporting grades (nbgrader export) and feedback for the LMS")
        grades, lms_grades = export_grades(course_dir, assignment, lms_column)
        canvas_zip = Path(course_dir) / "reports" / assignment / "feedback_for_canvas.zip"
        no_feedback = feedback_zip(course_dir, assignment, entries, canvas_zip, graded.failed())
        step("comparing answers (grading similarity)")
        _, _, similarity_csv, similarity_line = similarity.check_class(course_dir, assignment)
        step("instructor report")
        report_lines = instructor_report(course_dir, assignment)
    scores = gradebook.totals(course_dir, assignment, students)
    lines = [f"{assignment}: done in {duration(time.monotonic() - started)}", *collected_lines]
    for name, (step_results, seconds) in graded.steps.items():
        lines.append(f"{name}: {autograde.summarize(step_results, seconds)}")
    if graded.cost.submissions:
        lines.append(graded.cost.line())
    lines += [score_summary(scores)]
    if late:
        lines.append(f"late (as the LMS marked them): {', '.join(late)}")
    lines += [
        f"grades for the LMS:   {lms_grades}",
        f"grades (nbgrader):    {grades}",
        f"feedback:             {course_dir / 'feedback'}/<student>/{assignment}/",
        f"feedback for Canvas:  {canvas_zip} (Re-upload submissions)"
        + (f"; no page for {', '.join(sorted({e.student_id for e in no_feedback}))}" if no_feedback else ""),
        f"collection decisions: {course_dir / 'downloaded' / assignment / MANIFEST}",
        f"similar answers:      {similarity_csv}: {similarity_line}",
        *report_lines,
    ]
    return (1 if graded.failed() or attention else 0), "\n".join(lines)


def add_arguments(parser):
    parser.add_argument("assignment")
    parser.add_argument("download", help="the LMS's submissions zip")
    autograde.add_engine_arguments(parser)
    parser.add_argument("--lms-column", default="",
                        help="the assignment's column in the LMS gradebook, e.g. 'Homework 3 (123456)'")


def run(course_dir, options):
    scheduler = autograde.engine_scheduler(course_dir, options)
    status, summary = grade_download(course_dir, options.assignment, options.download,
                                     options.workers, options.lms_column, scheduler)
    print()
    print(summary)
    return status
