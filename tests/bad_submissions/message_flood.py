# Correct answers. One answer cell sends 24 MiB of widget (comm) messages, over this
# batch's 16 MiB a cell: two widgets of 8 MiB each, then an 8 MiB update (nbclient kept
# every widget's state: eighty 12 MiB widgets took nbgrader to 2 GiB). Another shows one
# small output 400 times under the same display id, then updates them all to 4 MB each
# (1.6 GB in the graded notebook, had nbclient kept the update). The last sends one widget message of forty 8 MiB binary
# parts (the same memory each time: 320 MiB that the kernel never holds), past the 16 MiB
# that ZeroMQ checks per part; without the relay nbgrader held all of it.
# %% minus_gradient
def minus_operator_gradient(self):
    return 1, -1
Minus.operator_gradient = minus_operator_gradient

from comm import create_comm

big = "w" * (8 * 1024 ** 2)
widgets = [create_comm(target_name="jupyter.widget",
                       data={"state": {"_model_name": "FloodModel", "_model_module": "flood",
                                       "value": big}, "buffer_paths": []})
           for _ in range(2)]
widgets[0].send({"method": "update", "state": {"value": big}, "buffer_paths": []})
print("MESSAGE_FLOOD comms sent")
# %% divide_gradient
def divide_operator_gradient(self):
    x, y = self.child_values
    return 1 / y, -x / (y * y)
Divide.operator_gradient = divide_operator_gradient

from IPython.display import display, update_display

for _ in range(400):
    display({"text/plain": "."}, raw=True, display_id="flood")
update_display({"text/plain": "u" * 4_000_000}, raw=True, display_id="flood")
# %% negative_gradient
def negative_operator_gradient(self):
    return (-1,)
Negative.operator_gradient = negative_operator_gradient

part = memoryview(big.encode())
widgets[1].send({"method": "update", "state": {}, "buffer_paths": [["b", str(i)] for i in range(40)]},
                buffers=[part] * 40)
