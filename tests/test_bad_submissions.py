"""Real-world submissions, graded in ONE plain `nbgrader autograde` batch with the course's
nbgrader_config.py: broken notebooks, runaway code, cheats and probes of the instructor's
files, next to correct submissions that must come out untouched.

The corpus and each submission's expected outcome are in tests/bad_submissions/.
"""
import html
import json
import re
import socket
import tomllib
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from grading import report
from grading.feedback import HIDDEN_BLOCK
from grading.course import ASSIGNMENT, NOTEBOOK, ROOT, notebook_path, run_nbgrader
from grading.gradebook import cell_scores, db_url
from grading.submissions import build_submission, read_answers

from conftest import copy_course

CORPUS = Path(__file__).with_name("bad_submissions")
CASES = tomllib.loads((CORPUS / "manifest.toml").read_text())
CORRECT_ANSWERS = ROOT / "demo" / "students" / "correct_carla.py"
GRADED = sorted(name for name, case in CASES.items() if case["answers"] != "none")

# Short limits keep the batch quick on CI's two cores; the course's own are longer.
TEST_LIMITS = """
c.Execute.timeout = 6
c.Execute.iopub_timeout = 3
c.BoundedExecute.notebook_budget = 120
"""


def _mutations():
    import importlib.util
    spec = importlib.util.spec_from_file_location("bad_mutations", CORPUS / "mutations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def submission_text(name, case, release, fill):
    """The submitted file's text for one case of the manifest."""
    answers = read_answers(CORRECT_ANSWERS) if case["answers"] == "correct" else {}
    if (CORPUS / f"{name}.py").exists():
        answers.update(read_answers(CORPUS / f"{name}.py"))
    nb = build_submission(release, {k: fill(v) for k, v in answers.items()})
    data = json.loads(nbformat.writes(nb))
    if "mutation" in case:
        data = getattr(_mutations(), case["mutation"])(data)
    return data if isinstance(data, str) else json.dumps(data, indent=1)


class Batch:
    def __init__(self, course, autograde, feedback, rows):
        self.course, self.autograde, self.feedback, self.rows = course, autograde, feedback, rows

    def log(self):
        return self.autograde.stdout + self.autograde.stderr

    def findings_text(self, student):
        row = self.rows[student]
        return row["flags"] + report.SEPARATOR + row["reasons"]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    course = copy_course(tmp_path_factory.mktemp("bad_submissions") / "course")
    with open(course / "nbgrader_config.py", "a") as f:
        f.write(TEST_LIMITS)
    run_nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    release = notebook_path(course, "release")
    # A port on this machine the probe tries to reach: the sandbox has no network.
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    fill = lambda code: code.replace("{COURSE}", str(course)).replace("{PORT}", str(port))
    for name, case in CASES.items():
        folder = course / "submitted" / name / ASSIGNMENT
        folder.mkdir(parents=True)
        if case["answers"] == "none":
            (folder / "README.txt").write_text("I could not get Jupyter to work, sorry.\n")
        else:
            (folder / f"{NOTEBOOK}.ipynb").write_text(submission_text(name, case, release, fill))
    with listener:
        autograde = run_nbgrader(course, "autograde", ASSIGNMENT, check=False)
    feedback = run_nbgrader(course, "generate_feedback", ASSIGNMENT, check=False)
    report.main([ASSIGNMENT, "--course", str(course)])
    rows = {row["student"]: row for row in report.report_rows(course, ASSIGNMENT)}
    return Batch(course, autograde, feedback, rows)


def test_the_batch_completes(batch):
    assert batch.autograde.returncode == 0, batch.log()[-5000:]
    assert "There was an error processing" not in batch.log()
    for student in GRADED:
        assert notebook_path(batch.course, "autograded", student).exists(), student


def test_every_submission_has_a_score_and_a_report_row(batch):
    assert set(batch.rows) == set(CASES)
    for student in GRADED:
        assert cell_scores(batch.course, student) is not None, student
    with open(batch.course / "reports" / f"{ASSIGNMENT}.csv") as f:
        assert len(f.read().splitlines()) == len(CASES) + 1


@pytest.mark.parametrize("student", GRADED)
def test_scores_per_cell(batch, student):
    case = CASES[student]
    scores = cell_scores(batch.course, student)
    expected = {grade_id: 0.0 if grade_id in case.get("zero", []) or case["score"] == 0 else top
                for grade_id, (_, top) in scores.items()}
    assert {grade_id: score for grade_id, (score, _) in scores.items()} == expected
    assert sum(expected.values()) == case["score"]


@pytest.mark.parametrize("student", sorted(CASES))
def test_flags_and_reasons(batch, student):
    case, row = CASES[student], batch.rows[student]
    assert row["score"] == case["score"]
    assert row["needs_review"] == ("yes" if case["review"] else "no"), batch.findings_text(student)
    for phrase in case["reasons"]:
        assert phrase in batch.findings_text(student), batch.findings_text(student)
    if case["answers"] != "none":
        with Gradebook(db_url(batch.course)) as gb:
            submission = gb.find_submission(ASSIGNMENT, student)
            assert submission.needs_manual_grade == case["review"]


def test_correct_submissions_are_untouched(batch):
    for student in ("correct_carla",):
        assert batch.rows[student]["flags"] == batch.rows[student]["reasons"] == ""
    assert batch.rows["blank_ben"]["flags"] == batch.rows["blank_ben"]["reasons"] == ""


def test_student_code_cannot_reach_instructor_files(batch):
    probe = notebook_path(batch.course, "autograded", "probe_instructor_files").parent / "probe.json"
    found = json.loads(probe.read_text())
    assert found["read"] and all(result == "FileNotFoundError" for result in found["read"].values()), found
    assert found["write"] and all(result != "opened for writing" for result in found["write"].values())
    assert found[f"listing {batch.course}"] == "FileNotFoundError"
    for folder in ("../../..", "/tmp"):  # the sandbox's root and /tmp: nothing of the course
        assert not {"submitted", "gradebook.db", "source"} & set(found[f"listing {folder}"])
    assert found["network"] != "connected to the grader's machine"
    assert "NBGRADER_EXECUTION" not in found["environment"]
    assert "autograded" not in found["cwd"]


def feedback_text(course, student):
    """The feedback page's text, as a student reads it (tags and highlighting removed)."""
    page = notebook_path(course, "feedback", student).read_text()
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def hidden_lines(course):
    """Lines of the hidden tests that appear nowhere in what students were given."""
    source = nbformat.read(str(notebook_path(course, "source")), as_version=4)
    blocks = [block.group(0) for cell in source.cells
              for block in HIDDEN_BLOCK.finditer(cell.source)]
    given = notebook_path(course, "release").read_text()
    return {line.strip() for block in blocks for line in block.splitlines()
            if len(line.strip()) > 20 and json.dumps(line.strip())[1:-1] not in given}


def test_feedback_keeps_hidden_tests_hidden(batch):
    assert batch.feedback.returncode == 0, batch.feedback.stderr[-3000:]
    hidden = hidden_lines(batch.course)
    assert len(hidden) > 50
    for student in ("blank_ben", "cheat_builtins", "infinite_loop", "correct_carla"):
        text = feedback_text(batch.course, student)
        assert "HIDDEN TESTS" not in text
        submitted = notebook_path(batch.course, "submitted", student).read_text()
        leaked = [line for line in hidden
                  if line in text and json.dumps(line)[1:-1] not in submitted]
        assert not leaked, (student, leaked[:3])
    # A failed test shows its score and one line with the test's message.
    text = feedback_text(batch.course, "cheat_builtins")
    assert "Score: 0.0 / 10.0" in text
    assert re.search(r"AssertionError: [^\n]*expected a number", text)
    assert "NotImplementedError" in feedback_text(batch.course, "blank_ben")
