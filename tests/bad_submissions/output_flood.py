# A correct Divide that prints 3 MB on every call (about 70 MB in its test cell).

# %% divide_gradient
def divide_operator_gradient(self):
    print("debug " * 500_000)
    x, y = self.child_values
    return [1 / y, -x / y ** 2]

Divide.operator_gradient = divide_operator_gradient
