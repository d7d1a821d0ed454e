# Wrong: recursive, but the root adds 1 whatever de_loss_over_de_e it is given (the argument is overwritten).

# %% compute_gradient
def expr_compute_gradient(self, de_loss_over_de_e=1, _root=True):
    if _root:
        de_loss_over_de_e = 1
    self.gradient += de_loss_over_de_e
    for child, partial in zip(self.children, self.operator_gradient()):
        if isinstance(child, Expr):
            child.compute_gradient(de_loss_over_de_e * partial, _root=False)

Expr.compute_gradient = expr_compute_gradient
