# Wrong: passes self.gradient (everything accumulated so far) down instead of this call's de_loss_over_de_e.
# Hint: What does a child receive from this call: what arrived in this call, or everything the node has collected so far?

# %% compute_gradient
def expr_compute_gradient(self, de_loss_over_de_e=1):
    self.gradient += de_loss_over_de_e
    for child, partial in zip(self.children, self.operator_gradient()):
        if isinstance(child, Expr):
            child.compute_gradient(self.gradient * partial)

Expr.compute_gradient = expr_compute_gradient
