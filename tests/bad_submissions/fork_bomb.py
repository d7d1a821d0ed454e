# Correct answers. Starts up to 500 processes that sleep (posix_spawn, fast even from a big
# kernel; os.fork if that fails; at most 4 s of trying), counts how many started, then
# ends them.
# %% negative_gradient
def negative_operator_gradient(self):
    return (-1,)
Negative.operator_gradient = negative_operator_gradient

import os
import signal
import time

sleepers, start = [], time.monotonic()
while len(sleepers) < 500 and time.monotonic() - start < 4:
    try:
        pid = os.posix_spawn("/bin/sleep", ["sleep", "20"], {})
    except OSError:
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            try:
                time.sleep(20)
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
