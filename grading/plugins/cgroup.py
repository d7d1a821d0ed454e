"""Whole-sandbox limits: one cgroup per kernel start, limiting the memory (tmpfs pages
included) and the number of processes and threads of the kernel, bwrap and everything
they start, together. RLIMIT_AS and friends (grading/plugins/kernel_side/launcher.py) stay as a second,
per-process layer.

Where the cgroup comes from, in order:

- cgroup v2, when the grader's own cgroup is delegated to it (writable, with the memory
  and pids controllers available). The grader's processes move into a leaf child
  (v2 lets only leaves hold processes once controllers are enabled for children) and each
  kernel gets a sibling. On systemd, start grading in a delegated scope:
      systemd-run --user --scope -p Delegate=yes grading autograde ...
  (as root: systemd-run --scope -p Delegate=yes ...).
- cgroup v1 memory and pids hierarchies, when the grader's cgroups there are writable
  (root on a v1 machine): each kernel gets a child of the grader's cgroup in each.
- Otherwise none: probe() says why, and the limits stay per process.

SandboxedKernelManager calls create() at each kernel start, passes the cgroup.procs files
to the launcher (which joins them before exec) and calls remove() at clean-up.
"""
import functools
import os
import signal
import time
import uuid

LEAF = "nbgrader-grader"  # v2: where the grader's own processes live
PREFIX = "nbgrader-kernel-"
DELEGATE_HINT = ("on systemd, run grading under "
                 "`systemd-run --user --scope -p Delegate=yes ...`")


def _mounts():
    """{filesystem type: [(mount point, super options)]} from /proc/self/mountinfo."""
    mounts = {}
    with open("/proc/self/mountinfo") as f:
        for line in f:
            before, after = line.split(" - ", 1)
            fstype, _source, options = after.split()[:3]
            fields = before.split()
            if fields[3] == "/":  # a cgroup namespace or host root, not a bind of a subtree
                mounts.setdefault(fstype, []).append((fields[4], options.split(",")))
    return mounts


def _own_cgroups():
    """{controller name or '' for v2: path of this process's cgroup}"""
    own = {}
    with open("/proc/self/cgroup") as f:
        for line in f:
            _id, controllers, path = line.rstrip("\n").split(":", 2)
            for name in controllers.split(",") if controllers else [""]:
                own[name] = path
    return own


def _delegated(path, relative):
    """Is this v2 cgroup ours to manage? Writable is not enough for root: systemd keeps
    its units' cgroups unless they are delegated (it marks them with an xattr)."""
    if not all(os.access(os.path.join(path, name), os.W_OK)
               for name in (".", "cgroup.procs", "cgroup.subtree_control")):
        return False
    if os.geteuid() != 0 or relative == "/":  # a user's delegated tree, or a container's
        return True
    for name in ("trusted.delegate", "user.delegate"):
        try:
            if os.getxattr(path, name) == b"1":
                return True
        except OSError:
            pass
    return False


@functools.lru_cache(maxsize=None)
def probe():
    """('v2', parent folder) or ('v1', [memory folder, pids folder]) or (None, why)."""
    try:
        mounts, own = _mounts(), _own_cgroups()
    except OSError as error:
        return None, f"the cgroups of this machine cannot be read ({error})"
    if "" in own and mounts.get("cgroup2"):
        relative = own[""]
        if os.path.basename(relative) == LEAF:
            relative = os.path.dirname(relative)
        parent = mounts["cgroup2"][0][0] + relative.rstrip("/")
        try:
            with open(os.path.join(parent, "cgroup.controllers")) as f:
                controllers = f.read().split()
        except OSError:
            controllers = []
        if {"memory", "pids"} <= set(controllers) and _delegated(parent, relative):
            return "v2", parent
    folders = []
    for controller in ("memory", "pids"):
        points = [point for point, options in mounts.get("cgroup", []) if controller in options]
        if controller not in own or not points:
            break
        folder = points[0] + own[controller].rstrip("/")
        if not os.access(folder, os.W_OK):
            break
        folders.append(folder)
    if len(folders) == 2:
        return "v1", folders
    return None, ("the grader has no cgroup of its own with the memory and pids controllers "
                  "(cgroup v2 not delegated, cgroup v1 not writable); " + DELEGATE_HINT)


def _write(folder, name, value):
    with open(os.path.join(folder, name), "w") as f:
        f.write(str(value))


def _prepare_v2(parent):
    """Moves the grader's processes into the leaf and enables memory and pids for the
    children of parent (refused while parent itself holds processes: retried, since a
    process may be forked into it meanwhile)."""
    leaf = os.path.join(parent, LEAF)
    os.makedirs(leaf, exist_ok=True)
    for attempt in range(5):
        with open(os.path.join(parent, "cgroup.procs")) as f:
            pids = f.read().split()
        for pid in pids:
            try:
                _write(leaf, "cgroup.procs", pid)
            except (ProcessLookupError, PermissionError):
                pass  # gone already, or not ours to move
        try:
            _write(parent, "cgroup.subtree_control", "+memory +pids")
            return
        except OSError:
            if attempt == 4:
                raise


def create(memory_mb, process_limit):
    """A fresh cgroup for one kernel start, limited to memory_mb MiB of memory (no swap)
    and process_limit processes and threads (0: no limit). Returns its folders (one for
    v2, two for v1) or [] when there is no cgroup to use; raises OSError if creating it
    failed."""
    kind, where = probe()
    if kind is None:
        return []
    name = PREFIX + uuid.uuid4().hex[:12]
    memory = memory_mb * 1024 * 1024 if memory_mb > 0 else None
    pids = process_limit if process_limit > 0 else None
    folders = []
    try:
        if kind == "v2":
            _prepare_v2(where)
            folders.append(os.path.join(where, name))
            os.mkdir(folders[0])
            _write(folders[0], "memory.max", memory or "max")
            if os.path.exists(os.path.join(folders[0], "memory.swap.max")):
                _write(folders[0], "memory.swap.max", 0)  # swapping would dodge the limit
            _write(folders[0], "pids.max", pids or "max")
        else:
            for parent in where:
                folders.append(os.path.join(parent, name))
                os.mkdir(folders[-1])
            if memory:
                _write(folders[0], "memory.limit_in_bytes", memory)
                if os.path.exists(os.path.join(folders[0], "memory.memsw.limit_in_bytes")):
                    _write(folders[0], "memory.memsw.limit_in_bytes", memory)
            _write(folders[1], "pids.max", pids or "max")
    except OSError:
        remove(folders)
        raise
    return folders


def procs_files(folders):
    return [os.path.join(folder, "cgroup.procs") for folder in folders]


def remove(folders, wait=2.0):
    """Kills whatever is left in the cgroups, then removes them (a cgroup can only be
    removed once its last process is gone: retried for up to `wait` seconds)."""
    for folder in folders:
        try:
            if os.path.exists(os.path.join(folder, "cgroup.kill")):
                _write(folder, "cgroup.kill", 1)
                continue
            with open(os.path.join(folder, "cgroup.procs")) as f:
                for pid in f.read().split():
                    try:
                        os.kill(int(pid), signal.SIGKILL)
                    except ProcessLookupError:
                        pass
        except FileNotFoundError:
            pass
    deadline = time.monotonic() + wait
    for folder in folders:
        while True:
            try:
                os.rmdir(folder)
                break
            except FileNotFoundError:
                break
            except OSError:  # EBUSY: a process is still exiting
                if time.monotonic() > deadline:
                    break
                time.sleep(0.02)
