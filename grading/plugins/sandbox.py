"""The kernel manager used while autograding: every student kernel starts through
grading/plugins/kernel_side/launcher.py, which applies resource limits and a clean environment and,
by default, runs the kernel inside a bubblewrap sandbox:

- no network (its own network namespace), no other processes visible, no /proc;
- the file system holds the system, the Python installation (at neutral paths under
  /opt/python) and a private scratch copy of the student's own
  autograded/<student>/<assignment>/ folder, made afresh at every kernel start; nothing
  else of the course (not source/, the gradebook, nbgrader_config.py, other students),
  and nothing the kernel writes reaches the host;
- it talks to nbgrader over unix sockets (jupyter's "ipc" transport), since loopback
  TCP does not cross the network namespace; they live in a 1 MiB tmpfs inside the
  sandbox, which nbgrader reaches through /proc/<sandbox pid>/root: no host folder is
  writable from inside, the connection file is read-only;
- memory and processes are limited for the whole sandbox by a cgroup per kernel start
  (grading/plugins/cgroup.py) where the machine allows one; limits_note says when it does not.

nbgrader_config.py selects it through BoundedExecute (grading.plugins.execution).
"""
import asyncio
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import CaselessStrEnum, Integer

from . import cgroup

LAUNCHER = Path(__file__).parent / "kernel_side" / "launcher.py"


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot start here: grading would run student code unconfined."""


def check_bubblewrap():
    """Raises SandboxUnavailable unless bwrap can start a sandbox on this machine."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SandboxUnavailable(
            "bubblewrap (bwrap) is not installed. Install it (scripts/setup.sh does, with "
            "apt-get), or grade without isolation: c.SandboxedKernelManager.isolation = 'none'")
    probe = subprocess.run(
        [bwrap, "--unshare-all", "--unshare-user", "--ro-bind", "/", "/", "true"],
        capture_output=True, text=True)
    if probe.returncode != 0:
        raise SandboxUnavailable(
            f"bubblewrap cannot create a sandbox here: {probe.stderr.strip()}. It needs user "
            "namespaces for non-root users: on Ubuntu 24.04 enable the bwrap-userns-restrict "
            "AppArmor profile or set kernel.apparmor_restrict_unprivileged_userns=0; "
            "elsewhere kernel.unprivileged_userns_clone=1. Or run autograde as root.")


class SocketRelay:
    """Listens at path-<port> on the host for each port and relays every connection to
    the kernel's socket at target-<port>, byte for byte, reading the ZMTP 3 frames that
    come back: a message (all its parts) over max_bytes cuts that connection, as does an
    older protocol. ZeroMQ limits each part of a message (ZMQ_MAXMSGSIZE), not how many
    parts there are, and holds a whole message before handing it over."""

    def __init__(self, path, target, ports, max_bytes):
        self.target, self.max_bytes, self.sockets, self.closed = target, max_bytes, [], False
        self.cut = False  # whether a message too big cut a connection
        for port in ports:
            listener = socket.socket(socket.AF_UNIX)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{path}-{port}")  # left by the kernel's previous start
            listener.bind(f"{path}-{port}")
            listener.listen()
            self.sockets.append(listener)
            threading.Thread(target=self._accept, args=(listener, port), daemon=True).start()

    def _accept(self, listener, port):
        while True:
            try:
                near, _ = listener.accept()
            except OSError:
                return  # closed
            far = socket.socket(socket.AF_UNIX)
            self.sockets += [near, far]
            for _ in range(1000):  # the kernel binds its sockets a moment after it starts
                try:
                    far.connect(f"{self.target}-{port}")
                    break
                except OSError:
                    if self.closed:
                        return
                    time.sleep(0.01)
            else:
                near.close()  # ZeroMQ connects again, if it still wants to
                far.close()
                continue
            threading.Thread(target=self._pump, args=(near, far), daemon=True).start()
            threading.Thread(target=self._pump, args=(far, near, True), daemon=True).start()

    def _pump(self, source, sink, check=False):
        frames = self._frames(source) if check else iter(lambda: source.recv(1 << 16), b"")
        try:
            for chunk in frames:
                sink.sendall(chunk)
        except OSError:
            pass
        for sock in (source, sink):  # either end gone, or a message too big: both closed
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _frames(self, source):
        """The bytes read from source, chunk by chunk, until a message is over max_bytes
        or the peer speaks ZMTP 1 or 2. Only frame headers are read: flags (1 more,
        2 long size, 4 command), then the size in 1 or 8 bytes."""
        greeting, head, body, message = 64, b"", 0, 0
        while data := source.recv(1 << 16):
            i = 0
            while i < len(data):
                if greeting:  # signature 0xFF ... 0x7F, then the major version
                    take = min(greeting, len(data) - i)
                    head, greeting, i = head + data[i:i + take], greeting - take, i + take
                    if len(head) >= 11 and (head[0] != 0xFF or not head[9] & 1 or head[10] < 3):
                        return
                    head = head if greeting else b""
                elif body:
                    take = min(body, len(data) - i)
                    body, i = body - take, i + take
                else:
                    head, i = head + data[i:i + 1], i + 1
                    if len(head) == (9 if head[0] & 2 else 2):
                        body = int.from_bytes(head[1:], "big")
                        message += body
                        if message > self.max_bytes:
                            self.cut = True
                            return
                        if not head[0] & 1 or head[0] & 4:
                            message = 0  # the message (or command) ends with this frame
                        head = b""
            yield data

    def close(self):
        self.closed = True
        for sock in self.sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()


class SandboxedKernelManager(AsyncKernelManager):
    """An AsyncKernelManager whose kernels start through the grading kernel launcher."""

    isolation = CaselessStrEnum(
        ["bwrap", "none"], "bwrap",
        help="bwrap: run each kernel in a bubblewrap sandbox; none: limits only.",
    ).tag(config=True)
    memory_limit_mb = Integer(
        2048, help="Memory of the whole sandbox (cgroup), and address space of each of its "
                   "processes (RLIMIT_AS), MiB; 0 for none.").tag(config=True)
    process_limit = Integer(
        128, help="Processes and threads the whole sandbox may hold (cgroup pids.max; an "
                  "idle kernel with numpy and matplotlib, bwrap included, holds 14); "
                  "0 for none.").tag(config=True)
    cpu_limit_seconds = Integer(
        600, help="CPU seconds a kernel may use in all (RLIMIT_CPU); 0 for none.").tag(config=True)
    max_message_bytes = Integer(
        16 * 1024 * 1024, help="Largest message (all its parts) relayed from a sandboxed "
                               "kernel; a larger one cuts that connection.").tag(config=True)
    file_size_limit_mb = Integer(
        64, help="Largest file a kernel may write (RLIMIT_FSIZE), MiB; 0 for none.").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Short path: unix socket names are limited to about 100 characters.
        self.private_dir = tempfile.mkdtemp(prefix="nbg-", dir="/tmp")
        self.transport = "ipc"
        self.connection_file = os.path.join(self.private_dir, "kernel.json")
        # The sockets get a folder of their own: the only one bound read-write.
        os.mkdir(os.path.join(self.private_dir, "ipc"), 0o700)
        self.ip = os.path.join(self.private_dir, "ipc", "k")
        self.cgroups = []  # of the kernels started and not yet cleaned up
        self.relay = None
        kind, why = cgroup.probe()
        # For the instructor report: None while the whole sandbox is limited.
        self.limits_note = (None if kind else
                            f"Memory and process limits are per process only: {why}.")

    async def _async_pre_start_kernel(self, **kw):
        self.ip = os.path.join(self.private_dir, "ipc", "k")  # as the kernel sees it
        return await super()._async_pre_start_kernel(**kw)

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        """Starts the kernel, then relays its sockets inside the sandbox, which the host
        reaches as /proc/<pid>/root/<path> once bwrap names its pid, to the same paths on
        the host, where this manager and its clients connect."""
        await super()._async_launch_kernel(kernel_cmd, **kw)
        if self.isolation != "bwrap":
            return
        info = os.path.join(self.private_dir, "sandbox.json")
        for _ in range(3000):  # 30 s; a launcher that fails exits sooner
            try:
                with open(info) as f:
                    pid = int(json.load(f)["child-pid"])
            except (OSError, ValueError, KeyError, TypeError):
                if self.provisioner.process.poll() is not None:
                    return  # it died: nbclient reports a dead kernel
                await asyncio.sleep(0.01)  # bwrap has not written it yet
                continue
            self.relay = SocketRelay(self.ip, f"/proc/{pid}/root{self.ip}",
                                     [self.shell_port, self.iopub_port, self.stdin_port,
                                      self.control_port, self.hb_port], self.max_message_bytes)
            return

    def format_kernel_cmd(self, extra_arguments=None):
        kernel_cmd = super().format_kernel_cmd(extra_arguments)
        try:
            folders = cgroup.create(self.memory_limit_mb, self.process_limit)
        except OSError as error:
            folders = []
            self.limits_note = ("Memory and process limits are per process only: the kernel's "
                                f"cgroup could not be created ({error}).")
        self.cgroups += folders
        joins = [arg for path in cgroup.procs_files(folders) for arg in ("--cgroup", path)]
        return [sys.executable, str(LAUNCHER), "--private-dir", self.private_dir,
                "--isolation", self.isolation,
                "--memory-mb", str(self.memory_limit_mb),
                "--cpu-seconds", str(self.cpu_limit_seconds),
                "--file-mb", str(self.file_size_limit_mb), *joins, "--", *kernel_cmd]

    async def _async_cleanup_resources(self, restart=False):
        await super()._async_cleanup_resources(restart=restart)
        if self.relay:
            self.relay.close()
            self.relay = None
        # The kernel is dead by now (and its pid namespace with it): kill any straggler
        # and drop the cgroups; a restart makes new ones.
        cgroup.remove(self.cgroups)
        self.cgroups = []
        if not restart:
            shutil.rmtree(self.private_dir, ignore_errors=True)

    cleanup_resources = _async_cleanup_resources
