# Wrong: Divide written with negative powers, and the second partial's minus sign dropped.

# %% divide_gradient
def divide_operator_gradient(self):
    numerator, denominator = self.child_values
    return denominator ** -1, numerator * denominator ** -2

Divide.operator_gradient = divide_operator_gradient
