# Correct: Minus unpacks the child values (unused) and returns a tuple of floats.

# %% minus_gradient
def minus_operator_gradient(self):
    x, y = self.child_values
    return (1.0, -1.0)

Minus.operator_gradient = minus_operator_gradient
