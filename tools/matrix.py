"""Run the whole test suite on every CPython 3.8-3.13 found and on PyPy 3.

    python tools/matrix.py                 # every leg found, 2 at a time
    python tools/matrix.py --only 3.8,pypy # some legs
    python tools/matrix.py --list          # what would run, and what is absent

Each leg gets a fresh virtual environment and a private copy of the source
tree (so two legs never share ``build/``, ``*.egg-info`` or caches), then runs
what the README says: ``pip install ".[test]"`` and ``python -m pytest``,
with ``HYPOTHESIS_PROFILE=light`` (tests/conftest.py: fewer examples, no
deadline) unless ``--profile`` says otherwise.  pip resolves the newest
pytest and hypothesis each interpreter supports (3.8 gets older ones).

Where the interpreters come from:

* CPython: pyenv's ``$(pyenv root)/versions/3.X.*/bin/python``, the newest
  patch release of each minor version; a version that is not installed is
  skipped with a note (CI machines have whatever pyenv holds).
* PyPy: ``pypy3`` on ``PATH``; when it is missing and we run as root on a
  machine with ``apt-get`` (as CI does), ``apt-get install -y pypy3`` first.
  ``--no-install`` turns that off; a missing PyPy then fails the run.

Exits 1 when any leg fails (including pytest's exit 5, "no tests ran"),
after a summary table with each leg's install and test times.  Needs only
the standard library, on Python 3.8 or newer.
"""

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MINORS = ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13"]
# Not copied into a leg's tree: version control, caches and build output.
# A leg that hangs (a stalled download was seen to hold pip for 11 minutes)
# fails on its own instead of eating CI's 90 minutes.
INSTALL_TIMEOUT = 600
TEST_TIMEOUT = 1200
IGNORED = (".git", ".cache", "node_modules", "__pycache__", ".hypothesis", ".pytest_cache",
           "build", "dist", ".nox", ".tox", "venv")


class Leg:
    """One interpreter to test: ``name`` ("3.11", "pypy3"), ``python`` (a path or None)."""

    def __init__(self, name, python, note=""):
        self.name = name
        self.python = python
        self.note = note
        self.version = ""
        self.status = "skipped" if python is None else "pending"
        self.install_seconds = None
        self.test_seconds = None
        self.summary = ""
        self.log = None


def pyenv_root():
    if os.environ.get("PYENV_ROOT"):
        return os.environ["PYENV_ROOT"]
    try:
        out = subprocess.run(["pyenv", "root"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             universal_newlines=True)
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    except OSError:
        pass
    return os.path.expanduser("~/.pyenv")


def _patch_key(path):
    # .../versions/3.10.13/bin/python -> (3, 10, 13); newest patch wins.
    version = path.split(os.sep)[-3]
    return tuple(int(part) for part in version.split("."))


def find_cpython(minor, root):
    """The newest pyenv CPython ``minor`` (like "3.10"), or None."""
    found = []
    for path in glob.glob(os.path.join(root, "versions", minor + ".*", "bin", "python")):
        version = path.split(os.sep)[-3]
        # Plain releases only: not 3.13.0t (free-threaded) or 3.13-dev.
        if re.match(r"^%s\.\d+$" % re.escape(minor), version) and os.access(path, os.X_OK):
            found.append(path)
    return max(found, key=_patch_key) if found else None


def find_pypy(install):
    path = shutil.which("pypy3")
    if path or not install:
        return path, ("" if path else "pypy3 not found (--no-install)")
    if not shutil.which("apt-get") or not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None, "pypy3 not found and cannot apt-get install it (needs root and apt-get)"
    print("pypy3 not found: apt-get install -y pypy3", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "pypy3"]):
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              universal_newlines=True, env=env)
        if done.returncode != 0:
            return None, "%s failed:\n%s" % (" ".join(command), done.stdout[-2000:])
    return shutil.which("pypy3"), ""


def legs_wanted(args):
    keep = [name.strip() for name in (args.only or "").split(",") if name.strip()]

    def wanted(name):
        return not keep or any(name == k or name.startswith(k) for k in keep)

    root = pyenv_root()
    legs = []
    for minor in MINORS:
        if wanted(minor):
            python = find_cpython(minor, root)
            legs.append(Leg(minor, python, "" if python else "not installed in %s" % root))
    if wanted("pypy3"):
        pypy, note = find_pypy(install=not args.no_install and not args.list)
        legs.append(Leg("pypy3", pypy, note))
        if pypy is None and not args.list:
            legs[-1].status = "FAILED"  # PyPy is a required leg, not an optional one
    for path in args.python:
        legs.append(Leg(os.path.basename(path), path))
    return legs


def copy_tree(target):
    def ignore(directory, names):
        return [n for n in names
                if n in IGNORED or n.startswith(".venv") or n.endswith(".egg-info")]
    shutil.copytree(ROOT, target, ignore=ignore)


def run_leg(leg, profile, workdir):
    """Fresh venv, pip install ".[test]", python -m pytest; fills in ``leg``."""
    base = os.path.join(workdir, re.sub(r"[^A-Za-z0-9.]+", "_", leg.name))
    tree, venv = base + "-src", base + "-venv"
    leg.log = base + ".log"
    env = dict(os.environ, HYPOTHESIS_PROFILE=profile, PIP_DISABLE_PIP_VERSION_CHECK="1",
               PYTHONDONTWRITEBYTECODE="1")
    for name in ("VIRTUAL_ENV", "PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP"):
        env.pop(name, None)
    with open(leg.log, "w") as log:
        def step(command, timeout=INSTALL_TIMEOUT):
            log.write("$ %s\n" % " ".join(command))
            log.flush()
            try:
                return subprocess.run(command, cwd=tree, stdout=log, stderr=subprocess.STDOUT,
                                      env=env, timeout=timeout).returncode
            except subprocess.TimeoutExpired:
                log.write("\ntimed out after %d s\n" % timeout)
                return "timeout"

        copy_tree(tree)
        start = time.time()
        python = os.path.join(venv, "bin", "python")
        if (step([leg.python, "-m", "venv", venv]) != 0
                or step([python, "-m", "pip", "install", "--quiet", ".[test]"]) != 0):
            leg.status = "FAILED"
            leg.summary = "venv or pip install failed"
            return
        leg.install_seconds = time.time() - start
        version = subprocess.run(
            [python, "-c", "import platform, sys; print(platform.python_implementation(), "
                           "platform.python_version())"],
            stdout=subprocess.PIPE, universal_newlines=True, env=env)
        leg.version = version.stdout.strip()
        start = time.time()
        code = step([python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], TEST_TIMEOUT)
        leg.test_seconds = time.time() - start
    leg.summary = _closing_line(leg.log)
    # pytest: 0 all passed, 1 some failed, 5 no tests ran (also a failure).
    leg.status = "ok" if code == 0 else "FAILED"


def _closing_line(path):
    with open(path) as f:
        lines = [line.strip() for line in f if line.strip()]
    for line in reversed(lines):
        if re.search(r"\b(passed|failed|error|no tests ran)\b", line):
            return line.strip("= ")
    return lines[-1] if lines else ""


def _seconds(value):
    return "-" if value is None else "%.1f s" % value


def print_table(legs, total):
    rows = [("leg", "interpreter", "install", "tests", "result", "pytest")]
    for leg in legs:
        rows.append((leg.name, leg.version or (leg.python or "-"), _seconds(leg.install_seconds),
                     _seconds(leg.test_seconds), leg.status, leg.summary or leg.note))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    print()
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[5])
    print("wall time %.1f s" % total)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated legs to run, e.g. 3.8,3.13,pypy3")
    parser.add_argument("--python", action="append", default=[], metavar="PATH",
                        help="an extra interpreter to test (repeatable)")
    parser.add_argument("--profile", default="light",
                        help="HYPOTHESIS_PROFILE for every leg (default: light)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="legs run at once (default: 2, or 1 on one core)")
    parser.add_argument("--no-install", action="store_true", help="do not apt-get install pypy3")
    parser.add_argument("--keep", action="store_true", help="keep the venvs, trees and logs")
    parser.add_argument("--list", action="store_true", help="show the legs and exit")
    args = parser.parse_args(argv)

    legs = legs_wanted(args)
    if args.list:
        for leg in legs:
            print("%-8s %s" % (leg.name, leg.python or "absent: " + leg.note))
        return 0
    for leg in legs:
        if leg.status == "skipped":
            print("skip %s: %s" % (leg.name, leg.note))
    todo = [leg for leg in legs if leg.status == "pending"]
    workdir = tempfile.mkdtemp(prefix="neuron-matrix-")
    start = time.time()
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                if not todo:
                    return
                leg = todo.pop(0)
            print("start %s (%s)" % (leg.name, leg.python), flush=True)
            try:
                run_leg(leg, args.profile, workdir)
            except Exception as error:  # a broken leg must not hide the others
                leg.status, leg.summary = "FAILED", "%s: %s" % (type(error).__name__, error)
            print("done  %s: %s %s" % (leg.name, leg.status, leg.summary), flush=True)

    threads = [threading.Thread(target=worker) for _ in range(max(1, args.jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    failed = [leg for leg in legs if leg.status == "FAILED"]
    for leg in failed:
        print("\n--- %s failed: %s" % (leg.name, leg.summary or leg.note))
        if leg.log and os.path.exists(leg.log):
            with open(leg.log) as f:
                print("".join(f.readlines()[-60:]))
    print_table(legs, time.time() - start)
    ran = [leg for leg in legs if leg.status in ("ok", "FAILED")]
    print("matrix: %d passed, %d failed, %d skipped"
          % (len(ran) - len(failed), len(failed), len(legs) - len(ran)))
    if args.keep:
        print("kept %s" % workdir)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed or not ran else 0


if __name__ == "__main__":
    sys.exit(main())
