# Wrong: fit resets the parameters' gradients once, before training, so later iterations step on stale sums.

# %% fit
def fit(loss, points, params, delta=0.0001, num_iterations=4000):
    loss.zero_gradient()
    total_loss = 0.
    for iteration_idx in range(num_iterations):
        total_loss = 0.
        for x, y in points:
            vx.assign(x)
            vy.assign(y)
            total_loss += loss.eval()
            loss.compute_gradient()
        if (iteration_idx + 1) % 100 == 0:
            print("Loss:", total_loss)
        for vv in params:
            vv.assign(vv.value - delta * vv.gradient)
    return total_loss
