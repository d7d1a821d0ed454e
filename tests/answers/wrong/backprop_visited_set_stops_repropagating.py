# Wrong: a shared node adds every contribution but passes only the first one on, so variables below a shared sub-expression miss gradient.
# Hint: When a shared node receives a second contribution, does it pass that one on to its children too?

# %% compute_gradient
def expr_compute_gradient(self, de_loss_over_de_e=1, visited=None):
    if visited is None:
        visited = set()
    self.gradient += de_loss_over_de_e
    if id(self) in visited:
        return  # its children have had their gradient already
    visited.add(id(self))
    for child, partial in zip(self.children, self.operator_gradient()):
        if isinstance(child, Expr):
            child.compute_gradient(de_loss_over_de_e * partial, visited)

Expr.compute_gradient = expr_compute_gradient
