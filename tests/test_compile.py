"""The compiled path gives exactly forward's floats, sign of zero included."""

import ast
import math
import sys
from fractions import Fraction
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import neuron
from neuron import Dense, Normalization, Sequential, activations
from neuron.compile import KERNELS, compile_model, same_float, source
from neuron.layers import Layer
from neuron.models import coffee
from neuron.vector import KERNEL, dot

from strategies import model_and_inputs

RUN = settings(deadline=None, max_examples=60)


def bits(values):
    """The exact bit patterns of a list of floats (NaN as one pattern: payloads are not promised)."""
    return [b"nan" if v != v else struct.pack("<d", v) for v in values]


def layer_by_layer(model, x):
    """forward with the compiled path turned off: the layers one by one."""
    model.compiled = False
    try:
        return model.forward(x, allow_nonfinite=True)
    finally:
        model.compiled = True


def reference_loop(model, x):
    """The readable definition: neuron.dot (left to right from 0.0) plus the bias, g, (x - m) / s."""
    values = list(x)
    for layer in model.layers:
        if isinstance(layer, Dense):
            z = [dot(row, values) + b for row, b in zip(layer._rows, layer._bias)]
            values = layer.activation.apply(z)
        else:
            values = [(v - m) / s for v, m, s in zip(values, layer.mean, layer._scale)]
    return values


@RUN
@given(model_and_inputs(nonfinite=True))
def test_compiled_equals_forward_bit_for_bit(case):
    model, X = case
    f = model.compile()
    for x in X:
        want = layer_by_layer(model, x)
        assert bits(f(x)) == bits(want)
        assert bits(model.forward(x, allow_nonfinite=True)) == bits(want)
        assert bits(model.trace(x, allow_nonfinite=True).outputs) == bits(want)
    assert [bits(r) for r in model.predict(X, allow_nonfinite=True)] == [
        bits(layer_by_layer(model, x)) for x in X
    ]


@RUN
@given(model_and_inputs(nonfinite=True))
def test_loop_kernel_code_equals_the_reference_loop(case):
    # The code written for PyPy, MicroPython and CPython < 3.12 (and the
    # export's fallback) is checked here on every interpreter.
    model, X = case
    f = compile_model(model, kernel="loop")
    for x in X:
        assert bits(f(x)) == bits(reference_loop(model, x))


@RUN
@given(model_and_inputs())
def test_inexact_mode_is_within_the_rounding_bound(case):
    model, X = case
    if any(not layer.activation.elementwise for layer in model.layers if isinstance(layer, Dense)):
        return
    if len(model.layers) != 1 or not isinstance(model.layers[0], Dense) or model.layers[0].activation.name != "linear":
        return  # the bound below is for one linear layer
    f = model.compile(exact=False)
    layer = model.layers[0]
    u = 2.0 ** -53
    for x in X:
        got = f(x)
        for j, row in enumerate(layer._rows):
            products = [w * v for w, v in zip(row, x)] + [layer._bias[j]]
            n = len(products)
            if not all(math.isfinite(p) for p in products) or not math.isfinite(got[j]):
                continue
            # Exact arithmetic: fsum itself can overflow on huge partial sums.
            exact = sum((Fraction(p) for p in products), Fraction(0))
            size = sum((abs(Fraction(p)) for p in products), Fraction(0))
            bound = Fraction(n * u / (1 - n * u)) * size + n * Fraction(2) ** -1074
            assert abs(Fraction(got[j]) - exact) <= 2 * bound


def test_signed_zero_with_a_zero_bias():
    # -0.0 * 1.0 = -0.0; the loop starts from 0.0, so z is +0.0 and a linear
    # unit gives +0.0, not -0.0.
    model = Sequential([Dense.from_neurons([[-0.0, -0.0]], [0.0], "linear")])
    assert bits(model.compile()([1.0, 1.0])) == bits(layer_by_layer(model, [1.0, 1.0]))
    assert bits(compile_model(model, kernel="loop")([1.0, 1.0])) == bits([0.0])
    model = Sequential([Dense.from_neurons([[-1.0]], [-0.0], "linear")])
    assert bits(model.compile()([0.0])) == bits(layer_by_layer(model, [0.0])) == bits([0.0])


def test_overflow_propagates_as_in_forward():
    model = Sequential([Dense.from_neurons([[1e308, 1e308]], [1.0], "linear")])
    for x in ([2.0, -2.0], [2.0, 2.0]):
        assert bits(model.compile()(x)) == bits(layer_by_layer(model, x))


@pytest.mark.parametrize("weights", ["tensorflow", "numpy"])
def test_coffee(weights):
    model = coffee(weights)
    f = model.compile()
    from neuron.models import coffee_data

    X, _ = coffee_data()
    for x in X + [[200.0, 13.9], [200.0, 17.0]]:
        assert bits(f(x)) == bits(layer_by_layer(model, x))


def test_wide_layer_is_a_loop_not_a_long_expression():
    rows = [[1.0 / (i + j + 1) for i in range(400)] for j in range(3)]
    model = Sequential([Dense.from_neurons(rows, [0.0, 1.0, -1.0], "sigmoid")])
    text = source(model)
    assert max(len(line) for line in text.splitlines()) < 200
    x = [(-1.0) ** i * i for i in range(400)]
    assert bits(model.compile()(x)) == bits(layer_by_layer(model, x))


@pytest.mark.parametrize("kernel", KERNELS)
def test_generated_code_imports_nothing(kernel):
    model = Sequential([Normalization(mean=[1.0] * 20, variance=[4.0] * 20),
                        Dense(3, "relu", kernel=[[0.5] * 3] * 20), Dense(2, "sigmoid", kernel=[[1.0, -1.0]] * 3)])
    tree = ast.parse(source(model, kernel=kernel))
    for node in ast.walk(tree):
        assert not isinstance(node, (ast.Import, ast.ImportFrom))
        if isinstance(node, ast.Name):
            # Only its own constants, locals and these builtins and helpers.
            assert node.id in {"sum", "map", "zip", "_mul", "_dot", "_exp", "x", "z", "e", "t", "r",
                               "b", "w", "a", "m", "s", "i", "range"} or node.id[0] in "xhnavzPMSGL"


def test_other_activations_and_layers_are_called_not_written():
    class Twice(Layer):
        kind = "Twice"

        def _forward(self, values):
            return [2.0 * v for v in values]

    def cube(z):
        return z * z * z

    model = Sequential([Dense(2, cube, kernel=[[1.0, 2.0]]), Twice()])
    assert "G1(" in source(model) and "L2(" in source(model)
    assert model([3.0]) == model.compile()([3.0]) == [54.0, 432.0]


def test_set_weights_rebuilds_the_compiled_function():
    layer = Dense(1, "linear", kernel=[[1.0]], bias=[0.0])
    model = Sequential([layer])
    assert model([2.0]) == [2.0]
    layer.set_weights([[[3.0]], [1.0]])  # on the layer, not the model
    assert model([2.0]) == [7.0]
    model.set_weights([[[-1.0]], [0.5]])
    assert model.predict([[2.0]]) == [[-1.5]]
    layer.activation = "relu"
    assert model([2.0]) == [0.0]
    other = Sequential([layer])  # one layer in two models
    layer.set_weights([[[1.0]], [0.0]])
    assert model([2.0]) == other([2.0]) == [2.0]


def test_normalization_adapt_rebuilds():
    norm = Normalization(mean=[0.0], variance=[1.0])
    model = Sequential([norm])
    assert model([3.0]) == [3.0]
    norm.adapt([[1.0], [3.0]])
    assert model([3.0]) == [1.0]


def test_compiled_off_and_on_agree():
    model = coffee()
    x = [210.0, 14.5]
    want = model(x)
    model.compiled = False
    assert model._run is None or model(x) == want
    assert model(x) == want
    model.compiled = True
    assert model(x) == want
    assert model._run is not None  # the compiled function is really used
    with pytest.raises(TypeError):
        model.compiled = 1


def test_errors_are_those_of_the_layers():
    model = coffee()
    with pytest.raises(neuron.ShapeError, match="expected 2 inputs, got 3"):
        model([1.0, 2.0, 3.0])
    with pytest.raises(neuron.ShapeError, match="row 1 has 3 values, expected 2"):
        model.predict([[1.0, 2.0], [1.0, 2.0, 3.0]])
    with pytest.raises(neuron.ShapeError, match="expected 2 inputs, got 3"):
        model.predict([[1.0, 2.0, 3.0]])
    with pytest.raises(neuron.NeuronError, match=r"row 1\[0\] is nan"):
        model.predict([[1.0, 2.0], [math.nan, 2.0]])
    with pytest.raises(TypeError):
        model([True, 2.0])
    with pytest.raises(neuron.ShapeError, match="single number"):
        model.predict([1.0, 2.0])
    # Ints are converted, as before.
    assert model([200, 14]) == model([200.0, 14.0])
    assert model.predict([[200, 14], [200.0, 14.0]]) == [model([200.0, 14.0])] * 2


def test_unbuilt_model_runs_the_layers_and_says_so():
    model = Sequential([Dense(1)])
    with pytest.raises(neuron.NeuronError, match="no weights"):
        model([1.0])
    with pytest.raises(neuron.NeuronError, match="no weights"):
        model.compile()


@settings(deadline=None, max_examples=25)
@given(st.lists(st.sampled_from([0.0, -0.0, 1.0, -1.0, 1e308, -1e308, 5e-324, math.inf, -math.inf, math.nan]),
                min_size=1, max_size=8))
def test_same_float(values):
    for a in values:
        for b in values:
            assert same_float(a, b) == (struct.pack("<d", a) == struct.pack("<d", b) or (a != a and b != b))


def test_inline_activations_match_their_functions():
    from neuron.compile import _template

    for name in ("linear", "sigmoid", "relu"):
        assert _template(activations.get(name)) is not None, name


def test_kernel_name():
    assert KERNEL in KERNELS


def test_float_subclasses_give_plain_floats_and_the_same_bits():
    class Float(float):
        pass

    model = Sequential([Dense.from_neurons([[0.1, 0.2, 0.3]], [0.0], "linear")])
    x = [0.7, 0.11, 0.13]
    want = layer_by_layer(model, x)
    for values in ([Float(v) for v in x], tuple(Float(v) for v in x)):
        got = model(values)
        assert bits(got) == bits(want) and type(got[0]) is float
        assert bits(model.predict([values])[0]) == bits(want)


@pytest.mark.skipif(sys.implementation.name == "pypy", reason="PyPy has no sys.getsizeof")
def test_bytes_per_parameter_and_compact_storage():
    from neuron.storage import bytes_per_parameter, compact

    rows = [[i + j / 7.0 for j in range(50)] for i in range(20)]  # distinct float objects
    model = Sequential([Dense.from_neurons(rows, [i / 3.0 for i in range(20)])])
    before = bytes_per_parameter(model)
    compact(model)
    # A float object and a list slot (about 32 bytes) against 8 in an array.
    assert before > 24 and bytes_per_parameter(model) < before / 2


@pytest.mark.skipif(sys.implementation.name != "pypy", reason="only PyPy refuses")
def test_bytes_per_parameter_on_pypy_says_why_not():
    from neuron import NeuronError
    from neuron.storage import bytes_per_parameter

    with pytest.raises(NeuronError, match="getsizeof"):
        bytes_per_parameter(Sequential([Dense.from_neurons([[0.5]], [0.25])]))
