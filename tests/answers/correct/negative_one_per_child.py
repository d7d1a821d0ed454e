# Correct: Negative builds its list with one -1.0 per child.

# %% negative_gradient
def negative_operator_gradient(self):
    return [-1.0 for child in self.children]

Negative.operator_gradient = negative_operator_gradient
