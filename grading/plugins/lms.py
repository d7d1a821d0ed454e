"""nbgrader plugins for a Canvas-style LMS: collecting its submissions download, and a
grades file it can import.

Collecting (`nbgrader zip_collect`, with CanvasExtractor and CanvasCollector)
----------------------------------------------------------------------------
Canvas names each file (each "upload") in its "Download submissions" zip

    <name>_[late_]<user id>_<upload id>_<the student's file name>[-<n>].<ext>

e.g. `doejane_12345_67890_expressions_to_ml.ipynb`, `doejane_late_12345_67891_
expressions_to_ml-1.ipynb` (late, and Canvas's `-1` for a second file of the same name).
An upload is one student's and nothing else's:
- the student (the Canvas user id, the id Canvas matches on import) and their name come
  from the upload's own name in the download, never from anything inside it;
- an upload that is an archive (.zip, .tar[.gz|.bz2|.xz], or .ipynb.gz) is read with
  limits (grading/plugins/uploads.py), and only its notebooks come out, matched to the
  assignment's notebooks by name: the exact name, else a name that contains it
  ("Copy of expressions_to_ml (2)"), else, when the assignment has one notebook, that one.
  Several candidates for one notebook: the exact name, then the shallowest, then the
  first by path; the others are reported as duplicates. A file inside named like another
  student's upload is just one more candidate for this student;
- per student and notebook the latest upload is kept (highest upload id, then highest
  `-n`); stock nbgrader cannot tell them apart and stops with "Duplicate submission file";
- an upload that cannot be read, or is over a limit, is reported for that student
  (unreadable / refused, with the reason) and the rest of the class is collected;
- downloaded/<assignment>/collected.csv: one row per upload or notebook with the decision
  (written with grading/csv_safe.py, as every CSV here).
CanvasExtractor takes each .zip in archive/ as an LMS download (any other file there as one
upload), writes the kept notebooks to extracted/<n>/<k>.ipynb (names we choose) and the plan
to collected.csv; CanvasCollector hands zip_collect exactly those.

Feedback back to Canvas (feedback_zip, written by `grading class-run`)
-----------------------------------------------------------------------
Canvas's "Re-upload submissions" (an assignment's submissions, after a download) takes a
zip and attaches each file in it, as a comment, to the submission it names: it reads the
first two all-digit parts of the file's name, `_`-separated, as the user id and the id
of an uploaded file of that user's submission, and ignores folders, `LATE` and the rest
of the name. Each collected notebook's feedback page is named after its upload,
`<the upload's name without its extension>[_<notebook>, from an archive]_feedback.html`: one comment per student, on the
upload that was graded. (Canvas shows the attachment under the upload's own file name.)

Exporting (`nbgrader export --exporter grading.plugins.lms.CanvasGradesExport --to FILE`)
-------------------------------------------------------------------------------
`nbgrader export` itself (grades.csv) uses SafeCsvExport (the course's config): nbgrader's
columns and values, every field quoted and no cell a formula.

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
from nbgrader.plugins import CsvExportPlugin, ExportPlugin, ExtractorPlugin, FileNameCollectorPlugin
from nbgrader.utils import find_all_notebooks
from traitlets import Unicode

from .. import csv_safe
from . import uploads
from .uploads import UploadError, kind, read_upload, shown, suffix

# Matched against "/" + the upload's name in the download (a path for nbgrader's collector
# plugins, hence the leading ".*/"); only the name itself is read.
CANVAS_PATTERN = (
    r".*/(?P<name>[^/]+?)_(?:(?P<late>late)_)?(?P<student_id>\d+)_(?P<upload_id>\d+)_"
    r"(?P<file_id>[^/]+?)(?:-(?P<resubmission>\d+))?(?P<extension>\.[^./]+(?:\.gz)?)$"
)
MANIFEST = "collected.csv"
KEPT = ("collected", "renamed")
# Uploads that gave nothing because of what they are (the class-run's exit status says so).
NOT_READ = ("unreadable", "refused")


@dataclass
class CollectedFile:
    """What collecting decided about one upload of the download, or one notebook in it."""
    upload: str                 # the upload's name in the download (Canvas's name)
    student_id: str = ""
    name: str = ""
    late: bool = False
    inner: str = ""             # the notebook's path inside an archive upload
    notebook: str = ""
    decision: str = ""  # collected | renamed | superseded | duplicate | not an assignment
    #                     notebook | not a notebook | no notebook | unreadable | refused |
    #                     not an LMS file name
    note: str = ""
    path: str = ""              # the notebook as extracted (what zip_collect copies)


@dataclass
class Upload:
    """One file of the download as read: its notebooks [(name inside, extracted path)],
    or the reason it gave none."""
    upload: str
    notebooks: list
    decision: str = ""
    note: str = ""


def plan_collection(download, notebooks, pattern=CANVAS_PATTERN):
    """[CollectedFile] for the download's uploads ([Upload]): whose each is (from the upload's own
    Canvas name, never from anything inside it), which notebook, and which is kept: per
    student and notebook, the latest upload, and within one archive the best-named file."""
    plan, candidates = [], {}
    for up in sorted(download, key=lambda u: u.upload):
        match = re.match(pattern, "/" + os.path.basename(up.upload), re.IGNORECASE)
        if not match:
            plan.append(CollectedFile(up.upload, decision="not an LMS file name", note=up.note))
            continue
        parts = match.groupdict()
        who = dict(student_id=parts["student_id"], name=parts["name"], late=bool(parts.get("late")))
        if not up.notebooks:
            plan.append(CollectedFile(up.upload, **who, decision=up.decision or "no notebook",
                                      note=up.note or "no notebook in this upload"))
        order = (int(parts.get("upload_id") or 0), int(parts.get("resubmission") or 0))
        for inner, path in up.notebooks:
            notebook, quality = _notebook_of(parts, inner, notebooks)
            entry = CollectedFile(up.upload, **who, inner=inner, notebook=notebook or "", path=path,
                                  note=up.note)
            plan.append(entry)
            if notebook is None:
                entry.decision = "not an assignment notebook"
                entry.note = f"the assignment's notebooks are {', '.join(notebooks)}"
                continue
            entry.decision = "collected" if quality == 2 else "renamed"
            if quality < 2:
                entry.note = f"{os.path.basename(inner) or parts['file_id']!r} taken as notebook {notebook!r}"
            depth = inner.count("/")
            candidates.setdefault((entry.student_id, notebook), []).append(
                ((order, quality, -depth), inner, entry))
    for entries in candidates.values():  # one student's files for one notebook
        entries.sort(key=lambda c: c[1])  # ties: the first by path inside the archive
        best, _, kept = max(entries, key=lambda c: c[0])
        for key, _, entry in entries:
            if entry is kept:
                continue
            if key[0] != best[0]:
                entry.decision, entry.note = "superseded", f"a later upload was kept: {os.path.basename(kept.upload)}"
            else:
                entry.decision, entry.note = "duplicate", f"this upload's {kept.inner!r} was kept"
    return plan


def _notebook_of(parts, inner, notebooks):
    """(notebook, quality) for a file, given the release's notebooks: 2 its exact name,
    1 a name it contains ("Copy of hw (2)"), 0 the only notebook; (None, 0) if none."""
    if inner:
        stem = os.path.basename(inner)
        stem = stem[:len(stem) - len(suffix(stem))]
    else:
        stem = parts["file_id"]
        if parts.get("resubmission") and f"{stem}-{parts['resubmission']}" in notebooks:
            return f"{stem}-{parts['resubmission']}", 2  # "-1" was part of the real name
    if stem in notebooks:
        return stem, 2
    contained = sorted((nb for nb in notebooks if nb.lower() in stem.lower()), key=len)
    if contained and (len(contained) == 1 or len(contained[-1]) > len(contained[-2])):
        return contained[-1], 1
    if len(notebooks) == 1:
        return notebooks[0], 0
    return None, 0


def write_manifest(plan, path):
    with open(path, "w", newline="") as f:
        writer = csv_safe.dict_writer(f, [field.name for field in fields(CollectedFile)])
        writer.writeheader()
        writer.writerows(asdict(entry) for entry in plan)


def read_manifest(path):
    with open(path, newline="") as f:
        return [CollectedFile(**dict({k: csv_safe.plain(v) for k, v in row.items()},
                                     late=row["late"] == "True"))
                for row in csv.DictReader(f)]


def feedback_name(entry):
    """The name of a collected upload's feedback in the zip for Canvas (a notebook from
    an archive adds its name: an archive may hold several)."""
    name = os.path.basename(entry.upload)
    stem = name[:-len(suffix(name))] if suffix(name) else name
    return stem + (f"_{entry.notebook}" if kind(name) in ("zip", "tar") else "") + "_feedback.html"


def feedback_zip(course_dir, assignment, entries, destination, failed=()):
    """Writes the zip for Canvas's "Re-upload submissions": the feedback page of each
    collected upload (collected.csv), named by feedback_name. Students in `failed`
    (whose grading failed in this run) are left out, since a page left from an earlier
    upload would be attached to the new one. Returns the entries left out."""
    missing = []
    with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in sorted(entries, key=feedback_name):
            if entry.decision not in KEPT:
                continue
            page = os.path.join(course_dir, "feedback", entry.student_id, assignment, f"{entry.notebook}.html")
            if entry.student_id not in failed and os.path.isfile(page):
                archive.write(page, feedback_name(entry))
            else:
                missing.append(entry)
    return missing


class CanvasExtractor(ExtractorPlugin):
    """zip_collect's extractor for Canvas downloads: each upload read on its own, with
    limits (grading/plugins/uploads.py); only notebooks are written, under names we
    choose, and the plan goes to collected.csv for CanvasCollector."""

    named_regexp = Unicode(
        CANVAS_PATTERN,
        help="Pattern for an upload's name (matched as '/<name>'); needs (?P<student_id>), "
             "(?P<file_id>), and may have (?P<name>), (?P<late>), (?P<upload_id>), "
             "(?P<resubmission>).",
    ).tag(config=True)

    def extract(self, archive_path, extracted_path):
        app = self.parent
        download = []  # every upload, as read
        for root, _, names in sorted(os.walk(archive_path)):
            for name in sorted(names):
                path = os.path.join(root, name)
                if kind(name) == "zip":  # the LMS's download (students never put files here)
                    download += self._lms_zip(path, extracted_path, len(download))
                else:  # an upload on its own
                    download.append(self._read(name, lambda p=path: open(p, "rb"), extracted_path, len(download)))
        release = app.coursedir.format_path(app.coursedir.release_directory, ".", app.coursedir.assignment_id)
        notebooks = [os.path.splitext(nb)[0] for nb in find_all_notebooks(release)]
        plan = plan_collection(download, notebooks, self.named_regexp)
        write_manifest(plan, os.path.join(os.path.dirname(extracted_path), MANIFEST))
        kept = {entry.path for entry in plan if entry.decision in KEPT}
        for _, path in (nb for up in download for nb in up.notebooks):
            if path not in kept:
                os.remove(path)  # zip_collect offers whatever is left here to the collector
        for entry in plan:
            if entry.decision in NOT_READ:
                self.log.warning("Not collected: %s: %s", entry.upload, entry.note)

    def _lms_zip(self, path, extracted_path, first):
        """The uploads of the LMS's download zip, each read on its own."""
        try:
            download = zipfile.ZipFile(path)
        except zipfile.BadZipFile as error:
            self.parent.fail(f"{path} is not a zip file that can be read ({error})")
        with download:
            infos = [info for info in download.infolist() if not info.is_dir()]
            return [self._read(f"{os.path.basename(path)}/{info.filename}",
                               lambda info=info: download.open(info), extracted_path, first + n)
                    for n, info in enumerate(infos)]

    def _read(self, upload, opener, extracted_path, number):
        """The upload read (its notebooks written to extracted/<number>/<k>.ipynb), or
        why it gave none. Nothing here stops the collection: one upload, one student."""
        upload = shown(upload, limit=None)  # Canvas's name: read whole
        if not kind(upload):
            return Upload(upload, [], "not a notebook",
                          "only notebooks (.ipynb, .ipynb.gz) and .zip/.tar archives of them are read")
        try:
            with opener() as f:
                data = f.read(uploads.MAX_UPLOAD_BYTES + 1)
            if len(data) > uploads.MAX_UPLOAD_BYTES:
                raise UploadError(f"larger than {uploads.MAX_UPLOAD_BYTES // uploads.MiB} MiB", refused=True)
            found, skipped = read_upload(upload, data)
        except UploadError as error:
            return Upload(upload, [], "refused" if error.refused else "unreadable", str(error))
        except Exception as error:  # e.g. this upload's data in the download is corrupt
            return Upload(upload, [], "unreadable", shown(f"{type(error).__name__}: {error}"))
        folder = os.path.join(extracted_path, str(number))
        os.makedirs(folder, exist_ok=True)
        notebooks = []
        for k, (inner, content) in enumerate(found):
            path = os.path.join(folder, f"{k}.ipynb")
            with open(path, "wb") as out:
                out.write(content)
            notebooks.append((shown(inner), path))
        note = f"not read (links or unsafe names): {', '.join(skipped[:5])}" if skipped else ""
        return Upload(upload, notebooks, note=note)


class CanvasCollector(FileNameCollectorPlugin):
    """zip_collect's collector for Canvas downloads: takes what CanvasExtractor planned
    (collected.csv) and nothing else."""

    _plan = None

    def collect(self, submitted_file):
        if self._plan is None:
            app = self.parent
            manifest = os.path.join(app.coursedir.root, app.downloaded_directory,
                                    app.coursedir.assignment_id, MANIFEST)
            if not isinstance(app.extractor_plugin_inst, CanvasExtractor) or not os.path.exists(manifest):
                app.fail("CanvasCollector needs CanvasExtractor: "
                         "--extractor=grading.plugins.lms.CanvasExtractor")
            self._plan = {e.path: e for e in read_manifest(manifest) if e.decision in KEPT}
        entry = self._plan.get(submitted_file)
        if entry is None:
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
            writer = csv_safe.writer(f)
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


class SafeCsvExport(CsvExportPlugin):
    """nbgrader's CSV export (grades.csv: its columns, its values), written with
    grading/csv_safe.py: nbgrader's own joins fields with commas, unquoted, so a name
    with a comma splits its row and one starting with `=` is a formula."""

    KEYS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name",
            "email", "raw_score", "late_submission_penalty", "score", "max_score"]

    def export(self, gradebook):
        dest = self.to or "grades.csv"
        students = [str(s) for s in self.student]
        assignments = [str(a) for a in self.assignment]
        self.log.info("Exporting grades to %s", dest)
        with open(dest, "w", newline="") as f:
            writer = csv_safe.writer(f)
            writer.writerow(self.KEYS)
            for assignment in gradebook.assignments:
                if assignments and assignment.name not in assignments:
                    continue
                for student in gradebook.students:
                    if students and student.id not in students:
                        continue
                    writer.writerow(_text(v) for v in self._row(gradebook, assignment, student))

    def _row(self, gradebook, assignment, student):
        """The values of nbgrader's CsvExportPlugin, in KEYS order."""
        try:
            submission = gradebook.find_submission(assignment.name, student.id)
            timestamp, raw = submission.timestamp, submission.score
            penalty = submission.late_submission_penalty
        except MissingEntry:  # no submission: zero, as nbgrader exports it
            timestamp, raw, penalty = "", 0.0, 0.0
        return [assignment.name, assignment.duedate, timestamp, student.id, student.last_name,
                student.first_name, student.email, raw, penalty, max(0.0, raw - penalty),
                assignment.max_score]


def _text(value):
    return "" if value is None else str(value)
