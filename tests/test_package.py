"""The package as a whole: what `import neuron` loads, the public names, the demo command."""

import os
import subprocess
import sys

import pytest

import neuron

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Standard-library modules too heavy for `import neuron` (serverless cold
# starts): they are imported where they are used.
HEAVY = ["json", "zipfile", "struct", "re", "argparse", "fractions", "decimal", "difflib",
         "csv", "zlib", "tempfile", "random", "importlib.metadata"]

PROBE = r"""
import sys, sysconfig, os
sys.path.insert(0, ROOT)
before = set(sys.modules)
import neuron
new = sorted(set(sys.modules) - before)
stdlib = {os.path.realpath(sysconfig.get_paths()[k]) for k in ("stdlib", "platstdlib")}
builtin = set(sys.builtin_module_names)
outside = []
for name in new:
    if name == "neuron" or name.startswith("neuron."):
        continue
    module = sys.modules[name]
    path = getattr(module, "__file__", None)
    if name in builtin or path is None:
        continue
    real = os.path.realpath(path)
    if "site-packages" in real or not any(real.startswith(s) for s in stdlib):
        outside.append(name)
print("NEW " + " ".join(new))
print("OUTSIDE " + " ".join(outside))
"""


def probe_import():
    code = "ROOT = %r\n%s" % (ROOT, PROBE)
    out = subprocess.run([sys.executable, "-I", "-c", code], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, universal_newlines=True, check=True).stdout
    lines = dict(line.split(" ", 1) if " " in line else (line, "") for line in out.splitlines())
    return lines["NEW"].split(), lines["OUTSIDE"].split()


def test_import_loads_only_the_standard_library():
    new, outside = probe_import()
    assert outside == [], "import neuron loaded modules from outside the standard library: %s" % outside


def test_import_leaves_heavy_modules_for_later():
    new, _ = probe_import()
    assert [m for m in HEAVY if m in new] == []


def test_public_names():
    for name in neuron.__all__:
        assert hasattr(neuron, name), name
    assert issubclass(neuron.NeuronError, ValueError)
    assert issubclass(neuron.ShapeError, neuron.NeuronError)
    assert issubclass(neuron.FormatError, neuron.NeuronError)
    assert isinstance(neuron.__version__, str)


def run_cli(*args):
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, "-m", "neuron"] + list(args), cwd=ROOT, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)


def test_coffee_demo_prints_the_course_figures():
    result = run_cli("coffee")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "200 C, 13.9 min: p = 0.96251  decision 1" in out
    assert "200 C, 17 min: p = 3.0316e-08  decision 0" in out
    assert "Accuracy on all 200 roasts: 200/200" in out
    assert "good roasts called bad:   0" in out and "bad roasts called good:   0" in out
    assert "z[1]_2 = (0.29)(-0.4671) + (-7.34)(0.4159) + (-9.28) = -12.47" in out
    assert "a[1]_2 = sigmoid(-12.47) = 3.847e-06" in out
    assert "a[2]_1 = sigmoid(" in out


def test_coffee_demo_with_the_numpy_lab_weights_and_a_roast_of_ones_own():
    result = run_cli("coffee", "--weights", "numpy", "--temperature", "250", "--duration", "12")
    assert result.returncode == 0, result.stderr
    assert "200 C, 13.9 min: p = 0.97193  decision 1" in result.stdout
    assert "200 C, 17 min: p = 3.2898e-08  decision 0" in result.stdout
    assert "Step by step for the roast 250 C, 12 min" in result.stdout


@pytest.mark.parametrize("args,message", [
    (["coffee", "--temperature", "nan"], "inputs must be finite"),
    (["coffee", "--digits", "0"], "--digits must be from 1 to 17"),
    (["coffee", "--temperature", "hot"], "invalid float value"),
])
def test_coffee_demo_bad_input(args, message):
    result = run_cli(*args)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
