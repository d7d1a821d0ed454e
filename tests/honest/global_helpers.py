# Honest: defines global helpers named square, quotient, opposite, difference, product, total, tree, partials, step and lv (the names the test cells once used) and calls them from its answers.

# %% play_expressions
### Here you can play with your code.
def square(z):
    return z * z


def quotient(a, b):
    return a / b


def opposite(z):
    return -z


def difference(a, b):
    return a - b


def product(a, b):
    return a * b


def total(values):
    result = 0.
    for value in values:
        result += value
    return result


def tree(depth, leaf):
    """leaf * 2 + leaf, nested depth times: an expression to try things on."""
    node = leaf
    for _ in range(depth):
        node = node * 2 + leaf
    return node


print(tree(2, V(1.)), tree(2, V(1.)).eval())

# %% compute_gradient
def partials(node):
    """The partial derivatives of node with respect to its children, as a list."""
    return list(node.operator_gradient())


def expr_compute_gradient(self, de_loss_over_de_e=1):
    self.gradient += de_loss_over_de_e
    for child, partial in zip(self.children, partials(self)):
        if isinstance(child, Expr):
            child.compute_gradient(product(de_loss_over_de_e, partial))

Expr.compute_gradient = expr_compute_gradient

# %% play_compute_gradient
### Here you can play with your code.
leaf = V(1.)
shape = tree(3, leaf)
shape.eval()
shape.zero_gradient()
shape.compute_gradient()
print("d shape / d leaf =", leaf.gradient)

# %% minus_gradient
def minus_operator_gradient(self):
    """e = x - y: returns (de/dx, de/dy)."""
    return difference(1., 0.), difference(0., 1.)

Minus.operator_gradient = minus_operator_gradient

# %% divide_gradient
def divide_operator_gradient(self):
    """e = x / y: returns (de/dx, de/dy)."""
    x, y = self.child_values
    return quotient(1., y), opposite(quotient(x, square(y)))

Divide.operator_gradient = divide_operator_gradient

# %% negative_gradient
def negative_operator_gradient(self):
    """e = -x: returns (de/dx,), a sequence of one partial derivative."""
    return [opposite(1.)]

Negative.operator_gradient = negative_operator_gradient

# %% fit
def fit(loss, points, params, delta=0.0001, num_iterations=4000):
    """Minimises the total loss over points by gradient descent on params."""
    for iteration_idx in range(num_iterations):
        loss.zero_gradient()
        losses = []
        for x, y in points:
            vx.assign(x)
            vy.assign(y)
            losses.append(loss.eval())
            loss.compute_gradient()
        total_loss = total(losses)
        if (iteration_idx + 1) % 100 == 0:
            print("Loss:", total_loss)
        step(params, delta)
    return total_loss

# %% play_fit
### Here you can play with your code.
def step(params, delta):
    """One gradient step on every parameter."""
    for vv in params:
        vv.assign(vv.value - delta * vv.gradient)


lv = fit(loss, points, [va, vb, vc], num_iterations=100)
print("after 100 iterations:", lv, "; squared:", square(lv))
va.assign(0.)
vb.assign(0.)
vc.assign(0.)
