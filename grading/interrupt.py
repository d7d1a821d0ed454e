"""Ctrl-C that is never lost.

Python raises KeyboardInterrupt wherever the main thread happens to be. When that is a
garbage-collector callback or a __del__ (Dask's GC diagnostics run in one), Python prints
"Exception ignored" and carries on, so a run could finish as if nobody had pressed Ctrl-C.
The handler therefore also remembers the request, and the grading loops call `check()`
after each result.
"""
import contextlib
import signal
import threading

_requested = threading.Event()


def _on_sigint(signum, frame):
    _requested.set()
    raise KeyboardInterrupt


@contextlib.contextmanager
def remembered():
    """Within it, Ctrl-C is remembered. A SIGINT that is ignored (a background job) stays
    ignored, and only the main thread can set a handler."""
    _requested.clear()
    if threading.current_thread() is not threading.main_thread() \
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield
        return
    signal.signal(signal.SIGINT, _on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        _requested.clear()


def check():
    """Raises KeyboardInterrupt if Ctrl-C was pressed, even if its first raise was swallowed."""
    if _requested.is_set():
        raise KeyboardInterrupt
