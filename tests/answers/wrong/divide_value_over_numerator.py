# Wrong: Divide computes 1/y as self.value / x, which divides by zero when the numerator is 0.
# Hint: Does your code still work when x is 0?

# %% divide_gradient
def divide_operator_gradient(self):
    x, y = self.child_values
    return self.value / x, -self.value / y

Divide.operator_gradient = divide_operator_gradient
