# Correct: recursive, recognises numbers with isinstance(child, (int, float)), multiplies partial first and adds with a = a + b.

# %% compute_gradient
def expr_compute_gradient(self, de_loss_over_de_e=1):
    self.gradient = self.gradient + de_loss_over_de_e
    partials = list(self.operator_gradient())
    for child, partial in zip(self.children, partials):
        if isinstance(child, (int, float)):
            continue
        child.compute_gradient(float(partial) * de_loss_over_de_e)

Expr.compute_gradient = expr_compute_gradient
