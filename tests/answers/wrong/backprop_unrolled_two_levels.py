# Wrong: no recursion: the loops reach children and grandchildren only, as deep as the visible examples go.
# Hint: Is compute_gradient called again on each child, so that it goes on down the tree, or does it stop after two levels?

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
