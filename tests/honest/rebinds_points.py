# Honest: rebinds `points` to data of its own in the play cells and trains on them.

# %% play_operator_gradients
### Here you can play with your code.
points = [(0, 0), (1, 1)]
print(points)

# %% play_fit
### Here you can play with your code.
points = [(0, 1.), (1, 2.), (2, 5.), (3, 10.)]   # y = x**2 + 1
print(fit(loss, points, [va, vb, vc], delta=0.001, num_iterations=2000))
print(va.value, vb.value, vc.value)
