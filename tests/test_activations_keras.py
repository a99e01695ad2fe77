"""neuron against Keras: each fixture is a small network Keras 3.15 ran.

tests/data/keras/act_<name>.json: 4 -> Dense(6, name) -> Dense(3, name) for
each element-wise Keras 3 activation; last_<name>.json: 5 -> Dense(6, relu)
-> Dense(4, name) for softmax, log_softmax and sparsemax.  `expected_exact`
is the same forward pass in 60-digit arithmetic (each layer's output rounded
to float64); neuron must be within 1e-11 of it by the fixtures' error measure
(README in /work/shared/fixtures).  The forward pass is written out here,
since the layers live in another module.
"""

import glob
import json
import os


import pytest

from neuron import activations
from fixtures import exact_mish_forward, expected_exact
from tolerance import max_error

DATA = os.path.join(os.path.dirname(__file__), "data", "keras")
FIXTURES = sorted(
    glob.glob(os.path.join(DATA, "act_*.json")) + glob.glob(os.path.join(DATA, "last_*.json"))
)
LIMIT = 1e-11



def load(path):
    with open(path) as f:
        return json.load(f)


def dense(x, kernel, bias, activation):
    # z_j = sum_i x_i * kernel[i][j] (kernel is inputs x units), left to
    # right from 0.0, plus bias_j; then g(z).
    zs = []
    for j in range(len(bias)):
        z = 0.0
        for i in range(len(x)):
            z += x[i] * kernel[i][j]
        zs.append(z + bias[j])
    return activation.apply(zs)


def forward(fixture, row):
    weights = fixture["weights"]
    out = row
    for n, layer in enumerate(fixture["layers"]):
        name = layer["config"]["activation"]
        kernel, bias = weights[2 * n], weights[2 * n + 1]
        out = dense(out, kernel, bias, activations.get(name))
    return out


def test_every_keras_3_activation_has_a_fixture():
    have = set(os.path.basename(p)[4:-5] for p in FIXTURES if "act_" in p)
    have |= set(os.path.basename(p)[5:-5] for p in FIXTURES if "last_" in p)
    assert len(FIXTURES) == 30
    for name in have:
        assert name in activations.names()


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: os.path.basename(p)[:-5])
def test_fixture_within_1e_11_of_exact(path):
    fixture = load(path)
    name = os.path.basename(path)[:-5]
    got = [forward(fixture, row) for row in fixture["inputs"]]
    error = max_error(got, expected_exact(name, fixture))[0]
    assert error <= LIMIT, "%s: error %.3g vs expected_exact (Keras's own float64: %.3g)" % (
        os.path.basename(path), error, fixture["keras_f64_max_rel_error_vs_exact"])


@pytest.mark.parametrize("name", ["gelu", "leaky_relu", "log_softmax", "sparsemax"])
def test_more_exact_than_keras_where_keras_is_off(name):
    # The documented cases where Keras's float64 run is far from exact:
    # neuron is at least 1000 times closer.
    prefix = "last_" if name in ("log_softmax", "sparsemax") else "act_"
    fixture = load(os.path.join(DATA, prefix + name + ".json"))
    got = [forward(fixture, row) for row in fixture["inputs"]]
    ours = max_error(got, fixture["expected_exact"])[0]
    keras = max_error(fixture["expected_f64"], fixture["expected_exact"])[0]
    assert keras > 1e-9
    assert ours * 1000 < keras


def test_wrong_reference_rows_really_are_wrong():
    # Guards the exception above: the recorded row is all zeros, our oracle
    # is not, and Keras's own float64 run agrees with our oracle.
    fixture = load(os.path.join(DATA, "act_mish.json"))
    row = fixture["inputs"][2]
    oracle = exact_mish_forward(fixture, row)
    assert fixture["expected_exact"][2] == [0.0, 0.0, 0.0]
    assert all(v < 0.0 for v in oracle)
    assert max_error([fixture["expected_f64"][2]], [oracle])[0] < 1e-13
