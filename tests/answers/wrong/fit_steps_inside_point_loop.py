# Wrong: fit updates the parameters inside the loop over the points, once per point, with the gradient summed so far.
# Hint: When do the parameters change: once per point, or once per iteration?

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
            for vv in params:
                vv.assign(vv.value - delta * vv.gradient)
        if (iteration_idx + 1) % 100 == 0:
            print("Loss:", total_loss)
    return total_loss
