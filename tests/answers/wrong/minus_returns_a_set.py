# Wrong: Minus returns the set {1, -1}, which has no order and cannot be indexed.

# %% minus_gradient
def minus_operator_gradient(self):
    return {1, -1}

Minus.operator_gradient = minus_operator_gradient
