# Wrong: no recursion: the loops reach children and grandchildren only, as deep as the visible examples go.
# Hint: Does the gradient reach variables deeper than two levels? Try an expression with three or four levels.

# %% compute_gradient
def expr_compute_gradient(self, de_loss_over_de_e=1):
    self.gradient += de_loss_over_de_e
    for child, partial in zip(self.children, self.operator_gradient()):
        if isinstance(child, Expr):
            child.gradient += de_loss_over_de_e * partial
            for grandchild, partial2 in zip(child.children, child.operator_gradient()):
                if isinstance(grandchild, Expr):
                    grandchild.gradient += de_loss_over_de_e * partial * partial2

Expr.compute_gradient = expr_compute_gradient
