# Wrong: Negative returns its value, (-x,), instead of its derivative.
# Hint: Is the value returned the derivative of -x, or a value of the expression?

# %% negative_gradient
def negative_operator_gradient(self):
    (x,) = self.child_values
    return (-x,)

Negative.operator_gradient = negative_operator_gradient
