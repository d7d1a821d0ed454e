# Honest: prints a lot: fit prints every iteration (about 160,000 characters per training), the Divide and Negative gradients print what they compute, the play cells print long expressions.

# %% play_compute_gradient
### Here you can play with your code.
big = V(1.)
for k in range(40):
    big = big * V(1.) + k
print(big)
print(big.eval())

# %% divide_gradient
def divide_operator_gradient(self):
    """e = x / y: returns (de/dx, de/dy)."""
    numerator, denominator = self.child_values
    result = [1.0 / denominator, -numerator / denominator ** 2]
    print("Divide.operator_gradient at", numerator, "/", denominator, "=", result)
    return result

Divide.operator_gradient = divide_operator_gradient

# %% negative_gradient
def negative_operator_gradient(self):
    """e = -x: returns (de/dx,), a sequence of one partial derivative."""
    print("Negative:", self, "->", [-1.0])
    return [-1.0]

Negative.operator_gradient = negative_operator_gradient

# %% fit
def fit(loss, points, params, delta=0.0001, num_iterations=4000):
    """Minimises the total loss over points by gradient descent on params."""
    print("fit:", len(points), "points,", len(params), "parameters, delta", delta)
    for iteration_idx in range(num_iterations):
        loss.zero_gradient()
        total_loss = 0.
        for x, y in points:
            vx.assign(x)
            vy.assign(y)
            point_loss = loss.eval()
            loss.compute_gradient(1)
            total_loss += point_loss
        print("iteration", iteration_idx, "loss", total_loss)
        if (iteration_idx + 1) % 100 == 0:
            print("Loss:", total_loss)
        for vv in params:
            vv.assign(vv.value - delta * vv.gradient)
    print("fit done:", [vv.value for vv in params])
    return total_loss

# %% play_fit
### Here you can play with your code.
print(loss)
for x, y in points:
    vx.assign(x)
    vy.assign(y)
    print(x, y, loss.eval())
