# Wrong: Divide with its partials in the wrong order.
# Hint: Are the partial derivatives in the order of the children, first x, then y?

# %% divide_gradient
def divide_operator_gradient(self):
    x, y = self.child_values
    return -x / (y * y), 1 / y

Divide.operator_gradient = divide_operator_gradient
