"""Check that installing neuron-forward pulled in no runtime dependency.

    python tools/check_no_dependencies.py VENV

Reads the installed distribution's metadata in the running interpreter and
fails if it declares any requirement outside the `test` extra.
"""

import sys

try:
    from importlib.metadata import distribution
except ImportError:  # Python 3.7
    sys.exit("needs Python 3.8+")

requirements = distribution("neuron-forward").requires or []
runtime = [r for r in requirements if "extra ==" not in r]
if runtime:
    sys.exit("neuron-forward declares runtime dependencies: %s" % ", ".join(runtime))
print("neuron-forward: no runtime dependencies (test extra: %s)"
      % ", ".join(r.split(";")[0].strip() for r in requirements))
