"""The layers that come from Keras models: worked examples and properties."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import neuron
from neuron.layers import Activation

finite = st.floats(-1e6, 1e6, allow_nan=False)
rows = st.lists(finite, min_size=1, max_size=8)


def test_identity_layers():
    x = [1.5, -2.0, 0.0]
    assert neuron.Dropout(0.3)(x) == x
    assert neuron.Flatten()(x) == x
    with pytest.raises(neuron.NeuronError):
        neuron.Dropout(1.0)
    with pytest.raises(TypeError):
        neuron.Dropout("0.5")


def test_activation_layer_matches_dense_activation():
    dense = neuron.Dense(2, "linear", kernel=[[1.0, -1.0]], bias=[0.5, 0.0])
    folded = neuron.Dense(2, "relu", kernel=[[1.0, -1.0]], bias=[0.5, 0.0])
    model = neuron.Sequential([dense, Activation("relu")])
    for v in (-2.0, 0.0, 3.0):
        assert model([v]) == folded([v])
    assert neuron.ActivationLayer is Activation


def test_batch_normalization_formula_and_order():
    bn = neuron.BatchNormalization(
        epsilon=0.0, gamma=[2.0, 1.0], beta=[1.0, 0.0], moving_mean=[3.0, 0.0], moving_variance=[4.0, 1.0]
    )
    assert bn([5.0, 2.0]) == [3.0, 2.0]
    assert bn.get_weights() == [[2.0, 1.0], [1.0, 0.0], [3.0, 0.0], [4.0, 1.0]]
    plain = neuron.BatchNormalization(center=False, scale=False)
    assert plain.weight_count == 2
    plain.set_weights([[1.0], [0.999]])
    assert plain([2.0]) == [1.0 / math.sqrt(0.999 + 1e-3)]
    assert plain.get_weights() == [[1.0], [0.999]]


def test_batch_normalization_rejects_bad_weights():
    bn = neuron.BatchNormalization()
    with pytest.raises(neuron.ShapeError):
        bn.set_weights([[1.0], [0.0], [0.0]])
    with pytest.raises(neuron.ShapeError):
        bn.set_weights([[1.0, 2.0], [0.0], [0.0], [1.0]])
    with pytest.raises(neuron.NeuronError):
        bn.set_weights([[math.nan], [0.0], [0.0], [1.0]])
    with pytest.raises(neuron.NeuronError):
        bn.set_weights([[1.0], [0.0], [0.0], [-1.0]])
    with pytest.raises(neuron.NeuronError):
        neuron.BatchNormalization(gamma=[1.0])


def test_relu_variants():
    assert neuron.ReLU()([-1.0, 0.0, 2.0]) == [0.0, 0.0, 2.0]
    assert neuron.ReLU(max_value=6.0)([7.0, 5.0]) == [6.0, 5.0]
    assert neuron.ReLU(negative_slope=0.5)([-2.0, 2.0]) == [-1.0, 2.0]
    layer = neuron.ReLU(max_value=6.0, negative_slope=0.5, threshold=1.0)
    assert layer([0.0, 1.0, 2.0, 8.0]) == [-0.5, 0.0, 2.0, 6.0]


def test_leaky_elu_prelu_softmax_examples():
    assert neuron.LeakyReLU()([-10.0]) == [-3.0]
    assert neuron.ELU(0.5)([-1.0]) == [0.5 * math.expm1(-1.0)]
    prelu = neuron.PReLU([0.5, 0.25])
    assert prelu([-2.0, 4.0]) == [-1.0, 4.0]
    assert prelu.get_weights() == [[0.5, 0.25]]
    with pytest.raises(neuron.ShapeError):
        prelu([1.0])
    assert neuron.Softmax()([1.0, 1.0, 1.0, 1.0]) == [0.25] * 4


@given(rows)
def test_softmax_is_a_distribution(x):
    out = neuron.Softmax()(x)
    assert all(0.0 <= p <= 1.0 for p in out)
    assert abs(math.fsum(out) - 1.0) <= 4 * len(x) * 2.0 ** -53


@given(rows, st.floats(0.0, 1.0))
def test_leaky_relu_is_relu_layer_with_slope(x, slope):
    assert neuron.LeakyReLU(slope)(x) == neuron.ReLU(negative_slope=slope)(x)


@given(rows)
def test_new_layers_in_a_model_batch_equals_one_by_one(x):
    n = len(x)
    model = neuron.Sequential([
        neuron.BatchNormalization(gamma=[1.5] * n, beta=[0.5] * n, moving_mean=[0.25] * n,
                                  moving_variance=[2.0] * n),
        neuron.LeakyReLU(),
        neuron.Dropout(0.1),
        neuron.PReLU([0.1] * n),
        neuron.ELU(0.7),
        neuron.Softmax(),
    ])
    assert model.predict([x, x]) == [model(x), model(x)]


def test_keras_style_names():
    model = neuron.Sequential([neuron.Dense(1, kernel=[[1.0]]), neuron.PReLU([0.1]), neuron.BatchNormalization(
        gamma=[1.0], beta=[0.0], moving_mean=[0.0], moving_variance=[1.0]), neuron.LeakyReLU()])
    assert [layer.name for layer in model.layers] == ["dense", "p_re_lu", "batch_normalization", "leaky_re_lu"]
