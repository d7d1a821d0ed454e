"""Flags for the instructor: what in a submission deserves a look, and the gradebook mark
that puts it in front of them.

- ScanStudentCode (before execution) reads every cell the student wrote. The homework
  needs no imports: imports are reported; code that can reach the grader's environment
  (modules such as sys, os, builtins, ctypes, or those reached as another module's
  attribute, random._os; get_ipython, eval/exec, __builtins__, getattr with a computed
  name, dunder attributes such as __subclasses__, IPython magics) is flagged for review,
  and so are classes that define dunder methods beyond __init__, __repr__ and __str__
  (an __eq__ that says yes to anything, a __len__ that lies: no answer needs one).
- OwnResultOnly (after execution) leaves a test cell only the result it gave itself:
  nbgrader scores a test cell by its first error or execute_result (a number there is
  partial credit, anything else full credit), so a result the student's code displayed
  (sys.displayhook) before an assert failed took the cell's points.
- FlagForReview (after the scores are saved) marks every grade of a flagged submission
  "needs manual grading", which is how the formgrader lists submissions to look at,
  and logs each finding in the autograde output.

Tampering caught while the notebook runs is found by the kernel guard
(grading/plugins/kernel_side/guard.py, driven by grading.plugins.execution).
"""
import ast
import re

from nbgrader import utils
from nbgrader.api import Gradebook
from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor

from .findings import cell_label, findings, needs_review, record
from .sanitize import unshown

HARMLESS_MODULES = {
    "math", "cmath", "random", "copy", "functools", "itertools", "collections", "numbers",
    "operator", "statistics", "fractions", "decimal", "typing", "dataclasses", "string",
    "warnings", "numpy", "matplotlib", "matplotlib.pyplot",
}
GRADER_REACHING_NAMES = {
    "get_ipython", "__builtins__", "__import__", "eval", "exec", "compile", "globals",
    "open", "breakpoint", "__loader__", "__spec__",
}
HARMLESS_DUNDERS = {"__init__", "__name__", "__doc__", "__repr__", "__str__", "__len__",
                    "__class__"}
MAGIC_LINE = re.compile(r"^\s*[%!]", re.MULTILINE)
# Parsing takes about 0.25 s and 15 MB per 100 KB of code (3 MB: 10 s, 670 MB): a larger
# cell is not parsed but flagged. The notebook's answers are a few KB.
MAX_SCANNED_CHARS = 100_000

# Modules that reach the system, as the attribute or name another module keeps them under
# (random._os, matplotlib.pyplot.sys, getattr(random, "_os")).
SYSTEM_MODULE = re.compile(r"_*(os|sys|posix|nt|builtins|subprocess|importlib|ctypes|shutil|socket|"
                           r"io|pathlib|inspect|gc|signal|pty|marshal|pickle|runpy|threading|"
                           r"multiprocessing)")
# Dunder methods a student's class may define: construction and display. Every other one
# changes how its values compare, convert, count or compute, which no answer needs.
ORDINARY_METHODS = {"__init__", "__repr__", "__str__"}
DYNAMIC_ACCESS = {"getattr", "setattr", "delattr", "hasattr", "vars"}


def suspicious_constructs(source):
    """(imports, grader_reaching) found in a cell's code: two lists of short strings."""
    imports, reaching = [], []
    if MAGIC_LINE.search(source):
        reaching.append("IPython magic or shell command")
        source = MAGIC_LINE.sub("pass  # ", source)
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return imports, reaching
    in_reading_order = lambda node: (getattr(node, "lineno", 0), getattr(node, "end_col_offset", 0))
    for node in sorted(ast.walk(tree), key=in_reading_order):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or "."])
            for name in names:
                (imports if name in HARMLESS_MODULES else reaching).append(f"import {name}")
        elif isinstance(node, ast.Name) and node.id in GRADER_REACHING_NAMES:
            reaching.append(f"{node.id}")
        elif (isinstance(node, ast.Attribute) and node.attr.startswith("__")
              and node.attr not in HARMLESS_DUNDERS):
            reaching.append(f".{node.attr}")
        elif isinstance(node, ast.Attribute) and SYSTEM_MODULE.fullmatch(node.attr):
            reaching.append(f".{node.attr}")
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and (re.fullmatch(r"__\w+__", node.value) and node.value not in HARMLESS_DUNDERS
                   or SYSTEM_MODULE.fullmatch(node.value))):
            reaching.append(f"{node.value!r}")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in DYNAMIC_ACCESS
              and not (node.func.id != "vars" and len(node.args) > 1
                       and isinstance(node.args[1], ast.Constant))):
            reaching.append("vars" if node.func.id == "vars" else f"{node.func.id} with a computed name")
        elif isinstance(node, ast.ClassDef):
            dunders = [name for name in defined_names(node)
                       if re.fullmatch(r"__\w+__", name) and name not in ORDINARY_METHODS]
            if dunders:
                reaching.append(f"class {node.name} defines {', '.join(dict.fromkeys(dunders))}")
    return imports, reaching


def defined_names(cls):
    """The names a class body defines: its methods and class attributes."""
    names = []
    for statement in cls.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.append(statement.name)
        elif isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            names += [t.id for target in targets for t in ast.walk(target) if isinstance(t, ast.Name)]
    return names


def _unique(items):
    return ", ".join(dict.fromkeys(items))


class ScanStudentCode(NbGraderPreprocessor):
    """Reports imports and flags grader-reaching code in the cells students write."""

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and not utils.is_locked(cell):
            where = cell_label(cell, cell_index)
            if len(cell.source) > MAX_SCANNED_CHARS:
                self._nb_findings.append((f"code cell too large to scan in {where} ({len(cell.source) // 1000} KB "
                                          f"> {MAX_SCANNED_CHARS // 1000} KB)", True))
                return cell, resources
            imports, reaching = suspicious_constructs(cell.source)
            if imports:
                self._nb_findings.append((f"imports in {where}: {_unique(imports)}", False))
            if reaching:
                self._nb_findings.append(
                    (f"code that can reach the grader in {where}: {_unique(reaching)}", True))
        return cell, resources

    def preprocess(self, nb, resources):
        self._nb_findings = []
        nb, resources = super().preprocess(nb, resources)
        for reason, review in self._nb_findings:
            record(nb, reason, review=review)
        return nb, resources


class OwnResultOnly(NbGraderPreprocessor):
    """A test cell's points need its code to finish without error, whatever it displayed.
    In a graded code cell with an error output, every execute_result becomes display_data
    (still shown, no longer scored); without one, every execute_result but the last (the
    cell's own value, which an instructor's partial-credit test ends with) does."""

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type != "code" or not utils.is_grade(cell) or utils.is_solution(cell):
            return cell, resources
        results = [i for i, output in enumerate(cell.outputs) if output.output_type == "execute_result"]
        failed = any(output.output_type == "error" for output in cell.outputs)
        demoted = results if failed else results[:-1]
        for i in demoted:
            cell.outputs[i] = new_output("display_data", data=cell.outputs[i].get("data", {}),
                                         metadata=cell.outputs[i].get("metadata", {}))
        if demoted:
            self._demoted[failed].append(cell_label(cell, cell_index))
        return cell, resources

    def preprocess(self, nb, resources):
        self._demoted = {True: [], False: []}
        nb, resources = super().preprocess(nb, resources)
        for failed, cells in self._demoted.items():
            if cells:
                record(nb, f"results shown before {'an error' if failed else 'the last one'} "
                           f"count for nothing: {', '.join(cells)}")
        return nb, resources


class FlagForReview(NbGraderPreprocessor):
    """Marks a flagged submission as needing manual grading, and logs every finding."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        for reason in unshown(nb):  # what the formgrader and the feedback show as a notice
            record(nb, reason, review=True)
        for entry in findings(nb):
            log = self.log.warning if entry["review"] else self.log.info
            log("%s: %s%s", info["student"], entry["reason"],
                " [needs review]" if entry["review"] else "")
        if needs_review(nb):
            with Gradebook(info["db_url"]) as gb:
                notebook = gb.find_submission_notebook(
                    info["notebook"], info["assignment"], info["student"])
                for grade in notebook.grades:
                    grade.needs_manual_grade = True
                gb.db.commit()
        return nb, resources
