"""A plain-text progress bar with counts and an estimate of the time left.

On a terminal it redraws one line; in a log (CI, a file) it prints a line every few
seconds instead, so the log stays readable.
"""
import sys
import time


def duration(seconds):
    """'42s', '3m05s', '1h02m'."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class Progress:
    """Progress(total, "autograde").advance("ok") after each item; finish() at the end."""

    def __init__(self, total, label, stream=None, width=30, log_every=10.0, clock=time.monotonic):
        self.total, self.label, self.width = total, label, width
        self.stream = stream or sys.stderr
        self.interactive = self.stream.isatty()
        self.log_every = log_every
        self.clock = clock
        self.started = clock()
        self.last_printed = None
        self.done = 0
        self.counts = {}  # outcome -> how many

    def advance(self, outcome="ok"):
        self.done += 1
        self.counts[outcome] = self.counts.get(outcome, 0) + 1
        now = self.clock()
        due = self.last_printed is None or now - self.last_printed >= self.log_every
        if self.interactive or due or self.done == self.total:
            self._print(now)

    def line(self, now=None):
        now = self.clock() if now is None else now
        elapsed = now - self.started
        filled = self.width * self.done // max(self.total, 1)
        bar = "#" * filled + "-" * (self.width - filled)
        outcomes = ", ".join(f"{n} {name}" for name, n in sorted(self.counts.items()))
        text = f"{self.label} [{bar}] {self.done}/{self.total}"
        if outcomes:
            text += f" ({outcomes})"
        text += f", {duration(elapsed)} elapsed"
        if 0 < self.done < self.total:
            text += f", about {duration(elapsed / self.done * (self.total - self.done))} left"
        return text

    def _print(self, now):
        self.last_printed = now
        if self.interactive:
            self.stream.write("\r" + self.line(now) + "\x1b[K")
        else:
            self.stream.write(self.line(now) + "\n")
        self.stream.flush()

    def finish(self):
        """Ends the bar's line; returns the seconds spent."""
        if self.interactive:
            self.stream.write("\n")
            self.stream.flush()
        return self.clock() - self.started
