# Correct: Divide written with negative powers, y ** -1 and -x * y ** -2 (rounds differently from 1 / y).

# %% divide_gradient
def divide_operator_gradient(self):
    x, y = self.child_values
    return (y ** -1, -x * y ** -2)

Divide.operator_gradient = divide_operator_gradient
