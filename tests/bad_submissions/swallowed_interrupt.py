# Negative's derivative never returns and swallows the grader's interrupt.

# %% negative_gradient
def negative_operator_gradient(self):
    while True:
        try:
            while True:
                pass
        except KeyboardInterrupt:
            pass

Negative.operator_gradient = negative_operator_gradient
