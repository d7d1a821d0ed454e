# Honest: rebinds `points` to data of its own in the play cells and trains on them.

# %% compute_gradient
def expr_compute_gradient(self, de_loss_over_de_e=1):
    """Adds the incoming gradient here, then hands each expression child its share."""
    self.gradient += de_loss_over_de_e
    partials = self.operator_gradient()
    for i in range(len(self.children)):
        if isinstance(self.children[i], Expr):
            self.children[i].compute_gradient(de_loss_over_de_e * partials[i])

Expr.compute_gradient = expr_compute_gradient

# %% minus_gradient
def minus_operator_gradient(self):
    """e = x - y: returns (de/dx, de/dy)."""
    return (1, -1)

Minus.operator_gradient = minus_operator_gradient

# %% divide_gradient
def divide_operator_gradient(self):
    """e = x / y: returns (de/dx, de/dy)."""
    x, y = self.child_values
    return (y ** -1, -x * y ** -2)

Divide.operator_gradient = divide_operator_gradient

# %% negative_gradient
def negative_operator_gradient(self):
    """e = -x: returns (de/dx,), a sequence of one partial derivative."""
    return [-1]

Negative.operator_gradient = negative_operator_gradient

# %% fit
def fit(loss, points, params, delta=0.0001, num_iterations=4000):
    """Minimises the total loss over points by gradient descent on params."""
    for iteration_idx in range(num_iterations):
        loss.zero_gradient()
        total_loss = 0.
        for i in range(len(points)):
            vx.assign(points[i][0])
            vy.assign(points[i][1])
            loss.eval()
            loss.compute_gradient()
            total_loss += loss.value
        if (iteration_idx + 1) % 100 == 0:
            print("Loss:", total_loss)
        for vv in params:
            vv.assign(vv.value - delta * vv.gradient)
    return total_loss

# %% play_operator_gradients
### Here you can play with your code.
points = [(0, 0), (1, 1)]
print(points)

# %% play_fit
### Here you can play with your code.
points = [(0, 1.), (1, 2.), (2, 5.), (3, 10.)]   # y = x**2 + 1
print(fit(loss, points, [va, vb, vc], delta=0.001, num_iterations=2000))
print(va.value, vb.value, vc.value)
