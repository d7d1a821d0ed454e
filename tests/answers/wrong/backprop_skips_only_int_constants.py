# Wrong: treats only ints as constants, so a float constant such as 2.5 is asked for its compute_gradient.
# Hint: Which children are numbers rather than expressions? A float such as 2.5 is a number too.

# %% compute_gradient
def expr_compute_gradient(self, de_loss_over_de_e=1):
    self.gradient += de_loss_over_de_e
    for child, partial in zip(self.children, self.operator_gradient()):
        if not isinstance(child, int):
            child.compute_gradient(de_loss_over_de_e * partial)

Expr.compute_gradient = expr_compute_gradient
