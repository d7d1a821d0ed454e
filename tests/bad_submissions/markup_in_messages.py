# Correct answers but Minus, whose error message is markup: script, an image that runs
# code, a forged table row. The class report quotes failure messages: it must show them
# as text.
# %% minus_gradient
def minus_operator_gradient(self):
    raise ValueError("<script>document.title='XSS:report'</script><img src=x onerror=alert(1)>"
                     "</code></td></tr><tr data-student='carla' data-total='100'><td>")
Minus.operator_gradient = minus_operator_gradient
