# Wrong: Divide reads .value from the children themselves, which fails when a child is a plain number such as the 1 in 1 / y.
# Hint: A child can be a plain number (a constant in the expression) rather than an Expr. Where can you read the values of all children?

# %% divide_gradient
def divide_operator_gradient(self):
    x, y = self.children[0].value, self.children[1].value
    return 1 / y, -x / (y * y)

Divide.operator_gradient = divide_operator_gradient
