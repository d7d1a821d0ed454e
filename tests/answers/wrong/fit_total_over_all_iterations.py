# Wrong: fit starts total_loss at 0 once, before the loop, so it returns the loss summed over every iteration.
# Hint: Where does total_loss start again from 0?

# %% fit
def fit(loss, points, params, delta=0.0001, num_iterations=4000):
    total_loss = 0.
    for iteration_idx in range(num_iterations):
        loss.zero_gradient()
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
