"""The kernel sandbox on its own: grading/plugins/kernel_side/launcher.py run as SandboxedKernelManager
runs it, with a small `python -c` program in place of ipykernel, in real bubblewrap and
real cgroups. The program reports what it saw through a file in its own /tmp, which the
test reads through /proc/<pid>/root, as the grader reaches the kernel's sockets."""
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from grading.plugins import cgroup
from grading.plugins.sandbox import LAUNCHER, SandboxedKernelManager, SocketRelay

from tests.support import ROOT
MB = 1024 * 1024

pytestmark = pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap not installed")
needs_cgroup = pytest.mark.skipif(cgroup.probe()[0] is None, reason=cgroup.probe()[1])


@pytest.fixture
def work(tmp_path):
    """A student's folder inside a course folder, as autograde leaves it."""
    folder = tmp_path / "course" / "autograded" / "alice" / "ps1"
    (folder / "data").mkdir(parents=True)
    (folder / "ps1.ipynb").write_text("{}")
    (folder / "data" / "points.csv").write_text("1,2\n")
    return folder


def sandboxed(work, code, *options, pass_fds=()):
    """Runs code as the kernel, through the launcher; returns (process, what it reported).
    The program writes its report into its /tmp, a tmpfs of the sandbox's own, and waits:
    the test reads it through /proc/<pid>/root, as the grader reaches the kernel's
    sockets, then ends the sandbox."""
    private = Path(tempfile.mkdtemp(prefix="nbg-", dir="/tmp"))
    try:
        (private / "ipc").mkdir()
        (private / "kernel.json").write_text("{}")
        result = Path(f"{private}-report.json")  # the sandbox's own /tmp
        prologue = ("import json, os, sys, time\n"
                    f"def report(**seen):\n    with open({str(result)!r} + '~', 'w') as f:\n"
                    "        json.dump(seen, f)\n"
                    f"    os.replace({str(result)!r} + '~', {str(result)!r})\n"
                    "    time.sleep(120)\n")
        process = subprocess.Popen(
            [sys.executable, str(LAUNCHER), "--private-dir", str(private), *options,
             "--", sys.executable, "-c", prologue + code],
            cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            pass_fds=pass_fds)
        seen, deadline = None, time.monotonic() + 120
        while seen is None and process.poll() is None and time.monotonic() < deadline:
            seen = read_report(private, result)
            time.sleep(0.05)
        process.kill()
        out, err = process.communicate()
        return subprocess.CompletedProcess(process.args, process.returncode, out, err), seen
    finally:
        shutil.rmtree(private)
        Path(f"{private}-report.json").unlink(missing_ok=True)  # isolation none: the host's


def read_report(private, result):
    """The report, read on the host (isolation none) or inside the sandbox (bwrap)."""
    try:
        pid = json.loads((private / "sandbox.json").read_text())["child-pid"]
        path = Path(f"/proc/{pid}/root{result}")
    except (OSError, ValueError, KeyError):
        path = result
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def test_the_kernel_works_on_a_private_copy_of_its_folder(work):
    os.symlink("/etc/hostname", work / "link")
    os.symlink(work / "data", work / "link_to_folder")
    os.mkfifo(work / "fifo")
    before = {p: p.read_bytes() for p in work.rglob("*") if p.is_file() and not p.is_symlink()
              and not p.is_fifo()}
    _, seen = sandboxed(work, """
files = sorted(os.path.join(d, f)[2:] for d, _, fs in os.walk(".") for f in fs + _)
with open("ps1.ipynb", "a") as f:
    f.write("changed")
open("planted.py", "w").write("x")
os.symlink("/home/student", "new_link")
report(files=files, cwd=os.getcwd(), csv=open("data/points.csv").read())
""")
    assert seen["cwd"] == "/home/student/work"
    assert seen["files"] == ["data", "data/points.csv", "ps1.ipynb"]  # no link, no FIFO
    assert seen["csv"] == "1,2\n"
    assert {p: p.read_bytes() for p in before} == before  # nothing came back to the host
    assert sorted(p.name for p in work.iterdir()) == [
        "data", "fifo", "link", "link_to_folder", "ps1.ipynb"]
    _, again = sandboxed(work, "report(files=sorted(os.listdir('.')))")
    assert again["files"] == ["data", "ps1.ipynb"]  # a restart starts from the host's copy


def test_the_copy_is_capped(work):
    for i in range(300):
        (work / "data" / f"{i:03}.csv").write_text("1\n")
    process, seen = sandboxed(work, "report(files=len(os.listdir('data')))")
    assert seen["files"] < 256
    assert "not copied into the kernel's folder" in process.stderr


def test_no_host_path_is_visible(work):
    _, seen = sandboxed(work, """
import site
top = {name: sorted(os.listdir("/" + name)) for name in ("", "opt/python", "opt/python/1",
                                                         "opt/python/1/bin", "home")}
links = {p: os.readlink(p) for p in ("/opt/python/1/bin/python",)}
mounts = open("/proc/self/mountinfo").read() if os.path.exists("/proc") else ""
report(env=dict(os.environ), executable=sys.executable, prefix=sys.prefix,
       base=sys.base_prefix, path=sys.path, cwd=os.getcwd(), top=top, links=links,
       mounts=mounts, cfg=open(sys.prefix + "/pyvenv.cfg").read(), flags=sys.flags.isolated,
       site=site.getsitepackages())
""")
    seen_text = json.dumps(seen)
    for host_path in (str(ROOT), str(work.parents[3]), os.path.realpath(sys.base_prefix)):
        assert host_path not in seen_text
    assert seen["executable"] == "/opt/python/1/bin/python"
    assert "/opt/python/1/lib/python3.%d/site-packages" % sys.version_info[1] in seen["path"]
    assert seen["flags"] == 1  # python -I: the working folder is not on the import path
    assert seen["env"]["PATH"].startswith("/opt/python/1/bin:")
    assert not {"proc", "sys", "root", "work", "run"} & set(seen["top"][""])


def test_install_records_show_no_host_path(work):
    """Editable installs (this repository's own, in .venv) record their source folder in
    site-packages: pip's __editable__ finder and .pth, dist-info/direct_url.json."""
    _, seen = sandboxed(work, """
import site
texts = {}
for folder in site.getsitepackages():
    for dirpath, dirnames, filenames in os.walk(folder):
        if dirpath != folder and not dirpath.endswith(".dist-info"):
            dirnames[:] = []
            continue
        for name in filenames:
            path = os.path.join(dirpath, name)
            if os.path.getsize(path) < 65536:
                texts[path] = open(path, errors="replace").read()
report(texts=texts)
""")
    assert len(seen["texts"]) > 100  # the installation is there to read
    leaks = [path for path, text in seen["texts"].items() if str(ROOT) in text]
    assert leaks == []


def test_a_planted_ipykernel_launcher_does_not_start(work):
    (work / "ipykernel_launcher.py").write_text("report(planted=True)\n")
    (work / "runpy.py").write_text("report(planted=True)\n")
    _, seen = sandboxed(work, "import runpy; report(planted=False)")
    assert seen == {"planted": False}


def test_inherited_descriptors_are_closed(work, tmp_path):
    secret = open(tmp_path / "secret", "w")  # noqa: SIM115 (kept open on purpose)
    os.set_inheritable(secret.fileno(), True)
    try:
        _, seen = sandboxed(work, f"""
try:
    os.fstat({secret.fileno()})
    report(open=True)
except OSError:
    report(open=False)
""", pass_fds=(secret.fileno(),))
    finally:
        secret.close()
    assert seen["open"] is False


def test_kernel_output_does_not_reach_the_graders_terminal(work):
    process, seen = sandboxed(work, """
print("\\x1b[2J[NbGrader | ERROR] fake log line", file=sys.stderr)
print("banner")
for path in ("/dev/tty", "/dev/stderr"):
    try:
        open(path, "w").write("fake log line from " + path)
    except OSError:
        pass
report(done=True, tty=os.stat("/dev/tty").st_rdev == os.stat("/dev/null").st_rdev)
""")
    assert seen == {"done": True, "tty": True}  # the grader's terminal is out of reach
    assert "fake log line" not in process.stderr and "banner" not in process.stdout


def test_the_system_is_read_only(work):
    _, seen = sandboxed(work, """
results = {}
for path in ("/planted", "/dev/planted", "/opt/python/1/x", "/etc/passwd"):
    try:
        open(path, "a").close()
        results[path] = "written"
    except OSError:
        results[path] = "refused"
report(results=results, passwd=open("/etc/passwd").read())
""")
    assert set(seen["results"].values()) == {"refused"}
    assert seen["passwd"].startswith("student:x:1000:")


def test_the_connection_file_is_read_only(work):
    process, seen = sandboxed(work, """
import glob
connection = glob.glob("/tmp/nbg-*/kernel.json")
try:
    open(connection[0], "a").close()
    report(files=connection, written=True)
except OSError:
    report(files=connection, written=False, text=open(connection[0]).read())
""")
    assert seen["written"] is False and seen["text"] == "{}"
    assert len(seen["files"]) == 1


def test_scratch_file_systems_are_sized(work):
    _, seen = sandboxed(work, """
sizes = {}
import glob
sockets = os.path.dirname(glob.glob("/tmp/nbg-*/kernel.json")[0]) + "/ipc"
for path in ("/tmp", "/dev/shm", "/home", "/home/student/work", sockets):
    s = os.statvfs(path)
    sizes[path] = s.f_blocks * s.f_frsize
report(sizes=sizes, sockets=sockets)
""")
    sizes = seen["sizes"]
    assert sizes[seen["sockets"]] <= 1 * MB  # the sockets' folder: nothing else fits
    assert sizes["/dev/shm"] <= 64 * MB and sizes["/tmp"] <= 256 * MB
    assert sizes["/home"] <= 64 * MB and sizes["/home/student/work"] <= 256 * MB


@needs_cgroup
def test_children_together_cannot_exceed_the_memory_limit(work):
    folders = cgroup.create(512, 0)
    try:
        _, seen = sandboxed(work, """
import time
children = []
for _ in range(3):
    pid = os.fork()
    if pid == 0:
        block = b"x" * (300 * 1024 * 1024)  # touches every page
        time.sleep(1)
        os._exit(0)
    children.append(pid)
report(statuses=[os.waitpid(pid, 0)[1] for pid in children])
""", *[a for p in cgroup.procs_files(folders) for a in ("--cgroup", p)])
    finally:
        cgroup.remove(folders)
    # Each child alone is under 512 MiB (and there is no per-process limit here): only
    # the whole-sandbox limit can stop one.
    assert seen is None or any(status != 0 for status in seen["statuses"])


@needs_cgroup
def test_a_fork_loop_is_stopped_by_the_process_limit(work):
    folders = cgroup.create(0, 32)
    try:
        _, seen = sandboxed(work, """
import time
forks, error = 0, None
while forks < 1000:
    try:
        pid = os.fork()
    except OSError as e:
        error = e.strerror
        break
    if pid == 0:
        time.sleep(30)
        os._exit(0)
    forks += 1
report(forks=forks, error=error)
""", *[a for p in cgroup.procs_files(folders) for a in ("--cgroup", p)])
    finally:
        cgroup.remove(folders)
    assert seen["error"] and seen["forks"] < 32
    assert not any(os.path.exists(f) for f in folders)


def test_the_manager_starts_a_real_kernel_and_cleans_up(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    async def run():
        km = SandboxedKernelManager()
        await km.start_kernel()
        client = km.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=60)
            reply = await client.execute_interactive(
                "import sys, os; print(sys.executable, os.getcwd())", timeout=60,
                output_hook=lambda msg: outputs.append(msg["content"].get("text", "")))
            assert reply["content"]["status"] == "ok"
            running = list(km.cgroups)
            assert all(os.path.isdir(f) for f in running)
        finally:
            client.stop_channels()
            await km.shutdown_kernel(now=True)
        return km, running

    outputs = []
    km, running = asyncio.run(run())
    assert "/opt/python/1/bin/python /home/student/work" in "".join(outputs)
    assert km.ip.startswith(km.private_dir + "/ipc/")
    assert not any(os.path.exists(f) for f in running) and not os.path.exists(km.private_dir)
    if cgroup.probe()[0]:
        assert km.limits_note is None and len(running) >= 1
    else:
        assert "per process only" in km.limits_note and running == []


def received(sock):
    """Everything sock gets until its peer closes."""
    sock.settimeout(10)
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def test_the_relay_passes_messages_and_cuts_one_too_big(tmp_path):
    """The relay between nbgrader and a sandboxed kernel's sockets reads the ZMTP frames the
    kernel sends: a message whose parts add up to more than its limit cuts the connection
    (ZeroMQ limits each part only), and so does an older protocol version."""
    kernel = socket.socket(socket.AF_UNIX)
    kernel.bind(f"{tmp_path}/k-1")
    kernel.listen()
    relay = SocketRelay(f"{tmp_path}/h", f"{tmp_path}/k", [1], max_bytes=1000)
    try:
        greeting = b"\xff" + bytes(8) + b"\x7f\x03\x01" + b"NULL".ljust(20, b"\0") + bytes(32)
        small = b"\x01\x03abc" + b"\x02" + (5).to_bytes(8, "big") + b"defgh"  # two parts
        part = b"\x03" + (400).to_bytes(8, "big") + b"x" * 400  # long, more to come
        client = socket.socket(socket.AF_UNIX)
        client.connect(f"{tmp_path}/h-1")
        near, _ = kernel.accept()
        near.sendall(greeting + small + small)
        client.settimeout(10)
        got = b""
        while len(got) < len(greeting + small * 2):
            got += client.recv(65536)
        assert got == greeting + small * 2
        client.sendall(b"to the kernel")
        assert near.recv(100) == b"to the kernel"
        near.sendall(part * 3 + b"\x00\x01z")  # 1,201 bytes in one message
        assert len(received(client)) < 1200  # then the connection is cut

        old = socket.socket(socket.AF_UNIX)  # ZMTP 2.0: refused
        old.connect(f"{tmp_path}/h-1")
        near, _ = kernel.accept()
        near.sendall(b"\xff" + bytes(8) + b"\x7f\x01\x05" + b"\x00\x01a")
        assert received(old) == b""
    finally:
        relay.close()
        kernel.close()
