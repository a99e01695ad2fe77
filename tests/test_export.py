"""The one-file export: only `import math`, and neuron's own floats bit for bit."""

import ast
import importlib.util
import math
import os
import random
import shutil
import subprocess
import sys
import types

import pytest
from hypothesis import given, settings

from neuron import Dense, Sequential
from neuron.cli import main
from neuron.compile import module_source
from neuron.models import coffee, coffee_data

from strategies import model_and_inputs
from test_compile import bits, reference_loop

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def exec_without_sumprod(text):
    """Run an exported module as an interpreter without math.sumprod would (its loop branch)."""
    fake_math = types.SimpleNamespace(exp=math.exp, inf=math.inf, nan=math.nan)
    namespace = {"__name__": "exported", "_math": fake_math}
    exec(compile(text.replace("\nimport math\n", "\nmath = _math\n"), "exported", "exec"), namespace)
    return namespace


def digits_shape(seed=7):
    # The course's 400-25-15-1 sigmoid network, random weights.
    rnd = random.Random(seed)

    def layer(n_in, units):
        rows = [[rnd.uniform(-0.5, 0.5) for _ in range(n_in)] for _ in range(units)]
        return Dense.from_neurons(rows, [rnd.uniform(-1, 1) for _ in range(units)], "sigmoid")

    return Sequential([layer(400, 25), layer(25, 15), layer(15, 1)], name="digits_400")


def only_imports_math(text):
    tree = ast.parse(text)
    imports = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imports.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imports.append(node.module)
    return imports == ["math"]


@pytest.mark.parametrize("name,weights", [("coffee", "tensorflow"), ("coffee-numpy", "numpy")])
def test_export_command_coffee_bit_for_bit(tmp_path, capsys, name, weights):
    out = tmp_path / "coffee_model.py"
    assert main(["export", name, "-o", str(out)]) == 0
    assert "needs only `import math`" in capsys.readouterr().out
    text = out.read_text()
    assert only_imports_math(text)
    exported = load_module(str(out), "coffee_model_" + weights)
    model = coffee(weights)
    X, _ = coffee_data()
    rows = X + [[200.0, 13.9], [200.0, 17.0]]
    assert [bits(r) for r in exported.predict(rows)] == [bits(r) for r in model.predict(rows)]
    assert bits(exported.forward([200, 17])) == bits(model([200.0, 17.0]))
    with pytest.raises(ValueError, match="expected 2 inputs, got 3"):
        exported.forward([1.0, 2.0, 3.0])
    # The branch for interpreters without math.sumprod is the reference loop.
    loop = exec_without_sumprod(text)
    assert loop["KERNEL"] == "loop"
    for x in rows[:20]:
        assert bits(loop["forward"](x)) == bits(reference_loop(model, x))


def test_export_400_25_15_1_bit_for_bit(tmp_path):
    model = digits_shape()
    text = module_source(model)
    assert only_imports_math(text)
    assert max(len(line) for line in text.splitlines()) < 9000  # one line per unit, no 400-term sum
    path = tmp_path / "digits_model.py"
    path.write_text(text)
    exported = load_module(str(path), "digits_model")
    rnd = random.Random(3)
    X = [[rnd.random() for _ in range(400)] for _ in range(20)]
    assert [bits(r) for r in exported.predict(X)] == [bits(r) for r in model.predict(X)]
    loop = exec_without_sumprod(text)
    for x in X[:5]:
        assert bits(loop["forward"](x)) == bits(reference_loop(model, x))


def test_weights_are_written_in_full():
    model = Sequential([Dense.from_neurons([[0.1 + 0.2, -0.0, 5e-324, 1e308]], [2.0 / 3.0])])
    text = module_source(model)
    for value in ("0.30000000000000004", "-0.0", "5e-324", "1e+308", "0.6666666666666666"):
        assert value in text


@settings(deadline=None, max_examples=30)
@given(model_and_inputs(nonfinite=True))
def test_export_of_random_models(case):
    model, X = case
    try:
        text = module_source(model)
    except Exception as error:  # a called-only activation: refused with a clear message
        assert "cannot be written out without neuron" in str(error)
        return
    namespace = {"__name__": "exported"}
    exec(compile(text, "exported", "exec"), namespace)
    loop = exec_without_sumprod(text)
    for x in X:
        want = model.forward(x, allow_nonfinite=True)
        assert bits(namespace["_forward"](x)) == bits(want)
        assert bits(loop["_forward"](x)) == bits(reference_loop(model, x))


def test_export_refuses_what_it_cannot_write():
    def cube(z):
        return z * z * z

    with pytest.raises(Exception, match="cannot be written out without neuron"):
        module_source(Sequential([Dense(1, cube, kernel=[[1.0]])]))


def test_unknown_model_name(tmp_path, capsys):
    assert main(["export", "no_such_model", "-o", str(tmp_path / "x.py")]) == 1
    assert "no_such_model" in capsys.readouterr().err


MICROPYTHON = os.path.join(
    ROOT, "tools", ".cache", "node_modules", "@micropython", "micropython-webassembly-pyscript"
)


@pytest.mark.skipif(shutil.which("node") is None or not os.path.isdir(MICROPYTHON),
                    reason="needs Node.js and tools/.cache's MicroPython (see .ci/run)")
def test_export_runs_on_micropython(tmp_path):
    # On MicroPython, the exported file and neuron itself must agree bit for
    # bit (both add left to right); the script prints one line per model.
    checks = []
    for model, rows in (
        (coffee(), "[[200.0, 13.9], [200.0, 17.0], [185.0, 12.0]]"),
        (digits_shape(), "[[((i * 37) % 101) / 101.0 for i in range(400)] for k in range(2)]"),
    ):
        text = module_source(model)
        if model.name.startswith("coffee"):
            # MicroPython adapts the statistics without fsum: give it CPython's.
            layers = repr(model.layers[0].get_weights())
        else:  # the same weights, written exactly, for neuron's own model
            layers = repr([(layer._rows, layer._bias) for layer in model.layers])
        script = text + "\n\n" + MICRO_CHECK % {"rows": rows, "name": model.name, "layers": layers}
        path = tmp_path / ("mp_%s.py" % model.name)
        path.write_text(script)
        result = subprocess.run(["node", os.path.join(ROOT, "tools", "micropython.mjs"), str(path)],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                universal_newlines=True, timeout=300)
        assert result.returncode == 0, result.stderr + result.stdout
        checks.append(result.stdout.strip())
    assert checks == ["coffee_tensorflow same loop", "digits_400 same loop"]


MICRO_CHECK = """
import neuron
from neuron.models import coffee
rows = %(rows)s
LAYERS = %(layers)s
if not isinstance(LAYERS[0], tuple):
    model = coffee()
    model.layers[0].set_weights(LAYERS)
else:
    model = neuron.Sequential([neuron.Dense.from_neurons(w, b, "sigmoid") for w, b in LAYERS])
got = predict(rows)
want = model.predict(rows)
print("%(name)s", "same" if repr(got) == repr(want) else "DIFFERENT %%r %%r" %% (got, want), KERNEL)
"""
