# Correct: recursive with zip, skips the numbers by catching the AttributeError they raise.

# %% compute_gradient
def expr_compute_gradient(self, de_loss_over_de_e=1):
    self.gradient += de_loss_over_de_e
    for child, partial in zip(self.children, self.operator_gradient()):
        try:
            send_down = child.compute_gradient
        except AttributeError:
            continue  # a number: nobody to pass the gradient to
        send_down(de_loss_over_de_e * partial)

Expr.compute_gradient = expr_compute_gradient
