# Wrong: Divide squares y as y * 2 instead of y ** 2, which agrees with the visible example only because y = 2 there.
# Hint: Try y = 3: is your partial derivative with respect to y still right?

# %% divide_gradient
def divide_operator_gradient(self):
    x, y = self.child_values
    return 1 / y, -x / (y * 2)

Divide.operator_gradient = divide_operator_gradient
