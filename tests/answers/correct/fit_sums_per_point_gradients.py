# Correct: fit zeroes the gradients before every point but sums each point's gradient itself, then steps with the sums.

# %% fit
def fit(loss, points, params, delta=0.0001, num_iterations=4000):
    for iteration_idx in range(num_iterations):
        total_loss = 0.
        sums = [0.0] * len(params)
        for x, y in points:
            vx.assign(x)
            vy.assign(y)
            total_loss += loss.eval()
            loss.zero_gradient()
            loss.compute_gradient()
            for i, vv in enumerate(params):
                sums[i] += vv.gradient
        if (iteration_idx + 1) % 100 == 0:
            print("Loss:", total_loss)
        for vv, gradient in zip(params, sums):
            vv.assign(vv.value - delta * gradient)
    return total_loss
