"""One grading run per course folder at a time.

Two runs of nbgrader on the same class undo each other: the second deletes the first's
graded notebooks while the gradebook keeps scores that no longer match them. Every
command of this package that writes grades holds an exclusive lock on
<course>/.grading.lock for its whole run; a second run refuses at once, saying who holds it.

The lock is flock(2): the kernel drops it when the holder exits, even on a crash, so a
stale lock file never blocks anyone. On NFS, Linux maps flock onto NFS byte-range locks,
so grading machines sharing the course folder see each other's locks.
"""
import contextlib
import datetime
import fcntl
import os
import socket
from pathlib import Path

LOCK_NAME = ".grading.lock"


class CourseBusy(RuntimeError):
    """Another grading run holds the course lock."""


@contextlib.contextmanager
def course_lock(course_dir, purpose):
    """Holds the course's grading lock while the block runs; raises CourseBusy when
    another run holds it. purpose is shown to whoever is refused."""
    path = Path(course_dir) / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 1000, 0).decode(errors="replace").strip() or "unknown"
            raise CourseBusy(
                f"another grading run is working on {Path(course_dir).resolve()} ({holder}). "
                "Two runs at once would delete each other's graded notebooks and leave stale "
                "scores, so this one stops here without touching anything. Wait for the other "
                "run to finish, then run this command again.") from None
        started = datetime.datetime.now().isoformat(timespec="seconds")
        holder = f"{purpose}, pid {os.getpid()} on {socket.gethostname()}, since {started}"
        os.ftruncate(fd, 0)
        os.pwrite(fd, holder.encode() + b"\n", 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # closing the descriptor releases the lock
