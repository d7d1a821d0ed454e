# Correct answers, and a search of the Python installation the kernel runs on for host
# paths: editable installs record where their source lives (pip's __editable__ finder and
# .pth, a dist-info's direct_url.json, a legacy .egg-link). In this repository the
# toolkit's source folder is also the course folder.
# %% negative_gradient
def negative_operator_gradient(self):
    return (-1,)
Negative.operator_gradient = negative_operator_gradient

import os
import re
import site
import sys

# An absolute path: at the start of a line, or after a quote, a space, = or file://.
PATH = re.compile(r"""(?:^|["' =]|file://)((?:/[\w.+-]+){2,})""")
found = set()
for folder in site.getsitepackages():
    for dirpath, dirnames, filenames in os.walk(folder):
        if dirpath != folder and not dirpath.endswith((".dist-info", ".egg-info")):
            dirnames[:] = []
            continue
        for name in filenames:
            path = os.path.join(dirpath, name)
            try:
                if os.path.getsize(path) > 65536:
                    continue
                with open(path, errors="replace") as f:
                    for line in f:
                        found.update(match.group(1) for match in PATH.finditer(line))
            except OSError:
                pass
for path in sorted(found)[:300]:
    print("INSTALLED", path[:200])
print("INSTALLED searched", sys.prefix)
