# Correct back-propagation that also emits a warning (to stderr) every time it runs.

# %% compute_gradient
import warnings


def expr_compute_gradient(self, de_loss_over_de_e=1):
    warnings.warn("compute_gradient is slow on deep trees", UserWarning)
    self.gradient += de_loss_over_de_e
    for child, partial in zip(self.children, self.operator_gradient()):
        if isinstance(child, Expr):
            child.compute_gradient(de_loss_over_de_e * partial)

Expr.compute_gradient = expr_compute_gradient
