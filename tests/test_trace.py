"""Properties of model.trace: the same floats as forward, and each z within the rounding bound.

The bound for one unit's z = fl(fl(w . x) + b), n inputs, u = 2**-53:

* the dot product, accumulated from 0.0, puts at most n roundings on each
  product (one for the multiplication, at most n - 1 for the additions after
  it), so |fl(w . x) - w . x| <= gamma_n * sum |w_i x_i| (Higham, eq. 3.5),
  gamma_n = n*u / (1 - n*u);
* adding the bias is one more rounding, of the whole sum:
  fl(s + b) = (s + b)(1 + d), |d| <= u.  So the products carry n + 1
  roundings and the bias one:
  |z - (w . x + b)| <= gamma_(n+1) * sum |w_i x_i| + u * |b|;
* a product that underflows into the subnormals is off by up to half the
  smallest subnormal, 2**-1075, instead of a relative u (additions of
  subnormals are exact), and later roundings can grow that by 1 + gamma;
  n * 2**-1074 covers all n products.

Note gamma_(n+1), not gamma_n, on the products: the final addition of b
rounds the products' sum too.  For n = 1, z = fl(fl(w*x) + b) has two
roundings on w*x.  (math.sumprod, the kernel on CPython 3.12+, rounds its
extended-precision sum once, so it meets the same bound with room to spare.)
"""

import math
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from neuron import Dense, Normalization, Sequential, activations

U = Fraction(1, 2 ** 53)
TINY = Fraction(1, 2 ** 1074)


def gamma(n):
    return n * U / (1 - n * U)


def usable_activations():
    # Every registered activation that needs no parameter and keeps the
    # vector's length (so that the next layer's size is known).
    names = []
    for name in activations.names():
        try:
            g = activations.get(name)
            if len(g([0.0, 1.0])) == 2:
                names.append(name)
        except (TypeError, ValueError):
            continue
    return names


ACTIVATIONS = usable_activations()


@st.composite
def models_and_inputs(draw, values):
    """A Sequential of 1 to 3 Dense layers, maybe after a Normalization, and one input for it."""
    n = draw(st.integers(1, 6))
    layers = []
    if draw(st.booleans()):
        mean = draw(st.lists(values, min_size=n, max_size=n))
        variance = draw(st.lists(values.map(abs), min_size=n, max_size=n))
        layers.append(Normalization(mean=mean, variance=variance))
    size = n
    for _ in range(draw(st.integers(1, 3))):
        units = draw(st.integers(1, 5))
        kernel = draw(st.lists(st.lists(values, min_size=units, max_size=units), min_size=size, max_size=size))
        bias = draw(st.lists(values, min_size=units, max_size=units))
        layers.append(Dense(units, draw(st.sampled_from(ACTIVATIONS)), kernel=kernel, bias=bias))
        size = units
    x = draw(st.lists(values, min_size=n, max_size=n))
    return Sequential(layers), x


# Any finite float: overflow to inf and NaN on the way is allowed and must match too.
ANY = st.floats(allow_nan=False, allow_infinity=False)
# Moderate magnitudes, subnormals included, for the exact-arithmetic check.
MODERATE = st.floats(min_value=-1e100, max_value=1e100, allow_nan=False, allow_infinity=False)


def bits(values):
    return [float.hex(v) for v in values]


@settings(deadline=None, max_examples=80)
@given(models_and_inputs(ANY))
def test_trace_outputs_are_forward_bit_for_bit(case):
    model, x = case
    trace = model.trace(x)
    assert bits(trace.outputs) == bits(model.forward(x))
    # Every step's outputs are the next step's inputs.
    values = trace.inputs
    for step in trace.steps:
        assert step.inputs is values
        values = step.outputs


@settings(deadline=None, max_examples=80)
@given(models_and_inputs(MODERATE))
def test_each_z_within_the_rounding_bound(case):
    model, x = case
    for step in model.trace(x).dense_steps:
        for unit in step.units:
            assert unit.inputs is step.inputs
            if not all(math.isfinite(v) for v in unit.inputs) or not math.isfinite(unit.z):
                continue  # overflow upstream: nothing exact to compare with
            n = len(unit.inputs)
            products = [Fraction(w) * Fraction(v) for w, v in zip(unit.weights, unit.inputs)]
            exact = sum(products, Fraction(0)) + Fraction(unit.bias)
            bound = gamma(n + 1) * sum(abs(p) for p in products) + U * abs(Fraction(unit.bias)) + n * TINY
            error = abs(Fraction(unit.z) - exact)
            assert error <= bound, (
                "z[%d]_%d: absolute error %.3g, relative %.3g, bound %.3g"
                % (step.l, unit.j, float(error), float(error / exact) if exact else math.inf, float(bound))
            )


@settings(deadline=None, max_examples=40)
@given(models_and_inputs(MODERATE))
def test_trace_records_every_unit(case):
    model, x = case
    trace = model.trace(x)
    dense = [layer for layer in model.layers if isinstance(layer, Dense)]
    assert [step.l for step in trace.dense_steps] == list(range(1, len(dense) + 1))
    for layer, step in zip(dense, trace.dense_steps):
        assert step.activation is layer.activation
        assert [unit.j for unit in step.units] == list(range(1, layer.units + 1))
        for unit, row, b in zip(step.units, layer.neurons, layer.bias):
            assert unit.l == step.l and unit.weights == row and unit.bias == b
            assert unit.activation.name == layer.activation.name
            assert unit.activation.params == layer.activation.params
        assert step.z == [unit.z for unit in step.units]
        if layer.activation.elementwise:
            assert bits([unit.a for unit in step.units]) == bits(step.outputs)


def test_underflow_and_the_bias_rounding():
    # Worked examples at the edges of the bound: products below the smallest
    # normal, and a bias whose addition rounds.
    model = Sequential([Dense(1, "linear", kernel=[[1e-200], [3e-200]], bias=[0.1])])
    x = [1e-200, -2e-200]
    unit = model.trace(x).steps[0].units[0]
    assert unit.z == 0.1
    model = Sequential([Dense(1, "linear", kernel=[[0.1]], bias=[0.2])])
    unit = model.trace([0.3]).steps[0].units[0]
    exact = Fraction(0.1) * Fraction(0.3) + Fraction(0.2)
    assert abs(Fraction(unit.z) - exact) <= gamma(2) * abs(Fraction(0.1) * Fraction(0.3)) + U * Fraction(0.2)


def test_gamma_n_alone_is_not_enough():
    # Why the bound has gamma_(n+1): with n = 1 this z is further from the
    # exact value than gamma_1 * |w x| + u * |b| allows, because both w*x and
    # the addition of b rounded.
    w, x, b = -0.13668890570045034, 0.9511068615439251, -0.0005492519733627959
    z = Sequential([Dense(1, "linear", kernel=[[w]], bias=[b])]).trace([x]).steps[0].units[0].z
    product = Fraction(w) * Fraction(x)
    error = abs(Fraction(z) - (product + Fraction(b)))
    assert error > gamma(1) * abs(product) + U * abs(Fraction(b))
    assert error <= gamma(2) * abs(product) + U * abs(Fraction(b))
