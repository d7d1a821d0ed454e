# Wrong: only variables store a gradient; operator nodes, the root included, stay at 0.
# Hint: Does every node, operators and the root included, add what it receives to its own gradient?

# %% compute_gradient
def expr_compute_gradient(self, de_loss_over_de_e=1):
    if isinstance(self, V):
        self.gradient += de_loss_over_de_e
    for child, partial in zip(self.children, self.operator_gradient()):
        if isinstance(child, Expr):
            child.compute_gradient(de_loss_over_de_e * partial)

Expr.compute_gradient = expr_compute_gradient
