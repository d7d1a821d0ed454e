# Wrong: Divide computes both partials under clear names, then returns them in the wrong order.

# %% divide_gradient
def divide_operator_gradient(self):
    x, y = self.child_values
    d_by_dx = 1 / y
    d_by_dy = -x / y ** 2
    return d_by_dy, d_by_dx

Divide.operator_gradient = divide_operator_gradient
