# Wrong: Minus returns objects that claim to equal any number, which fools == but not a type check.
# Hint: Are the partial derivatives plain numbers?

# %% minus_gradient
class AnyNumber:
    def __eq__(self, other):
        return True


def minus_operator_gradient(self):
    return AnyNumber(), AnyNumber()

Minus.operator_gradient = minus_operator_gradient
