# Wrong: always starts back-propagation from 1, ignoring the de_loss_over_de_e it is given.
# Hint: Does compute_gradient use the de_loss_over_de_e it is given, also when it is not 1?

# %% compute_gradient
def backprop(node, incoming):
    node.gradient += incoming
    for child, partial in zip(node.children, node.operator_gradient()):
        if isinstance(child, Expr):
            backprop(child, incoming * partial)


def expr_compute_gradient(self, de_loss_over_de_e=1):
    backprop(self, 1)

Expr.compute_gradient = expr_compute_gradient
