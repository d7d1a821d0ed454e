# A correct answer whose submission folder also holds links (planted by the test, see
# manifest.toml: links) to the instructor's config and gradebook and to a classmate's
# notebook. Whatever carries the submission to a grader must not carry what they point
# to. The code reads them from its working folder and prints what it found, LINKS {json}.

# %% negative_gradient
def negative_operator_gradient(self):
    return (-1,)

Negative.operator_gradient = negative_operator_gradient

import json, os

found = {}
for name in ("notes.txt", "data/gradebook.db", "classmate.ipynb"):
    try:
        with open(name, "rb") as f:
            found[name] = f.read(200).decode("utf-8", "replace")
    except OSError as error:
        found[name] = type(error).__name__
print("LINKS " + json.dumps(found))
