# Honest: rebinds `va` to a new variable (va = V(5.)) in the play cell, without rebuilding the model.

# %% play_fit
### Here you can play with your code.
va = V(5.)
print(va, loss.eval())
