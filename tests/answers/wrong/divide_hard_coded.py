# Wrong: Divide returns the visible example's numbers, (0.5, -1.5), whatever the values.
# Hint: Try other values of x and y: do your partial derivatives change as they should?

# %% divide_gradient
def divide_operator_gradient(self):
    return 0.5, -1.5

Divide.operator_gradient = divide_operator_gradient
