"""Starts a student's kernel with resource limits, a clean environment and, by default,
inside a bubblewrap sandbox. Run as a script by grading.sandbox.SandboxedKernelManager:

    python kernel_launcher.py --private-dir DIR [--isolation bwrap|none] [limits] -- KERNEL_CMD...

The working directory it is started in (the student's autograded/ folder) is the only
part of the course the kernel sees. Standard library only: it runs before every kernel.
"""
import argparse
import os
import resource
import shutil
import signal
import sys

# Where the student's folder and home appear inside the sandbox: neutral paths, so the
# kernel cannot tell from its working directory that it is being autograded.
SANDBOX_HOME = "/home/student"
SANDBOX_WORK = SANDBOX_HOME + "/work"

# Variables a kernel legitimately needs from the grader's environment; everything else
# (NBGRADER_EXECUTION, tokens, paths into the course) stays outside.
KEPT_VARIABLES = ("LANG", "LC_ALL", "TZ", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")

# Parts of /etc that Python, numpy and matplotlib read; the rest of /etc (shadow, ssh
# keys, credentials) is not bound.
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "alternatives",
             "fonts", "mime.types", "nsswitch.conf", "host.conf", "hosts")


def kernel_environment(private_dir):
    env = {name: os.environ[name] for name in KEPT_VARIABLES if name in os.environ}
    env.update({
        "PATH": os.path.dirname(sys.executable) + ":/usr/local/bin:/usr/bin:/bin",
        "HOME": SANDBOX_HOME,
        "USER": "student",
        "LANG": env.get("LANG", "C.UTF-8"),
        "MPLCONFIGDIR": "/tmp/matplotlib",
        "PYTHONDONTWRITEBYTECODE": "1",
        # One thread each: two cores are shared by the whole batch.
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    })
    return env


def set_limits(memory_mb, cpu_seconds, file_mb):
    """Limits inherited by the kernel: address space (a runaway allocation raises
    MemoryError or kills the kernel, never the machine), CPU seconds for the whole
    notebook, size of any file written, no core dumps."""
    mb = 1024 * 1024
    limits = [(resource.RLIMIT_CORE, 0)]
    if memory_mb > 0:
        limits.append((resource.RLIMIT_AS, memory_mb * mb))
    if cpu_seconds > 0:
        limits.append((resource.RLIMIT_CPU, cpu_seconds))
    if file_mb > 0:
        limits.append((resource.RLIMIT_FSIZE, file_mb * mb))
    for which, value in limits:
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(which, (value, value if hard == resource.RLIM_INFINITY else hard))


def bind_system(args, kernel_python):
    """Read-only binds of the system and of the Pythons that run the launcher and kernel."""
    for top in ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = "/" + top
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for name in ETC_FILES:
        args += ["--ro-bind-try", "/etc/" + name, "/etc/" + name]
    pythons = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    # A venv's bin/python may be a symlink into another installation, and the kernel spec
    # may name another Python: bind those installations too.
    for python in {os.path.realpath(sys.executable), os.path.realpath(kernel_python)}:
        top = os.path.dirname(os.path.dirname(python))
        if not any(top.startswith(p + os.sep) or top == p for p in pythons):
            pythons.add(top)
    work = os.path.realpath(os.getcwd())
    for prefix in sorted(p for p in pythons if not p.startswith("/usr/")):
        if work.startswith(prefix + os.sep):
            sys.exit(f"grading sandbox: the Python installation {prefix} contains the course "
                     "folder; binding it would show the course to student code")
        args += ["--ro-bind", prefix, prefix]


def bwrap_command(kernel_cmd, private_dir, work_dir, env):
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        sys.exit("grading sandbox: bubblewrap (bwrap) is not installed; run scripts/setup.sh "
                 "or set c.SandboxedKernelManager.isolation = 'none'")
    args = [bwrap, "--unshare-all", "--unshare-user", "--uid", "1000", "--gid", "1000",
            "--hostname", "jupyter", "--die-with-parent", "--cap-drop", "ALL",
            "--disable-userns"]
    # Scratch file systems first: binds made after them (a virtualenv under /tmp or
    # /home, say) are mounted on top instead of being hidden by them.
    args += ["--proc", "/proc", "--dev", "/dev",
             "--size", str(256 * 1024 * 1024), "--tmpfs", "/tmp",
             "--size", str(64 * 1024 * 1024), "--tmpfs", "/home"]
    bind_system(args, shutil.which(kernel_cmd[0]) or kernel_cmd[0])
    passwd = os.path.join(private_dir, "passwd")
    with open(passwd, "w") as f:
        f.write(f"student:x:1000:1000:student:{SANDBOX_HOME}:/bin/sh\n")
    args += ["--ro-bind", passwd, "/etc/passwd",
             "--dir", SANDBOX_HOME,
             "--bind", work_dir, SANDBOX_WORK,
             # The kernel's sockets and connection file: the only grader path it sees.
             "--bind", private_dir, private_dir,
             "--chdir", SANDBOX_WORK, "--clearenv"]
    for name, value in env.items():
        args += ["--setenv", name, value]
    return args + ["--"] + kernel_cmd


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--private-dir", required=True)
    parser.add_argument("--isolation", choices=("bwrap", "none"), default="bwrap")
    parser.add_argument("--memory-mb", type=int, default=0)
    parser.add_argument("--cpu-seconds", type=int, default=0)
    parser.add_argument("--file-mb", type=int, default=0)
    parser.add_argument("kernel_cmd", nargs=argparse.REMAINDER)
    options = parser.parse_args(argv)
    kernel_cmd = options.kernel_cmd[1:] if options.kernel_cmd[:1] == ["--"] else options.kernel_cmd
    env = kernel_environment(options.private_dir)
    set_limits(options.memory_mb, options.cpu_seconds, options.file_mb)
    if options.isolation == "bwrap":
        command = bwrap_command(kernel_cmd, options.private_dir, os.getcwd(), env)
    else:
        env["HOME"] = options.private_dir
        env["MPLCONFIGDIR"] = os.path.join(options.private_dir, "matplotlib")
        command = kernel_cmd
    # The kernel's own stdout carries only its start-up banner (cell output goes over
    # the sockets); keep it out of nbgrader's log. Its stderr stays, for crashes.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    # jupyter interrupts a kernel with SIGINT to its whole process group: bwrap must
    # ignore it (by default it would exit and take the kernel along); ipykernel installs
    # its own handler while it runs a cell, so the cell still gets its KeyboardInterrupt.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.execvpe(command[0], command, env)


if __name__ == "__main__":
    main()
