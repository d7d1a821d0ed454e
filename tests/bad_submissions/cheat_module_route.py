# Right answers, and os reached without importing it: through the random module the
# notebook imports (random._os), and through getattr with a name built at run time.
# Nothing was flagged; now the scan flags both.
# %% minus_gradient
def minus_operator_gradient(self):
    """e = x - y: returns (de/dx, de/dy)."""
    return [1.0, -1.0]

Minus.operator_gradient = minus_operator_gradient
_where = random._os.getcwd()
_listing = getattr(random, "_o" + "s").listdir(_where)
