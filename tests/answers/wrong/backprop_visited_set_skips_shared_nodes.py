# Wrong: a "visited" set makes a node shared by two parents (x * x) count only once.
# Hint: Does your code skip a node it has visited before? A node used in two places must collect a contribution from each.

# %% compute_gradient
def expr_compute_gradient(self, de_loss_over_de_e=1, visited=None):
    if visited is None:
        visited = set()
    if id(self) in visited:
        return
    visited.add(id(self))
    self.gradient += de_loss_over_de_e
    for child, partial in zip(self.children, self.operator_gradient()):
        if isinstance(child, Expr):
            child.compute_gradient(de_loss_over_de_e * partial, visited)

Expr.compute_gradient = expr_compute_gradient
