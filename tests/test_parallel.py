"""The grading engine (`grading autograde` on Dask): exactly the scores of serial
`nbgrader autograde`, on the default LocalCluster and on a real external cluster that
loses workers; runs that resume; workers that refuse without a sandbox; one run per
course at a time; a cluster only the course can use (TLS with the course's certificates,
a loopback LocalCluster, task names without student ids, a worker that removes its course
copy when stopped)."""
import contextlib
import datetime
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import dask
import psutil
import pytest
from distributed import Client, Security

from grading import cli, cluster, gradebook
from grading.commands import autograde
from grading.course import tool_env
from grading.course_lock import CourseBusy, course_lock
from grading.record import recording_steps
from grading.task import Course, Refused, Submission, TooLarge, read_course, read_folder, write_folder
from grading.worker import grade_submission
from tests.support import ASSIGNMENT, ROOT, fresh_course, generated_course, notebook_path, synthetic


# Every kind of submission, the working ones twice, so three workers share the batch.
CLASS = synthetic.class_list(
    6, mix=("correct", "partial", "blank", "broken_code", "broken_file", "correct"))
STUDENTS = [student for student, _ in CLASS]
CRASHER = "zz_kills_its_worker"  # tests/support/dask_crash_preload.py kills the worker grading it


def graded_course(destination, students=CLASS):
    course = generated_course(destination)
    synthetic.write_submitted(course, students)
    return course


def all_scores(course):
    return gradebook.snapshot(course, ASSIGNMENT, STUDENTS)


# `grading ARGS`, with Ctrl-C raising KeyboardInterrupt even when the suite was started
# in the background (a non-interactive shell starts background jobs with SIGINT ignored,
# and a Python started so keeps ignoring it).
GRADING_WITH_CTRL_C = ("import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
                       "from grading.cli import main; sys.exit(main())")


def grading(*args, env=None, **popen):
    """`grading ARGS` as a subprocess of its own session (so a test can stop it and all
    it started)."""
    return subprocess.Popen([sys.executable, "-c", GRADING_WITH_CTRL_C, *args], cwd=ROOT,
                            env=env or tool_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True, **popen)


@pytest.fixture(scope="module")
def serial_run(tmp_path_factory):
    """The class being graded by plain serial `nbgrader autograde` (one process, one core),
    started in the background so that it overlaps the LocalCluster's run: (course, process).
    Broken files may fail it."""
    serial = graded_course(tmp_path_factory.mktemp("serial") / "course")
    with open(serial.parent / "nbgrader.log", "w") as log:  # a file: a full pipe would stall it
        process = subprocess.Popen([sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT],
                                   cwd=serial, env=tool_env(), stdout=log, stderr=subprocess.STDOUT)
        try:
            yield serial, process
        finally:
            process.wait()


@pytest.fixture(scope="module")
def serial_scores(serial_run):
    """The class graded by plain serial `nbgrader autograde`: the reference."""
    serial, process = serial_run
    process.wait()
    return all_scores(serial)


@pytest.fixture(scope="module")
def on_local_cluster(serial_run, tmp_path_factory):  # the serial reference grades meanwhile
    """The class graded by the command on its default engine, a LocalCluster (three
    workers on two cores, so results arrive while others grade)."""
    course = graded_course(tmp_path_factory.mktemp("local") / "course")
    status = cli.main(["autograde", ASSIGNMENT, "--course", str(course), "--workers", "3", "--feedback"])
    return course, status


@pytest.mark.slow  # real kernels
def test_local_cluster_scores_equal_serial_scores(on_local_cluster, serial_scores):
    course, status = on_local_cluster
    assert all_scores(course) == serial_scores, f"exit {status}; logs: {course / 'reports' / ASSIGNMENT / 'logs'}"
    kinds = dict(CLASS)
    totals = {s: sum(score for score, *_ in cells.values()) for s, cells in serial_scores.items() if cells}
    assert {totals[s] for s in totals if kinds[s] == "correct"} == {100}
    assert {totals[s] for s in totals if kinds[s] == "blank"} == {0}


@pytest.mark.slow  # real kernels
def test_every_graded_student_has_notebook_and_feedback(on_local_cluster):
    course, status = on_local_cluster
    graded = [s for s, cells in all_scores(course).items() if cells is not None]
    assert {s for s, kind in CLASS if kind != "broken_file"} <= set(graded)
    for student in graded:
        assert notebook_path(course, "autograded", student).exists()
        feedback = notebook_path(course, "feedback", student).read_text()
        assert student in feedback or "Score" in feedback
    # Exit status 1 exactly when a submission could not be graded, as nbgrader's.
    assert status == (0 if len(graded) == len(CLASS) else 1)


@pytest.mark.slow  # real kernels
def test_outcomes_are_facts_and_a_second_run_skips(on_local_cluster, tmp_path):
    """Graded, skipped and failed come from what nbgrader's converter did, not its log."""
    course, _ = on_local_cluster
    again = autograde.grade_class(course, ASSIGNMENT, STUDENTS, workers=1)
    assert {s: outcome for s, (outcome, *_) in again.steps["autograde"][0].items()} == \
        dict.fromkeys(STUDENTS, "skipped")
    # A submission without its notebook: failed, with the reason nbgrader's exception gives.
    (course / "submitted" / "10009" / ASSIGNMENT).mkdir(parents=True)
    (outcome, _, log, reason), = autograde.grade_class(course, ASSIGNMENT, ["10009"], workers=1) \
        .steps["autograde"][0].values()
    assert outcome == "failed" and reason.startswith("NbGraderException: No notebooks were matched")
    assert reason in Path(log).read_text()


@pytest.mark.slow  # real kernels
def test_feedback_follows_the_gradebook(on_local_cluster):
    """The worker's feedback page is kept while the gradebook shows what the worker's did;
    after an instructor's comment it is made here, from the gradebook, by nbgrader."""
    course, _ = on_local_cluster
    fresh = autograde.grade_class(course, ASSIGNMENT, ["10001"], force=True, feedback=True, workers=1)
    (_, _, log, _), = fresh.steps["generate_feedback"][0].values()
    assert Path(log).read_text() == "feedback made on the worker"
    with gradebook.open_gradebook(course) as gb:
        comment = gb.find_comment("fit", "expressions_to_ml", ASSIGNMENT, "10001")
        comment.manual_comment = "Well argued: see me about the learning rate."
        gb.db.commit()
    again = autograde.grade_class(course, ASSIGNMENT, ["10001"], force=True, feedback=True, workers=1)
    (outcome, _, log, _), = again.steps["generate_feedback"][0].values()
    assert outcome == "done" and "feedback made on the worker" not in Path(log).read_text()
    assert "see me about the learning rate" in notebook_path(course, "feedback", "10001").read_text()


@pytest.mark.slow  # real kernels
def test_an_interrupted_run_resumes_without_force(serial_scores, tmp_path):
    """Ctrl-C mid-run, then the same command again: only what is missing is graded, and
    a student whose results were half written when it stopped is graded again."""
    course = graded_course(tmp_path / "course")
    logs = course / "reports" / ASSIGNMENT / "logs" / "autograde"
    first = grading("autograde", ASSIGNMENT, "--course", str(course), "--workers", "2")
    deadline = time.monotonic() + 300
    while not (logs.is_dir() and list(logs.glob("*.log"))) and time.monotonic() < deadline:
        time.sleep(0.2)
    first.send_signal(signal.SIGINT)
    _, err = first.communicate(timeout=120)
    assert first.returncode == 130, err[-3000:]
    assert "interrupted" in err
    recorded = {log.stem for log in logs.glob("*.log")}
    assert 0 < len(recorded) < len(STUDENTS)
    # As if the interruption had come while one student's results were being written.
    half_written = sorted(recorded)[0]
    (course / "reports" / ASSIGNMENT / "unfinished").mkdir(exist_ok=True)
    (course / "reports" / ASSIGNMENT / "unfinished" / half_written).touch()
    notebook_path(course, "autograded", half_written).unlink()

    again = autograde.grade_class(course, ASSIGNMENT, workers=2).steps["autograde"][0]
    skipped = {s for s, (outcome, *_) in again.items() if outcome == "skipped"}
    assert skipped == recorded - {half_written}
    assert all_scores(course) == serial_scores, out + err[-3000:]
    assert not list((course / "reports" / ASSIGNMENT / "unfinished").iterdir())


# --- an external cluster: `dask scheduler` and `dask worker` processes -------------------

def dask_command(*args):
    return [str(Path(sys.executable).parent / "dask"), *args]


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    """The course's certificates, made by `grading cluster certs`, and another course's."""
    folder = tmp_path_factory.mktemp("certs")
    assert cli.main(["cluster", "certs", "--course", str(ROOT), "--out", str(folder / "course")]) == 0
    cluster.make_certificates(folder / "other")
    return folder / "course", folder / "other"


def tls_flags(folder, role):
    """The README's flags for `dask scheduler` and `dask worker`."""
    return ["--tls-ca-file", str(folder / "ca.pem"), "--tls-cert", str(folder / f"{role}.pem")]


def start_worker(scheduler_file, folder, certs, env=None, preload=True):
    """A `dask worker` (with its nanny), with the course's worker certificate, in an empty
    folder of its own, which is also its TMPDIR: whatever it writes stays there, and the
    course folder is nowhere near."""
    folder.mkdir()
    env = {**(env or tool_env()), "TMPDIR": str(folder)}
    command = dask_command("worker", "--scheduler-file", str(scheduler_file), "--nthreads", "1",
                           "--local-directory", str(folder), "--dashboard-address", "127.0.0.1:0",
                           *tls_flags(certs[0], "worker"))
    if preload:
        command += ["--preload", str(ROOT / "tests" / "support" / "dask_crash_preload.py")]
    return subprocess.Popen(command, cwd=folder, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def stop(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def test_ctrl_c_swallowed_by_a_finaliser_still_stops_the_run(monkeypatch):
    """Ctrl-C that lands in a __del__ (as CI saw in Dask's GC callback) is printed as
    "Exception ignored" and lost; the grading loop's check() raises it again."""
    from grading import interrupt

    class RaisesInFinaliser:
        def __del__(self):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.1)  # the handler runs here, inside __del__

    monkeypatch.setattr(sys, "unraisablehook", lambda unraisable: None)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        RaisesInFinaliser()  # without remembering, the interrupt is gone
        interrupt.check()
        with interrupt.remembered():
            RaisesInFinaliser()
            with pytest.raises(KeyboardInterrupt):
                interrupt.check()
        interrupt.check()  # forgotten when the run ends
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.fixture
def scheduler(tmp_path, certs):
    """A real `dask scheduler` started as the README says, with the course's certificates
    (two tries per task before KilledWorker); yields its address and scheduler file."""
    scheduler_file = tmp_path / "scheduler.json"
    env = {**tool_env(), "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1",
           "DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION": "1.0"}  # as the README says
    process = subprocess.Popen(
        dask_command("scheduler", "--scheduler-file", str(scheduler_file), "--port", "0",
                     "--dashboard-address", "127.0.0.1:0", *tls_flags(certs[0], "scheduler")),
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        yield json.loads(scheduler_file.read_text())["address"], scheduler_file
    finally:
        stop(process)


@pytest.mark.slow  # real kernels on a real cluster
def test_external_cluster_loses_a_worker_and_keeps_every_score(scheduler, certs, serial_scores, tmp_path):
    """On a TLS cluster, with the course's client certificate: the serial scores, and the
    scheduler (its dashboard, its logs) never saw a student id."""
    address, scheduler_file = scheduler
    assert address.startswith("tls://")
    course = graded_course(tmp_path / "course", CLASS + [(CRASHER, "correct")])
    workers = [start_worker(scheduler_file, tmp_path / f"worker{i}", certs) for i in (1, 2)]
    try:
        run = grading("autograde", ASSIGNMENT, "--course", str(course), "--scheduler", address,
                      "--tls", str(certs[0]), "--feedback")
        logs = course / "reports" / ASSIGNMENT / "logs" / "autograde"
        deadline = time.monotonic() + 300
        while not (logs.is_dir() and list(logs.glob("1*.log"))) and time.monotonic() < deadline:
            time.sleep(0.2)
        stop(workers[0])  # mid-run: it was grading, and its machine is gone
        out, err = run.communicate(timeout=600)
        # The survivor graded from a private copy of the course, in its own folder.
        assert list((tmp_path / "worker2").glob(f"grading-{ASSIGNMENT}-*/gradebook.db"))
        seen = scheduler_memory(address, certs[0])
    finally:
        for worker in workers:
            stop(worker)
    assert run.returncode == 1, out + err[-3000:]  # the crasher failed; nothing else did
    assert all_scores(course) == serial_scores, out + err[-3000:]
    assert f"autograde: {len(STUDENTS)} done, 1 failed" in out
    assert f"failed: {CRASHER}: grading it killed every worker that took it (2 tries" in out
    assert gradebook.totals(course, ASSIGNMENT, [CRASHER]) == {}
    for student in STUDENTS:
        assert notebook_path(course, "feedback", student).exists()
    assert "engine:" in out and "Dask dashboard: http" in err
    keys, text = seen
    assert len(keys) >= len(STUDENTS) + 1 and all(re.fullmatch("grade-[0-9a-f]{32}", k) for k in keys)
    assert CRASHER not in text


def scheduler_memory(address, course_certs):
    """The grading keys a scheduler remembers (its transitions: what the dashboard shows)
    and the text of all it remembers about tasks (transitions, task stream, events)."""
    def remembered(dask_scheduler):
        stream = [plugin.buffer for plugin in dask_scheduler.plugins.values()
                  if hasattr(plugin, "buffer")]
        return ([t.key for t in dask_scheduler.transition_log],
                repr((list(dask_scheduler.transition_log), stream, dask_scheduler.get_events())))
    with Client(address, security=cluster.course_security(course_certs)) as client:
        keys, text = client.run_on_scheduler(remembered)
    return sorted({str(k) for k in keys if str(k).startswith("grade")}), text


@pytest.mark.slow  # a real cluster, no kernel
def test_a_worker_without_sandbox_refuses(scheduler, certs, tmp_path):
    address, scheduler_file = scheduler
    course = graded_course(tmp_path / "course", CLASS[:1])
    no_bwrap = {**tool_env(), "PATH": str(Path(sys.executable).parent)}  # no /usr/bin: no bwrap
    worker = start_worker(scheduler_file, tmp_path / "worker", certs, env=no_bwrap, preload=False)
    try:
        run = grading("autograde", ASSIGNMENT, "--course", str(course), "--scheduler", address,
                      "--tls", str(certs[0]))
        out, err = run.communicate(timeout=300)
    finally:
        stop(worker)
    assert run.returncode == 2, out + err
    assert "cannot sandbox student code, so nothing was graded" in err
    assert "bubblewrap (bwrap) is not installed" in err
    assert gradebook.totals(course, ASSIGNMENT, STUDENTS[:1]) == {}
    assert not (course / "autograded").exists()


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path):
    course_dir = generated_course(tmp_path / "course")
    synthetic.write_submitted(course_dir, CLASS[:1])
    # Dask retries a refused connection until its connect timeout (30 s): 3 s here
    env = {**tool_env(), "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "3s"}
    result = grading("autograde", ASSIGNMENT, "--course", str(course_dir),
                     "--scheduler", "tcp://127.0.0.1:9", "--insecure", env=env)
    out, err = result.communicate(timeout=120)
    assert result.returncode == 2, out + err
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in err


# --- a cluster only the course can use ---------------------------------------------------

def handshake_refused(address, cert=None):
    """Opens a TLS connection to the scheduler at `address` as anyone could (trusting any
    server), with `cert` (None: no client certificate), and expects the server to end it
    (its alert, or the connection closed mid-handshake); returns why."""
    host, port = address.removeprefix("tls://").rsplit(":", 1)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    if cert:
        context.load_cert_chain(str(cert))
    with socket.create_connection((host, int(port)), timeout=20) as raw:
        with pytest.raises((ssl.SSLError, ConnectionResetError)) as refused:
            with context.wrap_socket(raw) as tls:
                tls.sendall(b"\0" * 8)
                tls.recv(1)
    return str(refused.value)


def test_the_courses_certificates(certs, capsys):
    """One CA per course; each role's certificate signed by it, its key readable by its
    owner only; an existing set is kept unless --force."""
    from cryptography import x509
    course, other = certs
    ca = x509.load_pem_x509_certificate((course / "ca.pem").read_bytes())
    assert ca.subject != x509.load_pem_x509_certificate((other / "ca.pem").read_bytes()).subject
    assert (course / "ca.pem").stat().st_mode & 0o777 == 0o644
    for role in ("scheduler", "worker", "client"):
        pem = course / f"{role}.pem"
        assert pem.stat().st_mode & 0o777 == 0o600 and b"PRIVATE KEY" in pem.read_bytes()
        x509.load_pem_x509_certificate(pem.read_bytes()).verify_directly_issued_by(ca)
    assert sorted(p.name for p in course.iterdir()) == ["ca.pem", "client.pem", "scheduler.pem", "worker.pem"]
    before = (course / "client.pem").read_bytes()
    assert cli.main(["cluster", "certs", "--course", str(ROOT), "--out", str(course)]) == 2
    assert "--force" in capsys.readouterr().err
    assert (course / "client.pem").read_bytes() == before


def test_only_the_course_can_connect(scheduler, certs):
    """The README's scheduler refuses a client without a certificate, with another
    course's (even one that trusts this course's CA, which is no secret), and plain TCP."""
    address, _ = scheduler
    course, other = certs
    handshake_refused(address)
    handshake_refused(address, other / "client.pem")
    stranger = Security(require_encryption=True, tls_ca_file=str(course / "ca.pem"),
                        tls_client_cert=str(other / "client.pem"))
    with dask.config.set({"distributed.comm.timeouts.connect": "5s"}):
        # The server's refusal: its alert, or the connection closed mid-handshake.
        with pytest.raises(OSError, match="unknown ca|EOF occurred in violation of protocol"):
            Client(address, security=stranger, timeout="5s")
        with pytest.raises(OSError):
            Client(address.replace("tls://", "tcp://"), timeout="5s")
    with Client(address, security=cluster.course_security(course), timeout="30s") as client:
        assert client.scheduler_info()["address"] == address


@pytest.mark.parametrize("command, fix", [
    (["autograde", "--scheduler", "tcp://127.0.0.1:9"], "refusing the unencrypted scheduler address"),
    (["class-run", "--scheduler", "127.0.0.1:9"], "refusing the unencrypted scheduler address"),
    (["regrade", "--scheduler", "tcp://127.0.0.1:9"], "refusing the unencrypted scheduler address"),
    (["autograde", "--scheduler", "tls://127.0.0.1:9"], "no course certificates in"),
])
def test_a_scheduler_reached_without_the_courses_tls_is_refused(command, fix, tmp_path, capsys):
    """Before anything is touched: no lock, no collection, no connection."""
    course = fresh_course(tmp_path / "course")
    before = sorted(course.rglob("*"))
    name, *engine = command
    extra = [str(tmp_path / "download.zip")] if name == "class-run" else []
    assert cli.main([name, ASSIGNMENT, *extra, "--course", str(course), *engine]) == 2
    err = capsys.readouterr().err
    assert fix in err and "grading cluster certs" in err
    assert sorted(course.rglob("*")) == before


def test_the_local_cluster_is_this_machines_only():
    """Scheduler, workers, nannies and dashboard listen on 127.0.0.1, over TLS with a key
    made for the run: a client without it is refused."""
    with cluster.dask_client(workers=1) as client:
        address = client.scheduler.address
        assert address.startswith("tls://127.0.0.1:")
        assert cluster.dashboard(client).startswith("http://127.0.0.1:")
        processes = [psutil.Process()] + [psutil.Process(pid) for pid in client.run(os.getpid).values()]
        listening = {c.laddr.ip for p in processes for c in p.net_connections("inet")
                     if c.status == psutil.CONN_LISTEN}
        assert listening == {"127.0.0.1"}
        handshake_refused(address)
    with dask.config.set({"distributed.scheduler.dashboard.address": "0.0.0.0:8787"}):
        assert cluster.local_dashboard() == "0.0.0.0:8787"  # asked for, through Dask's setting


@pytest.mark.slow  # nbgrader generate_assignment on a real worker
def test_a_worker_stopped_with_sigterm_removes_its_course_copy(scheduler, certs, tmp_path):
    """`dask worker` and its worker process sent SIGTERM, as a batch system or `kill` on
    the process group does: the course copy (source with solutions, hidden tests, judge)
    is gone with them. The worker process used to die of it at once, copy left."""
    address, scheduler_file = scheduler
    course = read_course(generated_course(tmp_path / "course"), ASSIGNMENT, (), False)
    folder = tmp_path / "worker"
    dask_worker = start_worker(scheduler_file, folder, certs, preload=False)
    try:
        with Client(address, security=cluster.course_security(certs[0]), timeout="60s") as client:
            client.wait_for_workers(1, timeout=120)
            graded = client.submit(grade_submission, course, Submission("10001", {}), pure=False).result()
            assert graded.error  # nothing to grade, but the course was set up
            copies = list(folder.glob(f"grading-{ASSIGNMENT}-*"))
            assert len(copies) == 1 and (copies[0] / "source" / ASSIGNMENT).is_dir()
            process = psutil.Process(next(iter(client.run(os.getpid).values())))
            os.killpg(dask_worker.pid, signal.SIGTERM)
            dask_worker.wait(60)
            process.wait(60)
        assert not copies[0].exists()
    finally:
        stop(dask_worker)


STOPPED = """
import os, signal, sys, tempfile
from grading import worker
folder = tempfile.mkdtemp(prefix="grading-copy-")
worker._copies.add(worker.Path(folder))
worker._catch_stops()  # the main thread: installed at once
print(folder, flush=True)
if sys.argv[1] != "exit":
    os.kill(os.getpid(), getattr(signal, sys.argv[1]))
"""


@pytest.mark.parametrize("how, status", [("SIGTERM", -signal.SIGTERM), ("SIGINT", -signal.SIGINT)])
def test_a_worker_process_removes_its_copies_at_any_stop_it_can_catch(how, status):
    """Killed by SIGTERM as before (the nanny sees the same exit), KeyboardInterrupt on
    SIGINT as before: the copies are gone each time (a normal exit: atexit)."""
    result = subprocess.run([sys.executable, "-c", STOPPED, how], cwd=ROOT, env=tool_env(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == status, result.stderr
    assert result.stdout and not Path(result.stdout.strip()).exists()
    assert ("KeyboardInterrupt" in result.stderr) == (how == "SIGINT")


# --- what a task carries ----------------------------------------------------------------

def test_a_task_carries_regular_files_only(tmp_path):
    folder = tmp_path / "submission"
    (folder / "data").mkdir(parents=True)
    (folder / "answers.ipynb").write_text("{}")
    (folder / "data" / "points.csv").write_text("1,2\n")
    secret = tmp_path / "gradebook.db"
    secret.write_text("instructor only")
    (folder / "link.txt").symlink_to(secret)
    (folder / "linked_folder").symlink_to(tmp_path)
    os.mkfifo(folder / "pipe")
    assert read_folder(folder) == {"answers.ipynb": b"{}", "data/points.csv": b"1,2\n"}
    with pytest.raises(TooLarge):
        read_folder(folder, limit=3)
    # A submission folder that is a link, and one inside a student folder that is a link.
    (tmp_path / "student").mkdir()
    (tmp_path / "student" / "hw").symlink_to(folder)
    (tmp_path / "linked_student").symlink_to(folder.parent)
    for linked in (tmp_path / "student" / "hw", tmp_path / "linked_student" / "submission"):
        with pytest.raises(Refused, match="is a link"):
            read_folder(linked)
    with pytest.raises(ValueError):
        write_folder(tmp_path / "out", {"../escaped": b""})


def test_a_course_is_named_by_its_contents():
    course = Course("a", {"source/a/a.ipynb": b"1"}, (), False)
    assert course.key == Course("a", {"source/a/a.ipynb": b"1"}, (), True).key
    assert course.key != Course("a", {"source/a/a.ipynb": b"2"}, (), False).key
    assert course.key != Course("a", {"source/a/a.ipynb": b"1"}, ("--x",), False).key


def test_a_worker_gradebook_is_what_nbgrader_makes_of_a_new_one(tmp_path):
    """start_sqlite skips nbgrader's `alembic heads` process; the gradebook must not differ."""
    import sqlite3
    from nbgrader.api import Gradebook

    def layout(path):
        with Gradebook(f"sqlite:///{path}", "course"):
            pass
        with sqlite3.connect(path) as db:
            tables = sorted(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
            return tables, db.execute("SELECT version_num FROM alembic_version").fetchall()

    gradebook.start_sqlite(tmp_path / "started.db")
    ours = layout(tmp_path / "started.db")
    nbgraders = layout(tmp_path / "nbgrader.db")  # nbgrader's way: it runs `alembic heads`
    assert ours == nbgraders and len(ours[0]) > 10 and ours[1][0][0]


def _assignment_tables(path):
    """Every row of the gradebook's assignment tables, each id replaced by what it names
    (an assignment, notebook or cell by its name): equal for two gradebooks that hold the
    same assignment, whatever ids they drew. Read with SQL, not through grading's code."""
    import sqlite3
    with contextlib.closing(sqlite3.connect(path)) as db:
        names = {}
        for table, key in (("assignment", "name"), ("notebook", "assignment_id, name"),
                           ("base_cell", "notebook_id, name, type"), ("source_cell", "notebook_id, name")):
            for row in db.execute(f"SELECT id, {key} FROM {table}"):
                names[row[0]] = (table, *[names.get(value, value) for value in row[1:]])
        tables = {}
        for table in ("assignment", "notebook", "base_cell", "grade_cells", "solution_cells",
                      "task_cells", "source_cell"):
            cursor = db.execute(f"SELECT * FROM {table}")
            columns = [c[0] for c in cursor.description]
            tables[table] = sorted(
                tuple((column, repr(names.get(value, value))) for column, value in zip(columns, row))
                for row in cursor)
        return tables


@pytest.mark.slow  # generate_assignment once (shared by the module's tests)
def test_a_worker_gradebook_holds_the_assignment_as_the_courses_does(tmp_path):
    """Workers no longer run generate_assignment: the cells (header, automatic tests and
    all) come from the course's gradebook. Every column of every assignment table, the
    notebooks' kernelspec included, must come out the same, or autograde would check
    another assignment than the instructor's."""
    course = generated_course(tmp_path / "course")
    with gradebook.open_gradebook(course) as gb:  # a due date travels too
        gb.update_or_create_assignment(ASSIGNMENT, duedate=datetime.datetime(2026, 12, 1, 17))
    copy = tmp_path / "worker.db"
    gradebook.start_sqlite(copy)
    gradebook.fill(f"sqlite:///{copy}", gradebook.settings(course)[1],
                   gradebook.structure(course, ASSIGNMENT))
    from sqlalchemy.engine import make_url
    ours = _assignment_tables(copy)
    courses = _assignment_tables(make_url(gradebook.settings(course)[0]).database)
    assert ours == courses
    assert ours["grade_cells"] and ours["source_cell"]
    assert dict(ours["notebook"][0])["kernelspec"] != "None"
    assert dict(ours["assignment"][0])["duedate"] != "None"


def test_recording_keeps_the_steps_after_execution():
    from nbgrader.preprocessors import AssignLatePenalties, CheckCellMetadata, LimitOutput, SaveAutoGrades
    steps = recording_steps([LimitOutput, SaveAutoGrades, AssignLatePenalties, CheckCellMetadata])
    assert steps == [SaveAutoGrades, AssignLatePenalties]
    with pytest.raises(Exception, match="no SaveAutoGrades"):
        recording_steps([LimitOutput])


def test_each_step_takes_the_nbgrader_arguments_it_knows():
    """Arguments after -- are autograde's; generate_feedback and generate_assignment get
    the settings and the options they know, and start (`--no-execute` stopped them)."""
    from grading.nbgrader_run import arguments_for
    args = ["--no-execute", "--Execute.timeout=60", "--notebook", "problem1", "--force",
            "--create", "--db=sqlite:///x.db", "--student=bob"]
    assert arguments_for("generate_feedback", args) == [
        "--Execute.timeout=60", "--notebook", "problem1", "--force", "--db=sqlite:///x.db",
        "--student=bob"]
    assert arguments_for("generate_assignment", args) == [
        "--Execute.timeout=60", "--notebook", "problem1", "--force", "--create",
        "--db=sqlite:///x.db"]  # it has no --student
    assert arguments_for("autograde", args) == args


def test_dask_time_is_what_the_workers_spent_outside_grading():
    stream = [{"key": "grade-a", "worker": "w1", "startstops": [{"action": "compute", "start": 0, "stop": 5}]},
              {"key": "grade-b", "worker": "w1", "startstops": [{"action": "compute", "start": 5.5, "stop": 9}]},
              {"key": "other", "worker": "w1", "startstops": [{"action": "compute", "start": 9, "stop": 99}]},
              {"key": "grade-c", "worker": "w2", "startstops": [{"action": "compute", "start": 1, "stop": 2}]}]
    assert autograde._dask_seconds(stream) == pytest.approx(5 + 0.5 + 3.5 + 1)


HOLD_LOCK = """
import sys, time
from grading.course_lock import course_lock
with course_lock(sys.argv[1], "a test holding the course"):
    print("locked", flush=True)
    time.sleep(120)
"""


@pytest.fixture
def locked_course(tmp_path):
    """A course whose lock another process holds; yields (course, that process)."""
    course = fresh_course(tmp_path / "course")
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(course)], cwd=ROOT,
                              env=tool_env(), stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        yield course, holder
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize("command", [
    ["autograde", ASSIGNMENT, "--course", "{course}"],
    ["class-run", ASSIGNMENT, "{download}", "--course", "{course}"],
    ["regrade", ASSIGNMENT, "--course", "{course}"],
])
def test_second_run_refuses_and_touches_nothing(locked_course, command, tmp_path):
    course, _ = locked_course
    download = synthetic.canvas_download(tmp_path / "download.zip", [("10001", "correct")])
    args = [a.format(course=course, download=download) for a in command]
    result = subprocess.run([sys.executable, "-m", "grading", *args], cwd=ROOT, env=tool_env(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "another grading run is working on" in result.stderr
    assert "a test holding the course" in result.stderr
    assert sorted(p.name for p in course.iterdir()) == sorted(
        [".grading.lock", "judges", "mistakes", "nbgrader_config.py", "release", "source"])


def test_lock_is_released_when_its_holder_dies(locked_course):
    course, holder = locked_course
    with pytest.raises(CourseBusy):
        with course_lock(course, "second"):
            pass
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    with course_lock(course, "after the holder died"):
        assert "after the holder died" in (course / ".grading.lock").read_text()
