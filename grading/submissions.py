"""Builds submission notebooks from the release and short answer files.

An answer file holds the code of one or more answer cells, each section opened by a
line `# %% <grade_id>` naming the answer cell it replaces:

    # %% minus_gradient
    def minus_operator_gradient(self):
        return 1, -1
    Minus.operator_gradient = minus_operator_gradient

Answer cells the file does not name keep the release's `YOUR CODE HERE` stub, so an
empty file is a student who handed in the release untouched.
"""
import re
from pathlib import Path

import nbformat

SECTION = re.compile(r"^# %% (\w+)[ \t]*$", re.MULTILINE)


def read_answers(path):
    """{grade_id: code} from an answer file."""
    text = Path(path).read_text()
    pieces = SECTION.split(text)
    # pieces = [preamble, id1, code1, id2, code2, ...]
    return {grade_id: code.strip("\n") for grade_id, code in zip(pieces[1::2], pieces[2::2])}


def answer_cell_ids(nb):
    """The grade_ids of the notebook's answer (solution) cells, in order."""
    return [cell.metadata["nbgrader"]["grade_id"] for cell in nb.cells
            if cell.metadata.get("nbgrader", {}).get("solution")]


def build_submission(release_path, answers):
    """The release notebook with the named answer cells' code replaced by answers."""
    nb = nbformat.read(str(release_path), as_version=4)
    unknown = set(answers) - set(answer_cell_ids(nb))
    if unknown:
        raise ValueError(f"no answer cell with grade_id {sorted(unknown)} in {release_path}")
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return nb


def write_submission(course_dir, student, assignment, notebook, nb):
    """Saves nb as submitted/<student>/<assignment>/<notebook>.ipynb; returns the path."""
    path = Path(course_dir) / "submitted" / student / assignment / f"{notebook}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path
