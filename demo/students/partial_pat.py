# Pat makes two classic mistakes: compute_gradient assigns the gradient instead of
# adding to it (wrong as soon as a node is shared), and Divide's second partial
# derivative lost its minus sign. Minus, Negative and fit are right.

# %% compute_gradient
def expr_compute_gradient(self, de_loss_over_de_e=1):
    self.gradient = de_loss_over_de_e
    partials = self.operator_gradient()
    for child, partial in zip(self.children, partials):
        if isinstance(child, Expr):
            child.compute_gradient(de_loss_over_de_e * partial)

Expr.compute_gradient = expr_compute_gradient

# %% minus_gradient
def minus_operator_gradient(self):
    return 1, -1

Minus.operator_gradient = minus_operator_gradient

# %% divide_gradient
def divide_operator_gradient(self):
    x, y = self.child_values
    return 1 / y, x / (y * y)

Divide.operator_gradient = divide_operator_gradient

# %% negative_gradient
def negative_operator_gradient(self):
    return (-1,)

Negative.operator_gradient = negative_operator_gradient

# %% fit
def fit(loss, points, params, delta=0.0001, num_iterations=4000):
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
