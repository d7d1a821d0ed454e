# Honest: runs a copy of the parabola's model cell again in the play cell (new va, vb, vc, vx, vy, oy and loss), then trains a little.

# %% compute_gradient
def expr_compute_gradient(self, de_loss_over_de_e=1):
    """Adds the incoming gradient here, then hands each expression child its share."""
    self.gradient += de_loss_over_de_e
    partials = self.operator_gradient()
    for position, child in enumerate(self.children):
        if isinstance(child, Expr):
            child.compute_gradient(partials[position] * de_loss_over_de_e)

Expr.compute_gradient = expr_compute_gradient

# %% minus_gradient
def minus_operator_gradient(self):
    """e = x - y: returns (de/dx, de/dy)."""
    return [1.0, -1.0]

Minus.operator_gradient = minus_operator_gradient

# %% divide_gradient
def divide_operator_gradient(self):
    """e = x / y: returns (de/dx, de/dy)."""
    numerator, denominator = self.child_values
    return [1.0 / denominator, -numerator / denominator ** 2]

Divide.operator_gradient = divide_operator_gradient

# %% negative_gradient
def negative_operator_gradient(self):
    """e = -x: returns (de/dx,), a sequence of one partial derivative."""
    return [-1.0]

Negative.operator_gradient = negative_operator_gradient

# %% fit
def fit(loss, points, params, delta=0.0001, num_iterations=4000):
    """Minimises the total loss over points by gradient descent on params."""
    for iteration_idx in range(num_iterations):
        loss.zero_gradient()
        total_loss = 0.
        for x, y in points:
            vx.assign(x)
            vy.assign(y)
            loss.eval()
            loss.compute_gradient()
            total_loss += loss.value
        if (iteration_idx + 1) % 100 == 0:
            print("Loss:", total_loss)
        for vv in params:
            vv.assign(vv.value - delta * vv.gradient)
    return total_loss

# %% play_fit
### Here you can play with your code.
va = V(value=0.)
vb = V(value=0.)
vc = V(value=0.)

vx = V(value=0.)
vy = V(value=0.)

oy = va * vx * vx + vb * vx + vc

loss = (vy - oy) * (vy - oy)

fit(loss, points, [va, vb, vc], num_iterations=200)
