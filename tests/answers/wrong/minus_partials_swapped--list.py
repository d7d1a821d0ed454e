# Wrong: Minus returns its two partials as a list, in the wrong order.

# %% minus_gradient
def minus_operator_gradient(self):
    """e = x - y"""
    de_dx, de_dy = 1.0, -1.0
    return [de_dy, de_dx]

Minus.operator_gradient = minus_operator_gradient
