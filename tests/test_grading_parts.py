"""The grading modules' parts on their own: lenient reading, the code scan, hidden-test
stripping, and the notebook time budget on a real (sandboxed) kernel. The whole chain,
through `nbgrader autograde`, is tested in test_bad_submissions.py."""
import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output
from nbgrader.utils import determine_grade
from traitlets.config import Config

from grading.plugins.execution import CUT_MARK, BoundedExecute
from grading.plugins.feedback import visible_source
from grading.plugins.findings import MAX_FINDINGS, MAX_REASON_CHARS, findings, record
from grading.plugins.integrity import OwnResultOnly, suspicious_constructs
from grading.plugins.repair import MAX_SUBMISSION_CHARS, TolerantNotebookExporter, parse_submission
from tests.support import ROOT, notebook_path

RELEASE = notebook_path(ROOT, "release")


def reasons(nb):
    return " | ".join(entry["reason"] for entry in findings(nb))


@pytest.mark.parametrize("text, why", [
    ("", "not JSON"),
    ("{\"cells\": [", "not JSON"),
    ("[1, 2, 3]", "JSON without a list of cells"),
    ("{\"nbformat\": 4}", "JSON without a list of cells"),
])
def test_a_file_that_is_no_notebook_becomes_an_empty_one_for_review(text, why):
    nb = parse_submission(text)
    assert nb.cells == [] and why in reasons(nb)
    assert findings(nb)[0]["review"]


def test_a_loosely_saved_notebook_is_read_and_made_valid():
    data = json.loads(RELEASE.read_text())
    del data["nbformat_minor"]
    data["cells"][0]["source"] = ["# From ", "Expressions"]
    data["cells"][1].pop("id")
    data["cells"][2]["id"] = data["cells"][3]["id"]
    data["cells"][5].pop("outputs", None)
    data["cells"].insert(4, {"not": "a cell"})
    nb = parse_submission(json.dumps(data))
    nbformat.validate(nb)
    assert nb.cells[0].source == "# From Expressions"
    assert len(nb.cells) == len(data["cells"]) - 1
    assert len({cell.id for cell in nb.cells}) == len(nb.cells)
    assert "nbformat 4.missing read as 4.5" in reasons(nb)
    assert not any(entry["review"] for entry in findings(nb))


def test_json_nested_too_deeply_is_graded_as_empty_with_a_reason():
    nb = parse_submission('{"cells": ' + "[" * 200_000 + "]" * 200_000 + "}")
    assert nb.cells == [] and "nested too deeply" in reasons(nb)
    assert findings(nb)[0]["review"]


def test_findings_a_submission_brings_are_dropped():
    data = json.loads(RELEASE.read_text())
    data["metadata"]["grading"] = {"findings": [{"reason": "FORGED", "review": False}]}
    assert "FORGED" not in reasons(parse_submission(json.dumps(data)))


def test_a_file_over_the_size_cap_is_not_parsed(tmp_path):
    path = tmp_path / "huge.ipynb"
    data = json.loads(RELEASE.read_text())
    data["cells"].append(nbformat.v4.new_markdown_cell("x" * MAX_SUBMISSION_CHARS))
    path.write_text(json.dumps(data))
    nb, _ = TolerantNotebookExporter().from_filename(str(path))
    nb = nbformat.reads(nb, as_version=4)
    assert nb.cells == [] and "larger than 16 MiB" in reasons(nb)


def test_findings_are_capped_in_length_and_number():
    nb = nbformat.v4.new_notebook()
    record(nb, "x" * 10 * MAX_REASON_CHARS)
    record(nb, "name \x1b[2J\x1b]0;owned\x07 added")
    assert findings(nb)[1]["reason"] == "name ?[2J?]0;owned? added"  # no terminal escapes
    for k in range(3 * MAX_FINDINGS):
        record(nb, f"finding {k}", review=(k == 2 * MAX_FINDINGS))
    kept = findings(nb)
    assert len(kept[0]["reason"]) < MAX_REASON_CHARS + 10
    assert len(kept) == MAX_FINDINGS + 1 and "the rest were not kept" in kept[-1]["reason"]
    assert kept[-1]["review"]  # a flag among the dropped ones still flags


def test_the_release_itself_needs_no_repair():
    nb = parse_submission(RELEASE.read_text())
    assert findings(nb) == []


@pytest.mark.parametrize("code, imports, reaching", [
    ("def f(self):\n    return 1, -1", [], []),
    ("import math\nx = math.sqrt(2)", ["import math"], []),
    ("import os, sys", [], ["import os", "import sys"]),
    ("from IPython import get_ipython", [], ["import IPython"]),
    ("get_ipython().ast_transformers.append(t)", [], ["get_ipython"]),
    ("().__class__.__bases__[0].__subclasses__()", [], [".__bases__", ".__subclasses__"]),
    ("getattr(f, '__globals__')", [], ["'__globals__'"]),
    ("%load_ext something\nx = 1", [], ["IPython magic or shell command"]),
    ("eval('1 + 1')", [], ["eval"]),
    ("def broken(:\n", [], []),
    # os and sys as another module's attributes, or by a name built at run time
    ("random._os.system('ls')", [], ["._os"]),
    ("plt.matplotlib.os.getcwd()", [], [".os"]),
    ("x.sys.modules", [], [".sys"]),
    ("random.importlib", [], [".importlib"]),
    ("getattr(random, '_os')", [], ["'_os'"]),
    ("getattr(random, '_o' + 's')", [], ["getattr with a computed name"]),
    ("vars(random)['_' + 'os']", [], ["vars", "'os'"]),
    ("getattr(node, 'value')", [], []),
    # classes whose values lie about themselves; construction and display are ordinary
    ("class Yes(float):\n    def __eq__(self, other):\n        return True\n"
     "    __hash__ = float.__hash__\n    def __init__(self, v):\n        pass", [],
     ["class Yes defines __eq__, __hash__", ".__hash__"]),
    ("class Hollow(tuple):\n    def __len__(self):\n        return 2\n"
     "    def __getitem__(self, i):\n        return []", [],
     ["class Hollow defines __len__, __getitem__"]),
    ("class Point:\n    def __init__(self, x):\n        self.x = x\n"
     "    def __repr__(self):\n        return 'P'\n    def __str__(self):\n        return 'P'", [], []),
])
def test_the_scan_reports_imports_and_flags_grader_reaching_code(code, imports, reaching):
    assert suspicious_constructs(code) == (imports, reaching)


def _test_cell(*outputs):
    return new_code_cell("assert double(1) == 2", outputs=list(outputs), metadata={"nbgrader": {
        "grade": True, "solution": False, "locked": True, "grade_id": "double_small", "points": 2}})


def _result(text):
    return new_output("execute_result", data={"text/plain": text}, execution_count=1)


ERROR = new_output("error", ename="AssertionError", evalue="", traceback=[])


@pytest.mark.parametrize("outputs, before, after, note", [
    # a result written by the student's code, then the assert fails: full marks before
    ([_result("'full marks'"), ERROR], 2, 0, "results shown before an error count for nothing: test cell double_small"),
    ([_result("2.0"), ERROR, _result("2.0")], 2, 0, "results shown before an error count for nothing: test cell double_small"),
    # an instructor's partial credit: the cell's own value, the last one
    ([_result("1.5")], 1.5, 1.5, None),
    ([_result("2"), _result("0.5")], 2, 0.5, "results shown before the last one count for nothing: test cell double_small"),
    ([new_output("stream", name="stdout", text="hello")], 2, 2, None),
    ([ERROR], 0, 0, None),
])
def test_a_test_cell_that_failed_scores_nothing_whatever_it_displayed(outputs, before, after, note):
    nb = new_notebook(cells=[_test_cell(*outputs)])
    assert determine_grade(nb.cells[0])[0] == before
    nb, _ = OwnResultOnly().preprocess(nb, {})
    assert determine_grade(nb.cells[0])[0] == after
    assert len(nb.cells[0].outputs) == len(outputs)  # everything still shows
    assert (note in reasons(nb)) if note else not findings(nb)


def test_visible_source_is_what_students_were_given():
    source = nbformat.read(str(notebook_path(ROOT, "source")), as_version=4)
    release = nbformat.read(str(RELEASE), as_version=4)
    released = {cell.metadata["nbgrader"]["grade_id"]: cell.source for cell in release.cells
                if cell.metadata.get("nbgrader", {}).get("grade")}
    for cell in source.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in released:
            assert visible_source(cell.source) == released[grade_id].strip(), grade_id


@pytest.mark.slow  # real sandboxed kernels
def test_a_notebook_that_overruns_its_budget_leaves_later_cells_unrun(tmp_path):
    config = Config()
    config.BoundedExecute.notebook_budget = 3
    config.Execute.timeout = 30
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("while True:\n    pass"),
        nbformat.v4.new_code_cell("print('never printed')"),
    ])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    executor = BoundedExecute(config=config)
    nb, _ = executor.preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    assert [output.ename for output in nb.cells[1].outputs] == ["NotRun"]
    assert "time budget of 3 s spent" in reasons(nb)


@pytest.mark.slow  # real sandboxed kernels
def test_kernel_restarts_are_paid_from_the_budget(tmp_path):
    config = Config()
    config.BoundedExecute.notebook_budget = 4
    config.BoundedExecute.max_kernel_restarts = 50
    kill = "import os\nos._exit(1)"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(kill) for _ in range(30)]
                                  + [nbformat.v4.new_code_cell("print('never printed')")])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb, _ = BoundedExecute(config=config).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    assert [output.ename for output in nb.cells[-1].outputs] == ["NotRun"]
    assert "time budget of 4 s spent" in reasons(nb)
    assert reasons(nb).count("the kernel died") < 30


def message(msg_type, content, buffers=()):
    return {"msg_type": msg_type, "header": {"msg_type": msg_type}, "content": content,
            "parent_header": {"msg_id": "cell"}, "buffers": list(buffers)}


def executor(**limits):
    """A BoundedExecute fed messages by hand (no kernel), as nbclient would for one cell."""
    config = Config()
    for name, value in limits.items():
        setattr(config.BoundedExecute, name, value)
    ex = BoundedExecute(config=config)
    ex.nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("flood()")])
    ex.reset_execution_trackers()
    ex.clear_before_next_output = False
    ex.notebook_output_chars = ex.notebook_message_bytes = 0
    ex.start_cell()
    return ex, ex.nb.cells[0]


def error(evalue="bad"):
    return message("error", {"ename": "AssertionError", "evalue": evalue,
                             "traceback": ["line"] * 100_000})


def test_widget_messages_are_counted_never_kept_and_cut_at_the_cap():
    ex, cell = executor(max_cell_message_bytes=10_000_000)
    state = {"state": {"_model_name": "OutputModel", "_model_module": "@jupyter-widgets/output",
                       "value": "w" * 3_000_000}, "buffer_paths": [["b"]]}
    for kind in ("comm_open", "comm_msg", "comm_msg", "comm_close", "no_such_type"):
        ex.process_message(message(kind, {"comm_id": "c", "target_name": "jupyter.widget",
                                          "data": state}, [b"x" * 1_000_000]), cell, 0)
    ex.process_message(message("stream", {"name": "stdout", "text": "after the cap"}), cell, 0)
    for _ in range(3):
        ex.process_message(error(), cell, 0)
    assert ex.widget_state == {} and ex.comm_objects == {}
    assert [o.output_type for o in cell.outputs] == ["stream", "error"]
    assert "more than 9 MiB" in cell.outputs[0].text
    assert len(json.dumps(cell.outputs[1])) < 20_000  # the error kept, shrunk: the test still fails
    assert "past the cap of 9 MiB dropped from cell 1" in reasons(ex.nb)
    assert findings(ex.nb)[-1]["review"]


def test_an_error_past_the_notebook_output_cap_is_still_kept():
    ex, cell = executor(max_notebook_output_chars=1_000, max_output_chars=100_000)
    ex.process_message(message("stream", {"name": "stdout", "text": "x" * 5_000}), cell, 0)
    ex.process_message(error(), cell, 0)
    ex.process_message(error("again"), cell, 0)
    assert [o.output_type for o in cell.outputs] == ["stream", "error"]
    assert cell.outputs[1].evalue == "bad"


def test_a_display_update_counts_once_per_output_it_rewrites():
    ex, cell = executor(max_output_chars=50_000)
    shown = {"data": {"text/plain": "."}, "metadata": {}, "transient": {"display_id": "d"}}
    for _ in range(100):
        ex.process_message(message("display_data", shown), cell, 0)
    kept = len(cell.outputs)
    big = {**shown, "data": {"text/plain": "u" * 5_000}}  # 100 copies of 5,000 characters
    ex.process_message(message("update_display_data", big), cell, 0)
    assert 0 < kept < 100  # small outputs under one id add up too
    assert all(output.data["text/plain"] == "." for output in cell.outputs if "data" in output)
    assert sum(CUT_MARK in output.get("text", "") for output in cell.outputs) == 1
