# Correct answers. Four forked children each map and touch 1 GiB (each child is under the
# per-process address-space limit), report through a pipe and hold the memory. Three
# answer cells later (the machine may need seconds to hand out 4 GiB) the parent counts
# how many are alive with their memory at the same time, then ends them.
# %% compute_gradient
def expr_compute_gradient(self, de_loss_over_de_e=1):
    self.gradient += de_loss_over_de_e
    for child, partial in zip(self.children, self.operator_gradient()):
        if isinstance(child, Expr):
            child.compute_gradient(de_loss_over_de_e * partial)

Expr.compute_gradient = expr_compute_gradient

import mmap
import os
import time

GIB = 1024 ** 3
read_end, write_end = os.pipe()
children = []
for index in range(4):
    try:
        pid = os.fork()
    except OSError as error:
        print("fork failed:", error)
        break
    if pid == 0:
        try:
            os.close(read_end)
            block = mmap.mmap(-1, GIB, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | mmap.MAP_POPULATE)
            block[::4096] = b"\x01" * (GIB // 4096)  # every page written, not just mapped
            os.write(write_end, bytes([ord("A") + index]))  # A, B, C, D: this child holds 1 GiB
            time.sleep(90)
        except BaseException:
            try:
                os.write(write_end, b"x")
            except BaseException:
                pass
        finally:
            os._exit(0)
    children.append(pid)
os.close(write_end)
# %% minus_gradient
def minus_operator_gradient(self):
    return 1, -1
Minus.operator_gradient = minus_operator_gradient
# %% negative_gradient
def negative_operator_gradient(self):
    return (-1,)
Negative.operator_gradient = negative_operator_gradient

import select
import signal

reports, deadline = b"", time.monotonic() + 4.5
while len(reports) < len(children) and time.monotonic() < deadline:
    ready, _, _ = select.select([read_end], [], [], max(0.0, deadline - time.monotonic()))
    if ready:
        data = os.read(read_end, 16)
        if not data:
            break
        reports += data
alive = [os.waitpid(pid, os.WNOHANG) == (0, 0) for pid in children]
held = sum(alive[index] for index in range(len(children)) if bytes([ord("A") + index]) in reports)
print("MEMORY_FORK reported", reports, "alive", alive)
for pid in children:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass
os.close(read_end)
print("MEMORY_FORK held", held)
