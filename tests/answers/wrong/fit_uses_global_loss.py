# Wrong: fit evaluates and back-propagates the notebook's global parabola loss instead of its loss argument.
# Hint: Which loss does fit evaluate: the loss it is given, or another one?

# %% fit
def fit(loss_to_fit, points, params, delta=0.0001, num_iterations=4000):
    for iteration_idx in range(num_iterations):
        loss_to_fit.zero_gradient()
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
