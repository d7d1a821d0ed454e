"""Grade the demo class end to end with nbgrader's own commands (the README's main job).

    grading demo [--course DIR] [--assignment NAME]

In the course folder (default: here), for the assignment (default: the course's only one):
1. `nbgrader generate_assignment`: source/ -> release/ (the student version);
2. each demo/students/<id>.py (answer files, see grading.submissions) becomes
   submitted/<id>/<assignment>/<notebook>.ipynb, built from the release;
3. `nbgrader autograde`: executes every submission, scores into the gradebook,
   graded notebooks into autograded/;
4. `nbgrader generate_feedback`: one HTML page per student in feedback/;
5. `nbgrader export`: grades.csv, one row per student and assignment;
6. similar answers (grading similarity), then the instructor report (grading report:
   scores per question, flags and reasons) and the class report.
"""
from pathlib import Path

from ..assignment import AssignmentError, assignment_names, read_assignment
from ..course import notebook_path, run_nbgrader
from ..submissions import build_submission, read_answers, write_submission
from ..class_report import write_class_report
from . import report, similarity


def demo_students(course_dir):
    """The demo class's answer files, demo/students/*.py."""
    students = sorted((Path(course_dir) / "demo" / "students").glob("*.py"))
    if not students:
        raise AssignmentError(f"no demo class: {Path(course_dir) / 'demo' / 'students'} "
                              "holds no answer file")
    return students


def submit_demo_class(course_dir, assignment):
    """Writes one submission per demo/students/*.py; returns their ids."""
    students = demo_students(course_dir)
    notebook = read_assignment(course_dir, assignment).notebooks[0]
    release = notebook_path(course_dir, "release", assignment, notebook)
    for answer_file in students:
        nb = build_submission(release, read_answers(answer_file))
        write_submission(course_dir, answer_file.stem, assignment, notebook, nb)
    return [answer_file.stem for answer_file in students]


def the_assignment(course_dir, name=None):
    """name, or the course's assignment when it has exactly one."""
    if name:
        return name
    names = assignment_names(course_dir)
    if len(names) != 1:
        raise AssignmentError(f"the course has {len(names)} assignments "
                              f"({', '.join(names) or 'none'}): choose one with --assignment")
    return names[0]


def main(course_dir, assignment=None):
    course_dir = Path(course_dir)
    assignment = the_assignment(course_dir, assignment)
    demo_students(course_dir)  # before anything is written
    step = lambda text: print(f"==> {text}", flush=True)
    step(f"generating the student version in release/{assignment}/")
    run_nbgrader(course_dir, "generate_assignment", assignment, "--force")
    step("collecting the demo class into submitted/")
    print("    " + ", ".join(submit_demo_class(course_dir, assignment)))
    step("autograding (each notebook runs on a fresh kernel)")
    run_nbgrader(course_dir, "autograde", assignment, "--force")
    step("writing feedback HTML into feedback/")
    run_nbgrader(course_dir, "generate_feedback", assignment, "--force")
    step("exporting grades to grades.csv")
    run_nbgrader(course_dir, "export", "--to", str(course_dir / "grades.csv"))
    step("comparing answers (grading similarity)")
    _, _, similarity_csv, similarity_line = similarity.check_class(course_dir, assignment)
    print(f"    {similarity_line}")
    rows, structure, report_csv = report.write_report(course_dir, assignment)
    class_report, _ = write_class_report(course_dir, assignment, (rows, structure))
    print()
    print(report.table(rows, structure))
    print()
    print(f"graded notebooks: {course_dir / 'autograded'}/<student>/{assignment}/")
    print(f"feedback:         {course_dir / 'feedback'}/<student>/{assignment}/")
    print(f"grades:           {course_dir / 'grades.csv'}")
    print(f"report:           {report_csv}")
    print(f"similar answers:  {similarity_csv}")
    print(f"class report:     {class_report}")
    return 0


def add_arguments(parser):
    parser.add_argument("--assignment", help="the assignment (default: the course's only one)")


def run(course_dir, options):
    return main(course_dir, options.assignment)
