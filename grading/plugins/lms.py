"""nbgrader plugins for a Canvas-style LMS: collecting its submissions download, and a
grades file it can import.

Collecting (`nbgrader zip_collect`, with CanvasCollector as its collector plugin)
--------------------------------------------------------------------------------
Canvas names each file in its "Download submissions" zip

    <name>_[late_]<user id>_<upload id>_<the student's file name>[-<n>].ipynb

e.g. `doejane_12345_67890_expressions_to_ml.ipynb`, `doejane_late_12345_67891_
expressions_to_ml-1.ipynb` (late, and Canvas's `-1` for a second file of the same name).
nbgrader matches its collector pattern against the file's *absolute* path with
re.match, so the pattern must start with `.*/`: without it nothing is collected.
CanvasCollector:
- takes the Canvas user id as the student id (the id Canvas matches on import);
- keeps each student's latest file per notebook (highest upload id, then highest `-n`)
  and skips the older ones; stock nbgrader cannot tell them apart without timestamps
  and stops the whole collection with "Duplicate submission file";
- maps a renamed notebook ("Copy of expressions_to_ml.ipynb") to the assignment's
  notebook when the assignment has only one, so the student is graded, not given 0;
- writes downloaded/<assignment>/collected.csv: one row per file with the decision.

Feedback back to Canvas (feedback_zip, written by `grading class-run`)
-----------------------------------------------------------------------
Canvas's "Re-upload submissions" (an assignment's submissions, after a download) takes a
zip and attaches each file in it, as a comment, to the submission it names: it reads the
first two all-digit parts of the file's name, `_`-separated, as the user id and the id
of an uploaded file of that user's submission, and ignores folders, `LATE` and the rest
of the name. Each collected notebook's feedback page is named after its upload,
`<the upload's name without .ipynb>_feedback.html`: one comment per student, on the
upload that was graded. (Canvas shows the attachment under the upload's own file name.)

Exporting (`nbgrader export --exporter grading.plugins.lms.CanvasGradesExport --to FILE`)
-------------------------------------------------------------------------------
A CSV shaped like Canvas's own gradebook export (Student, ID, SIS User ID, SIS Login ID,
Section, one column per assignment, a "Points Possible" row), which Canvas imports back.
A student without a submission gets an empty cell, which leaves the LMS's grade alone.
Name the column after the LMS's assignment, e.g. "Homework 3 (123456)", with
--CanvasGradesExport.column so the LMS updates that assignment instead of adding one.
"""
import csv
import os
import re
import zipfile
from dataclasses import asdict, dataclass, fields

from nbgrader.api import MissingEntry
from nbgrader.plugins import ExportPlugin, FileNameCollectorPlugin
from nbgrader.utils import find_all_notebooks
from traitlets import Unicode

# Matched against the absolute path: hence the leading ".*/".
CANVAS_PATTERN = (
    r".*/(?P<name>[^/]+?)_(?:(?P<late>late)_)?(?P<student_id>\d+)_(?P<upload_id>\d+)_"
    r"(?P<file_id>[^/]+?)(?:-(?P<resubmission>\d+))?(?P<extension>\.[^./]+)$"
)
MANIFEST = "collected.csv"


@dataclass
class CollectedFile:
    """What collecting decided about one file of the download."""
    path: str
    student_id: str = ""
    name: str = ""
    late: bool = False
    notebook: str = ""
    decision: str = ""  # collected | superseded | renamed | not an LMS file name
    note: str = ""


def plan_collection(paths, notebooks, pattern=CANVAS_PATTERN):
    """{path: CollectedFile} for the download's files: who each belongs to, which
    notebook it is, and whether it is collected or superseded by a later upload."""
    plan, order = {}, {}
    for path in sorted(paths):
        match = re.match(pattern, path, re.IGNORECASE)
        if not match:
            plan[path] = CollectedFile(path, decision="not an LMS file name")
            continue
        parts = match.groupdict()
        notebook, renamed = _notebook_of(parts, notebooks)
        entry = CollectedFile(path, parts["student_id"], parts["name"], bool(parts.get("late")),
                              notebook, "renamed" if renamed else "collected")
        if renamed:
            entry.note = f"file {os.path.basename(path)!r} taken as notebook {notebook!r}"
        plan[path] = entry
        upload = (int(parts.get("upload_id") or 0), int(parts.get("resubmission") or 0))
        order.setdefault((entry.student_id, notebook), []).append((upload, path))
    for uploads in order.values():
        uploads.sort()
        latest = uploads[-1][1]
        for _, path in uploads[:-1]:
            plan[path].decision = "superseded"
            plan[path].note = f"a later upload was kept: {os.path.basename(latest)}"
    return plan


def _notebook_of(parts, notebooks):
    """(notebook name, renamed?) of a matched file name, given the release's notebooks."""
    stem = parts["file_id"]
    if parts.get("resubmission") and f"{stem}-{parts['resubmission']}" in notebooks:
        return f"{stem}-{parts['resubmission']}", False  # "-1" was part of the real name
    if stem in notebooks or len(notebooks) != 1:
        return stem, False
    return notebooks[0], True


def write_manifest(plan, path):
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, [field.name for field in fields(CollectedFile)])
        writer.writeheader()
        writer.writerows(asdict(entry) for _, entry in sorted(plan.items()))


def read_manifest(path):
    with open(path, newline="") as f:
        return [CollectedFile(**dict(row, late=row["late"] == "True")) for row in csv.DictReader(f)]


def feedback_name(entry):
    """The name of a collected upload's feedback in the zip for Canvas."""
    return os.path.splitext(os.path.basename(entry.path))[0] + "_feedback.html"


def feedback_zip(course_dir, assignment, entries, destination, failed=()):
    """Writes the zip for Canvas's "Re-upload submissions": the feedback page of each
    collected upload (collected.csv), named by feedback_name. Students in `failed`
    (whose grading failed in this run) are left out, since a page left from an earlier
    upload would be attached to the new one. Returns the entries left out."""
    missing = []
    with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in sorted(entries, key=lambda e: os.path.basename(e.path)):
            if entry.decision not in ("collected", "renamed"):
                continue
            page = os.path.join(course_dir, "feedback", entry.student_id, assignment, f"{entry.notebook}.html")
            if entry.student_id not in failed and os.path.isfile(page):
                archive.write(page, feedback_name(entry))
            else:
                missing.append(entry)
    return missing


class CanvasCollector(FileNameCollectorPlugin):
    """zip_collect's collector for Canvas-style downloads (see the module's docstring)."""

    named_regexp = Unicode(
        CANVAS_PATTERN,
        help="Pattern for a submission's absolute path; needs (?P<student_id>), "
             "(?P<file_id>), and may have (?P<name>), (?P<late>), (?P<upload_id>), "
             "(?P<resubmission>).",
    ).tag(config=True)

    _plan = None

    def _collection_plan(self, submitted_file):
        """The plan for the whole extracted folder, made once and saved as collected.csv."""
        if self._plan is None:
            app = self.parent
            extracted = os.path.join(app.coursedir.root, app.collect_directory_structure.format(
                downloaded=app.downloaded_directory, assignment_id=app.coursedir.assignment_id,
                collect_step=app.extracted_directory))
            paths = [os.path.join(root, name) for root, _, names in os.walk(extracted)
                     for name in names if os.path.splitext(name)[1] in self.valid_ext]
            release = app.coursedir.format_path(
                app.coursedir.release_directory, ".", app.coursedir.assignment_id)
            notebooks = [os.path.splitext(nb)[0] for nb in find_all_notebooks(release)]
            self._plan = plan_collection(paths, notebooks, self.named_regexp)
            write_manifest(self._plan, os.path.join(os.path.dirname(extracted), MANIFEST))
        return self._plan.get(submitted_file)

    def collect(self, submitted_file):
        if not super().collect(submitted_file):  # wrong extension, or the pattern missed
            return None
        entry = self._collection_plan(submitted_file)
        if entry is None or entry.decision == "superseded":
            self.log.warning("Skipping %s: %s", submitted_file, entry.note if entry else "unplanned")
            return None
        if entry.decision == "renamed":
            self.log.warning("Collecting %s", entry.note)
        return {"student_id": entry.student_id, "file_id": entry.notebook}


class CanvasGradesExport(ExportPlugin):
    """Grades as a CSV that Canvas imports into its gradebook (see the module's docstring)."""

    column = Unicode(
        "", help="Column header for the assignment in the LMS, e.g. 'Homework 3 (123456)'; "
                 "default: the assignment's name. Only with a single assignment.",
    ).tag(config=True)

    def export(self, gradebook):
        dest = self.to or "lms_grades.csv"
        assignments = [a for a in gradebook.assignments
                       if not self.assignment or a.name in self.assignment]
        headers = [a.name for a in assignments]
        if self.column:
            if len(assignments) != 1:
                raise ValueError(f"--CanvasGradesExport.column names one column, but "
                                 f"{len(assignments)} assignments are exported: pick one")
            headers = [self.column]
        students = [s for s in gradebook.students
                    if not self.student or s.id in map(str, self.student)]
        self.log.info("Exporting %d students' grades for the LMS to %s", len(students), dest)
        with open(dest, "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *headers])
            writer.writerow(["Points Possible", "", "", "", "", *(_number(a.max_score) for a in assignments)])
            for student in sorted(students, key=lambda s: s.id):
                name = ", ".join(n for n in (student.last_name, student.first_name) if n) or student.id
                scores = [_final_score(gradebook, a.name, student.id) for a in assignments]
                writer.writerow([name, student.id, "", "", "", *scores])


def _final_score(gradebook, assignment, student):
    """The score after any late penalty, as nbgrader's own export computes it; '' when
    the student has no submission."""
    try:
        submission = gradebook.find_submission(assignment, student)
    except MissingEntry:
        return ""
    return _number(max(0.0, submission.score - submission.late_submission_penalty))


def _number(value):
    return f"{value:g}"
