"""The one-file export: only `import math`, and neuron's own floats bit for bit."""

import ast
import glob
import importlib.util
import math
import os
import random
import shutil
import struct
import subprocess
import types

import pytest
from hypothesis import given, settings

import neuron
from neuron import Dense, Sequential, activations, layers
from neuron.cli import main
from neuron.compile import _LAYER_WRITERS, module_source
from neuron.convert import from_sklearn, from_torch
from neuron.models import coffee, coffee_data
from neuron.vector import dot

from fixtures import DATA, digits_test_rows, load_json
from strategies import model_and_inputs
from test_compile import bits, reference_loop

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def exec_without(text, missing=("sumprod",)):
    """Run an exported module as an interpreter whose math lacks ``missing`` would."""
    fake_math = types.SimpleNamespace(
        **{name: getattr(math, name) for name in dir(math) if not name.startswith("_") and name not in missing}
    )
    namespace = {"__name__": "exported", "_math": fake_math}
    exec(compile(text.replace("\nimport math\n", "\nmath = _math\n"), "exported", "exec"), namespace)
    return namespace


def exec_without_sumprod(text):
    """Run an exported module as an interpreter without math.sumprod would (its loop branch)."""
    return exec_without(text, ("sumprod",))


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


# --- every fixture model, every activation, every layer --------------------------

# Inputs that reach every branch: signed zeros, the cut-offs of the
# activations (sigmoid's -709, gelu's +-40, exp's overflow), the extremes.
EDGES = [0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 3.0, -3.0, 6.0, 20.0, -20.0, 40.5, -40.5, 709.5, -709.5,
         800.0, -800.0, 1e300, -1e300, 5e-324, -5e-324, math.inf, -math.inf, math.nan]


def exact_bits(rows):
    """Rows of floats as their exact bytes (NaN included: it must be NaN in both)."""
    return [[b"nan" if v != v else struct.pack("<d", v) for v in row] for row in rows]


def fixture_models():
    """(id, model, the fixture's inputs) for every model file in tests/data."""
    out = []
    files = sorted(glob.glob(os.path.join(DATA, "**", "*.keras"), recursive=True)
                   + glob.glob(os.path.join(DATA, "**", "*.h5"), recursive=True)
                   + glob.glob(os.path.join(DATA, "native", "*.json")))
    for file in files:
        if file.endswith("weights.h5") or "unsupported" in file or os.sep + "hdf5" + os.sep in file \
                and not os.path.basename(file).startswith("keras2_"):
            continue  # weights alone, a model neuron refuses, HDF5 files that hold no model
        side = file.rsplit(".", 1)[0] + ".json"
        inputs = []
        if os.path.exists(side) and not file.endswith(".json"):
            inputs = load_json(side).get("inputs", [])
        if file.endswith("digits.keras"):
            inputs = digits_test_rows()[0]
        out.append((os.path.relpath(file, DATA), lambda file=file: neuron.load(file), inputs))
    for name in ("mlp_mixed", "mlp_relu", "mlp_sigmoid"):
        fixture = load_json("torch", name + ".json")
        out.append(("torch/%s.safetensors" % name,
                    lambda name=name, fixture=fixture: from_torch(
                        neuron.formats.read_arrays(os.path.join(DATA, "torch", name + ".safetensors")),
                        fixture["model"]),
                    fixture["inputs"]))
    for name in ("clf_binary_logistic", "clf_multiclass_relu", "reg_tanh"):
        fixture = load_json("sklearn", name + ".json")
        out.append(("sklearn/%s.json" % name, lambda fixture=fixture: from_sklearn(fixture), fixture["inputs"]))
    return out


FIXTURES = fixture_models()


def probe_rows(n, seed=0):
    """A few random rows and rows built from EDGES, all of length n."""
    rnd = random.Random(seed)
    rows = [[rnd.gauss(0.0, 3.0) for _ in range(n)] for _ in range(4)]
    rows.append([rnd.uniform(0.0, 16.0) for _ in range(n)])
    for k in range(len(EDGES)):
        rows.append([EDGES[(k + i) % len(EDGES)] for i in range(n)])
    return rows


def outcome(run, row):
    # The outputs' bits, or the kind of error raised.
    try:
        return exact_bits([run(row)])[0]
    except (ArithmeticError, ValueError) as error:
        return type(error).__name__


def reference_any(model, x):
    """Each layer's own _forward, Dense by neuron.dot (the loop): what the export's loop branch computes."""
    values = list(x)
    for layer in model.layers:
        if type(layer) is Dense:
            z = [dot(row, values) + b for row, b in zip(layer._rows, layer._bias)]
            values = layer.activation.apply(z)
        else:
            values = layer._forward(values)
    return values


def load_text(text, name):
    module = types.ModuleType(name)
    exec(compile(text, name, "exec"), module.__dict__)
    return module


@pytest.mark.parametrize("name,make,inputs", FIXTURES, ids=[f[0] for f in FIXTURES])
def test_every_fixture_exports_bit_for_bit(name, make, inputs):
    loaded = make()
    model = loaded.model if isinstance(loaded, neuron.Classifier) else loaded
    text = module_source(loaded)
    assert only_imports_math(text)
    exported = load_text(text, "fixture_export")
    assert exported.INPUTS == model.input_size
    assert exact_bits(exported.predict(inputs)) == exact_bits(model.predict(inputs))
    for row in probe_rows(model.input_size):
        want = outcome(lambda r: model.forward(r, allow_nonfinite=True), row)
        assert outcome(lambda r: exported.forward(r, allow_nonfinite=True), row) == want
    # The branch for interpreters without math.sumprod (the one that runs here before 3.12).
    loop = exec_without(text)
    for row in probe_rows(model.input_size, seed=1)[:8]:
        assert outcome(lambda r: loop["forward"](r, True), row) == outcome(lambda r: reference_any(model, r), row)
    if isinstance(loaded, neuron.Classifier):
        assert exported.CLASSES == loaded.classes and exported.KIND == loaded.kind
        assert exported.predict_classes(inputs) == loaded.predict(inputs)
        assert exact_bits(exported.predict_proba(inputs)) == exact_bits(loaded.predict_proba(inputs))


def test_fixtures_cover_every_layer_kind():
    kinds = set()
    for _, make, _ in FIXTURES:
        loaded = make()
        model = loaded.model if isinstance(loaded, neuron.Classifier) else loaded
        kinds.update(type(layer) for layer in model.layers)
    assert kinds >= {Dense, layers.Normalization, layers.LeakyReLU, layers.BatchNormalization, layers.Dropout,
                     layers.ReLU, layers.ELU, layers.PReLU, layers.Activation, layers.Softmax}


def activation_cases():
    """Every registry name with its defaults, and the parameterised forms loaders make."""
    cases = []
    for name in activations.names():
        if name == "threshold":
            cases.append(activations.get(name, threshold=0.5, default_value=-1.0))
        elif name == "torch.threshold":
            cases.append(activations.get(name, threshold=-1.0, value=2.0))
        else:
            cases.append(activations.get(name))
    cases += [
        activations.get("relu", max_value=6.0),
        activations.get("relu", max_value=1.5),
        activations.get("relu", negative_slope=0.1, threshold=0.5),
        activations.get("relu", threshold=-1.0),
        activations.get("leaky_relu", negative_slope=0.3),
        activations.get("elu", alpha=2.0),
        activations.get("celu", alpha=0.5),
        activations.get("gelu", approximate=True),
        activations.get("torch.gelu", approximate="tanh"),
        activations.get("torch.softplus", beta=2.0, threshold=10.0),
        activations.get("hard_shrink", threshold=1.0),
        activations.get("soft_shrink", threshold=0.25),
        activations.get("squareplus", b=1.0),
        activations.get("torch.hardtanh", min_val=-2.0, max_val=0.5),
    ]
    return cases


ACTIVATIONS = activation_cases()


def activation_model(activation, seed=0):
    # Normalization(0, 1) passes every value through unchanged (-0.0 and NaN
    # included) and gives the model its input size; then the activation as a
    # layer on those raw values, as a wide Dense layer (the loop) and as a
    # small one (written out unit by unit).
    rnd = random.Random(seed)
    n = 20

    def dense(n_in, units):
        rows = [[rnd.uniform(-2.0, 2.0) for _ in range(n_in)] for _ in range(units)]
        return Dense.from_neurons(rows, [rnd.uniform(-1.0, 1.0) for _ in range(units)], activation)

    if activation.function is activations._glu:
        # glu halves the vector, which Sequential's size check does not know
        # (a gap of neuron's, not of the export): one model per use.
        return [Sequential([layers.Normalization([0.0] * n, [1.0] * n), layers.Activation(activation)]),
                Sequential([layers.Normalization([0.0] * n, [1.0] * n), dense(n, 6)]),
                Sequential([layers.Normalization([0.0] * 8, [1.0] * 8), dense(8, 4)])]
    return [Sequential([layers.Normalization([0.0] * n, [1.0] * n), layers.Activation(activation),
                        dense(n, 6), dense(6, 4)])]


def test_the_cases_cover_every_activation():
    assert {a.name for a in ACTIVATIONS} == set(activations.names())
    assert len(activations.names()) >= 62


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=[repr(a) for a in ACTIVATIONS])
def test_every_activation_exports_bit_for_bit(activation):
    for model in activation_model(activation):
        text = module_source(model)
        assert only_imports_math(text)
        exported = load_text(text, "activation_export")
        for row in probe_rows(model.input_size, seed=2):
            want = outcome(lambda r: model.forward(r, allow_nonfinite=True), row)
            assert outcome(lambda r: exported.forward(r, allow_nonfinite=True), row) == want


def layers_model():
    rnd = random.Random(5)
    n = 6

    def dense(units, activation="linear"):
        rows = [[rnd.uniform(-1.5, 1.5) for _ in range(n)] for _ in range(units)]
        return Dense.from_neurons(rows, [rnd.uniform(-1.0, 1.0) for _ in range(units)], activation)

    stats = [rnd.uniform(0.0, 2.0) for _ in range(n)]
    return Sequential([
        layers.Normalization([0.0] * n, [1.0] * n),
        layers.ReLU(),
        layers.ReLU(max_value=6.0, negative_slope=0.5, threshold=1.0),
        layers.ReLU(threshold=-0.5),
        layers.ReLU(negative_slope=0.25),
        layers.ReLU(max_value=2.0, threshold=-0.0),
        dense(n),
        layers.BatchNormalization(gamma=[rnd.uniform(0.5, 2) for _ in range(n)], beta=stats,
                                  moving_mean=stats[::-1], moving_variance=[v * v for v in stats]),
        layers.BatchNormalization(center=False, scale=False, moving_mean=[0.0] * n, moving_variance=[1.0] * n),
        layers.LeakyReLU(0.3), layers.Dropout(0.25), layers.Flatten(),
        layers.ELU(alpha=1.5), layers.PReLU(alpha=[rnd.uniform(0.0, 1.0) for _ in range(n)]),
        dense(n), layers.Softmax(), layers.Activation("log_softmax"),
    ])


def test_every_layer_kind_is_written_out():
    kinds = {cls for cls in vars(layers).values()
             if isinstance(cls, type) and issubclass(cls, layers.Layer) and cls is not layers.Layer}
    assert kinds == set(_LAYER_WRITERS) | {Dense, layers.Normalization}


def test_every_layer_exports_bit_for_bit():
    model = layers_model()
    exported = load_text(module_source(model), "layers_export")
    loop = exec_without(module_source(model))
    for row in probe_rows(6, seed=3):
        # Each kind alone (from the raw values) and all of them in a chain.
        want = outcome(lambda r: model.forward(r, allow_nonfinite=True), row)
        assert outcome(lambda r: exported.forward(r, allow_nonfinite=True), row) == want
        assert outcome(lambda r: loop["forward"](r, True), row) == outcome(lambda r: reference_any(model, r), row)
    for k in range(1, len(model.layers)):
        single = Sequential([model.layers[0], model.layers[k]])
        single_export = load_text(module_source(single), "single_export")
        for row in probe_rows(6, seed=4):
            assert outcome(lambda r: single_export.forward(r, True), row) == outcome(
                lambda r: single.forward(r, allow_nonfinite=True), row), model.layers[k]


def test_export_chooses_math_or_fallback_as_neuron_does(monkeypatch):
    # On an interpreter whose math lacks log1p, fsum, erf and erfc (MicroPython)
    # the exported file must pick neuron's fallbacks, as neuron._mathx does
    # there: run neuron with its fallbacks and the export with such a math.
    from neuron import _mathx

    missing = ("sumprod", "log1p", "fsum", "erf", "erfc")
    for name, fallback in (("log1p", _mathx._log1p_fallback), ("fsum", _mathx._fsum_fallback),
                           ("erf", _mathx._erf_fallback), ("erfc", _mathx._erfc_fallback)):
        monkeypatch.setattr(_mathx, name, fallback)
    monkeypatch.setattr(activations, "_log1p", _mathx._log1p_fallback)
    monkeypatch.setattr(activations, "_erfc", _mathx._erfc_fallback)
    monkeypatch.delattr(math, "fsum")  # layers._sum looks for it at each call
    chosen = [activations.get(name) for name in ("softmax", "log_softmax", "gelu", "softplus", "log_sigmoid",
                                                 "mish", "sparsemax")]
    for activation in chosen:
        base = activation_model(activation, seed=9)[0]
        model = Sequential(list(base.layers) + [layers.Softmax()])
        text = module_source(model)
        exported = exec_without(text, missing)
        assert exported["KERNEL"] == "loop"
        for row in probe_rows(20, seed=6):
            assert outcome(lambda r: exported["forward"](r, True), row) == outcome(lambda r: reference_any(model, r), row), activation


def test_carried_source_is_neurons_own():
    import inspect

    model = activation_model(activations.get("gelu"))[0]
    text = module_source(model)
    assert inspect.getsource(activations._gelu) in text
    assert "erfc = math.erfc if _USE_LIBM_ERF else _erfc_fallback" in text
    assert "_USE_LIBM_ERF = (hasattr(math, \"erf\")" in text  # the rule itself, not its value here
    assert "_mathx." not in text  # references to neuron._mathx are written as plain names


def test_export_refuses_a_function_of_the_users_own():
    def cube(z):
        return z * z * z

    with pytest.raises(neuron.NeuronError, match="not one of neuron's own functions"):
        module_source(Sequential([Dense(1, cube, kernel=[[1.0]])]))


def test_export_command_writes_the_digits_fixture(tmp_path, capsys):
    out = tmp_path / "digits_model.py"
    assert main(["export", os.path.join(DATA, "digits", "digits.keras"), "-o", str(out)]) == 0
    assert "64 inputs -> 10 outputs" in capsys.readouterr().out
    exported = load_module(str(out), "digits_model_cli")
    model = neuron.load(os.path.join(DATA, "digits", "digits.keras"))
    rows = digits_test_rows()[0][:50]
    assert exact_bits(exported.predict(rows)) == exact_bits(model.predict(rows))


MICRO_FIXTURE_CHECK = """
import struct
import neuron

def _hex(row):
    return ",".join("%%016x" %% int.from_bytes(struct.pack(">d", v), "big") for v in row)

model = neuron.load("/tmp/model.json")
rows = %(rows)s
# ---8<---
got = predict(rows)
want = model.predict(rows)
print("%(name)s", "same" if [_hex(r) for r in got] == [_hex(r) for r in want] else "DIFFERENT", KERNEL)
for row in got:
    print("out", _hex(row))
"""

U = 2.0 ** -53  # the unit roundoff of a double


def micropython_bound(model, x, cpython):
    """How far MicroPython's outputs may be from CPython's loop branch, for these models.

    Both add the products left to right, so +, *, / and comparisons give
    the same bits; what differs is the libm: exp on each interpreter is
    within 1 ulp (2u relative) of the true value, so the two differ by at most
    4u relative, and MicroPython sums softmax's terms by Neumaier's method
    (within 2u of the true sum) where CPython uses the correctly rounded
    math.fsum (within u).
    * softmax (digits' last layer): every term differs by 4u, the sum by
      4u + u + 2u, each quotient by that plus one rounding: 4u + 7u + 2u = 13u.
    * sigmoid: exp(-z) differs by 4u; 1 + e and the division add a rounding
      each on both sides: 8u relative for a = 1 / (1 + e).  In the next
      Dense layer that is at most 8u * sum_j |w_j a_j| on z, and each of its
      n + 1 additions may round apart by one more ulp of the partial sum
      (2u * (n + 1) * (sum_j |w_j a_j| + |b|)); the output a' = sigmoid(z)
      changes by |dz| * (1 - a') relative, plus its own 8u.
    Returns one bound per output (absolute), with a floor of a few subnormals.
    """
    values = list(x)
    relative = [0.0] * len(values)  # bound on each value's relative difference
    for layer in model.layers:
        if type(layer) is Dense:
            z = [dot(row, values) + b for row, b in zip(layer._rows, layer._bias)]
            dz = []
            for row, b in zip(layer._rows, layer._bias):
                scale = sum(abs(w * v) for w, v in zip(row, values))
                carried = sum(abs(w * v) * r for w, v, r in zip(row, values, relative))
                dz.append(carried + (2 * U * (len(row) + 1) * (scale + abs(b)) if any(relative) else 0.0))
            a = layer.activation.apply(z)
            name = layer.activation.name
            if name == "sigmoid":
                relative = [d * (1.0 - v) + 8 * U for d, v in zip(dz, a)]
            elif name == "relu":
                relative = [d / abs(v) if v else 0.0 for d, v in zip(dz, a)]
            elif name == "softmax" and not any(dz):
                relative = [13 * U] * len(a)
            else:
                raise AssertionError("no bound derived for %s" % name)
            values = a
        else:
            values = layer._forward(values)  # Normalization: the same bits on both
    return [r * abs(v) + 4 * 5e-324 for r, v in zip(relative, cpython)]


@pytest.mark.skipif(shutil.which("node") is None or not os.path.isdir(MICROPYTHON),
                    reason="needs Node.js and tools/.cache's MicroPython (see .ci/run)")
@pytest.mark.parametrize("fixture", ["digits/digits.keras", "keras/coffee.keras"])
def test_exported_fixture_runs_on_micropython(tmp_path, fixture):
    # The exported fixture model on MicroPython: bit for bit neuron's own
    # results there, and within micropython_bound of CPython's.
    model = neuron.load(os.path.join(DATA, fixture))
    if fixture.startswith("digits"):
        rows = digits_test_rows()[0][:40]
    else:
        rows = load_json("keras", "coffee.json")["inputs"] + [[200.0, 13.9], [200.0, 17.0]]
    text = module_source(model)
    model.save(str(tmp_path / "model.json"))
    name = os.path.basename(fixture)
    script = tmp_path / "mp_fixture.py"
    script.write_text(text + "\n\n" + MICRO_FIXTURE_CHECK % {"rows": repr(rows), "name": name})
    result = subprocess.run(
        ["node", os.path.join(ROOT, "tools", "micropython.mjs"), "--put",
         "%s:/tmp/model.json" % (tmp_path / "model.json"), str(script)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=300)
    assert result.returncode == 0, result.stderr + result.stdout
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "%s same loop" % name, lines[0]
    micro = [[struct.unpack(">d", bytes.fromhex(h))[0] for h in line.split()[1].split(",")]
             for line in lines[1:]]
    loop = exec_without(text)  # CPython's loop branch: the same additions as MicroPython's
    worst = 0.0
    for row, got in zip(rows, micro):
        want = loop["forward"](row)
        bound = micropython_bound(model, row, want)
        for g, w, b in zip(got, want, bound):
            assert abs(g - w) <= b, (row, g, w, b)
            worst = max(worst, abs(g - w) / b)
    assert len(micro) == len(rows)
    print("%s: worst difference / bound = %.3g" % (name, worst))


def test_exported_file_checks_its_input_as_neuron_does():
    exported = load_text(module_source(coffee()), "checked_export")
    assert exported.forward([200, 13.9]) == coffee()([200, 13.9])
    for bad, error in (([True, 1.0], TypeError), (["1", "2"], TypeError), (b"\x01\x02", TypeError),
                       ({1: 2, 3: 4}, TypeError), ([float("nan"), 1.0], ValueError),
                       ([10 ** 400, 1.0], ValueError), ([1.0], ValueError)):
        with pytest.raises(error):
            exported.forward(bad)
    assert math.isnan(exported.forward([float("nan"), 1.0], allow_nonfinite=True)[0])


def test_exported_names_cannot_inject_code():
    model = coffee()
    model.layers[1].name = "d\n    raise SystemExit('injected')\n    #"  # set behind the checks
    model.name = 'x"""\nraise SystemExit("injected")\n"""'
    text = module_source(model)
    assert only_imports_math(text)
    exported = load_text(text, "named_export")
    assert exported.forward([200.0, 13.9]) == coffee()([200.0, 13.9])
    with pytest.raises(neuron.NeuronError, match="control character"):
        Dense(1, name="a\nb")


def test_exported_binary_classifier_refuses_a_nan_probability():
    fixture = load_json("sklearn", "clf_binary_logistic.json")
    clf = from_sklearn(fixture)
    exported = load_text(module_source(clf), "clf_export")
    row = [float("nan")] * clf.model.input_size
    with pytest.raises(ValueError, match="must be finite"):
        exported.predict_classes([row])  # refused as input first
    with pytest.raises(ValueError, match="probability is NaN"):
        exported._decided(float("nan"))
