# Stubs that write a result before their test's assert fails: sys.displayhook("...") makes
# the test cell's first output an execute_result, and nbgrader grades a test cell by its
# first error or result, so a cell whose asserts then fail still got its points (all 100
# with no judge). Now a test cell with an error keeps what it displayed as display_data,
# which carries no points (grading.plugins.integrity.NoPointsAfterError): 0.
# %% compute_gradient
import sys


def expr_compute_gradient(self, de_loss_over_de_e=1):
    sys.displayhook("full marks")

Expr.compute_gradient = expr_compute_gradient
# %% minus_gradient
def minus_operator_gradient(self):
    sys.displayhook("full marks")
    return ()

Minus.operator_gradient = minus_operator_gradient
# %% divide_gradient
def divide_operator_gradient(self):
    sys.displayhook("full marks")
    return ()

Divide.operator_gradient = divide_operator_gradient
# %% negative_gradient
def negative_operator_gradient(self):
    sys.displayhook("full marks")
    return ()

Negative.operator_gradient = negative_operator_gradient
# %% fit
def fit(loss, points, params, delta=0.0001, num_iterations=4000):
    sys.displayhook("full marks")
    return 0.0
