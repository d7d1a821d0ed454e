# Wrong: Negative returns a bare -1 instead of a sequence of one partial derivative.

# %% negative_gradient
def negative_operator_gradient(self):
    return -1

Negative.operator_gradient = negative_operator_gradient
