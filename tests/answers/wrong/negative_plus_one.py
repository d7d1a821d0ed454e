# Wrong: Negative's derivative with the wrong sign: (1,).

# %% negative_gradient
def negative_operator_gradient(self):
    return (1,)

Negative.operator_gradient = negative_operator_gradient
