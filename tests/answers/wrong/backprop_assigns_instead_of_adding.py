# Wrong: assigns the gradient (=) instead of adding to it (+=), so a shared node keeps only its last contribution.
# Hint: Is the gradient added to self.gradient with +=, or set with =?

# %% compute_gradient
def expr_compute_gradient(self, de_loss_over_de_e=1):
    self.gradient = de_loss_over_de_e
    for child, partial in zip(self.children, self.operator_gradient()):
        if isinstance(child, Expr):
            child.compute_gradient(de_loss_over_de_e * partial)

Expr.compute_gradient = expr_compute_gradient
