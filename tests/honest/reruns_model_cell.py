# Honest: runs a copy of the parabola's model cell again in the play cell (new va, vb, vc, vx, vy, oy and loss), then trains a little.

# %% play_fit
### Here you can play with your code.
va = V(value=0.)
vb = V(value=0.)
vc = V(value=0.)

vx = V(value=0.)
vy = V(value=0.)

oy = va * vx * vx + vb * vx + vc

loss = (vy - oy) * (vy - oy)

fit(loss, points, [va, vb, vc], num_iterations=200)
