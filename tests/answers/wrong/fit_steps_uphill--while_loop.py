# Wrong: fit written with a while loop and a helper list of losses; it adds delta * gradient, climbing the loss.

# %% fit
def fit(loss, points, params, delta=0.0001, num_iterations=4000):
    done = 0
    while done < num_iterations:
        loss.zero_gradient()
        losses = []
        for point in points:
            vx.assign(point[0])
            vy.assign(point[1])
            losses.append(loss.eval())
            loss.compute_gradient()
        total_loss = sum(losses)
        done += 1
        if done % 100 == 0:
            print("Loss:", total_loss)
        for p in params:
            p.assign(p.value + p.gradient * delta)
    return total_loss
