"""Hypothesis strategies shared by the tests: weights, inputs and whole models.

Bounds are explicit: weights are any finite float (neuron refuses others),
drawn so that zeros of both signs, subnormals and values near the overflow
limit come up often; inputs may also be NaN or infinite where a test passes
``allow_nonfinite=True``.
"""

import math

from hypothesis import strategies as st

from neuron import Dense, Normalization, Sequential
from neuron.activations import Activation

# Values that find the corners: signed zeros, the smallest subnormal, huge
# values whose products overflow, exactly representable small numbers.
SPECIAL = [0.0, -0.0, 5e-324, -5e-324, 1e-300, -1e-300, 1e308, -1e308, 0.5, -2.0, 1.0, -1.0]

finite = st.one_of(
    st.sampled_from(SPECIAL),
    st.floats(-10.0, 10.0),
    st.floats(allow_nan=False, allow_infinity=False),
)
any_float = st.one_of(finite, st.sampled_from([math.inf, -math.inf, math.nan]))


def _softmax(zs):
    # A vector activation, for the compiled path's "call the function" case.
    top = max(zs)
    exps = [math.exp(z - top) for z in zs]
    total = sum(exps)
    return [e / total for e in exps]


def _clip(z):
    # A plain callable used as an activation.
    return -1.0 if z < -1.0 else (1.0 if z > 1.0 else z)


ACTIVATIONS = ["linear", "sigmoid", "relu", _clip, Activation("softmax_test", {}, False, _softmax)]


@st.composite
def dense_layer(draw, n_in, max_units=6):
    units = draw(st.integers(1, max_units))
    rows = [[draw(finite) for _ in range(n_in)] for _ in range(units)]
    bias = [draw(finite) for _ in range(units)]
    activation = draw(st.sampled_from(ACTIVATIONS))
    return Dense.from_neurons(rows, bias, activation)


@st.composite
def normalization_layer(draw, n_in):
    mean = [draw(finite) for _ in range(n_in)]
    variance = [abs(draw(finite)) for _ in range(n_in)]
    return Normalization(mean=mean, variance=variance)


@st.composite
def models(draw, max_inputs=5, max_layers=3, wide_inputs=(17, 40)):
    """A Sequential of Normalization and Dense layers, sometimes with a wide first layer."""
    if draw(st.booleans()):
        n_in = draw(st.integers(1, max_inputs))
    else:
        n_in = draw(st.integers(*wide_inputs))  # past the unrolling limit: the loop form
    layers = []
    size = n_in
    if draw(st.booleans()):
        layers.append(draw(normalization_layer(size)))
    for _ in range(draw(st.integers(1, max_layers))):
        layer = draw(dense_layer(size))
        layers.append(layer)
        size = layer.output_size(size)
    return Sequential(layers)


@st.composite
def model_and_inputs(draw, nonfinite=False, rows=3):
    model = draw(models())
    values = any_float if nonfinite else finite
    X = [[draw(values) for _ in range(model.input_size)] for _ in range(rows)]
    return model, X
