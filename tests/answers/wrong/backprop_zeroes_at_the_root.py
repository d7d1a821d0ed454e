# Wrong: zeroes the gradients itself when called on the root, wiping what earlier calls added (fit back-propagates once per point).
# Hint: Who zeroes the gradients, and when? fit back-propagates once per point and relies on the contributions adding up.

# %% compute_gradient
def expr_compute_gradient(self, de_loss_over_de_e=None):
    if de_loss_over_de_e is None:  # called on the root: start clean
        self.zero_gradient()
        de_loss_over_de_e = 1
    self.gradient += de_loss_over_de_e
    for child, partial in zip(self.children, self.operator_gradient()):
        if isinstance(child, Expr):
            child.compute_gradient(de_loss_over_de_e * partial)

Expr.compute_gradient = expr_compute_gradient
