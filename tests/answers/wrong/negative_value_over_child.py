# Wrong: Negative computes its derivative as self.value / x, which is -1 except when x is 0 (division by zero).
# Hint: Does your code still work when x is 0?

# %% negative_gradient
def negative_operator_gradient(self):
    (x,) = self.child_values
    return (self.value / x,)

Negative.operator_gradient = negative_operator_gradient
