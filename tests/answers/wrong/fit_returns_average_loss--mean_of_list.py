# Wrong: fit keeps each point's loss in a list and returns their mean instead of their sum.

# %% fit
def fit(loss, points, params, delta=0.0001, num_iterations=4000):
    for iteration_idx in range(num_iterations):
        loss.zero_gradient()
        losses = []
        for x, y in points:
            vx.assign(x)
            vy.assign(y)
            losses.append(loss.eval())
            loss.compute_gradient()
        if (iteration_idx + 1) % 100 == 0:
            print("Loss:", sum(losses))
        for vv in params:
            vv.assign(vv.value - delta * vv.gradient)
    return sum(losses) / len(losses)
