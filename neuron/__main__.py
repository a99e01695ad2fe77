"""``python -m neuron``: see :mod:`neuron.cli`."""

import sys

from .cli import main

sys.exit(main())
