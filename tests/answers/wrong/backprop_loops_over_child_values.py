# Wrong: loops over self.child_values (numbers) instead of self.children, so nothing below the root gets a gradient.
# Hint: Which list holds the child nodes that can receive a gradient, and which one holds their numbers?

# %% compute_gradient
def expr_compute_gradient(self, de_loss_over_de_e=1):
    self.gradient += de_loss_over_de_e
    for child, partial in zip(self.child_values or (), self.operator_gradient()):
        if isinstance(child, Expr):
            child.compute_gradient(de_loss_over_de_e * partial)

Expr.compute_gradient = expr_compute_gradient
