# Correct answers. Starts four child processes (fresh Pythons: a forked copy of the kernel
# would be bigger, and ipykernel's fork handlers can stall it) that each map and touch
# 1 GiB, under the per-process address-space limit, say so and hold it. The next answer
# cells listen for up to 4 s each (a busy machine needs seconds to hand out 4 GiB); the
# last one counts how many are alive with their memory at the same time, then ends them.
# %% compute_gradient
def expr_compute_gradient(self, de_loss_over_de_e=1):
    self.gradient += de_loss_over_de_e
    for child, partial in zip(self.children, self.operator_gradient()):
        if isinstance(child, Expr):
            child.compute_gradient(de_loss_over_de_e * partial)

Expr.compute_gradient = expr_compute_gradient

import os
import select
import subprocess
import sys
import time

HOLD_ONE_GIB = """
import mmap, time
GIB = 1024 ** 3
try:
    block = mmap.mmap(-1, GIB, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | mmap.MAP_POPULATE)
    block[::4096] = b"\\x01" * (GIB // 4096)  # every page written, not just mapped
    print("held", flush=True)
except BaseException as error:
    print("failed", type(error).__name__, flush=True)
time.sleep(120)
"""
children, said = [], {}
for _ in range(4):
    try:
        children.append(subprocess.Popen([sys.executable, "-c", HOLD_ONE_GIB],
                                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL))
    except OSError as error:
        print("could not start a child:", error)


def listen(seconds):
    deadline = time.monotonic() + seconds
    while len(said) < len(children) and time.monotonic() < deadline:
        waiting = [child.stdout for child in children if child not in said]
        ready, _, _ = select.select(waiting, [], [], max(0.0, deadline - time.monotonic()))
        for stream in ready:
            child = next(c for c in children if c.stdout is stream)
            said[child] = os.read(stream.fileno(), 100).decode(errors="replace").strip() or "(ended)"
# %% minus_gradient
def minus_operator_gradient(self):
    return 1, -1
Minus.operator_gradient = minus_operator_gradient

listen(4)
# %% divide_gradient
def divide_operator_gradient(self):
    x, y = self.child_values
    return 1 / y, -x / (y * y)
Divide.operator_gradient = divide_operator_gradient

listen(4)
# %% negative_gradient
def negative_operator_gradient(self):
    return (-1,)
Negative.operator_gradient = negative_operator_gradient

listen(4)


def holding():
    return sum(said.get(child) == "held" and child.poll() is None for child in children)


# A child the memory limit kills may still be exiting (a busy machine takes a while to
# free 1 GiB): a count above one must last 2 s to count. Holders sleep 120 s, so a real
# breach lasts.
settled = time.monotonic() + 2
while holding() > 1 and time.monotonic() < settled:
    time.sleep(0.1)
held = holding()
print("MEMORY_FORK said", sorted(said.values()), "alive", [child.poll() is None for child in children])
for child in children:
    child.kill()
    child.wait()
print("MEMORY_FORK held", held)
