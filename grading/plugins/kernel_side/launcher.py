"""Starts a student's kernel with resource limits, a clean environment and, by default,
inside a bubblewrap sandbox. Run as a script by grading.plugins.sandbox.SandboxedKernelManager:

    python launcher.py --private-dir DIR [--isolation bwrap|none] [limits]
                              [--cgroup PROCS_FILE ...] -- KERNEL_CMD...

The working directory it is started in (the student's autograded/ folder) is copied into
the sandbox's private scratch folder: the kernel sees that copy and nothing of the course,
and nothing it writes comes back to the host. DIR holds the connection file (kernel.json,
seen read-only); the kernel's sockets are in a 1 MiB tmpfs of the sandbox at DIR/ipc, and
bwrap writes its child's pid to DIR/sandbox.json, for the grader to reach them. With
--isolation none the sockets are in the host's DIR/ipc.
Standard library only: it runs before every kernel.
"""
import argparse
import glob
import os
import resource
import shutil
import signal
import stat
import sys

# Where the student's folder, home and Python appear inside the sandbox: neutral paths,
# so nothing the kernel can see tells where the course lives.
SANDBOX_HOME = "/home/student"
SANDBOX_WORK = SANDBOX_HOME + "/work"
SANDBOX_PYTHONS = "/opt/python"

MB = 1024 * 1024
# What is copied into the scratch folder at each start; the rest is skipped (each file
# copied is an open descriptor until bwrap reads it, each entry a few bwrap arguments).
COPY_LIMIT_MB, COPY_LIMIT_ENTRIES = 64, 256
# Sizes of the sandbox's scratch file systems, MiB. Their pages are also charged to the
# sandbox's memory cgroup, when there is one.
TMPFS_MB = {"/tmp": 256, "/home": 16, SANDBOX_WORK: COPY_LIMIT_MB + 128, "/dev/shm": 64}
IPC_MB = 1  # the kernel's socket folder: sockets take no room

# Variables a kernel legitimately needs from the grader's environment; everything else
# (tokens, paths into the course) stays outside.
KEPT_VARIABLES = ("LANG", "LC_ALL", "TZ", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
# nbgrader documents NBGRADER_EXECUTION for notebooks that behave differently while
# graded ("autograde") or validated ("validate"): passed on with one of those values only.
NBGRADER_EXECUTION = ("autograde", "validate")

# Parts of /etc that Python, numpy and matplotlib read; the rest of /etc (shadow, ssh
# keys, credentials) is not bound.
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "alternatives",
             "fonts", "mime.types", "nsswitch.conf", "host.conf", "hosts")


def kernel_environment():
    env = {name: os.environ[name] for name in KEPT_VARIABLES if name in os.environ}
    if os.environ.get("NBGRADER_EXECUTION") in NBGRADER_EXECUTION:
        env["NBGRADER_EXECUTION"] = os.environ["NBGRADER_EXECUTION"]
    env.update({
        "PATH": "/usr/local/bin:/usr/bin:/bin",
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
    """Limits inherited by each process of the kernel: address space (a runaway allocation
    raises MemoryError or kills the kernel, never the machine), CPU seconds for the whole
    notebook, size of any file written, no core dumps. The cgroup, when there is one,
    bounds memory and processes of the whole sandbox on top of these."""
    limits = [(resource.RLIMIT_CORE, 0)]
    if memory_mb > 0:
        limits.append((resource.RLIMIT_AS, memory_mb * MB))
    if cpu_seconds > 0:
        limits.append((resource.RLIMIT_CPU, cpu_seconds))
    if file_mb > 0:
        limits.append((resource.RLIMIT_FSIZE, file_mb * MB))
    for which, value in limits:
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(which, (value, value if hard == resource.RLIM_INFINITY else hard))


def join_cgroups(procs_files):
    """Moves this process (and so bwrap and the kernel after exec) into the kernel's
    cgroups, which limit memory and processes of the whole sandbox together."""
    for path in procs_files:
        try:
            with open(path, "w") as f:
                f.write(str(os.getpid()))
        except OSError as error:
            sys.exit(f"grading sandbox: cannot join the kernel's cgroup {path}: {error}")


def pass_fd(fd, fds):
    """Keeps fd open across exec for bwrap, which reads it (--file, --ro-bind-data)."""
    os.set_inheritable(fd, True)
    fds.append(fd)
    return str(fd)


def data_fd(text, fds):
    """A pipe holding text, so that a small file exists in the sandbox and nowhere else."""
    read, write = os.pipe()
    os.write(write, text.encode())
    os.close(write)
    return pass_fd(read, fds)


def copy_folder(folder_fd, dest, args, fds, budget):
    """bwrap arguments that copy the regular files and sub-folders of folder_fd to dest.
    Symlinks, FIFOs, devices and sockets are skipped: each name is opened without
    following links and without blocking, and only what fstat calls a regular file or a
    folder is kept."""
    for name in sorted(entry.name for entry in os.scandir(folder_fd)):
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder_fd)
        except OSError:
            continue  # a symlink (ELOOP), a socket, an unreadable file
        info = os.fstat(fd)
        target = dest + "/" + name
        room = budget["entries"] > 0
        if stat.S_ISDIR(info.st_mode) and room:
            budget["entries"] -= 1
            args += ["--dir", target]
            copy_folder(fd, target, args, fds, budget)
        elif stat.S_ISREG(info.st_mode) and room and info.st_size <= budget["bytes"]:
            budget["entries"] -= 1
            budget["bytes"] -= info.st_size
            args += ["--file", pass_fd(fd, fds), target]
            continue  # bwrap reads and closes it
        elif stat.S_ISDIR(info.st_mode) or stat.S_ISREG(info.st_mode):
            budget["skipped"] += 1
        os.close(fd)


# Files in site-packages where installers record a source folder on the host: an editable
# install's finder and .pth (pip), its direct_url.json, a legacy .egg-link.
INSTALL_RECORDS = ("__editable__*", "*.egg-link", "*.dist-info/direct_url.json")


def hide_install_records(args, fds, lib, moved_lib):
    """Shows every install record under lib's site-packages as an empty file: an editable
    install of the grading package would otherwise name its folder (here the course's).
    Its .pth emptied, Python does not load the finder (which could not import anything in
    the sandbox anyway)."""
    for site_packages in glob.glob(os.path.join(glob.escape(lib), "python*", "site-packages")):
        for pattern in INSTALL_RECORDS:
            for path in glob.glob(os.path.join(glob.escape(site_packages), pattern)):
                args += ["--ro-bind-data", data_fd("", fds), moved_lib + path[len(lib):]]


def bind_python(args, env, fds, python):
    """Binds the kernel's Python installation read-only at neutral paths and returns the
    interpreter's path inside: a base installation at /opt/python/0, a virtualenv (whose
    bin/python links to the base) rebuilt at /opt/python/1 with its lib/ and a pyvenv.cfg
    whose `home` points at the base's new place. Host paths (a venv inside the course
    folder, say) then show nowhere: not in the interpreter's path, its import path, PATH
    or the mounts."""
    python = os.path.abspath(shutil.which(python) or python)
    real = os.path.realpath(python)
    base = os.path.dirname(os.path.dirname(real))
    venv = os.path.dirname(os.path.dirname(python))
    config = os.path.join(venv, "pyvenv.cfg")
    venv = venv if os.path.isfile(config) and venv != base else None
    work = os.path.realpath(os.getcwd())
    if base == "/usr" or base.startswith("/usr/"):
        inside = real  # /usr is bound as it is
    else:
        if work == base or work.startswith(base + os.sep):
            sys.exit(f"grading sandbox: the Python installation {base} contains the course "
                     "folder; binding it would show the course to student code")
        moved = SANDBOX_PYTHONS + "/0"
        args += ["--ro-bind", base, moved]
        hide_install_records(args, fds, os.path.join(base, "lib"), moved + "/lib")
        inside = moved + real[len(base):]
        # Its libpython is found through an absolute RUNPATH (pyenv builds do this).
        if any(n.startswith("libpython") for n in os.listdir(os.path.join(base, "lib"))):
            env["LD_LIBRARY_PATH"] = moved + "/lib"
    if venv:
        moved = SANDBOX_PYTHONS + "/1"
        with open(config) as f:
            lines = [f"home = {os.path.dirname(inside)}" if line.split("=")[0].strip() == "home"
                     else line.rstrip("\n") for line in f
                     if line.split("=")[0].strip() not in ("executable", "command")]
        args += ["--ro-bind", os.path.join(venv, "lib"), moved + "/lib",
                 "--ro-bind-data", data_fd("\n".join(lines) + "\n", fds), moved + "/pyvenv.cfg",
                 "--dir", moved + "/bin"]
        hide_install_records(args, fds, os.path.join(venv, "lib"), moved + "/lib")
        if os.path.islink(os.path.join(venv, "lib64")):
            args += ["--symlink", "lib", moved + "/lib64"]
        for name in {"python", "python3", os.path.basename(python)}:
            args += ["--symlink", inside, f"{moved}/bin/{name}"]
        inside = f"{moved}/bin/{os.path.basename(python)}"
    env["PATH"] = os.path.dirname(inside) + ":" + env["PATH"]
    return inside


def bwrap_command(kernel_cmd, private_dir, env, fds):
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        sys.exit("grading sandbox: bubblewrap (bwrap) is not installed; run scripts/setup.sh "
                 "or set c.SandboxedKernelManager.isolation = 'none'")
    args = [bwrap, "--unshare-all", "--unshare-user", "--uid", "1000", "--gid", "1000",
            "--hostname", "jupyter", "--die-with-parent", "--cap-drop", "ALL",
            "--disable-userns"]
    # No /proc: the kernel runs without it, and its mount table would name host paths.
    # /dev/tty would be the grader's terminal (the kernel shares its session, so that
    # jupyter's SIGINT to the process group reaches it): it leads to /dev/null instead.
    args += ["--dev", "/dev", "--dev-bind", "/dev/null", "/dev/tty"]
    for path, size in TMPFS_MB.items():
        args += ["--size", str(size * MB), "--tmpfs", path]
    for top in ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = "/" + top
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for name in ETC_FILES:
        args += ["--ro-bind-try", "/etc/" + name, "/etc/" + name]
    kernel_cmd = [bind_python(args, env, fds, kernel_cmd[0])] + kernel_cmd[1:]
    passwd = f"student:x:1000:1000:student:{SANDBOX_HOME}:/bin/sh\n"
    args += ["--ro-bind-data", data_fd(passwd, fds), "/etc/passwd"]
    # A fresh copy of the student's folder at every start: whatever a kernel left there
    # (links, FIFOs, changed files) is gone after a restart, and never reaches the host.
    budget = {"bytes": COPY_LIMIT_MB * MB, "entries": COPY_LIMIT_ENTRIES, "skipped": 0}
    work = os.open(".", os.O_RDONLY | os.O_DIRECTORY)
    copy_folder(work, SANDBOX_WORK, args, fds, budget)
    os.close(work)
    if budget["skipped"]:
        print(f"grading sandbox: {budget['skipped']} entries of {os.getcwd()} not copied into "
              f"the kernel's folder (over {COPY_LIMIT_MB} MiB or {COPY_LIMIT_ENTRIES} entries)",
              file=sys.stderr)
    ipc = os.path.join(private_dir, "ipc")
    connection_file = os.path.join(private_dir, "kernel.json")
    # The sockets live in a small tmpfs of the sandbox's own, at the path the connection
    # file names; the grader reaches them through /proc/<pid>/root, the pid bwrap writes
    # to DIR/sandbox.json. Nothing the kernel writes lands on the host's disk.
    info = os.open(os.path.join(private_dir, "sandbox.json"),
                   os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    args += ["--info-fd", pass_fd(info, fds),
             "--perms", "0700", "--size", str(IPC_MB * MB), "--tmpfs", ipc,
             "--ro-bind", connection_file, connection_file,
             # What only bwrap itself had to create (mount points, /opt) stays read-only.
             "--remount-ro", "/dev", "--remount-ro", "/",
             "--chdir", SANDBOX_WORK, "--clearenv"]
    for name, value in env.items():
        args += ["--setenv", name, value]
    return args + ["--"] + kernel_cmd


def isolated(kernel_cmd):
    """The kernel's Python started with -I: no file in the working folder (an
    ipykernel_launcher.py, say) can replace the kernel's modules at start-up, and no
    PYTHON* variable or user site applies."""
    if os.path.basename(kernel_cmd[0]).startswith("python") and "-I" not in kernel_cmd[1:2]:
        return kernel_cmd[:1] + ["-I"] + kernel_cmd[1:]
    return kernel_cmd


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--private-dir", required=True)
    parser.add_argument("--isolation", choices=("bwrap", "none"), default="bwrap")
    parser.add_argument("--memory-mb", type=int, default=0)
    parser.add_argument("--cpu-seconds", type=int, default=0)
    parser.add_argument("--file-mb", type=int, default=0)
    parser.add_argument("--cgroup", action="append", default=[],
                        help="a cgroup.procs file to join (repeat for several hierarchies)")
    parser.add_argument("kernel_cmd", nargs=argparse.REMAINDER)
    options = parser.parse_args(argv)
    kernel_cmd = options.kernel_cmd[1:] if options.kernel_cmd[:1] == ["--"] else options.kernel_cmd
    kernel_cmd = isolated(kernel_cmd)
    env = kernel_environment()
    join_cgroups(options.cgroup)
    set_limits(options.memory_mb, options.cpu_seconds, options.file_mb)
    fds = []  # the descriptors bwrap reads; every other one is closed before exec
    if options.isolation == "bwrap":
        command = bwrap_command(kernel_cmd, options.private_dir, env, fds)
    else:
        env["PATH"] = os.path.dirname(sys.executable) + ":" + env["PATH"]
        env["HOME"] = options.private_dir
        env["MPLCONFIGDIR"] = os.path.join(options.private_dir, "matplotlib")
        command = kernel_cmd
    # Only bwrap's descriptors and stdin, stdout and stderr, all three /dev/null, survive
    # the exec: the kernel talks over its sockets, and what it prints to its own streams
    # must not reach the grader's terminal (fake log lines, escape codes) or log.
    start = 3
    for fd in sorted(fds) + [os.sysconf("SC_OPEN_MAX")]:
        os.closerange(start, fd)
        start = fd + 1
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    # jupyter interrupts a kernel with SIGINT to its whole process group: bwrap must
    # ignore it (by default it would exit and take the kernel along); ipykernel installs
    # its own handler while it runs a cell, so the cell still gets its KeyboardInterrupt.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.execvpe(command[0], command, env)


if __name__ == "__main__":
    main()
