# Wrong: Minus returns the set {1, -1}, which has no order and cannot be indexed.
# Hint: Which Python type keeps its items in order and can be indexed?

# %% minus_gradient
def minus_operator_gradient(self):
    return {1, -1}

Minus.operator_gradient = minus_operator_gradient
