# Wrong: Divide uses floor division //, which rounds the partials down to whole numbers.
# Hint: Which division operator keeps the fractional part?

# %% divide_gradient
def divide_operator_gradient(self):
    x, y = self.child_values
    return 1 // y, -x // (y * y)

Divide.operator_gradient = divide_operator_gradient
