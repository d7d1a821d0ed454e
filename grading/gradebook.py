"""The course's gradebook (nbgrader's Gradebook, at the URL nbgrader_config.py sets):
preparing it for a grading run and reading scores back."""
import contextlib
import datetime
import sqlite3

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory
from sqlalchemy.engine import make_url

from .assignment import cell_key
from .course import CourseError, course_config

RECORDED = ("score", "max_score", "needs_manual_grade")  # what grading writes per cell
# What autograde alone decides per cell: a grader's manual score (and the review mark
# nbgrader sets beside it) survive `autograde --force`, so they are left out when a
# worker's result is checked against what the course's gradebook recorded.
AUTOGRADED = ("auto_score", "max_score")
# The assignment's structure, as generate_assignment's SaveCells writes it: per table of
# cells, the columns a worker's gradebook needs to autograde exactly as this one would.
CELL_COLUMNS = {
    "grade_cells": ("name", "max_score", "cell_type"),
    "solution_cells": ("name",),
    "task_cells": ("name", "max_score", "cell_type"),
    "source_cells": ("name", "cell_type", "locked", "source", "checksum"),
}
SQLITE_WAIT_SECONDS = 300  # how long a writer waits for another one (pysqlite: 5 s)


class NotInGradebook(CourseError):
    """The assignment was never generated into this gradebook."""


def settings(course_dir):
    """(db_url, course_id) as the course's nbgrader_config.py sets them."""
    coursedir = CourseDirectory(config=course_config(course_dir), root=str(course_dir))
    return coursedir.db_url, coursedir.course_id


def patient_db_url(db_url, seconds=SQLITE_WAIT_SECONDS):
    """db_url, with SQLite told to wait up to `seconds` for another writer; other
    databases unchanged."""
    url = make_url(db_url)
    if url.get_backend_name() != "sqlite" or "timeout" in url.query:
        return db_url
    return url.update_query_dict({"timeout": str(seconds)}).render_as_string(hide_password=False)


def start_sqlite(path):
    """Starts a new SQLite gradebook file as nbgrader does, stamped with nbgrader's newest
    migration, but without the `alembic heads` process nbgrader starts to learn that
    migration (3 s of CPU, paid by every worker for every course). nbgrader's Gradebook
    then creates the tables in it as in any gradebook."""
    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import ALEMBIC_DIR
    head = ScriptDirectory(ALEMBIC_DIR).get_current_head()
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        db.execute("INSERT INTO alembic_version (version_num) VALUES (?)", (head,))


def open_gradebook(course_dir):
    """The course's Gradebook, for a `with` block."""
    db_url, course_id = settings(course_dir)
    return Gradebook(patient_db_url(db_url), course_id)


def prepare(course_dir, assignment):
    """Creates the gradebook's tables and course row now, so parallel graders never race
    to create them; raises NotInGradebook if the assignment is not in the gradebook."""
    db_url, _ = settings(course_dir)
    with Gradebook(patient_db_url(db_url)):  # some nbgrader preprocessors open it without a course id
        pass
    with open_gradebook(course_dir) as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            raise NotInGradebook(
                f"assignment {assignment!r} is not in the gradebook ({db_url}): run "
                f"`nbgrader generate_assignment {assignment}` in {course_dir} first") from None


def structure(course_dir, assignment):
    """The assignment as the course's gradebook holds it (what generate_assignment
    recorded from the source, header and automatic tests included): plain data that a
    worker turns into a gradebook of its own (fill()), instead of generating the
    assignment again from files it may not have."""
    with open_gradebook(course_dir) as gb:
        graded = gb.find_assignment(assignment)
        return {"name": graded.name,
                "duedate": graded.duedate.isoformat() if graded.duedate else None,
                "notebooks": [{"name": nb.name, "kernelspec": nb.kernelspec, **{
                    table: [{column: getattr(cell, column) for column in columns}
                            for cell in sorted(getattr(nb, table), key=lambda c: c.name)]
                    for table, columns in CELL_COLUMNS.items()}}
                    for nb in sorted(graded.notebooks, key=lambda nb: nb.name)]}


def fill(db_url, course_id, assignment):
    """Writes structure() into the gradebook at db_url, through nbgrader's Gradebook."""
    due = assignment["duedate"]
    with Gradebook(db_url, course_id) as gb:
        gb.update_or_create_assignment(
            assignment["name"], duedate=datetime.datetime.fromisoformat(due) if due else None)
        for notebook in assignment["notebooks"]:
            gb.update_or_create_notebook(notebook["name"], assignment["name"],
                                         kernelspec=notebook["kernelspec"])
            for table in CELL_COLUMNS:
                create = getattr(gb, f"update_or_create_{table[:-1]}")
                for cell in notebook[table]:
                    create(cell["name"], notebook["name"], assignment["name"],
                           **{k: v for k, v in cell.items() if k != "name"})


def _submissions(gb, assignment, students):
    """(student, their graded submission or None) for each student."""
    for student in students:
        try:
            yield student, gb.find_submission(assignment, student)
        except MissingEntry:
            yield student, None


def scores(submission, fields=("score", "max_score"), notebooks=None):
    """{key: (the grade's fields...)} of a graded submission's cells, keyed as
    Assignment.key (grade id, with its notebook when there are several); only those of
    the named notebooks when notebooks is given."""
    several = len(submission.notebooks) > 1
    return {cell_key(nb.name, grade.cell.name, several): tuple(getattr(grade, f) for f in fields)
            for nb in submission.notebooks if notebooks is None or nb.name in notebooks
            for grade in nb.grades}


def shown_in_feedback(submission):
    """What a submission's feedback page takes from the gradebook: each cell's score and
    comment, and the late penalty. Two gradebooks that agree on it give the same page."""
    several = len(submission.notebooks) > 1
    comments = {cell_key(nb.name, c.cell.name, several): c.comment
                for nb in submission.notebooks for c in nb.comments}
    return (tuple(sorted(scores(submission).items())), tuple(sorted(comments.items())),
            submission.late_submission_penalty)


def cell_scores(course_dir, assignment, student):
    """{key: (score, max_score)} of a student's graded cells, or None when the gradebook
    has no graded submission for that student."""
    with open_gradebook(course_dir) as gb:
        [(_, submission)] = _submissions(gb, assignment, [student])
        return scores(submission) if submission else None


def snapshot(course_dir, assignment, students):
    """{student: {key: (score, max_score, needs_manual_grade)}, or None when not graded}:
    everything grading wrote per graded cell, for comparing two runs."""
    with open_gradebook(course_dir) as gb:
        return {student: scores(submission, RECORDED)
                if submission else None
                for student, submission in _submissions(gb, assignment, students)}


def totals(course_dir, assignment, students):
    """{student: (score, max_score)} of the graded ones among students."""
    with open_gradebook(course_dir) as gb:
        return {student: (submission.score, submission.max_score)
                for student, submission in _submissions(gb, assignment, students) if submission}


def student_ids(course_dir):
    """Ids of the students in the gradebook, sorted."""
    with open_gradebook(course_dir) as gb:
        return sorted(student.id for student in gb.students)


def db_url(course_dir):
    """The gradebook URL that the course's nbgrader_config.py selects."""
    return settings(course_dir)[0]
