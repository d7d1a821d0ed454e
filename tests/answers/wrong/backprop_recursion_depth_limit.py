# Wrong: recursion stops after a fixed depth of 10 ("to be safe"), so deep expressions get no gradient at the bottom.
# Hint: Does your code stop at some depth? In a chain of 60 operators (the case to try builds one), does the variable at the bottom get its gradient?

# %% compute_gradient
def expr_compute_gradient(self, de_loss_over_de_e=1, depth=0):
    self.gradient += de_loss_over_de_e
    if depth >= 10:
        return
    for child, partial in zip(self.children, self.operator_gradient()):
        if isinstance(child, Expr):
            child.compute_gradient(de_loss_over_de_e * partial, depth + 1)

Expr.compute_gradient = expr_compute_gradient
