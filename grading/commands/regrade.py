"""Regrade a class after a fix to the source notebook, and report whose scores changed.

    grading regrade ASSIGNMENT [--scheduler tls://HOST:PORT | --workers N] [--course DIR]
                    [-- NBGRADER_ARGS...]

After editing source/ASSIGNMENT/*.ipynb (a corrected test, or a new test cell), this
command, holding the course lock:
  1. adds the source's new cells to the gradebook, with an empty grade (or comment) for
     every submission, as nbgrader does when it adds a submission; stock nbgrader refuses
     ("Cannot add or remove cells ... because there are submissions associated with it").
     A cell removed from the source is refused here, before anything is touched;
  2. regenerates release/ (`nbgrader generate_assignment ASSIGNMENT --force`);
  3. autogrades every submitted student again, with the engine of `grading autograde
     --force` (--workers, --scheduler), and feedback too when feedback/ has some for the
     assignment, so no student keeps a stale page. nbgrader keeps manual scores and
     comments (a cell with a manual score keeps it and is flagged for review);
  4. prints each student whose scores changed (old and new total, each changed cell as
     old -> new, "-" for a cell they had no score for) and writes the same to
     reports/ASSIGNMENT/regrade-YYYYmmdd-HHMMSS.csv. When nothing changed it says so, and
     the CSV holds its header only: every regrade leaves its record.

A student whose regrade fails keeps what they had: their autograded and feedback folders
and their scores are put back as they were. An interrupted regrade (Ctrl-C): run it again;
its report then compares with the scores at that point.
"""
import glob
import shutil
import tempfile
import time
from pathlib import Path

import nbformat
from nbgrader import utils
from nbgrader.api import Comment, Grade, MissingEntry
from nbgrader.preprocessors import IncludeHeaderFooter

from .. import csv_safe, gradebook
from ..course import CourseError, inside, run_nbgrader, submitted_students
from ..course_lock import course_lock
from ..nbgrader_run import Step, arguments_for
from . import autograde
from .autograde import add_engine_arguments, grade_class, summarize

# The gradebook's cell tables, as nbgrader's SaveCells fills them.
KINDS = ("grade", "solution", "task", "source")
# What a submission holds for a cell of each kind, as Gradebook.add_submission makes it.
SUBMISSION_ROWS = {"grade": (Grade,), "solution": (Comment,), "task": (Grade, Comment),
                   "source": ()}
# What nbgrader's autograde writes (never a manual score or comment).
AUTOGRADE_FIELDS = {"grades": ("auto_score", "needs_manual_grade"), "comments": ("auto_comment",)}
COLUMNS = ["student", "old_total", "new_total", "changed_cells"]
RESUME = ("Students already regraded keep their new results: run grading regrade again "
          "(its report then compares with the scores at this point)")
GRADED_FOLDERS = ("autograded", "feedback")


class CannotRegrade(CourseError):
    """Regrading would lose grades, or has nothing to compare with: nothing was touched."""


# --- the source's cells against the gradebook's ----------------------------------------

def source_cells(path):
    """{kind: {grade_id: row}} of a source notebook: the rows nbgrader's SaveCells would
    write for it (generate_assignment rewrites them, with checksums, right after)."""
    cells = {kind: {} for kind in KINDS}
    for cell in nbformat.read(str(path), as_version=4).cells:
        roles = {"grade": utils.is_grade(cell), "solution": utils.is_solution(cell),
                 "task": utils.is_task(cell)}
        if not (any(roles.values()) or utils.is_locked(cell)):
            continue  # a student's cell: not in the gradebook
        meta, name = cell.metadata.nbgrader, cell.metadata.nbgrader["grade_id"]
        scored = {"max_score": float(meta.get("points", 0)), "cell_type": cell.cell_type}
        for kind, row in (("grade", scored), ("solution", {}), ("task", scored)):
            if roles[kind]:
                cells[kind][name] = row
        cells["source"][name] = {"cell_type": cell.cell_type, "locked": utils.is_locked(cell),
                                 "source": cell.source, "checksum": meta.get("checksum")}
    return cells


def _gradebook_cells(notebook):
    return {kind: {cell.name for cell in getattr(notebook, f"{kind}_cells")} for kind in KINDS}


def new_cells(course_dir, assignment):
    """{notebook: {kind: {grade_id: row}}} of the cells the source has and the gradebook
    lacks; CannotRegrade if the source lost a cell or a notebook the gradebook holds."""
    source = Path(course_dir) / "source" / assignment
    added = {}
    with gradebook.open_gradebook(course_dir) as gb:
        notebooks = {nb.name: nb for nb in gb.find_assignment(assignment).notebooks}
        on_disk = {path.stem: path for path in sorted(source.glob("*.ipynb"))}
        if set(on_disk) != set(notebooks):
            raise CannotRegrade(
                f"source/{assignment}/ has the notebooks {sorted(on_disk)} but the gradebook "
                f"{sorted(notebooks)}: nbgrader cannot add or remove a notebook once submissions "
                "are collected, so nothing was changed")
        for name, path in on_disk.items():
            cells, known = source_cells(path), _gradebook_cells(notebooks[name])
            removed = sorted({cell for kind in KINDS for cell in known[kind] - set(cells[kind])})
            if removed:
                raise CannotRegrade(
                    f"source/{assignment}/{path.name} no longer has the cell(s) "
                    f"{', '.join(removed)} (or they lost their nbgrader role), which the gradebook "
                    "keeps for every submission: nbgrader cannot remove a cell once submissions "
                    "are collected, so nothing was changed. Put the cell back (edit its test "
                    "instead) and run grading regrade again")
            added[name] = {kind: {cell: row for cell, row in cells[kind].items()
                                  if cell not in known[kind]} for kind in KINDS}
    return added


def add_cells(course_dir, assignment, added):
    """Puts new_cells() in the gradebook, with their empty Grade or Comment in every
    submission; generate_assignment then finds no cell added. Returns the new graded,
    answer and task cells' grade ids."""
    names = []
    with gradebook.open_gradebook(course_dir) as gb:
        for notebook, kinds in added.items():
            for kind in KINDS:
                for name, row in kinds[kind].items():
                    create = getattr(gb, f"update_or_create_{kind}_cell")
                    cell = create(name, notebook, assignment, **row)
                    for submitted in gb.find_notebook(notebook, assignment).submissions:
                        gb.db.add_all(empty(cell_id=cell.id, notebook=submitted)
                                      for empty in SUBMISSION_ROWS[kind])
                    if kind != "source" and name not in names:
                        names.append(name)
        gb.db.commit()
    return names


def _cell_sources(path):
    return [cell.source for cell in nbformat.read(str(path), as_version=4).cells]


def check_header_footer(course_dir, assignment, nbgrader_args=()):
    """CannotRegrade, before anything is touched, when the release was generated with a
    header or footer notebook that the configuration of this run does not give
    (IncludeHeaderFooter, in nbgrader_config.py or after --): generating the release
    again would silently drop it. Seen from the release: the source's first (last) cell
    sits further in (earlier) than a header (footer) of this configuration explains."""
    with inside(course_dir):
        step = Step("generate_assignment", assignment, list(nbgrader_args))
    configured = IncludeHeaderFooter(config=step.app.config)
    folder = Path(course_dir)
    for source in sorted((folder / "source" / assignment).glob("*.ipynb")):
        released = folder / "release" / assignment / source.name
        if not released.is_file():
            continue
        cells, release = _cell_sources(source), _cell_sources(released)
        if not cells:
            continue
        missing = [part for part, given, kept in (
            ("header", configured.header, cells[0] in release[1:] and release[0] != cells[0]),
            ("footer", configured.footer, cells[-1] in release[:-1] and release[-1] != cells[-1]))
            if kept and not given]
        if missing:
            what = " and ".join(f"a {part}" for part in missing)
            raise CannotRegrade(
                f"release/{assignment}/{source.name} was generated with {what} that this "
                f"configuration does not give (IncludeHeaderFooter); generating it again would "
                f"drop it, so nothing was changed. Set it in nbgrader_config.py, e.g. "
                f"c.IncludeHeaderFooter.{missing[0]} = \"source/{missing[0]}.ipynb\", or pass "
                f"it: grading regrade {assignment} -- "
                f"--IncludeHeaderFooter.{missing[0]}=source/{missing[0]}.ipynb")


# --- what a failed regrade must not lose -----------------------------------------------

def _autograded_rows(submission):
    """((notebook, cell, table), row, fields) of what autograde writes in a submission."""
    for nb in submission.notebooks:
        for table, fields in AUTOGRADE_FIELDS.items():
            for row in getattr(nb, table):
                yield (nb.name, row.cell.name, table), row, fields


def _saved_autograde(course_dir, assignment, students):
    """{student: {row key: {field: value}}} of AUTOGRADE_FIELDS, for a failed regrade."""
    saved = {}
    with gradebook.open_gradebook(course_dir) as gb:
        for student in students:
            try:
                submission = gb.find_submission(assignment, student)
            except MissingEntry:
                continue
            saved[student] = {key: {field: getattr(row, field) for field in fields}
                              for key, row, fields in _autograded_rows(submission)}
    return saved


def _put_back(course_dir, assignment, students, saved, backup):
    """The students' folders and autograded fields as they were before the regrade."""
    with gradebook.open_gradebook(course_dir) as gb:
        for student in students:
            for folder in GRADED_FOLDERS:
                kept = backup / folder / student
                current = Path(course_dir) / folder / student / assignment
                if kept.is_dir():
                    shutil.rmtree(current, ignore_errors=True)
                    shutil.copytree(kept, current, symlinks=True)
            if student in saved:
                for key, row, _ in _autograded_rows(gb.find_submission(assignment, student)):
                    for field, value in saved[student].get(key, {}).items():  # a new cell: none
                        setattr(row, field, value)
        gb.db.commit()


def _back_up(course_dir, assignment, students, backup):
    """Copies each student's autograded and feedback folders of the assignment."""
    for folder in GRADED_FOLDERS:
        for student in students:
            graded = Path(course_dir) / folder / student / assignment
            if graded.is_dir():
                shutil.copytree(graded, backup / folder / student, symlinks=True)  # never follow a link


# --- the comparison --------------------------------------------------------------------

def _score(entry):
    return None if entry is None else entry[0]


def _total(cells):
    return None if cells is None else sum(_score(entry) for entry in cells.values())


def score_changes(before, after):
    """[(student, old total, new total, [(cell, old, new)])] for each student with a cell
    whose score changed (None: no score, e.g. a new cell), from two gradebook.snapshot()s."""
    changes = []
    for student in sorted(set(before) | set(after)):
        old, new = before.get(student) or {}, after.get(student) or {}
        cells = list(new) + [key for key in old if key not in new]
        changed = [(key, _score(old.get(key)), _score(new.get(key))) for key in cells]
        changed = [(key, was, now) for key, was, now in changed if was != now]
        if changed:
            changes.append((student, _total(before.get(student)), _total(after.get(student)),
                            changed))
    return changes


def _points(value):
    return "-" if value is None else f"{value:g}"


def _cells_text(changed):
    return "; ".join(f"{key}: {_points(was)} -> {_points(now)}" for key, was, now in changed)


def write_changes(course_dir, assignment, changes):
    """reports/<assignment>/regrade-<time>.csv, one row per student in changes; its path."""
    name = f"regrade-{time.strftime('%Y%m%d-%H%M%S')}.csv"
    path = Path(course_dir) / "reports" / assignment / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        writer = csv_safe.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows([student, _points(was), _points(now), _cells_text(changed)]
                         for student, was, now, changed in changes)
    return path


# --- the command -----------------------------------------------------------------------

def regrade(course_dir, assignment, nbgrader_args=(), scheduler=None, workers=None):
    """Steps 1 to 3 of the module doc; the caller holds the course lock. Returns
    (ClassGrading, score_changes, the new cells' grade ids)."""
    gradebook.prepare(course_dir, assignment)
    students = submitted_students(course_dir, assignment)
    if not students:
        raise CannotRegrade(f"submitted/*/{assignment}/ holds no submission: nothing to regrade")
    before = gradebook.snapshot(course_dir, assignment, students)
    if not any(before.values()):
        raise CannotRegrade(f"no submission of {assignment} was autograded yet, so there are no "
                            f"scores to compare with: run `grading autograde {assignment}` instead")
    added = new_cells(course_dir, assignment)  # refuses before anything is touched
    check_header_footer(course_dir, assignment, nbgrader_args)  # so does this
    feedback = any((Path(course_dir) / "feedback").glob(f"*/{glob.escape(assignment)}"))
    saved = _saved_autograde(course_dir, assignment, students)
    reports = Path(course_dir) / "reports" / assignment
    reports.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="regrade-backup-", dir=reports) as backup:
        _back_up(course_dir, assignment, students, Path(backup))
        added_names = add_cells(course_dir, assignment, added)
        run_nbgrader(course_dir, "generate_assignment", assignment, "--force",
                     *arguments_for("generate_assignment", nbgrader_args))
        graded = grade_class(course_dir, assignment, students, force=True, feedback=feedback,
                             nbgrader_args=nbgrader_args, scheduler=scheduler, workers=workers)
        # nbgrader removes a student's old results as it starts writing the new ones, and a
        # result that fails to record is removed: put back what those who failed had. One
        # whose feedback alone failed keeps the new grades and no page (never a stale one).
        _put_back(course_dir, assignment, graded.failed("autograde"), saved, Path(backup))
    after = gradebook.snapshot(course_dir, assignment, students)
    return graded, score_changes(before, after), added_names


def add_arguments(parser):
    parser.add_argument("assignment")
    add_engine_arguments(parser)
    parser.epilog = "Arguments after -- go to nbgrader unchanged (e.g. -- --Execute.timeout=60)."


def run(course_dir, options):
    assignment = options.assignment
    scheduler = autograde.engine_scheduler(course_dir, options)
    with course_lock(course_dir, f"grading regrade {assignment}"):
        graded, changes, added = regrade(course_dir, assignment, options.nbgrader_args,
                                         scheduler, options.workers)
        path = write_changes(course_dir, assignment, changes)
    if added:
        print(f"new cells, added to the gradebook for every submission: {', '.join(added)}")
    for step, (results, seconds) in graded.steps.items():
        print(f"{step}: {summarize(results, seconds)}")
    students = len(graded.steps["autograde"][0])
    if changes:
        print(f"Scores changed for {len(changes)} of {students} students (student: old total -> "
              "new total, changed cells):")
        for student, was, now, changed in changes:
            print(f"  {student}: {_points(was)} -> {_points(now)}  ({_cells_text(changed)})")
        print(f"CSV: {path}")
    else:
        print(f"No score changed ({students} regraded): every student kept the scores they had "
              f"(CSV, header only: {path}).")
    return 1 if graded.failed() else 0
