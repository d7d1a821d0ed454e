"""A made-up class, for tests and benchmarks: submissions of a few kinds, built from the
release and the demo class's answer files, written to submitted/ or packed as an LMS
download (Canvas's file names, see grading.plugins.lms).

Kinds: correct, partial, blank (the demo's Carla, Pat and Ben); broken_code (Carla's
answers with a syntax error in the first answer cell); broken_file (a truncated,
unreadable notebook file).
"""
import itertools
import zipfile
from pathlib import Path

import nbformat

from grading.submissions import build_submission, read_answers

from . import ASSIGNMENT, NOTEBOOK, ROOT, notebook_path

DEMO_STUDENTS = ROOT / "demo" / "students"
ANSWER_FILES = {"correct": "correct_carla", "partial": "partial_pat", "blank": "blank_ben"}
# The order a class of n cycles through: mostly real attempts, some broken.
MIX = ("correct", "partial", "blank", "correct", "broken_code", "partial", "correct",
       "blank", "partial", "broken_file")


def notebook_text(kind, course_dir=ROOT):
    """The submission notebook of a kind, as the text of its .ipynb file."""
    answers = read_answers(DEMO_STUDENTS / f"{ANSWER_FILES.get(kind, 'correct_carla')}.py")
    if kind == "broken_code":
        answers["compute_gradient"] = "def expr_compute_gradient(self:\n    pass\n"
    nb = build_submission(notebook_path(course_dir, "release"), answers)
    text = nbformat.writes(nb)
    return text[: len(text) // 2] if kind == "broken_file" else text


def class_list(size, mix=MIX):
    """[(student id, kind)] for a class of `size`, with Canvas-style numeric user ids
    10001, 10002, ..."""
    kinds = itertools.islice(itertools.cycle(mix), size)
    return [(f"{10000 + i}", kind) for i, kind in enumerate(kinds, start=1)]


def write_submitted(course_dir, students):
    """Writes each (student, kind) to submitted/<student>/<assignment>/<notebook>.ipynb."""
    texts = {}
    for student, kind in students:
        if kind not in texts:
            texts[kind] = notebook_text(kind, course_dir)
        path = Path(course_dir) / "submitted" / student / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(texts[kind])


def canvas_name(student, notebook_file, upload_id, name=None, late=False):
    """The file name Canvas gives a submission in its download zip."""
    name = name or f"student{student}"
    return f"{name}_{'late_' if late else ''}{student}_{upload_id}_{notebook_file}"


def canvas_download(zip_path, students, course_dir=ROOT):
    """Packs (student, kind) submissions as a Canvas-style submissions zip."""
    texts = {}
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for upload_id, (student, kind) in enumerate(students, start=70001):
            if kind not in texts:
                texts[kind] = notebook_text(kind, course_dir)
            archive.writestr(canvas_name(student, f"{NOTEBOOK}.ipynb", upload_id), texts[kind])
    return zip_path
