# Wrong: Minus copied from Plus: (1, 1).
# Hint: Nudge y up a little: does x - y go up or down?

# %% minus_gradient
def minus_operator_gradient(self):
    return 1, 1

Minus.operator_gradient = minus_operator_gradient
