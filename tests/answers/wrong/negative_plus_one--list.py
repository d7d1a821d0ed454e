# Wrong: Negative's derivative as a one-element list, with the wrong sign.

# %% negative_gradient
def negative_operator_gradient(self):
    return [1.0]

Negative.operator_gradient = negative_operator_gradient
