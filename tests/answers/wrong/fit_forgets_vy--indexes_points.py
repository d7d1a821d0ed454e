# Wrong: fit indexes each point and assigns its x, but never assigns its y to vy.

# %% fit
def fit(loss, points, params, delta=0.0001, num_iterations=4000):
    for iteration_idx in range(num_iterations):
        loss.zero_gradient()
        total_loss = 0.
        for i in range(len(points)):
            vx.assign(points[i][0])
            total_loss += loss.eval()
            loss.compute_gradient()
        if (iteration_idx + 1) % 100 == 0:
            print("Loss:", total_loss)
        for vv in params:
            vv.assign(vv.value - delta * vv.gradient)
    return total_loss
