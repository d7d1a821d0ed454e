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
import json
import os
import shutil
import subprocess
import sys
import tempfile
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
        kind, why = cgroup.probe()
        # For the instructor report: None while the whole sandbox is limited.
        self.limits_note = (None if kind else
                            f"Memory and process limits are per process only: {why}.")

    async def _async_pre_start_kernel(self, **kw):
        self.ip = os.path.join(self.private_dir, "ipc", "k")  # as the kernel sees it
        return await super()._async_pre_start_kernel(**kw)

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        """Starts the kernel, then points this manager (and the clients it makes) at its
        sockets inside the sandbox: /proc/<pid>/root/<path>, once bwrap names its pid."""
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
            self.ip = f"/proc/{pid}/root{self.ip}"
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
        # The kernel is dead by now (and its pid namespace with it): kill any straggler
        # and drop the cgroups; a restart makes new ones.
        cgroup.remove(self.cgroups)
        self.cgroups = []
        if not restart:
            shutil.rmtree(self.private_dir, ignore_errors=True)

    cleanup_resources = _async_cleanup_resources
