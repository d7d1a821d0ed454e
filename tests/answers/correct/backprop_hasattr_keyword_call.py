# Correct: recursive, skips numbers with hasattr and passes the gradient down by keyword.

# %% compute_gradient
def expr_compute_gradient(self, de_loss_over_de_e=1):
    self.gradient += de_loss_over_de_e
    partials = self.operator_gradient()
    for child, partial in zip(self.children, partials):
        if hasattr(child, "compute_gradient"):
            child.compute_gradient(de_loss_over_de_e=de_loss_over_de_e * partial)

Expr.compute_gradient = expr_compute_gradient
