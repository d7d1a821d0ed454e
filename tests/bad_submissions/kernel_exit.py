# Divide's derivative ends the kernel process: the kernel dies in its test cell.

# %% divide_gradient
def divide_operator_gradient(self):
    import os
    os._exit(3)

Divide.operator_gradient = divide_operator_gradient
