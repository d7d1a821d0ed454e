# Honest: does all of the above together: global helpers used by its answers, new cells between cells, rebinding loss, points, va, vx and vy, running the model cell again, training in the play cell, printing every iteration, and stale outputs with out-of-order counts.

# %% name_and_collaborators [3]
NAME = "Everything Eve"
COLLABORATORS = "nobody"

# %% play_expressions [2]
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
    node = leaf
    for _ in range(depth):
        node = node * 2 + leaf
    return node


print(tree(3, V(2.)).eval())
#> 30.0

# %% new after gradient_methods [4]
def partials(node):
    """The partial derivatives of node with respect to its children, as a list."""
    return [p for p in node.operator_gradient()]

# %% compute_gradient [27]
def expr_compute_gradient(self, de_loss_over_de_e=1):
    """Adds the incoming gradient here, then hands each expression child its share."""
    self.gradient += de_loss_over_de_e
    for child, partial in zip(self.children, partials(self)):
        if isinstance(child, Expr):
            child.compute_gradient(product(partial, de_loss_over_de_e))

Expr.compute_gradient = expr_compute_gradient

# %% compute_gradient_sum [6]
#! NotImplementedError

# %% play_compute_gradient [29]
### Here you can play with your code.
leaf = V(1.)
shape = tree(3, leaf)
shape.eval()
shape.zero_gradient()
shape.compute_gradient()
print("d shape / d leaf =", leaf.gradient)
#> d shape / d leaf = 15.0

# %% new after compute_gradient_nested
lv = V(3.)
tree_value = tree(1, lv).eval()
print(tree_value)

# %% minus_gradient [33]
def minus_operator_gradient(self):
    """e = x - y: returns (de/dx, de/dy)."""
    return difference(1, 0), difference(0, 1)

Minus.operator_gradient = minus_operator_gradient

# %% minus_gradient_correct [14]
#! AssertionError: Minus has two children, so operator_gradient() should return a sequence of two partial derivatives, such as (d1, d2); found None

# %% divide_gradient [34]
def divide_operator_gradient(self):
    """e = x / y: returns (de/dx, de/dy)."""
    x, y = self.child_values
    print("Divide at", x, y)
    return quotient(1, y), opposite(quotient(x, square(y)))

Divide.operator_gradient = divide_operator_gradient

# %% negative_gradient [35]
def negative_operator_gradient(self):
    """e = -x: returns (de/dx,), a sequence of one partial derivative."""
    return opposite(1),

Negative.operator_gradient = negative_operator_gradient

# %% play_operator_gradients [36]
### Here you can play with your code.
points = [(0, 0.), (1, 1.)]
print(quotient(V(1.), V(2.)).eval())

# %% new after plot_points
print(square(len(points)))

# %% fit [52]
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
        print("iteration", iteration_idx, "loss", total_loss)
        if (iteration_idx + 1) % 100 == 0:
            print("Loss:", total_loss)
        step(params, delta)
    return total_loss

# %% new after fit [50]
def step(params, delta):
    for vv in params:
        vv.assign(vv.value - delta * vv.gradient)

# %% play_fit [60]
### Here you can play with your code.
print(fit(loss, points, [va, vb, vc], num_iterations=300))
# the model cell again
va = V(value=0.)
vb = V(value=0.)
vc = V(value=0.)

vx = V(value=0.)
vy = V(value=0.)

oy = va * vx * vx + vb * vx + vc

loss = (vy - oy) * (vy - oy)
lv = fit(loss, points, [va, vb, vc], num_iterations=300)
# a line instead
oy = va * vx + vb
loss = (vy - oy) * (vy - oy)
points = [(0, 1.), (1, 3.), (2, 5.)]
print(fit(loss, points, [va, vb], delta=0.01, num_iterations=100))
va = V(5.)
vx = V(1.)
vy = V(2.)
print(loss.eval())
#> Loss: 1234.5
#! NameError: name 'step' is not defined

# %% fit_trains_parabola [61]
#! AssertionError: after 4000 iterations the total loss should be below 2.5, found 3.7

# %% new after fit_trains_parabola [62]
area = vx * vx
perimeter = area + vy
print(perimeter.eval(), square(3), total([1., 2.]))

# %% fit_one_exact_step [8]

# %% new after fit_one_exact_step
vx = V(0.)
vy = V(0.)
loss = (vy - vp) * (vy - vp)
lv = fit(loss, [(1., 2.)], [vp], num_iterations=3)
