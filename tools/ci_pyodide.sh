#!/usr/bin/env bash
# CI stage: the portable suite inside Pyodide (CPython on WebAssembly, run by
# Node.js), compared with this CPython.  Installs the pinned npm package into
# tools/.cache (about 14 MB; the version is pinned so CI never meets an
# untested Pyodide) and runs it offline.
#
#   bash tools/ci_pyodide.sh          # from anywhere; $PYTHON (default python3) is the CPython compared with
set -euo pipefail
cd "$(dirname "$0")/.."
PYODIDE_VERSION=314.0.8   # CPython 3.14.2 inside; bump deliberately, then rerun this script
mkdir -p tools/.cache
if [ "$(node -p 'try{require("./tools/.cache/node_modules/pyodide/package.json").version}catch(e){""}')" != "$PYODIDE_VERSION" ]; then
    npm install --prefix tools/.cache --no-audit --no-fund --silent "pyodide@$PYODIDE_VERSION"
fi
"${PYTHON:-python3}" tools/check_portable.py pyodide
# docs/embedding.md's web page: neuron/ as a zip, unpacked in Pyodide
"${PYTHON:-python3}" -c "import shutil; shutil.make_archive('tools/.cache/neuron', 'zip', '.', 'neuron')"
node tools/pyodide_page.mjs tools/.cache/neuron.zip
