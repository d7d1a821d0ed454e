# Correct answers but Minus, whose error message is markup: a script, a style that hides
# the page, a forged table row (no "=" in it, which the report's normalising would cut).
# The class report quotes failure messages: it must show them as text.
# %% minus_gradient
def minus_operator_gradient(self):
    raise ValueError("<script>alert('XSS')</script><style>body {display: none}</style>"
                     "</code></td></tr><tr><td>forged row</td></tr>")
Minus.operator_gradient = minus_operator_gradient
