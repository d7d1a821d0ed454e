"""Structural damage applied to a submission's JSON (see manifest.toml). Each function
takes the notebook as a plain dict and returns the dict, or the file's text."""
import copy
import json


def _index(nb, grade_id):
    for i, cell in enumerate(nb["cells"]):
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == grade_id:
            return i
    raise KeyError(grade_id)


def _pop(nb, grade_id):
    return nb["cells"].pop(_index(nb, grade_id))


def colab_saved(nb):
    """As Google Colab saves it: nbformat 4.0, no cell ids, Colab metadata, no outputs."""
    nb["nbformat_minor"] = 0
    nb["metadata"]["colab"] = {"provenance": [], "name": "expressions_to_ml.ipynb"}
    nb["metadata"]["accelerator"] = "GPU"
    for cell in nb["cells"]:
        cell.pop("id", None)
        cell["metadata"]["id"] = "x1Yz"
        if cell["cell_type"] == "code":
            cell["metadata"]["colab"] = {"base_uri": "https://localhost:8080/"}
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
    return nb


def drop_nbformat_minor(nb):
    del nb["nbformat_minor"]
    return nb


def duplicate_cells(nb):
    """The answer cell copied (the copy left as the stub, below the answer) and a test
    cell copied; stock nbgrader stops the whole batch on this."""
    i = _index(nb, "compute_gradient")
    stub = copy.deepcopy(nb["cells"][i])
    stub["id"] = "stub-copy"
    stub["source"] = "# YOUR CODE HERE\nraise NotImplementedError()"
    nb["cells"].insert(i + 1, stub)
    j = _index(nb, "compute_gradient_sum")
    nb["cells"].insert(j + 1, dict(copy.deepcopy(nb["cells"][j]), id="test-copy"))
    return nb


def move_answers(nb):
    """fit moved to the very end; compute_gradient moved below its tests."""
    nb["cells"].append(_pop(nb, "fit"))
    answer = _pop(nb, "compute_gradient")
    nb["cells"].insert(_index(nb, "compute_gradient_shared_nodes") + 1, answer)
    return nb


def rename_answers(nb):
    nb["cells"][_index(nb, "minus_gradient")]["metadata"]["nbgrader"]["grade_id"] = "minus_gradient_copy"
    del nb["cells"][_index(nb, "divide_gradient")]["metadata"]["nbgrader"]
    return nb


def delete_cells(nb):
    for grade_id in ("compute_gradient_nested", "fit_one_exact_step", "points"):
        _pop(nb, grade_id)
    return nb


def delete_negative_answer(nb):
    _pop(nb, "negative_gradient")
    return nb


def corrupt_metadata(nb):
    """Metadata that makes stock nbgrader fail or stop the batch: a schema-1 label on a
    student cell, a test cell turned off and re-weighted, a bogus schema version."""
    play = next(c for c in nb["cells"] if c["cell_type"] == "code" and "nbgrader" not in c["metadata"])
    play["metadata"]["nbgrader"] = {"schema_version": 1, "grade": True, "points": 50}
    test = nb["cells"][_index(nb, "minus_gradient_correct")]["metadata"]["nbgrader"]
    test.update(grade=False, points=1000)
    nb["cells"][_index(nb, "fit")]["metadata"]["nbgrader"]["schema_version"] = 99
    return nb


def edit_test_cell(nb):
    nb["cells"][_index(nb, "minus_gradient_correct")]["source"] = "pass"
    return nb


def truncate_file(nb):
    text = json.dumps(nb, indent=1)
    return text[: len(text) // 2]


def forged_findings(nb):
    """The grader keeps its findings in metadata["grading"]; a student writes their own."""
    nb["metadata"]["grading"] = {"findings": [
        {"reason": "FORGED: checked by hand, full marks", "review": False}]}
    return nb


def oversize(nb):
    """A markdown cell of 17 MiB: the file is larger than 16 MiB."""
    nb["cells"].append({"cell_type": "markdown", "id": "huge-notes", "metadata": {},
                        "source": "notes " * (17 * 1024 * 1024 // 6 + 1)})
    return nb


def deep_nesting(nb):
    """JSON nested 200,000 levels deep: a list of lists of lists... among the cells."""
    text = json.dumps(nb, indent=1)
    depth = 200_000
    return text.replace('"cells": [', '"cells": [' + "[" * depth + "]" * depth + ",", 1)


def oversized_cells(nb):
    """Two cells of the student's own after the first answer: 300 KB of code, one list of
    numbers (highlighting and sanitising it for the feedback page took over 40 s), and a
    markdown cell of 4,000 nested <div>s (44 KB: sanitising it, twice, took 2 to 10 s)."""
    numbers = ", ".join(str(n) for n in range(100_000, 137_500))
    code = {"cell_type": "code", "id": "huge-code", "metadata": {}, "outputs": [],
            "execution_count": None, "source": f"numbers = [{numbers}]\n"}
    depth = 4_000
    markdown = {"cell_type": "markdown", "id": "nested-notes", "metadata": {},
                "source": "<div>" * depth + "OVERSIZED_CELLS" + "</div>" * depth}
    at = _index(nb, "compute_gradient") + 1
    nb["cells"][at:at] = [code, markdown]
    return nb
