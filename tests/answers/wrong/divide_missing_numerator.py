# Wrong: Divide's second partial forgets the numerator: -1 / y**2.
# Hint: Does your partial derivative with respect to y change when x changes? Try two values of x.

# %% divide_gradient
def divide_operator_gradient(self):
    x, y = self.child_values
    return 1 / y, -1 / y ** 2

Divide.operator_gradient = divide_operator_gradient
