# Wrong: fit steps the notebook's va, vb, vc instead of the params it is given.
# Hint: Which parameters does fit change: the params it is given, or others?

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
        for vv in [va, vb, vc]:
            vv.assign(vv.value - delta * vv.gradient)
    return total_loss
