# Wrong: computes the partials itself for Plus and Multiply instead of calling operator_gradient(), so any other operator passes nothing on.
# Hint: Does compute_gradient ask each node for its own partial derivatives, so that it works for operators it has never seen?

# %% compute_gradient
def expr_compute_gradient(self, de_loss_over_de_e=1):
    self.gradient += de_loss_over_de_e
    if isinstance(self, Plus):
        partials = (1, 1)
    elif isinstance(self, Multiply):
        partials = (self.child_values[1], self.child_values[0])
    else:
        partials = ()
    for child, partial in zip(self.children, partials):
        if isinstance(child, Expr):
            child.compute_gradient(de_loss_over_de_e * partial)

Expr.compute_gradient = expr_compute_gradient
