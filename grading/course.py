"""A course folder (the one holding nbgrader_config.py, source/ and judges/), and the one
way this package runs nbgrader in it."""
import contextlib
import glob
import os
import subprocess
import sys
from pathlib import Path

from traitlets.config.loader import PyFileConfigLoader

CONFIG_FILE = "nbgrader_config.py"


class CourseError(RuntimeError):
    """The folder is no course, or an nbgrader command failed in it."""


def course_folder(path="."):
    """The course folder at path, resolved; CourseError when it has no nbgrader_config.py."""
    folder = Path(path).resolve()
    if not (folder / CONFIG_FILE).is_file():
        raise CourseError(f"{folder} is not a course folder (it has no {CONFIG_FILE}): run "
                          "the command there, or pass the folder with --course")
    return folder


def course_config(course_dir):
    """The configuration the course's nbgrader_config.py sets."""
    return PyFileConfigLoader(CONFIG_FILE, path=str(course_dir)).load_config()


def notebook_path(course_dir, folder, assignment, notebook, student=None):
    """Path of an assignment's notebook in source/ or release/ (student=None) or in
    submitted/, autograded/, feedback/ (with a student id)."""
    parts = [Path(course_dir), folder] + ([student] if student else []) + [assignment]
    suffix = ".html" if folder == "feedback" else ".ipynb"
    return Path(*parts) / (notebook + suffix)


def submitted_folders(course_dir, assignment):
    """{student id: its submitted/<id>/<assignment>/ folder}, sorted by id."""
    submitted = Path(course_dir) / "submitted"
    return {p.parent.name: p for p in sorted(submitted.glob(f"*/{glob.escape(assignment)}"))
            if p.is_dir()}


def is_linked(folder):
    """Whether a submission folder, or its student's folder, is a symbolic link (say, to
    a classmate's). Collection never makes one, and none is graded or compared: its files
    are someone else's."""
    return folder.is_symlink() or folder.parent.is_symlink()


def submitted_students(course_dir, assignment):
    """Ids of the students whose submission folder is theirs to grade (no link), sorted."""
    return [student for student, folder in submitted_folders(course_dir, assignment).items()
            if not is_linked(folder)]


def tool_env():
    """The environment for nbgrader: this interpreter's bin/ first on PATH, since nbgrader
    shells out to `alembic` (installed there) to create the gradebook."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


@contextlib.contextmanager
def inside(course_dir):
    """Runs the block in course_dir with tool_env()'s PATH, as `nbgrader` started there
    would run (nbgrader reads ./nbgrader_config.py, and puts the folder on the import
    path: a late-penalty plugin module beside the config imports)."""
    before, path = os.getcwd(), os.environ.get("PATH", "")
    os.chdir(course_dir)
    os.environ["PATH"] = tool_env()["PATH"]
    try:
        yield
    finally:
        os.chdir(before)
        os.environ["PATH"] = path


def run_nbgrader(course_dir, *args, check=True):
    """Runs `nbgrader ARGS` in course_dir with its nbgrader_config.py; returns the
    CompletedProcess (output captured). check: raise CourseError when it fails."""
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course_dir,
                            env=tool_env(), capture_output=True, text=True)
    if check and result.returncode != 0:
        raise CourseError(f"`nbgrader {' '.join(args)}` failed with exit code "
                          f"{result.returncode}:\n{result.stdout}{result.stderr}")
    return result
