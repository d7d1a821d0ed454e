# A correct answer that also tries to read and write the instructor's files (their real
# paths, {COURSE} and {PORT} are filled in by the test), the network and the environment,
# and prints what it found as one line, PROBE {json}.

# %% negative_gradient
def negative_operator_gradient(self):
    return (-1,)

Negative.operator_gradient = negative_operator_gradient

import json, os, socket

found = {"cwd": os.getcwd(), "environment": sorted(os.environ), "read": {}, "write": {},
         "NBGRADER_EXECUTION": os.environ.get("NBGRADER_EXECUTION")}
targets = ["{COURSE}/source/expressions_to_ml/expressions_to_ml.ipynb", "{COURSE}/gradebook.db",
           "{COURSE}/nbgrader_config.py",
           "{COURSE}/submitted/correct_carla/expressions_to_ml/expressions_to_ml.ipynb",
           "../../../source/expressions_to_ml/expressions_to_ml.ipynb", "../../../gradebook.db",
           # the judge and the table of known mistakes, which every task carries to its worker
           "{COURSE}/judges/expressions_to_ml.py", "{COURSE}/mistakes/expressions_to_ml.json",
           "../../../judges/expressions_to_ml.py", "../../../mistakes/expressions_to_ml.json"]
for path in targets:
    try:
        with open(path, "rb") as f:
            found["read"][path] = f"read {len(f.read())} bytes"
    except OSError as error:
        found["read"][path] = type(error).__name__
for path in targets[1:4]:
    try:
        with open(path, "ab") as f:
            found["write"][path] = "opened for writing"
    except OSError as error:
        found["write"][path] = type(error).__name__
for folder in ["{COURSE}", "../../..", "/root", "/tmp"]:
    try:
        found[f"listing {folder}"] = sorted(os.listdir(folder))
    except OSError as error:
        found[f"listing {folder}"] = type(error).__name__
try:
    socket.create_connection(("127.0.0.1", {PORT}), timeout=2).close()
    found["network"] = "connected to the grader's machine"
except OSError as error:
    found["network"] = type(error).__name__
# A grading worker's private copy of the course (its gradebook, judge, source) lives in
# the worker's temporary folder: look for it wherever a temporary folder might be.
import glob
found["worker copies"] = sorted(glob.glob("/tmp/grading-*") + glob.glob("/var/tmp/grading-*")
                                + glob.glob(os.environ.get("TMPDIR", "/tmp") + "/grading-*"))
print("PROBE " + json.dumps(found))
