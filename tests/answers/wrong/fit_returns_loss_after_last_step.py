# Wrong: fit returns the total loss re-evaluated after the final step, not the last iteration's total.
# Hint: fit returns the total loss of its last iteration, computed before that iteration's step. Does yours?

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
        for vv in params:
            vv.assign(vv.value - delta * vv.gradient)
    final_loss = 0.
    for x, y in points:
        vx.assign(x)
        vy.assign(y)
        final_loss += loss.eval()
    return final_loss
