"""Run tools/micropython_smoke.py on this CPython and on MicroPython; compare.

    python tools/check_micropython.py

Needs Node.js and the npm package @micropython/micropython-webassembly-pyscript
(.ci/run installs it into tools/.cache).  Exits 1 when a result differs by
more than its tolerance.

Where the tolerances come from (u = 2**-53, about 1.1e-16):

* ``rel:1e-15`` for single activations and one dense layer: each result is a
  handful of correctly rounded operations plus one ``exp``, which the two
  libms may round differently by an ulp; sigmoid's relative condition number
  |z (1 - a)| stays below 1 where it matters here, so a few ulps (< 1e-15).
* ``rel:1e-13`` for the normalization statistics: CPython sums with
  ``math.fsum`` (correctly rounded), MicroPython, which has no fsum, adds left
  to right; over n = 200 rows that differs by at most about n*u = 2.2e-14
  relative.
* ``rel:1e-10`` for the coffee predictions: that 2.2e-14 on the mean of
  temperature (218.7) is an absolute 4.9e-12 on x - mean (18.7 for the test
  roast), 2.6e-13 relative; the first layer's weights (|w| <= 13) turn it into
  at most about 1e-12 on z; sigmoid scales by a(1 - a) <= 1/4 and the second
  layer's weights (|w| <= 33) by 33 * 3 units, about 2.5e-11 on the final z;
  the output a = 3e-8 has relative condition |1 - a| < 1, so a relative
  error below 1e-10 covers it with room for the exp ulps.
"""

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SMOKE = os.path.join(HERE, "micropython_smoke.py")


def run(command):
    env = dict(os.environ, PYTHONPATH=ROOT)
    result = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True, env=env)
    if result.returncode != 0:
        sys.exit("%s failed:\n%s%s" % (" ".join(command), result.stdout, result.stderr))
    rows = {}
    for line in result.stdout.splitlines():
        name, kind, value = line.split("\t")
        rows[name] = (kind, json.loads(value))
    return rows


def close(a, b, tolerance):
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y, tolerance) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        if a == b:
            return True
        return abs(a - b) <= tolerance * max(abs(a), abs(b))
    return a == b


def main():
    expected = run([sys.executable, SMOKE])
    got = run(["node", os.path.join(HERE, "micropython.mjs"), SMOKE])
    failures = 0
    for name, (kind, value) in sorted(expected.items()):
        if name not in got:
            print("MISSING  %s" % name)
            failures += 1
            continue
        other = got[name][1]
        ok = value == other if kind == "exact" else close(value, other, float(kind.split(":")[1]))
        print("%s  %-28s %s" % ("ok  " if ok else "FAIL", name, kind))
        if not ok:
            print("    CPython:     %s\n    MicroPython: %s" % (value, other))
            failures += 1
    print("%d passed, %d failed" % (len(expected) - failures, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
