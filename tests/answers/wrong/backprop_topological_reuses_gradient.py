# Wrong: reverse topological order that passes on each node's whole .gradient, right from zero but wrong when called again without zeroing (as fit does per point).
# Hint: What happens when compute_gradient runs a second time without zero_gradient() in between, as fit does once per point?

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
    self.gradient += de_loss_over_de_e
    for node in reversed(order):
        for child, partial in zip(node.children, node.operator_gradient()):
            if isinstance(child, Expr):
                child.gradient += node.gradient * partial

Expr.compute_gradient = expr_compute_gradient
