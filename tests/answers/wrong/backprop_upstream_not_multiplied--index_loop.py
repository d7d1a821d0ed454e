# Wrong: walks the children by index and hands each one its partial alone, not times the incoming gradient.

# %% compute_gradient
def expr_compute_gradient(self, de_loss_over_de_e=1):
    self.gradient += de_loss_over_de_e
    partials = self.operator_gradient()
    for i in range(len(self.children)):
        if isinstance(self.children[i], Expr):
            self.children[i].compute_gradient(partials[i])

Expr.compute_gradient = expr_compute_gradient
