# Honest: rebinds `loss` (and `oy`) to a straight line's in the play cell and trains that.

# %% play_fit
### Here you can play with your code.
# Would a straight line do? Same points, another model.
oy = va * vx + vb
loss = (vy - oy) * (vy - oy)
print("line:", fit(loss, points, [va, vb], num_iterations=500))
print("a:", va.value, "b:", vb.value)
