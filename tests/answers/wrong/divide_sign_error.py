# Wrong: Divide's second partial lost its minus sign: x / y**2.
# Hint: Nudge y up a little: does x / y go up or down? Check the sign of your partial derivative with respect to y.

# %% divide_gradient
def divide_operator_gradient(self):
    x, y = self.child_values
    return 1 / y, x / (y * y)

Divide.operator_gradient = divide_operator_gradient
