# Honest: rebinds `vx` and `vy` to new variables in the play cell without rebuilding the loss.

# %% play_fit
### Here you can play with your code.
vx = V(1.)
vy = V(2.)
print(vx, vy, loss.eval())
