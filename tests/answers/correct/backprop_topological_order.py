# Correct: visits each node once in reverse topological order, summing this call's contributions in a dict before adding them to .gradient.

# %% compute_gradient
def expr_compute_gradient(self, de_loss_over_de_e=1):
    order, seen = [], set()

    def visit(node):
        if id(node) in seen:
            return
        seen.add(id(node))
        for child in node.children:
            if isinstance(child, Expr):
                visit(child)
        order.append(node)

    visit(self)
    incoming = {id(node): 0 for node in order}
    incoming[id(self)] = de_loss_over_de_e
    for node in reversed(order):  # parents before children
        node.gradient += incoming[id(node)]
        for child, partial in zip(node.children, node.operator_gradient()):
            if isinstance(child, Expr):
                incoming[id(child)] += incoming[id(node)] * partial

Expr.compute_gradient = expr_compute_gradient
