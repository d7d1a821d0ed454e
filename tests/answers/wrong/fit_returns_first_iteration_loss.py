# Wrong: fit returns the total loss of its first iteration instead of its last.
# Hint: Which iteration's total loss does fit return?

# %% fit
def fit(loss, points, params, delta=0.0001, num_iterations=4000):
    first_loss = None
    for iteration_idx in range(num_iterations):
        loss.zero_gradient()
        total_loss = 0.
        for x, y in points:
            vx.assign(x)
            vy.assign(y)
            loss.eval()
            loss.compute_gradient()
            total_loss += loss.value
        if first_loss is None:
            first_loss = total_loss
        if (iteration_idx + 1) % 100 == 0:
            print("Loss:", total_loss)
        for vv in params:
            vv.assign(vv.value - delta * vv.gradient)
    return first_loss
