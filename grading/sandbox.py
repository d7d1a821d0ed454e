"""The kernel manager used while autograding: every student kernel starts through
grading/kernel_launcher.py, which applies resource limits and a clean environment and,
by default, runs the kernel inside a bubblewrap sandbox:

- no network (its own network namespace), no other processes visible;
- the file system holds the system, the Python installation, and the student's own
  autograded/<student>/<assignment>/ folder (read-write) and nothing else of the course:
  not source/, not the gradebook, not nbgrader_config.py, not other students;
- it talks to nbgrader over unix sockets in a private folder (jupyter's "ipc"
  transport), since loopback TCP does not cross the network namespace.

nbgrader_config.py selects it through BoundedExecute (grading.execution).
"""
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import CaselessStrEnum, Integer

LAUNCHER = Path(__file__).with_name("kernel_launcher.py")


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
        2048, help="Address-space limit of a kernel (RLIMIT_AS), MiB; 0 for none.").tag(config=True)
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
        self.ip = os.path.join(self.private_dir, "k")

    def format_kernel_cmd(self, extra_arguments=None):
        kernel_cmd = super().format_kernel_cmd(extra_arguments)
        return [sys.executable, str(LAUNCHER), "--private-dir", self.private_dir,
                "--isolation", self.isolation,
                "--memory-mb", str(self.memory_limit_mb),
                "--cpu-seconds", str(self.cpu_limit_seconds),
                "--file-mb", str(self.file_size_limit_mb), "--", *kernel_cmd]

    async def _async_cleanup_resources(self, restart=False):
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self.private_dir, ignore_errors=True)

    cleanup_resources = _async_cleanup_resources
