# Wrong: Minus with its partials in the wrong order: (-1, 1).

# %% minus_gradient
def minus_operator_gradient(self):
    return -1, 1

Minus.operator_gradient = minus_operator_gradient
