# Wrong: Negative returns its value, (-x,), instead of its derivative.

# %% negative_gradient
def negative_operator_gradient(self):
    (x,) = self.child_values
    return (-x,)

Negative.operator_gradient = negative_operator_gradient
