# Carla answers every question correctly, in her own style (indices, a list, y ** 2).

# %% compute_gradient
def expr_compute_gradient(self, de_loss_over_de_e=1):
    """Adds de_loss_over_de_e to self.gradient and passes the chain rule on."""
    self.gradient += de_loss_over_de_e
    partials = self.operator_gradient()
    for i in range(len(self.children)):
        child = self.children[i]
        if isinstance(child, Expr):
            child.compute_gradient(de_loss_over_de_e * partials[i])

Expr.compute_gradient = expr_compute_gradient

# %% minus_gradient
def minus_operator_gradient(self):
    """e = x - y: returns (de/dx, de/dy)."""
    return [1.0, -1.0]

Minus.operator_gradient = minus_operator_gradient

# %% divide_gradient
def divide_operator_gradient(self):
    """e = x / y: returns (de/dx, de/dy)."""
    x, y = self.child_values
    return [1 / y, -x / y ** 2]

Divide.operator_gradient = divide_operator_gradient

# %% negative_gradient
def negative_operator_gradient(self):
    """e = -x: returns (de/dx,)."""
    return [-1]

Negative.operator_gradient = negative_operator_gradient

# %% fit
def fit(loss, points, params, delta=0.0001, num_iterations=4000):
    """Gradient descent on params over points."""
    for iteration_idx in range(num_iterations):
        loss.zero_gradient()
        total_loss = 0.
        for x, y in points:
            vx.assign(x)
            vy.assign(y)
            value = loss.eval()
            loss.compute_gradient(1)
            total_loss += value
        for vv in params:
            vv.assign(vv.value - delta * vv.gradient)
    return total_loss
