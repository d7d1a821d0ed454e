# Honest: inserts cells of its own with experiments between the notebook's cells, test cells included (they bind names, rebuild the model, train).

# %% new after gradient_methods
# Trying zero_gradient before writing anything.
vp = V(2.)
vq = vp * 3
vq.zero_gradient()
print(vq.gradient, vp.gradient)

# %% new after compute_gradient_product
# Between two tests: my own product and sum.
product = V(2.) * V(5.)
total = product + 1
total.eval()
total.zero_gradient()
total.compute_gradient()
print(total.eval(), product.gradient)

# %% new after compute_gradient_product
tree = (product + total) * product
print(tree.eval())

# %% new after minus_gradient_correct
difference = V(10.) - V(4.)
partials = difference.operator_gradient()
print(difference.eval(), partials)

# %% new after divide_gradient
quotient = V(1.) / V(4.)
quotient.eval()
print(quotient.operator_gradient())

# %% new after points
points = points + [(6, 12.)]
print(len(points), "points")

# %% new after parabola_model
vx.assign(2)
vy.assign(3)
print("loss at (2, 3) with a = b = c = 0:", loss.eval())

# %% new after fit
lv = fit(loss, points, [va, vb, vc], num_iterations=100)
print(lv)

# %% new after fit_trains_parabola
# Between the fit tests: a fresh model over fresh vx and vy, trained a little.
vx = V(0.)
vy = V(0.)
va, vb = V(1.), V(1.)
oy = va * vx + vb
loss = (vy - oy) * (vy - oy)
lv = fit(loss, points, [va, vb], num_iterations=100)

# %% new after fit_one_exact_step
square = vx * vx
step = 0.5
points = [(1, 1)]
print(fit(loss, points, [va], delta=step, num_iterations=2))
