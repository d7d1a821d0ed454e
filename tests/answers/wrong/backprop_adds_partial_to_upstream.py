# Wrong: chain rule with a sum: passes de_loss_over_de_e + partial instead of the product.
# Hint: How does the chain rule combine the gradient from above with each partial derivative? Re-read "Computing the gradient".

# %% compute_gradient
def expr_compute_gradient(self, de_loss_over_de_e=1):
    self.gradient += de_loss_over_de_e
    for child, partial in zip(self.children, self.operator_gradient()):
        if isinstance(child, Expr):
            child.compute_gradient(de_loss_over_de_e + partial)

Expr.compute_gradient = expr_compute_gradient
