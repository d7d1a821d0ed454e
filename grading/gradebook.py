"""Reading scores back from the course's gradebook."""
from collections import defaultdict

from nbgrader.api import Gradebook, MissingEntry
from traitlets.config.loader import PyFileConfigLoader

from .course import ASSIGNMENT, NOTEBOOK, question_of


def course_config(course_dir):
    """The configuration the course's nbgrader_config.py sets."""
    return PyFileConfigLoader("nbgrader_config.py", path=str(course_dir)).load_config()


def db_url(course_dir):
    """The gradebook URL that the course's nbgrader_config.py selects."""
    return course_config(course_dir).CourseDirectory.db_url


def cell_scores(course_dir, student):
    """{grade_id: (score, max_score)} of a student's autograded notebook, or None when the
    gradebook has no graded notebook for that student."""
    with Gradebook(db_url(course_dir)) as gb:
        try:
            notebook = gb.find_submission_notebook(NOTEBOOK, ASSIGNMENT, student)
        except MissingEntry:
            return None
        return {grade.cell.name: (grade.score, grade.max_score) for grade in notebook.grades}


def question_scores(scores):
    """{question: (score, max_score)} summed from cell_scores()."""
    totals = defaultdict(lambda: [0.0, 0.0])
    for grade_id, (score, max_score) in scores.items():
        totals[question_of(grade_id)][0] += score
        totals[question_of(grade_id)][1] += max_score
    return {question: tuple(pair) for question, pair in totals.items()}


def students(course_dir):
    """Ids of the students in the gradebook, sorted."""
    with Gradebook(db_url(course_dir)) as gb:
        return sorted(student.id for student in gb.students)
