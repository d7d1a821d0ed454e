# Correct: fit sums the value loss.eval() returns and prints nothing.

# %% fit
def fit(loss, points, params, delta=0.0001, num_iterations=4000):
    for iteration_idx in range(num_iterations):
        loss.zero_gradient()
        total_loss = 0.
        for x, y in points:
            vx.assign(x)
            vy.assign(y)
            total_loss += loss.eval()
            loss.compute_gradient()
        for vv in params:
            vv.assign(vv.value - delta * vv.gradient)
    return total_loss
