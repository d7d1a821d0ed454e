# Correct answers. Starts helper processes that try to outlive the kernel and the grading
# of this notebook (a new session, detached from the kernel, double-forked too): once the
# grader has moved on, a survivor could meddle with what comes next. Each carries a marker
# in its command line, so the test can look for it on the host after the batch.
# %% negative_gradient
def negative_operator_gradient(self):
    return (-1,)
Negative.operator_gradient = negative_operator_gradient

import os
import subprocess
import sys

code = "import time; time.sleep(900)  # DAEMON_SURVIVOR_MARK"
subprocess.Popen([sys.executable, "-c", code], start_new_session=True,
                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
if os.fork() == 0:  # the classic daemon: fork, setsid, fork again, exec
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", code])
    os._exit(0)
print("DAEMON_SURVIVOR started")
