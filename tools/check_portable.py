"""Run the portable suite on this CPython and on MicroPython or Pyodide; compare.

    python tools/check_portable.py micropython
    python tools/check_portable.py pyodide

The suite is tools/micropython_smoke.py (its docstring derives the ``bound``
rows).  Needs Node.js and the npm packages in tools/.cache (.ci/run installs
``@micropython/micropython-webassembly-pyscript``; tools/ci_pyodide.sh
installs ``pyodide``).  Exits 1 when a result differs by more than its
tolerance or a check is missing.

Where the ``rel:`` tolerances come from (u = 2**-53, about 1.1e-16):

* ``rel:1e-15`` for statistics of three rows: a handful of correctly
  rounded operations, summed with ``math.fsum`` (CPython) or left to right
  (MicroPython, which has no fsum): within a few ulps.
* ``rel:1e-13`` for the coffee normalization statistics: fsum against a
  left-to-right sum over n = 200 rows differs by at most about n*u = 2.2e-14
  relative.
* ``rel:1e-10`` for the coffee predictions: that 2.2e-14 on the mean of
  temperature (218.7) is an absolute 4.9e-12 on x - mean (18.7 for the test
  roast), 2.6e-13 relative; the first layer's weights (|w| <= 13) turn it into
  at most about 1e-12 on z; sigmoid scales by a(1 - a) <= 1/4 and the second
  layer's weights (|w| <= 33) by 33 * 3 units, about 2.5e-11 on the final z;
  the output a = 3e-8 has relative condition |1 - a| < 1, so a relative
  error below 1e-10 covers it with room for the exp ulps.

For each ``bound`` row the report shows the worst ratio of difference to
bound, so the margin is visible, not only pass or fail.
"""

import json
import os
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SUITE = os.path.join(HERE, "micropython_smoke.py")
SAVED = os.path.join(HERE, ".cache", "portable_models")  # models CPython saves for the others

DRIVERS = {
    # name: (driver command, options that give it CPython's saved model,
    #        the suite's arguments that read it)
    "micropython": (["node", os.path.join(HERE, "micropython.mjs")],
                    ["--put", os.path.join(SAVED, "deep.json") + ":/tmp/cpython/deep.json",
                     "--put", os.path.join(SAVED, "coffee.json") + ":/tmp/cpython/coffee.json"],
                    ["--load", "/tmp/cpython"]),
    "pyodide": (["node", os.path.join(HERE, "pyodide.mjs")], [],
                ["--load", "tools/.cache/portable_models"]),
}


def decode(value):
    if isinstance(value, str) and len(value) == 17 and value[0] == "f":
        return struct.unpack(">d", bytes.fromhex(value[1:]))[0]
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def run(command, label):
    env = dict(os.environ, PYTHONPATH=ROOT)
    start = time.time()
    result = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True, env=env)
    seconds = time.time() - start
    if result.returncode != 0:
        sys.exit("%s failed:\n%s%s" % (" ".join(command), result.stdout[-3000:], result.stderr[-3000:]))
    rows = {}
    for line in result.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) != 3:
            print("%s says: %s" % (label, line))  # a stray print: show it, do not choke
            continue
        rows[parts[0]] = (parts[1], decode(json.loads(parts[2])))
    return rows, seconds


def same(a, b):
    """Bit for bit, except that any NaN matches any NaN."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        if a != a and b != b:
            return True
        return struct.pack(">d", a) == struct.pack(">d", b)
    return type(a) is type(b) and a == b


def relative(a, b, tolerance):
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(relative(x, y, tolerance) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        if a == b or (a != a and b != b):
            return True
        return abs(a - b) <= tolerance * max(abs(a), abs(b))
    return a == b


def within_bound(expected, got):
    """(ok, worst |difference| / bound) for a ``bound`` row; CPython's bounds are used."""
    values, bounds = expected
    others = got[0]
    if len(others) != len(values):
        return False, float("inf")
    worst = 0.0
    ok = True
    for a, b, bound in zip(values, others, bounds):
        if not (isinstance(a, float) and isinstance(b, float)):
            ok = ok and a == b  # error names
            continue
        if a != a or b != b or a - a != 0.0 or b - b != 0.0:
            ok = ok and same(a, b)  # NaN and inf must match exactly
            continue
        difference = abs(a - b)
        if difference:
            ratio = difference / bound if bound else float("inf")
            worst = max(worst, ratio)
            ok = ok and difference <= bound
    return ok, worst


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or argv[0] not in DRIVERS:
        sys.exit("usage: python tools/check_portable.py {%s}" % "|".join(sorted(DRIVERS)))
    target = argv[0]
    import shutil

    shutil.rmtree(SAVED, ignore_errors=True)
    os.makedirs(SAVED)
    expected, cpython_seconds = run([sys.executable, SUITE, "--save", SAVED], "CPython")
    driver, put, load = DRIVERS[target]
    if os.path.exists(os.path.join(SAVED, "deep.json")):  # this build has neuron's JSON format
        driver, load = driver + put, load
    else:
        load = []
    got, seconds = run(driver + [SUITE] + load, target)
    failures = 0
    for name in sorted(expected):
        kind, value = expected[name]
        if name.startswith("full:") and target == "micropython":
            continue  # needs full CPython (see docs/interpreters.md)
        if name not in got:
            print("MISSING  %s" % name)
            failures += 1
            continue
        other = got[name][1]
        note = ""
        if kind == "exact":
            ok = same(value, other)
        elif kind.startswith("rel:"):
            ok = relative(value, other, float(kind[4:]))
        elif kind == "bound":
            ok, worst = within_bound(value, other)
            note = "worst %.2g of the bound" % worst
        else:
            ok, note = False, "unknown kind %r" % kind
        print("%s  %-36s %-9s %s" % ("ok  " if ok else "FAIL", name, kind, note))
        if not ok:
            print("    CPython:   %s\n    %-10s %s" % (value, target + ":", other))
            failures += 1
    for name in sorted(set(got) - set(expected)):
        print("extra    %s (only on %s)" % (name, target))
    print("CPython %.1f s, %s %.1f s" % (cpython_seconds, target, seconds))
    compared = [n for n in expected if not (n.startswith("full:") and target == "micropython")]
    print("%s: %d passed, %d failed" % (target, len(compared) - failures, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
