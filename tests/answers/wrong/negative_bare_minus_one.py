# Wrong: Negative returns a bare -1 instead of a sequence of one partial derivative.
# Hint: operator_gradient returns a sequence with one partial derivative per child, even when there is only one child.

# %% negative_gradient
def negative_operator_gradient(self):
    return -1

Negative.operator_gradient = negative_operator_gradient
