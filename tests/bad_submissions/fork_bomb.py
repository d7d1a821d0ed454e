# Correct answers. Forks up to 500 children that sleep, counts how many forks succeeded,
# then ends them.
# %% negative_gradient
def negative_operator_gradient(self):
    return (-1,)
Negative.operator_gradient = negative_operator_gradient

import os
import signal
import time

sleepers = []
for _ in range(500):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        try:
            time.sleep(30)
        finally:
            os._exit(0)
    sleepers.append(pid)
print("FORK_BOMB forked", len(sleepers))
for pid in sleepers:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
for pid in sleepers:
    try:
        os.waitpid(pid, 0)
    except OSError:
        pass
