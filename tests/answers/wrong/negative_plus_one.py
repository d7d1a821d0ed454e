# Wrong: Negative's derivative with the wrong sign: (1,).
# Hint: Nudge x up a little: does -x go up or down?

# %% negative_gradient
def negative_operator_gradient(self):
    return (1,)

Negative.operator_gradient = negative_operator_gradient
