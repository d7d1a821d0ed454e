"""What travels between the instructor's machine and a grading worker, which may share no
folder with it: a task carries the course (its nbgrader_config.py and the files beside it,
the assignment's source folder, its judge, the assignment as the course's gradebook holds
it, the nbgrader arguments) and one submission; a result carries back the autograded
notebooks, the feedback files, the scores and the log.

Files are read without following symbolic links: a student's submission folder is theirs,
and a link in it must not carry the instructor's files to a worker.
"""
import dataclasses
import hashlib
import json
import os
import stat
from pathlib import Path

from . import gradebook
from .course import CONFIG_FILE, is_linked

MAX_SUBMISSION_BYTES = 64 * 1024 * 1024  # the notebook cap is 16 MiB; a folder gets room for data
MAX_FILES = 1000


class Refused(ValueError):
    """A submission folder no task carries; the message says why."""


class TooLarge(Refused):
    """A folder holds more than a task may carry."""


def read_regular_file(path, limit):
    """Up to limit + 1 bytes of the file at path, or None when it is not a regular file:
    a symbolic link is not followed, a FIFO, socket or device not opened for reading."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None  # a symlink (ELOOP), an unreadable file
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None  # a FIFO, a socket, a device
        return handle.read(limit + 1)


def read_folder(folder, limit=MAX_SUBMISSION_BYTES):
    """{relative posix path: bytes} of the regular files under folder (symlinks, devices,
    FIFOs and sockets are left out, linked folders not entered); TooLarge past `limit`
    bytes or MAX_FILES files, Refused when the folder itself is reached through a link."""
    if is_linked(Path(folder)):
        raise Refused("the submission folder is a link, not the student's own")
    files, total = {}, 0
    for parent, _, names in os.walk(folder):  # never follows a link to a folder
        for name in sorted(names):  # names holds no folder: os.walk lists those apart
            path = os.path.join(parent, name)
            data = read_regular_file(path, limit - total)
            if data is None:
                continue
            total += len(data)
            if total > limit or len(files) >= MAX_FILES:
                raise TooLarge(f"the submission holds more than {limit // 2**20} MiB "
                               f"or {MAX_FILES} files")
            files[Path(path).relative_to(folder).as_posix()] = data
    return files


def write_folder(folder, files):
    """Writes {relative path: bytes} under folder (paths that would leave it are refused)."""
    folder = Path(folder)
    for name, data in files.items():
        path = folder / name
        if ".." in Path(name).parts or Path(name).is_absolute():
            raise ValueError(f"refused path {name!r}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


@dataclasses.dataclass(frozen=True)
class Course:
    """Everything a worker needs besides the submission; the same for a whole run."""
    assignment: str
    files: dict  # {path in the course folder: bytes}
    nbgrader_args: tuple
    feedback: bool
    structure: dict = None  # gradebook.structure(): the worker's gradebook is filled from it

    @property
    def key(self):
        """Names this course's contents: a worker sets a course up once per key (with or
        without feedback alike)."""
        digest = hashlib.sha256(repr((self.assignment, self.nbgrader_args)).encode())
        digest.update(json.dumps(self.structure, sort_keys=True).encode())
        for name, data in sorted(self.files.items()):
            digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
        return digest.hexdigest()[:16]


# Files of the course root that travel: the configuration and what it may name or import
# (a late-penalty plugin module, nbgrader's autotests.yml). Never a gradebook, a grades
# export or anything else that holds students' data.
COURSE_ROOT_FILES = ("*.py", "*.yml", "*.yaml")
MAX_ROOT_FILE_BYTES = 1024 * 1024


def root_files(course_dir):
    """{name: bytes} of the course root's files that a worker gets (COURSE_ROOT_FILES)."""
    files = {}
    for pattern in COURSE_ROOT_FILES:
        for path in sorted(Path(course_dir).glob(pattern)):
            data = read_regular_file(path, MAX_ROOT_FILE_BYTES)
            if data is not None and len(data) <= MAX_ROOT_FILE_BYTES:
                files[path.name] = data
    return files


def read_course(course_dir, assignment, nbgrader_args=(), feedback=False):
    """The Course of a run: nbgrader_config.py and the root_files() beside it,
    source/ASSIGNMENT/ (autograde copies its other files into every submission),
    judges/ASSIGNMENT.py and mistakes/ASSIGNMENT.json (the hints of the feedback) of
    course_dir, and the assignment's structure in the course's gradebook. The release is
    not sent: the gradebook, not the files, says what autograde checks (as for nbgrader)."""
    course_dir = Path(course_dir)
    files = {**root_files(course_dir), CONFIG_FILE: (course_dir / CONFIG_FILE).read_bytes()}
    for name, data in read_folder(course_dir / "source" / assignment).items():
        files[f"source/{assignment}/{name}"] = data
    for kept in (f"judges/{assignment}.py", f"mistakes/{assignment}.json"):
        if (course_dir / kept).is_file():
            files[kept] = (course_dir / kept).read_bytes()
    return Course(assignment, files, tuple(nbgrader_args), feedback,
                  gradebook.structure(course_dir, assignment))


@dataclasses.dataclass(frozen=True)
class Submission:
    student: str
    files: dict  # {path in submitted/STUDENT/ASSIGNMENT/: bytes}


@dataclasses.dataclass
class Graded:
    """What a worker sends back for one submission."""
    student: str
    worker: str
    error: str = None       # why grading failed (then nothing else is kept)
    notebooks: dict = dataclasses.field(default_factory=dict)  # {notebook name: JSON text}
    feedback: dict = dataclasses.field(default_factory=dict)   # {path in feedback/.../: bytes}
    feedback_error: str = None  # why the feedback failed (the grades are kept)
    scores: dict = dataclasses.field(default_factory=dict)     # gradebook.scores of the worker's gradebook
    shown: tuple = ()       # what the feedback shows from the gradebook (gradebook.feedback_facts)
    log: str = ""
    seconds: float = 0.0    # grading it on the worker
    setup_seconds: float = 0.0  # setting the course up on the worker, when this task did
