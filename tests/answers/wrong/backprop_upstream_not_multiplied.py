# Wrong: passes each child only the local partial derivative, forgetting to multiply by the gradient from above.
# Hint: Is the gradient from above part of what each child receives? Re-read the chain rule in "Computing the gradient".

# %% compute_gradient
def expr_compute_gradient(self, de_loss_over_de_e=1):
    self.gradient += de_loss_over_de_e
    for child, partial in zip(self.children, self.operator_gradient()):
        if isinstance(child, Expr):
            child.compute_gradient(partial)

Expr.compute_gradient = expr_compute_gradient
