"""Real-world submissions, graded by `grading autograde --feedback` (the Dask engine: two
workers, each grading in its private copy of the course, the results recorded here by
nbgrader) with the course's nbgrader_config.py: broken notebooks, runaway code, cheats
and probes of the instructor's files, next to correct submissions that must come out
untouched.

The corpus and each submission's expected outcome are in tests/bad_submissions/.
"""
import csv
import hashlib
import html
import json
import os
import re
import stat
import socket
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from grading import cli
from grading.commands import report, similarity
from grading.plugins.feedback import HIDDEN_BLOCK
from grading.course import tool_env
from grading.gradebook import db_url
from grading.submissions import build_submission, read_answers

from tests.support import ASSIGNMENT, NOTEBOOK, ROOT, cell_scores, generated_course, notebook_path
from tests.support.report_check import disagreements

pytestmark = pytest.mark.slow  # real nbgrader batches: minutes

CORPUS = Path(__file__).with_name("bad_submissions")
# BAD_SUBMISSIONS_SKIP=name,name leaves cases out of the batch (say, fifo_notebook, which
# stalls a grader that follows the FIFO); tests about a left-out case are skipped.
SKIPPED = set(filter(None, os.environ.get("BAD_SUBMISSIONS_SKIP", "").split(",")))
CASES = {name: case for name, case in tomllib.loads((CORPUS / "manifest.toml").read_text()).items()
         if name not in SKIPPED}
CORRECT_ANSWERS = ROOT / "demo" / "students" / "correct_carla.py"
GRADED = sorted(name for name, case in CASES.items() if case["answers"] != "none" and "fails" not in case)
# Expected failures: {student: a phrase of the reason}
FAILING = {name: case.get("fails", "No notebooks were matched") for name, case in CASES.items()
           if name not in GRADED}

# Short limits keep the batch quick on CI's two cores; the course's own are longer.
TEST_LIMITS = """
c.Execute.timeout = 6
c.Execute.iopub_timeout = 3
c.BoundedExecute.notebook_budget = 120
c.BoundedExecute.max_cell_message_bytes = 16 * 1024 ** 2
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


def file_hashes(folder):
    """{relative path: sha256} of every regular file under folder (links not followed)."""
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(Path(folder).rglob("*")) if path.is_file() and not path.is_symlink()}


def instructor_files(course):
    return [course / "gradebook.db", course / "nbgrader_config.py", notebook_path(course, "source")]


class Batch:
    def __init__(self, course, autograde, rows, before):
        self.course, self.autograde, self.rows = course, autograde, rows
        self.before = before  # what the course folder held before autograde

    def log(self):
        """Everything grading printed or logged: the command's output, every student's log."""
        logs = sorted((self.course / "reports" / ASSIGNMENT / "logs").rglob("*.log"))
        return self.autograde.stdout + self.autograde.stderr + "".join(p.read_text() for p in logs)

    def findings_text(self, student):
        row = self.rows[student]
        return row["flags"] + report.SEPARATOR + row["reasons"]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    course = generated_course(tmp_path_factory.mktemp("bad_submissions") / "course")
    with open(course / "nbgrader_config.py", "a") as f:
        f.write(TEST_LIMITS)
    release = notebook_path(course, "release")
    # A port on this machine the probe tries to reach: the sandbox has no network.
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    fill = lambda code: code.replace("{COURSE}", str(course)).replace("{PORT}", str(port))
    for name, case in CASES.items():
        folder = course / "submitted" / name / ASSIGNMENT
        if case.get("folder_link"):  # the submission folder itself: nothing written through it
            folder.parent.mkdir(parents=True)
            folder.symlink_to(fill(case["folder_link"]))
            continue
        folder.mkdir(parents=True)
        if case["answers"] == "none":
            (folder / "README.txt").write_text("I could not get Jupyter to work, sorry.\n")
        else:
            (folder / f"{NOTEBOOK}.ipynb").write_text(submission_text(name, case, release, fill))
        for link, target in case.get("links", {}).items():
            (folder / link).parent.mkdir(parents=True, exist_ok=True)
            (folder / link).symlink_to(fill(target))
        if case.get("extra_bytes"):
            with open(folder / "data.bin", "wb") as data:
                data.truncate(case["extra_bytes"])
    before = {"submitted": file_hashes(course / "submitted"),
              "modes": {path: path.lstat().st_mode for path in instructor_files(course)},
              "source": file_hashes(course / "source"),
              "config": (course / "nbgrader_config.py").read_bytes()}
    with listener:
        autograde = subprocess.run(
            [sys.executable, "-m", "grading", "autograde", ASSIGNMENT, "--course", str(course),
             "--feedback", "--workers", "2"], cwd=ROOT, env=tool_env(), capture_output=True, text=True)
    assert cli.main(["report", ASSIGNMENT, "--course", str(course)]) == 0  # and its table prints
    rows = {row["student"]: row for row in report.report_rows(course, ASSIGNMENT)[0]}
    return Batch(course, autograde, rows, before)


def needs(*students):
    """Skips a test about cases left out of the batch (BAD_SUBMISSIONS_SKIP)."""
    missing = [student for student in students if student not in CASES]
    if missing:
        pytest.skip(f"left out of the batch: {', '.join(missing)}")


def printed(course, student):
    """Everything the student's autograded notebook shows as output, as one text."""
    nb = nbformat.read(str(notebook_path(course, "autograded", student)), as_version=4)
    parts = []
    for cell in nb.cells:
        # One print can arrive as several stream messages ("FORK_BOMB forked", " 115\n"):
        # a cell's stream text is joined as it was written.
        parts.append("".join(output.get("text", "") for output in cell.get("outputs", [])
                             if output.output_type == "stream"))
        for output in cell.get("outputs", []):
            parts.extend(str(value) for value in output.get("data", {}).values())
            parts.append(str(output.get("evalue", "")))
    return "\n".join(parts)


def test_the_batch_completes(batch):
    # The expected failures only, each with its reason (a folder with no notebook, one
    # too big to send to a worker); every other submission graded.
    assert batch.autograde.returncode == (1 if FAILING else 0), batch.log()[-5000:]
    failures = {line.split(":")[1].strip(): line for line in batch.autograde.stdout.splitlines()
                if line.startswith("  failed: ")}
    assert sorted(failures) == sorted(FAILING), failures
    for student, reason in FAILING.items():
        assert reason in failures[student], failures[student]
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
    if student in GRADED:
        with Gradebook(db_url(batch.course)) as gb:
            submission = gb.find_submission(ASSIGNMENT, student)
            assert submission.needs_manual_grade == case["review"]


def test_correct_submissions_are_untouched(batch):
    for student in ("correct_carla",):
        assert batch.rows[student]["flags"] == batch.rows[student]["reasons"] == ""
    assert batch.rows["blank_ben"]["flags"] == batch.rows["blank_ben"]["reasons"] == ""


def test_student_code_cannot_reach_instructor_files(batch):
    needs("probe_instructor_files")
    lines = [line for line in printed(batch.course, "probe_instructor_files").splitlines()
             if line.startswith("PROBE ")]
    assert len(lines) == 1, lines
    found = json.loads(lines[0][len("PROBE "):])
    assert found["read"] and all(result == "FileNotFoundError" for result in found["read"].values()), found
    assert found["write"] and all(result != "opened for writing" for result in found["write"].values())
    assert found[f"listing {batch.course}"] == "FileNotFoundError"
    for folder in ("../../..", "/tmp"):  # the sandbox's root and /tmp: nothing of the course
        assert not {"submitted", "gradebook.db", "source", "judges", "mistakes"} & set(found[f"listing {folder}"])
    assert found["network"] != "connected to the grader's machine"
    assert found["worker copies"] == []  # the worker's private course copy is out of sight
    # nbgrader's documented variable, its value only (NBGRADER_EXECUTION=autograde)
    assert found["NBGRADER_EXECUTION"] == "autograde"
    assert [name for name in found["environment"] if "NBGRADER" in name] == ["NBGRADER_EXECUTION"]
    assert "autograded" not in found["cwd"]


def test_links_in_a_submission_carry_nothing(batch):
    """Links a student leaves in the submission folder are not sent to the worker: the
    kernel finds none of the files they point to."""
    needs("links_in_submission")
    line = next(line for line in printed(batch.course, "links_in_submission").splitlines()
                if line.startswith("LINKS "))
    found = json.loads(line[len("LINKS "):])
    assert found == dict.fromkeys(CASES["links_in_submission"]["links"], "FileNotFoundError")


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
    assert "generate_feedback: " in batch.autograde.stdout and "generate_feedback: nothing" not in batch.autograde.stdout
    hidden = hidden_lines(batch.course)
    assert len(hidden) > 5  # most hidden checks are the judge's, outside the notebook
    for student in ("blank_ben", "cheat_builtins", "infinite_loop", "correct_carla"):
        text = feedback_text(batch.course, student)
        assert "HIDDEN TESTS" not in text
        submitted = notebook_path(batch.course, "submitted", student).read_text()
        leaked = [line for line in hidden
                  if line in text and json.dumps(line)[1:-1] not in submitted]
        assert not leaked, (student, leaked[:3])
    # A failed test shows its score and one line with the message of the check that
    # failed: here the outside judge's, since the forged objects pass the visible asserts.
    text = feedback_text(batch.course, "cheat_builtins")
    assert re.search(r"\b0 / 10 \(top\)", text)
    assert re.search(r"A second check, on new numbers, disagreed: [^\n]*expected a number, found _Anything", text)
    assert "OutsideCheckFailed" not in text  # the grader's name for it is the instructor's
    assert "NotImplementedError" in feedback_text(batch.course, "blank_ben")
    # A message the student's code wrote is text on the page, under the test it failed.
    page = notebook_path(batch.course, "feedback", "markup_in_messages").read_text()
    assert "<script>alert(" not in page and "<style>body" not in page and "forged row</td>" not in page
    assert "&lt;script&gt;alert(" in page


# --- Forged grades --------------------------------------------------------------------
# cheat_rebind_helpers, cheat_shadow_builtin, cheat_guard_off, cheat_restart_module,
# cheat_reference_helpers, cheat_guard_snapshot: their scores, zero cells, flags and
# "outside check failed" are in manifest.toml.


# --- The work folder: what the kernel leaves behind for nbgrader ----------------------

def test_the_gradebook_is_untouched(batch):
    gradebook = batch.course / "gradebook.db"
    assert stat.S_ISREG(gradebook.lstat().st_mode)
    assert gradebook.read_bytes()[:16] == b"SQLite format 3\0"
    for path, mode in batch.before["modes"].items():
        assert path.lstat().st_mode == mode, (path, oct(mode), oct(path.lstat().st_mode))
    assert file_hashes(batch.course / "source") == batch.before["source"]
    assert (batch.course / "nbgrader_config.py").read_bytes() == batch.before["config"]
    for student in GRADED:
        assert cell_scores(batch.course, student), student
    assert sum(score for score, _ in cell_scores(batch.course, "correct_carla").values()) == 100


def test_classmates_submissions_are_untouched(batch):
    submitted = batch.course / "submitted"
    assert file_hashes(submitted) == batch.before["submitted"]
    planted = {submitted / student / ASSIGNMENT / link
               for student, case in CASES.items() for link in case.get("links", {})}
    planted |= {submitted / student / ASSIGNMENT for student, case in CASES.items() if case.get("folder_link")}
    for folder, dirs, files in os.walk(submitted):
        for name in dirs + files:
            path = Path(folder, name)
            assert not path.is_symlink() or path in planted, path


def test_graded_folders_hold_only_what_nbgrader_wrote(batch):
    """No links, FIFOs or files of the kernel's in autograded/: only the graded notebook and
    copies of the student's submitted files (nbgrader's own copy, as in a serial run), as
    regular files and folders."""
    autograded = batch.course / "autograded"
    for student in sorted(os.listdir(autograded)):
        folder = autograded / student / ASSIGNMENT
        assert sorted(os.listdir(autograded / student)) == [ASSIGNMENT], student
        submitted = batch.course / "submitted" / student / ASSIGNMENT
        for path in folder.rglob("*"):
            relative = path.relative_to(folder)
            mode = path.lstat().st_mode
            assert stat.S_ISREG(mode) or stat.S_ISDIR(mode), (student, relative, stat.filemode(mode))
            assert relative == Path(f"{NOTEBOOK}.ipynb") or os.path.lexists(submitted / relative), \
                (student, relative)


INSTRUCTOR_MARKS = ("SQLite format 3", "c.CourseDirectory", "BEGIN SOLUTION", "BEGIN HIDDEN TESTS")


def test_feedback_holds_only_feedback_pages(batch):
    """feedback/<student>/ holds the feedback page nbgrader makes and nothing else: no copy
    of the source notebook, the gradebook or the config, whatever the student left."""
    feedback = batch.course / "feedback"
    for folder, dirs, files in os.walk(feedback):
        for name in dirs + files:
            path = Path(folder, name)
            relative = path.relative_to(feedback).parts
            mode = path.lstat().st_mode
            if name in dirs:
                assert stat.S_ISDIR(mode) and len(relative) <= 2 and relative[1:] in ((), (ASSIGNMENT,)), path
                continue
            assert stat.S_ISREG(mode), (path, stat.filemode(mode))
            assert relative[1:] == (ASSIGNMENT, f"{NOTEBOOK}.html"), path
            text = path.read_bytes().decode("utf-8", "replace")
            assert not [mark for mark in INSTRUCTOR_MARKS if mark in text], path


def test_the_kernel_cannot_tell_where_it_runs(batch):
    needs("host_paths")
    text = printed(batch.course, "host_paths")
    assert "executable:" in text and "cwd:" in text, text[-2000:]
    for secret in (str(batch.course), str(batch.course.resolve()), str(ROOT), "autograded"):
        lines = [line[:300] for line in text.splitlines() if secret in line]
        assert not lines, (secret, lines[:5])


def test_installed_packages_do_not_say_where_the_toolkit_lives(batch):
    """An editable install of the grading package records its source folder (here the
    course folder) in site-packages; the sandbox shows those records empty."""
    needs("installed_package_paths")
    text = printed(batch.course, "installed_package_paths")
    assert "INSTALLED searched /opt/python/" in text, text[-2000:]
    for secret in (str(batch.course), str(ROOT), str(ROOT.resolve())):
        lines = [line[:300] for line in text.splitlines() if secret in line]
        assert not lines, (secret, lines[:5])


# --- Limits that add up ---------------------------------------------------------------

def numbers_printed(course, student, label):
    text = printed(course, student)
    found = [int(n) for n in re.findall(rf"^{re.escape(label)} (\d+)", text, re.MULTILINE)]
    assert found, (label, text[-3000:])
    return found


def test_forked_children_share_one_memory_limit(batch):
    needs("memory_fork")
    [held] = numbers_printed(batch.course, "memory_fork", "MEMORY_FORK held")
    assert held <= 1


def test_a_fork_bomb_is_bounded(batch):
    needs("fork_bomb")
    [forked] = numbers_printed(batch.course, "fork_bomb", "FORK_BOMB forked")
    assert forked < 200


def test_scratch_space_is_bounded(batch):
    needs("shm_fill")
    text = printed(batch.course, "shm_fill")
    written = {folder: int(size) for folder, size in
               re.findall(r"^SHM_FILL (\S+) (\d+)", text, re.MULTILINE)}
    assert set(written) == {"/dev/shm", "/tmp", "."}, text[-3000:]
    assert all(size <= 256 * 1024 ** 2 for size in written.values()), written


def test_the_socket_folder_is_bounded(batch):
    needs("ipc_fill")
    assert "IPC_FILL" in printed(batch.course, "ipc_fill")
    [written] = numbers_printed(batch.course, "ipc_fill", "IPC_FILL")
    assert written <= 1024 ** 2  # the sandbox's 1 MiB tmpfs, not the host's /tmp
    assert "IPC_FILL 1048576 ENOSPC" in printed(batch.course, "ipc_fill")


def test_kernel_messages_past_the_caps_are_dropped(batch):
    needs("message_flood")
    assert notebook_path(batch.course, "autograded", "message_flood").stat().st_size < 5_000_000
    assert "MESSAGE_FLOOD" not in printed(batch.course, "message_flood")  # after the cap


def test_no_process_outlives_its_kernel(batch):
    needs("daemon_survivor")
    assert "DAEMON_SURVIVOR started" in printed(batch.course, "daemon_survivor")
    survivors = subprocess.run(["pgrep", "-f", "DAEMON_SURVIVOR_MARK"], capture_output=True, text=True)
    assert survivors.stdout.split() == [], survivors.stdout


def test_huge_names_and_outputs_stay_small(batch):
    needs("huge_reply")
    assert notebook_path(batch.course, "autograded", "huge_reply").stat().st_size < 5_000_000
    row = batch.rows["huge_reply"]
    for reason in (row["flags"] + report.SEPARATOR + row["reasons"]).split(report.SEPARATOR):
        assert len(reason) < 2000, reason[:200]


# --- Smaller ---------------------------------------------------------------------------

def test_forged_findings_are_not_reported(batch):
    needs("forged_findings")
    assert not [student for student in batch.rows if "FORGED" in batch.findings_text(student)]
    assert "FORGED" not in (batch.course / "reports" / f"{ASSIGNMENT}.csv").read_text()


def test_kernel_stderr_cannot_forge_the_log(batch):
    needs("stderr_spam")
    assert "FAKE" not in batch.log(), [line[:200] for line in batch.log().splitlines() if "FAKE" in line]


def test_class_report_agrees_with_the_gradebook(batch):
    """The class report of this batch (broken files, attacks, odd names and outputs), with
    its similar answers side by side, holds the gradebook's numbers, and only the report's
    own markup: whatever students wrote is text on the page. A notebook that is a link to
    a classmate's is never read as a copy of it."""
    assert cli.main(["similarity", ASSIGNMENT, "--course", str(batch.course)]) == 0
    with open(similarity.csv_path(batch.course, ASSIGNMENT), newline="") as f:
        paired = {name for row in csv.DictReader(f) for name in (row["student_a"], row["student_b"])}
    assert "notebook_is_a_link" not in paired
    assert cli.main(["report", ASSIGNMENT, "--html", "--course", str(batch.course)]) == 0
    assert disagreements(batch.course, ASSIGNMENT, sorted(batch.rows)) == []
