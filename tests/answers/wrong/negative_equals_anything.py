# Wrong: Negative returns an object that claims to equal any number, which fools == but not a type check.
# Hint: Is the partial derivative a plain number?

# %% negative_gradient
class AnyNumber:
    def __eq__(self, other):
        return True


def negative_operator_gradient(self):
    return (AnyNumber(),)

Negative.operator_gradient = negative_operator_gradient
