# Correct: all three operators at once, as tuples of ints and floats, with the square written x / y / y.

# %% minus_gradient
def minus_operator_gradient(self):
    return (1, -1)

Minus.operator_gradient = minus_operator_gradient

# %% divide_gradient
def divide_operator_gradient(self):
    x, y = self.child_values
    return (1 / y, -x / y / y)

Divide.operator_gradient = divide_operator_gradient

# %% negative_gradient
def negative_operator_gradient(self):
    return (-1,)

Negative.operator_gradient = negative_operator_gradient
