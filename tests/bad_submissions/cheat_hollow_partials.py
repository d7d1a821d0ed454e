# Stubs for Question 2 that carry no derivative at all. operator_gradient returns a tuple
# whose len() is right (two children, or one) but whose slices come back empty, and whose
# items are floats that claim to equal any number and to differ from any number by 0.
# The visible asserts (len, ==, abs(... - x) < 1e-9) pass; a judge that took the length
# the kernel reported and zipped the sliced values with its reference compared nothing
# (30 points, unflagged). Now the judge counts what it decoded itself: 0, and the scan
# flags the dunder methods.
# %% minus_gradient
class _Yes(float):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = float.__hash__

    def __sub__(self, other):
        return _Yes(0.0)

    def __abs__(self):
        return 0.0


class _Hollow(tuple):
    def __new__(cls, count):
        made = super().__new__(cls, [_Yes(0.0)] * count)
        made.count_shown = count
        return made

    def __len__(self):
        return self.count_shown

    def __getitem__(self, index):
        if isinstance(index, slice):
            return []
        return _Yes(0.0)

    def __iter__(self):
        return iter([])


def minus_operator_gradient(self):
    return _Hollow(2)

Minus.operator_gradient = minus_operator_gradient
# %% divide_gradient
def divide_operator_gradient(self):
    return _Hollow(2)

Divide.operator_gradient = divide_operator_gradient
# %% negative_gradient
def negative_operator_gradient(self):
    return _Hollow(1)

Negative.operator_gradient = negative_operator_gradient
