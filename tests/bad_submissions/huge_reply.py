# Correct answers. Adds a builtin whose name is 40 million characters long (the guard names
# what it removes), and displays a 50 MB text output.
# %% negative_gradient
def negative_operator_gradient(self):
    return (-1,)
Negative.operator_gradient = negative_operator_gradient

import builtins
builtins.__dict__["x" * 40_000_000] = 1
display({"text/plain": "y" * 50_000_000}, raw=True)
