# A correct Divide, then an object whose HTML is 13,000 <div>s nested in each other (about
# 140 KB, under the output cap): cleaning it for the feedback page took about 10 s, and
# the time grows with the square of the depth.

# %% divide_gradient
def divide_operator_gradient(self):
    """e = x / y: returns (de/dx, de/dy)."""
    x, y = self.child_values
    return [1 / y, -x / y ** 2]

Divide.operator_gradient = divide_operator_gradient


class Deep:
    def _repr_html_(self):
        return "<div>" * 13_000 + "NESTED_HTML_OUTPUT" + "</div>" * 13_000


Deep()
