"""Run the portable suite on this CPython and on MicroPython; compare.

    python tools/check_micropython.py

Kept for .ci/run: the same as ``python tools/check_portable.py micropython``
(see that script and tools/micropython_smoke.py for the tolerances).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from check_portable import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["micropython"]))
