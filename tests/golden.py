"""Golden files: expected output kept beside the tests, in tests/data/golden/.

``check(name, text)`` compares ``text`` with the file; with the environment
variable NEURON_UPDATE_GOLDEN=1 it writes the file instead (then review the
diff with git before committing it).
"""

import difflib
import os

GOLDEN = os.path.join(os.path.dirname(__file__), "data", "golden")


def check(name, text):
    path = os.path.join(GOLDEN, name)
    if os.environ.get("NEURON_UPDATE_GOLDEN") == "1":
        with open(path, "w", newline="\n") as f:
            f.write(text)
        return
    with open(path, newline="") as f:
        expected = f.read()
    if text != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(True), text.splitlines(True), "golden/" + name, "output"
            )
        )
        raise AssertionError("output differs from golden/%s:\n%s" % (name, diff))
