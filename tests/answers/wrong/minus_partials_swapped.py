# Wrong: Minus with its partials in the wrong order: (-1, 1).
# Hint: Are the partial derivatives in the order of the children, first x, then y?

# %% minus_gradient
def minus_operator_gradient(self):
    return -1, 1

Minus.operator_gradient = minus_operator_gradient
