# Correct: Minus returns a tuple of ints.

# %% minus_gradient
def minus_operator_gradient(self):
    return 1, -1

Minus.operator_gradient = minus_operator_gradient
