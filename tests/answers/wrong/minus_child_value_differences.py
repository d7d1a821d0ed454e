# Wrong: Minus returns differences of the child values, (x - y, y - x), which happen to be (1, -1) at the visible example x=3, y=2.
# Hint: Try other values of x and y: do your partial derivatives change when they should not?

# %% minus_gradient
def minus_operator_gradient(self):
    x, y = self.child_values
    return x - y, y - x

Minus.operator_gradient = minus_operator_gradient
