# Minus's derivative loops forever (an interrupt stops it). Minus is also used by fit's
# back-propagation outside the tests; fit's own tests use the reference back-propagation.

# %% minus_gradient
def minus_operator_gradient(self):
    while True:
        pass

Minus.operator_gradient = minus_operator_gradient
