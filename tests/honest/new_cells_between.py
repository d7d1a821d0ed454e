# Honest: inserts cells of its own with experiments between the notebook's cells, test cells included (they bind names, rebuild the model, train).

# %% new after gradient_methods
# Trying zero_gradient before writing anything.
vp = V(2.)
vq = vp * 3
vq.zero_gradient()
print(vq.gradient, vp.gradient)

# %% compute_gradient
def expr_compute_gradient(self, de_loss_over_de_e=1):
    """Adds the incoming gradient here, then hands each expression child its share."""
    self.gradient += de_loss_over_de_e
    partials = self.operator_gradient()
    for position, child in enumerate(self.children):
        if isinstance(child, Expr):
            child.compute_gradient(partials[position] * de_loss_over_de_e)

Expr.compute_gradient = expr_compute_gradient

# %% new after compute_gradient_product
# Between two tests: my own product and sum.
product = V(2.) * V(5.)
total = product + 1
total.eval()
total.zero_gradient()
total.compute_gradient()
print(total.eval(), product.gradient)

# %% new after compute_gradient_product
tree = (product + total) * product
print(tree.eval())

# %% minus_gradient
def minus_operator_gradient(self):
    """e = x - y: returns (de/dx, de/dy)."""
    return [1.0, -1.0]

Minus.operator_gradient = minus_operator_gradient

# %% new after minus_gradient_correct
difference = V(10.) - V(4.)
partials = difference.operator_gradient()
print(difference.eval(), partials)

# %% divide_gradient
def divide_operator_gradient(self):
    """e = x / y: returns (de/dx, de/dy)."""
    numerator, denominator = self.child_values
    return [1.0 / denominator, -numerator / denominator ** 2]

Divide.operator_gradient = divide_operator_gradient

# %% new after divide_gradient
quotient = V(1.) / V(4.)
quotient.eval()
print(quotient.operator_gradient())

# %% negative_gradient
def negative_operator_gradient(self):
    """e = -x: returns (de/dx,), a sequence of one partial derivative."""
    return [-1.0]

Negative.operator_gradient = negative_operator_gradient

# %% new after points
points = points + [(6, 12.)]
print(len(points), "points")

# %% new after parabola_model
vx.assign(2)
vy.assign(3)
print("loss at (2, 3) with a = b = c = 0:", loss.eval())

# %% fit
def fit(loss, points, params, delta=0.0001, num_iterations=4000):
    """Minimises the total loss over points by gradient descent on params."""
    for iteration_idx in range(num_iterations):
        loss.zero_gradient()
        total_loss = 0.
        for x, y in points:
            vx.assign(x)
            vy.assign(y)
            point_loss = loss.eval()
            loss.compute_gradient(1)
            total_loss += point_loss
        if (iteration_idx + 1) % 100 == 0:
            print("Loss:", total_loss)
        for vv in params:
            vv.assign(vv.value - delta * vv.gradient)
    return total_loss

# %% new after fit
lv = fit(loss, points, [va, vb, vc], num_iterations=100)
print(lv)

# %% new after fit_trains_parabola
# Between the fit tests: a fresh model over fresh vx and vy, trained a little.
vx = V(0.)
vy = V(0.)
va, vb = V(1.), V(1.)
oy = va * vx + vb
loss = (vy - oy) * (vy - oy)
lv = fit(loss, points, [va, vb], num_iterations=100)

# %% new after fit_one_exact_step
square = vx * vx
step = 0.5
points = [(1, 1)]
print(fit(loss, points, [va], delta=step, num_iterations=2))
