# Wrong: fit trains correctly but returns an object that passes every comparison instead of the total loss.
# Hint: Does fit return a plain number?

# %% fit
class PassesEverything:
    def __lt__(self, other):
        return True

    def __sub__(self, other):
        return self

    def __abs__(self):
        return self


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
    return PassesEverything()
