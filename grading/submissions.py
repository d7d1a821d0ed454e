"""Builds submission notebooks from the release and short answer files.

An answer file is a series of sections, each opened by a header line:

    # %% <cell>              fills a cell: an answer cell, named by its grade_id, or a
                             code cell of the student's own, named by its cell id (the
                             play cells: play_expressions, ..., play_fit)
    # %% new after <cell>    a new code cell of the student's own, inserted after the
                             cell of that grade_id or id (several after the same cell
                             come in the file's order)

    # %% minus_gradient
    def minus_operator_gradient(self):
        return 1, -1
    Minus.operator_gradient = minus_operator_gradient

What a saved notebook shows, optionally: a header may end with `[N]`, the execution
count the cell was saved with, and in a section the lines `#> text` are the cell's saved
output (stdout, one line each) and a line `#! Name: message` a saved error output. Those
lines are not code. A section that names a locked cell (a test, the code we give) holds
only these: an unchanged cell with its saved outputs.

    # %% fit_trains_parabola [3]
    #! AssertionError: found nan

Cells the file does not name keep the release's code (an answer cell its `YOUR CODE
HERE` stub) and no output, so an empty file is a student who handed in the release
untouched. read_answers() reads the original format ({grade_id: code}, which can be
merged with dict unpacking); read_sections() reads all of it, for build_submission().
"""
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

SECTION = re.compile(r"^# %% (new after )?([\w-]+)(?:[ \t]+\[(\d+)\])?[ \t]*$", re.MULTILINE)
SAVED_OUTPUT = re.compile(r"^#>(?: (.*))?$")
SAVED_ERROR = re.compile(r"^#! (\w+)(?:: ?(.*))?$")


@dataclass(frozen=True)
class Section:
    """One section of an answer file."""
    cell: str                   # the cell it fills, or the one a new cell follows
    code: str = ""
    new: bool = False           # a new cell of the student's own, after `cell`
    execution_count: int = None
    outputs: tuple = ()         # ("stdout", text) and ("error", name, message), in order

    @property
    def saved(self):
        """Whether it gives anything a saved notebook shows (a count, outputs)."""
        return self.execution_count is not None or bool(self.outputs)


def _section(new, cell, count, body):
    code, outputs = [], []
    for line in body.split("\n"):
        shown, error = SAVED_OUTPUT.match(line), SAVED_ERROR.match(line)
        if shown:
            text = (shown.group(1) or "") + "\n"
            if outputs and outputs[-1][0] == "stdout":
                outputs[-1] = ("stdout", outputs[-1][1] + text)
            else:
                outputs.append(("stdout", text))
        elif error:
            outputs.append(("error", error.group(1), error.group(2) or ""))
        else:
            code.append(line)
    return Section(cell, "\n".join(code).strip("\n"), bool(new),
                   int(count) if count else None, tuple(outputs))


def read_sections(path):
    """The sections of an answer file, in order."""
    pieces = SECTION.split(Path(path).read_text())
    # pieces = [preamble, new1, cell1, count1, body1, new2, ...]
    sections = [_section(*pieces[i:i + 4]) for i in range(1, len(pieces), 4)]
    filled = [s.cell for s in sections if not s.new]
    twice = sorted({cell for cell in filled if filled.count(cell) > 1})
    if twice:
        raise ValueError(f"{path}: cells named twice: {twice}")
    return sections


def read_answers(path):
    """{grade_id: code} from an answer file of the original format (cells filled with
    code, nothing else); ValueError for the rest: read it with read_sections()."""
    sections = read_sections(path)
    extra = [s.cell for s in sections if s.new or s.saved]
    if extra:
        raise ValueError(f"{path} has new cells or saved outputs ({extra}): use read_sections()")
    return {s.cell: s.code for s in sections}


def answer_cell_ids(nb):
    """The grade_ids of the notebook's answer (solution) cells, in order."""
    return [cell.metadata["nbgrader"]["grade_id"] for cell in nb.cells
            if cell.metadata.get("nbgrader", {}).get("solution")]


def _outputs(section):
    made = []
    for kind, *content in section.outputs:
        if kind == "stdout":
            made.append(nbformat.v4.new_output("stream", name="stdout", text=content[0]))
        else:
            name, message = content
            made.append(nbformat.v4.new_output("error", ename=name, evalue=message,
                                               traceback=[f"{name}: {message}"]))
    return made


def build_submission(release_path, answers):
    """The release notebook with the answers in it: {cell: code} (answer or play cells
    filled with code) or read_sections()'s list, applied in order (a later section
    fills a cell again)."""
    nb = nbformat.read(str(release_path), as_version=4)
    if isinstance(answers, dict):
        answers = [Section(cell, code) for cell, code in answers.items()]
    by_name = {}
    for cell in nb.cells:
        by_name.setdefault(cell.get("id"), cell)
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id:
            by_name[grade_id] = cell
    unknown = sorted({s.cell for s in answers} - set(by_name))
    if unknown:
        raise ValueError(f"no cell with grade_id or id {unknown} in {release_path}")
    added = {}  # id of a release cell: the new cells after it, in order
    for section in answers:
        target = by_name[section.cell]
        if section.new:
            cell = nbformat.v4.new_code_cell(section.code)
            cell.id = f"{section.cell[:48]}-new-{len(added.get(target.id, [])) + 1}"
            added.setdefault(target.id, []).append(cell)
        else:
            meta = target.metadata.get("nbgrader", {})
            fillable = target.cell_type == "code" and (meta.get("solution") or not meta)
            if not fillable and (section.code or target.cell_type != "code"):
                raise ValueError(f"cell {section.cell} of {release_path} is not an answer "
                                 "cell or a code cell of the student's own: only saved "
                                 "outputs can be given for it")
            cell = target
            if fillable:
                cell.source = section.code
        cell.execution_count = section.execution_count
        cell.outputs = _outputs(section)
    nb.cells = [c for cell in nb.cells for c in [cell] + added.get(cell.get("id"), [])]
    return nb


def write_submission(course_dir, student, assignment, notebook, nb):
    """Saves nb as submitted/<student>/<assignment>/<notebook>.ipynb; returns the path."""
    path = Path(course_dir) / "submitted" / student / assignment / f"{notebook}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path
