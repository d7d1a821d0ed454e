"""Where things are in the course folder, and how to run nbgrader in it."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = "expressions_to_ml"
NOTEBOOK = "expressions_to_ml"  # the notebook's file name, without .ipynb

# Which question each test cell belongs to, by grade_id prefix.
QUESTIONS = {
    "Q1 compute_gradient": ("compute_gradient_",),
    "Q2 operator gradients": ("minus_gradient", "divide_gradient", "negative_gradient"),
    "Q3 fit": ("fit_",),
}


def question_of(grade_id):
    """The question a test cell's grade_id belongs to."""
    for question, prefixes in QUESTIONS.items():
        if grade_id.startswith(prefixes):
            return question
    raise KeyError(f"test cell {grade_id!r} belongs to no question")


def notebook_path(course_dir, folder, student=None):
    """Path of the assignment notebook in source/ or release/ (student=None) or in
    submitted/, autograded/, feedback/ (with a student id)."""
    parts = [Path(course_dir), folder] + ([student] if student else []) + [ASSIGNMENT]
    suffix = ".html" if folder == "feedback" else ".ipynb"
    return Path(*parts) / (NOTEBOOK + suffix)


def tool_env():
    """The environment for nbgrader: this interpreter's bin/ first on PATH, since
    nbgrader shells out to `alembic` to create the gradebook, and this repository on
    PYTHONPATH, since nbgrader_config.py registers the grading package's modules."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    # A course copy elsewhere (tests, demo) imports the grading package from here.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def run_nbgrader(course_dir, *args, check=True):
    """Runs `nbgrader ARGS` in course_dir; returns the CompletedProcess (output captured)."""
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course_dir, env=tool_env(), capture_output=True, text=True,
    )
    if check and result.returncode != 0:
        raise RuntimeError(
            f"nbgrader {' '.join(args)} failed with exit code {result.returncode}:\n"
            f"{result.stdout}\n{result.stderr}")
    return result
