"""Turns whatever a student handed in into a notebook nbgrader can grade, and says what
was repaired. Two pieces, both registered in nbgrader_config.py:

- TolerantNotebookExporter reads submissions leniently: Colab-saved notebooks
  (nbformat_minor 0 or missing, colab metadata, no cell ids), malformed cells, old
  formats. A file that is not a notebook at all (not JSON, not UTF-8, empty) becomes an
  empty notebook with the reason recorded, so it is still graded (as 0, for review).
- RepairSubmission (replacing nbgrader's DeduplicateIds) rebuilds the graded structure
  from the assignment's source notebook: every cell's nbgrader metadata is set from the
  gradebook (students cannot turn tests off or stop the batch with bad metadata),
  duplicated cells are resolved so the last edited copy of an answer is the one graded,
  renamed answer cells are recognised, answer and test cells that were moved are put back
  in release order (with the student's own cells that preceded them), and deleted
  instructor cells (tests, framework code) are re-added from the gradebook.
"""
import difflib
import json
import os
import re
import uuid
from pathlib import Path

import nbformat
from nbconvert.exporters import NotebookExporter
from nbgrader import utils
from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor

from .feedback import visible_source
from .findings import KEY as FINDINGS_KEY
from .findings import record

# A notebook with its plots is about 100 KB; a file this large is not a real answer,
# and reading it would cost every report and export that opens the graded copy.
MAX_SUBMISSION_CHARS = 16 * 2**20
COLAB_NOTEBOOK_KEYS = ("colab", "accelerator", "gpuClass", "kaggle")
COLAB_CELL_KEYS = ("colab", "id", "outputId", "executionInfo", "pycharm")
CELL_ID = re.compile(r"^[a-zA-Z0-9-_]{1,64}$")


# --------------------------------------------------------------------------------------
# Reading


def unreadable_notebook(why):
    nb = nbformat.v4.new_notebook()
    record(nb, f"notebook unreadable ({why}): graded as an empty notebook", review=True)
    return nb


def _source_text(value):
    if isinstance(value, list):
        return "".join(part for part in value if isinstance(part, str))
    return value if isinstance(value, str) else ""


def _normalize_cell(cell, fixes):
    """A valid v4.5 cell from a loosely formed one, or None when it is not a cell."""
    if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
        fixes.add("dropped entries that were not cells")
        return None
    metadata = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
    if any(key in metadata for key in COLAB_CELL_KEYS):
        fixes.add("removed Colab cell metadata")
        metadata = {k: v for k, v in metadata.items() if k not in COLAB_CELL_KEYS}
    fixed = {"cell_type": cell["cell_type"], "metadata": metadata,
             "source": _source_text(cell.get("source"))}
    if cell["cell_type"] == "code":
        fixed.update(outputs=[], execution_count=None)  # outputs are recomputed anyway
    elif isinstance(cell.get("attachments"), dict):
        fixed["attachments"] = cell["attachments"]
    cell_id = cell.get("id")
    if isinstance(cell_id, str) and CELL_ID.match(cell_id):
        fixed["id"] = cell_id
    return fixed


def _unique_cell_ids(cells, fixes):
    seen = set()
    for cell in cells:
        if cell.get("id") in seen or not cell.get("id"):
            fixes.add("gave cells missing or duplicated ids new ones")
            cell["id"] = uuid.uuid4().hex[:8]
            while cell["id"] in seen:
                cell["id"] = uuid.uuid4().hex[:8]
        seen.add(cell["id"])


def parse_submission(text, grader_copy=False):
    """A v4 notebook from a submission's text, however it was saved. Findings stored in
    it are kept only in the grader's own copy (grader_copy): a student's are dropped."""
    try:
        data = json.loads(text)
    except ValueError as error:
        return unreadable_notebook(f"not JSON: {error}")
    except RecursionError:
        return unreadable_notebook("JSON nested too deeply to be a notebook")
    if isinstance(data, dict) and "worksheets" in data:  # nbformat 3 and older
        try:
            data = json.loads(nbformat.writes(nbformat.reads(text, as_version=4)))
        except Exception as error:  # noqa: BLE001 (any failure means: unreadable)
            return unreadable_notebook(f"old notebook format that could not be converted: {error}")
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        return unreadable_notebook("JSON without a list of cells")
    fixes = set()
    if data.get("nbformat") != 4 or data.get("nbformat_minor") != 5:
        fixes.add(f"nbformat {data.get('nbformat', 'missing')}."
                  f"{data.get('nbformat_minor', 'missing')} read as 4.5")
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    if not grader_copy:  # findings are the grader's: a submission's own are dropped
        metadata = {k: v for k, v in metadata.items() if k != FINDINGS_KEY}
    if any(key in metadata for key in COLAB_NOTEBOOK_KEYS):
        fixes.add("removed Colab notebook metadata")
        metadata = {k: v for k, v in metadata.items() if k not in COLAB_NOTEBOOK_KEYS}
    cells = [c for c in (_normalize_cell(cell, fixes) for cell in data["cells"]) if c]
    _unique_cell_ids(cells, fixes)
    nb = nbformat.from_dict({"nbformat": 4, "nbformat_minor": 5, "metadata": metadata,
                             "cells": cells})
    if fixes:
        record(nb, "file repaired: " + "; ".join(sorted(fixes)))
    return nb


def read_submission(read, grader_copy=False):
    """The notebook of a submission file: read(limit) returns its text, at most limit
    characters (and may raise OSError or UnicodeDecodeError). Whatever the file holds,
    a notebook comes back; what was wrong with the file is recorded in it."""
    try:
        text = read(MAX_SUBMISSION_CHARS + 1)
    except (UnicodeDecodeError, OSError) as error:
        return unreadable_notebook(f"cannot be read as UTF-8 text: {error}")
    if len(text) > MAX_SUBMISSION_CHARS:
        return unreadable_notebook(f"file larger than {MAX_SUBMISSION_CHARS // 2**20} MiB, "
                                   "the most a submission may hold")
    return parse_submission(text, grader_copy) if text.strip() else unreadable_notebook("empty file")


class TolerantNotebookExporter(NotebookExporter):
    """nbgrader's notebook exporter, reading submissions with read_submission."""

    def from_file(self, file_stream, resources=None, **kw):
        # nbgrader reads the submission, then (with NBGRADER_EXECUTION=autograde) the
        # sanitized copy it wrote into autograded/, which holds our findings.
        nb = read_submission(file_stream.read, os.environ.get("NBGRADER_EXECUTION") == "autograde")
        return self.from_notebook_node(nb, resources=resources, **kw)


# --------------------------------------------------------------------------------------
# Structure


def _grade_id(cell):
    meta = cell.metadata.get("nbgrader")
    if isinstance(meta, dict) and isinstance(meta.get("grade_id"), str):
        return meta["grade_id"]
    return None


def _defined_functions(source):
    return set(re.findall(r"^def (\w+)\(", source, re.MULTILINE))


def _out_of_order(names, rank):
    """The names that are not part of the longest run already in release order."""
    best = []  # best[i]: longest in-order chain ending at names[i]
    for i, name in enumerate(names):
        chains = [best[j] for j in range(i) if rank[names[j]] < rank[name]]
        best.append(max(chains, key=len, default=[]) + [name])
    keep = set(max(best, key=len, default=[]))
    return [name for name in names if name not in keep]


class RepairSubmission(NbGraderPreprocessor):
    """Restores the assignment's graded structure in a submitted notebook (see module doc)."""

    def preprocess(self, nb, resources):
        self._read_assignment(resources["nbgrader"])
        self.nb = nb
        self.quiet = not nb.cells  # an unreadable notebook: its one finding says it all
        self._strip_unknown_labels()
        self._resolve_duplicates()
        self._recognise_renamed_answers()
        nb.cells = self._in_release_order()
        for cell in nb.cells:
            if _grade_id(cell):
                self._set_canonical_metadata(cell)
        _unique_cell_ids(nb.cells, set())
        return nb, resources

    def _read_assignment(self, info):
        """The notebook's cells as the gradebook knows them, read once for all the
        submissions this preprocessor repairs (`grading similarity` repairs a whole class)."""
        key = (info["db_url"], info["assignment"], info["notebook"])
        if getattr(self, "_read_for", None) == key:
            return
        with Gradebook(info["db_url"]) as gb:
            source_nb = gb.find_notebook(info["notebook"], info["assignment"])
            self.cells = {cell.name: cell for cell in source_nb.source_cells}
            self.points = {cell.name: cell.max_score for cell in source_nb.grade_cells}
            self.solutions = {cell.name for cell in source_nb.solution_cells}
            self.tasks = {cell.name for cell in source_nb.task_cells}
            self.order = self._release_order(info, list(self.cells))
        self.rank = {name: i for i, name in enumerate(self.order)}
        self._read_for = key

    def _release_order(self, info, fallback):
        """Graded-cell names in the order of the source notebook (the gradebook has no order)."""
        coursedir = CourseDirectory(config=self.config)
        path = Path(coursedir.format_path(coursedir.source_directory, ".", info["assignment"]),
                    info["notebook"] + ".ipynb")
        try:
            source = nbformat.read(str(path), as_version=4)
        except (OSError, ValueError):
            return fallback
        names = [_grade_id(cell) for cell in source.cells]
        ordered = [name for name in names if name in self.cells]
        return ordered + [name for name in fallback if name not in ordered]

    def _strip_unknown_labels(self):
        """nbgrader metadata that names no cell of this assignment is removed (stock
        nbgrader fails such a submission, or stops the whole batch on a bad schema)."""
        self.unlabelled_solutions = []  # cells that said they were answers, under another id
        for cell in self.nb.cells:
            meta = cell.metadata.get("nbgrader")
            if meta is None:
                continue
            grade_id = _grade_id(cell)
            if grade_id not in self.cells:
                del cell.metadata["nbgrader"]
                if isinstance(meta, dict) and meta.get("solution") and cell.cell_type == "code":
                    self.unlabelled_solutions.append((grade_id, cell))

    def _resolve_duplicates(self):
        copies = {}
        for cell in self.nb.cells:
            if _grade_id(cell):
                copies.setdefault(_grade_id(cell), []).append(cell)
        dropped = []
        for name, cells in copies.items():
            if len(cells) == 1:
                continue
            if name in self.solutions:
                stub = self.cells[name].checksum
                edited = [c for c in cells if utils.compute_checksum(self._as_answer(c, name)) != stub]
                keeper = (edited or cells)[-1]
                # Untouched copies of the stub would raise NotImplementedError over the answer.
                dropped += [c for c in cells if c is not keeper and c not in edited]
                record(self.nb, f"answer cell {name} appears {len(cells)} times: "
                                f"graded the last edited copy")
            else:
                keeper = cells[-1]
                record(self.nb, f"cell {name} appears {len(cells)} times: kept one, "
                                f"the copies run as the student's own code")
            for cell in cells:
                if cell is not keeper:
                    del cell.metadata["nbgrader"]
        self.nb.cells = [cell for cell in self.nb.cells if not any(cell is d for d in dropped)]

    def _as_answer(self, cell, name):
        """The cell with the answer's canonical metadata, for checksums."""
        probe = nbformat.from_dict(json.loads(json.dumps(cell)))
        probe.metadata["nbgrader"] = self._canonical_metadata(name)
        return probe

    def _recognise_renamed_answers(self):
        """An answer cell whose grade_id was changed, or whose nbgrader metadata was lost,
        is found by the function its stub defines, so the answer is not lost."""
        present = {_grade_id(cell) for cell in self.nb.cells}
        for name in [n for n in self.order if n in self.solutions and n not in present]:
            stub = self.cells[name].source
            wanted = _defined_functions(stub)
            candidates = [(old, cell) for old, cell in self.unlabelled_solutions
                          if not _grade_id(cell)]
            candidates += [(None, cell) for cell in self.nb.cells
                           if cell.cell_type == "code" and not _grade_id(cell)
                           and wanted and wanted <= _defined_functions(cell.source)]
            if not candidates:
                if not self.quiet:
                    record(self.nb, f"answer cell {name} is missing: graded as far as it runs")
                continue
            old, cell = max(candidates, key=lambda c: (
                bool(wanted & _defined_functions(c[1].source)),
                difflib.SequenceMatcher(None, stub, c[1].source).ratio()))
            cell.metadata["nbgrader"] = self._canonical_metadata(name)
            how = f"had its grade_id changed to {old!r}" if old else "had lost its nbgrader metadata"
            record(self.nb, f"answer cell {name} {how}: graded as {name}")

    def _in_release_order(self):
        """The student's cells with every graded cell in release order; each graded cell
        takes along the student's own cells just above it. Missing instructor cells are
        re-added from the gradebook."""
        attached, pending, by_name = {}, [], {}
        for cell in self.nb.cells:
            name = _grade_id(cell)
            if name:
                attached[name], pending, by_name[name] = pending, [], cell
            else:
                pending.append(cell)
        present = [name for name in (_grade_id(c) for c in self.nb.cells) if name]
        moved = _out_of_order(present, self.rank)
        if moved:
            record(self.nb, "cells out of release order (" + ", ".join(moved) + "): "
                            "graded with each in its release place")
        cells, readded = [], []
        for name in self.order:
            if name in by_name:
                cells += attached[name] + [by_name[name]]
            elif name not in self.solutions:
                cells.append(self._readded(name))
                readded.append(name)
        if readded and not self.quiet:
            tests = [name for name in readded if name in self.points]
            others = [name for name in readded if name not in self.points]
            if tests:
                record(self.nb, "test cells missing, re-added: " + ", ".join(tests))
            if others:
                record(self.nb, "instructor cells missing, re-added: " + ", ".join(others))
        return cells + pending

    def _canonical_metadata(self, name):
        meta = {"grade": name in self.points, "solution": name in self.solutions,
                "locked": bool(self.cells[name].locked), "grade_id": name,
                "schema_version": 3}
        if name in self.points:
            meta["points"] = self.points[name]
        if name in self.tasks:
            meta["task"] = True
        return meta

    def _set_canonical_metadata(self, cell):
        name = _grade_id(cell)
        source_cell = self.cells[name]
        if source_cell.locked and visible_source(cell.source) != visible_source(source_cell.source):
            record(self.nb, f"instructor cell {name} was edited: the original was restored")
        cell.metadata["nbgrader"] = self._canonical_metadata(name)

    def _readded(self, name):
        source_cell = self.cells[name]
        if source_cell.cell_type == "code":
            cell = nbformat.v4.new_code_cell(source_cell.source)
        else:
            cell = nbformat.v4.new_markdown_cell(source_cell.source)
        cell.metadata["nbgrader"] = self._canonical_metadata(name)
        cell.metadata["editable"] = False
        cell.metadata["deletable"] = False
        return cell
