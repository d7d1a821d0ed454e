# Wrong: iterative, with an explicit stack, but sets each node's gradient (=) instead of adding (+=) to it.

# %% compute_gradient
def expr_compute_gradient(self, de_loss_over_de_e=1):
    pending = [(self, de_loss_over_de_e)]
    while pending:
        node, incoming = pending.pop()
        node.gradient = incoming
        for child, partial in zip(node.children, node.operator_gradient()):
            if isinstance(child, Expr):
                pending.append((child, incoming * partial))

Expr.compute_gradient = expr_compute_gradient
