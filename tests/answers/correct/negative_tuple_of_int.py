# Correct: Negative returns a one-element tuple holding an int.

# %% negative_gradient
def negative_operator_gradient(self):
    return (-1,)

Negative.operator_gradient = negative_operator_gradient
