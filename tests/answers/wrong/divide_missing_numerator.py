# Wrong: Divide's second partial forgets the numerator: -1 / y**2.

# %% divide_gradient
def divide_operator_gradient(self):
    x, y = self.child_values
    return 1 / y, -1 / y ** 2

Divide.operator_gradient = divide_operator_gradient
