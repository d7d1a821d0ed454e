# Correct: fit rewritten with a while loop, a helper per point and sum(); same arithmetic as the given code.

# %% fit
def fit(loss, points, params, delta=0.0001, num_iterations=4000):
    def loss_and_backprop(x, y):
        vx.assign(x)
        vy.assign(y)
        value = loss.eval()
        loss.compute_gradient()
        return value

    total_loss = None
    done = 0
    while done < num_iterations:
        loss.zero_gradient()
        total_loss = sum(loss_and_backprop(x, y) for x, y in points)
        done += 1
        if done % 100 == 0:
            print("Loss:", total_loss)
        for vv in params:
            vv.assign(vv.value - delta * vv.gradient)
    return total_loss
