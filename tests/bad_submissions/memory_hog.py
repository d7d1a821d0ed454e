# Negative's derivative asks for 8 GiB: the kernel's memory cap makes it a MemoryError.

# %% negative_gradient
def negative_operator_gradient(self):
    scratch = bytearray(8 * 1024 ** 3)
    return (-1,)

Negative.operator_gradient = negative_operator_gradient
