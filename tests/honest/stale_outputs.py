# Honest: hands in the notebook as saved after a messy session: out-of-order execution counts, old outputs, and old error outputs in test cells from before the answers were right.

# %% name_and_collaborators [1]
NAME = "Stale Sam"
COLLABORATORS = ""

# %% expr_class [2]

# %% expr_demo [3]
#> Minus(Multiply(2, V(name=Ab12Cd34, value=3)), Divide(V(name=Ef56Gh78, value=2), 4))
#> value: 5.5

# %% play_expressions [17]
### Here you can play with your code.
print((V(1.) + 2).eval())
#> 3.0

# %% compute_gradient [21]
def expr_compute_gradient(self, de_loss_over_de_e=1):
    self.gradient += de_loss_over_de_e
    for child, partial in zip(self.children, self.operator_gradient()):
        if isinstance(child, Expr):
            child.compute_gradient(de_loss_over_de_e * partial)

Expr.compute_gradient = expr_compute_gradient

# %% compute_gradient_sum [9]
#! NotImplementedError

# %% compute_gradient_product [22]

# %% compute_gradient_nested [10]
#! TypeError: unsupported operand type(s) for +=: 'NoneType' and 'int'

# %% compute_gradient_shared_nodes [23]

# %% minus_gradient [30]
def minus_operator_gradient(self):
    """e = x - y: returns (de/dx, de/dy)."""
    return 1, -1

Minus.operator_gradient = minus_operator_gradient

# %% minus_gradient_correct [12]
#! AssertionError: vp - vq at vp = 3, vq = 2: the partial derivative with respect to vq is wrong, found 1.

# %% divide_gradient [31]
def divide_operator_gradient(self):
    """e = x / y: returns (de/dx, de/dy)."""
    x, y = self.child_values
    return 1 / y, -x / (y * y)

Divide.operator_gradient = divide_operator_gradient

# %% negative_gradient [8]
def negative_operator_gradient(self):
    """e = -x: returns (de/dx,), a sequence of one partial derivative."""
    return (-1,)

Negative.operator_gradient = negative_operator_gradient

# %% fit [40]
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

# %% play_fit [44]
### Here you can play with your code.
print(fit(loss, points, [va, vb, vc], num_iterations=100))
#> Loss: 38.61620993411427
#> 38.61620993411427

# %% fit_trains_parabola [41]
#> Loss: nan
#! AssertionError: after 4000 iterations the total loss should be below 2.5, found nan.

# %% fit_one_exact_step [5]
#! NameError: name 'fit' is not defined

# %% fit_uses_its_arguments [45]
