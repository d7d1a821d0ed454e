"""The committed student release is what nbgrader generates from source/, and gives nothing away.

Refresh it after editing source/ with:  nbgrader generate_assignment expressions_to_ml --force
"""
import re

import nbformat
import pytest

from grading.course import run_nbgrader
from tests.support import ASSIGNMENT, ROOT, notebook_path

SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)


def read(path):
    return nbformat.read(str(path), as_version=4)


def without_cell_ids(nb):
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        cell.pop("id", None)
    return nb


def lines_of(sources):
    return {line.strip() for source in sources for line in source.splitlines() if line.strip()}


def region_lines(pattern, nb):
    """The code lines found only inside the pattern's regions of the notebook
    (a line that also appears elsewhere, such as `for x, y in points:`, gives nothing away)."""
    inside = lines_of(region for cell in nb.cells for region in pattern.findall(cell.source))
    outside = lines_of(pattern.sub("", cell.source) for cell in nb.cells)
    return inside - outside


@pytest.fixture(scope="module")
def release():
    return read(notebook_path(ROOT, "release"))


def test_release_is_in_sync_with_source(course_dir):
    committed = read(notebook_path(course_dir, "release"))
    run_nbgrader(course_dir, "generate_assignment", ASSIGNMENT, "--force")
    fresh = read(notebook_path(course_dir, "release"))
    assert without_cell_ids(fresh) == without_cell_ids(committed), (
        "release/ is stale: run `nbgrader generate_assignment expressions_to_ml --force`")


def test_release_has_no_solution_code(release):
    source = read(notebook_path(ROOT, "source"))
    solution_lines = region_lines(SOLUTION, source)
    assert solution_lines, "the source should contain solutions"
    release_lines = lines_of(cell.source for cell in release.cells)
    assert solution_lines & release_lines == set()
    assert not any("SOLUTION" in cell.source for cell in release.cells)


def test_release_has_no_hidden_tests(release):
    source = read(notebook_path(ROOT, "source"))
    hidden_lines = region_lines(HIDDEN, source)
    assert len(hidden_lines) > 5, "the source should contain hidden tests (most are the judge's)"
    release_lines = lines_of(cell.source for cell in release.cells)
    assert hidden_lines & release_lines == set()
    assert not any("HIDDEN TESTS" in cell.source for cell in release.cells)


def answer_cells(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]


def test_every_answer_cell_asks_for_code(release):
    answers = answer_cells(release)
    source = read(notebook_path(ROOT, "source"))
    assert [c.metadata.nbgrader.grade_id for c in answers] == [
        c.metadata.nbgrader.grade_id for c in answer_cells(source)]
    assert answers
    for cell in answers:
        assert "# YOUR CODE HERE\n" in cell.source and "raise NotImplementedError()" in cell.source


@pytest.mark.slow  # runs the notebook on a kernel
def test_nbgrader_validate_passes_on_source(tmp_path):
    result = run_nbgrader(tmp_path, "validate", str(notebook_path(ROOT, "source")))
    assert "Success! Your notebook passes all the tests." in result.stdout


@pytest.mark.slow  # runs the notebook on a kernel
def test_nbgrader_validate_invert_passes_on_release(tmp_path):
    result = run_nbgrader(tmp_path, "validate", "--invert", str(notebook_path(ROOT, "release")))
    assert "Success! The notebook does not pass any tests." in result.stdout
