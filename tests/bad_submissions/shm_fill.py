# Correct answers. Each of three answer cells writes up to 1 GiB (in 32 MiB files, under the
# per-file size limit; at most 4 s each) to one place the kernel can write: /dev/shm, /tmp
# and its working folder. Prints how many bytes each took, then deletes the files.
# %% compute_gradient
def expr_compute_gradient(self, de_loss_over_de_e=1):
    self.gradient += de_loss_over_de_e
    for child, partial in zip(self.children, self.operator_gradient()):
        if isinstance(child, Expr):
            child.compute_gradient(de_loss_over_de_e * partial)

Expr.compute_gradient = expr_compute_gradient

import os
import time


def fill(folder, limit=1024 ** 3, seconds=4.0):
    chunk = b"\x01" * (16 * 1024 ** 2)
    written, files, start, why = 0, [], time.monotonic(), "limit reached"
    try:
        while written < limit:
            if time.monotonic() - start > seconds:
                why = "time"
                break
            path = os.path.join(folder, f"fill{len(files)}.bin")
            files.append(path)
            with open(path, "wb", buffering=0) as f:
                for _ in range(2):
                    written += f.write(chunk)
    except OSError as error:
        why = type(error).__name__
    finally:
        for path in files:
            try:
                os.remove(path)
            except OSError:
                pass
    print("SHM_FILL", folder, written, why)


fill("/dev/shm")
# %% minus_gradient
def minus_operator_gradient(self):
    return 1, -1
Minus.operator_gradient = minus_operator_gradient

fill("/tmp")
# %% divide_gradient
def divide_operator_gradient(self):
    x, y = self.child_values
    return 1 / y, -x / (y * y)
Divide.operator_gradient = divide_operator_gradient

fill(".")
