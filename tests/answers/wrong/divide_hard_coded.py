# Wrong: Divide returns the visible example's numbers, (0.5, -1.5), whatever the values.

# %% divide_gradient
def divide_operator_gradient(self):
    return 0.5, -1.5

Divide.operator_gradient = divide_operator_gradient
