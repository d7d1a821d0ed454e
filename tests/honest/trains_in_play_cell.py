# Honest: trains the notebook's parabola in the play cell after fit (the reported case: print(fit(loss, points, [va, vb, vc], num_iterations=300))).

# %% play_fit
### Here you can play with your code.
print(fit(loss, points, [va, vb, vc], num_iterations=300))
