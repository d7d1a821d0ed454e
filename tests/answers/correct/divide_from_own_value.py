# Correct: Divide reuses the node's own value: d(x/y)/dy = -(x/y) / y = -self.value / y.

# %% divide_gradient
def divide_operator_gradient(self):
    y = self.child_values[1]
    return 1 / y, -self.value / y

Divide.operator_gradient = divide_operator_gradient
