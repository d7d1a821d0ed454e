# Wrong: unpacks exactly two children and two partials, so operators with one or three children fail.
# Hint: Does your code work for a node with one child (Negative), or with three?

# %% compute_gradient
def expr_compute_gradient(self, de_loss_over_de_e=1):
    self.gradient += de_loss_over_de_e
    if not self.children:
        return
    left, right = self.children
    d_left, d_right = self.operator_gradient()
    if isinstance(left, Expr):
        left.compute_gradient(de_loss_over_de_e * d_left)
    if isinstance(right, Expr):
        right.compute_gradient(de_loss_over_de_e * d_right)

Expr.compute_gradient = expr_compute_gradient
