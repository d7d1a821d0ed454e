# Wrong: stores gradients as objects that claim to equal any number, which fools == but not a type check.
# Hint: Is each gradient stored as a plain number?

# %% compute_gradient
class AnyNumber:
    def __eq__(self, other):
        return True

    def __add__(self, other):
        return self

    __radd__ = __mul__ = __rmul__ = __add__


def expr_compute_gradient(self, de_loss_over_de_e=1):
    self.gradient = AnyNumber()
    for child in self.children:
        if isinstance(child, Expr):
            child.compute_gradient(de_loss_over_de_e)

Expr.compute_gradient = expr_compute_gradient
