# Wrong: fit zeroes the gradient once, before the first iteration, so gradients pile up across iterations.
# Hint: How often are the gradients zeroed? Each iteration's step needs that iteration's gradient only.

# %% fit
def fit(loss, points, params, delta=0.0001, num_iterations=4000):
    loss.zero_gradient()
    for iteration_idx in range(num_iterations):
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
