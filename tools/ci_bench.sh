#!/usr/bin/env bash
# The benchmark's quick pass, as CI runs it: keeps bench/run.py working on
# every change.  It prints the table and exits 0 whatever the figures are
# (speed is reported, never asserted); it fails only if the script breaks.
# NumPy, PyTorch and Keras are optional: their rows are skipped when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python}
start=$(date +%s)
"$PYTHON" bench/run.py --quick
if command -v node >/dev/null && [ -d tools/.cache/node_modules/@micropython ]; then
    node tools/micropython.mjs bench/micropython_coffee.py
fi
echo "bench --quick took $(( $(date +%s) - start )) s"
