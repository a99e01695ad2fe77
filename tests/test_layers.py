"""Dense, Normalization, Sequential and the metrics: behaviour and bad input."""

import math

import pytest

import neuron
from neuron import Dense, Normalization, Sequential


def small_model():
    return Sequential([
        Dense(2, "relu", kernel=[[1.0, -1.0], [1.0, 1.0]], bias=[0.0, 0.5]),
        Dense(1, "sigmoid", kernel=[[1.0], [2.0]], bias=[-1.0]),
    ])


# --- Dense --------------------------------------------------------------------


def test_dense_layouts_and_weights():
    layer = Dense(3, "linear", kernel=[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], bias=[0.5, 0.25, 0.0])
    assert layer.input_size == 2 and layer.units == 3
    assert layer.kernel == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert layer.neurons == [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]
    assert layer.get_weights() == [layer.kernel, [0.5, 0.25, 0.0]]
    same = Dense.from_neurons(layer.neurons, layer.bias, "linear")
    assert same([1.0, 1.0]) == layer([1.0, 1.0]) == [5.5, 7.25, 9.0]
    assert layer.count_params() == 9


def test_dense_without_bias_and_unbuilt():
    layer = Dense(2, use_bias=False)
    assert not layer.built and layer.kernel is None
    with pytest.raises(neuron.NeuronError, match="no weights yet"):
        layer([1.0])
    layer.set_weights([[[1.0, 2.0]]])
    assert layer([3.0]) == [3.0, 6.0]
    assert layer.get_weights() == [[[1.0, 2.0]]]
    with pytest.raises(neuron.NeuronError, match="use_bias=False, but a bias"):
        Dense(1, use_bias=False, kernel=[[1.0]], bias=[1.0])


def test_dense_plain_callable_activation():
    layer = Dense(1, lambda z: 3 * z, kernel=[[1.0], [2.0]], bias=[1.0])
    assert layer([1.0, 1.0]) == [12.0]


@pytest.mark.parametrize("units,error", [(0, neuron.NeuronError), (-2, neuron.NeuronError),
                                          (2.0, TypeError), ("3", TypeError), (True, TypeError)])
def test_dense_bad_units(units, error):
    with pytest.raises(error, match="units"):
        Dense(units)


def test_dense_bad_weights():
    with pytest.raises(neuron.ShapeError, match="3 columns, one per unit; got 2"):
        Dense(3, kernel=[[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(neuron.ShapeError, match="row 1 has 1 values, expected 2"):
        Dense(2, kernel=[[1.0, 2.0], [3.0]])
    with pytest.raises(neuron.ShapeError, match="bias must have 2 values, one per unit; got 3"):
        Dense(2, kernel=[[1.0, 2.0]], bias=[1.0, 2.0, 3.0])
    with pytest.raises(neuron.NeuronError, match="weights must be finite"):
        Dense(1, kernel=[[math.nan]])
    with pytest.raises(neuron.NeuronError, match="weights must be finite"):
        Dense(1, kernel=[[math.inf]])
    with pytest.raises(neuron.NeuronError, match="bias: entry 0 is nan; weights must be finite"):
        Dense(1, kernel=[[1.0]], bias=[math.nan])
    with pytest.raises(TypeError, match="must be a number, got str"):
        Dense(1, kernel=[["1.0"]])
    with pytest.raises(neuron.ShapeError, match="single number"):
        Dense(1, kernel=[1.0, 2.0])
    with pytest.raises(neuron.ShapeError, match="at least one row"):
        Dense(1, kernel=[])
    with pytest.raises(neuron.NeuronError, match="bias needs a kernel"):
        Dense(1, bias=[1.0])
    layer = Dense(1, kernel=[[1.0], [2.0]])
    with pytest.raises(neuron.ShapeError, match="new kernel has 3 inputs, the layer has 2"):
        layer.set_weights([[[1.0], [2.0], [3.0]], [0.0]])
    with pytest.raises(neuron.ShapeError, match="list of 2 arrays, got 1"):
        layer.set_weights([[[1.0], [2.0]]])
    with pytest.raises(neuron.NeuronError, match="unknown activation 'sigmod'; did you mean 'sigmoid'"):
        Dense(1, "sigmod")


def test_dense_bad_input():
    layer = Dense(1, kernel=[[1.0], [2.0]], name="out")
    with pytest.raises(neuron.ShapeError, match="Dense 'out'.*expected 2 values, got 3"):
        layer([1.0, 2.0, 3.0])
    with pytest.raises(neuron.ShapeError, match="use predict"):
        layer([[1.0, 2.0]])


# --- Normalization --------------------------------------------------------------


def test_normalization_adapt_and_weights():
    norm = Normalization()
    norm.adapt([[1.0, 5.0], [3.0, 5.0], [5.0, 5.0]])
    assert norm.mean == [3.0, 5.0]
    assert norm.variance == [8.0 / 3.0, 0.0]  # population variance
    assert norm.standard_deviation == [math.sqrt(8.0 / 3.0), 1e-7]
    assert norm([5.0, 5.0]) == [2.0 / math.sqrt(8.0 / 3.0), 0.0]
    assert norm.get_weights() == [[3.0, 5.0], [8.0 / 3.0, 0.0], 3]
    other = Normalization()
    other.set_weights([[3.0, 5.0], [8.0 / 3.0, 0.0]])  # Keras's two-array form
    assert other([5.0, 5.0]) == norm([5.0, 5.0])
    other.set_weights([[[3.0, 5.0]], [[8.0 / 3.0, 0.0]], 0])  # with Keras's leading axis
    assert other([5.0, 5.0]) == norm([5.0, 5.0])


def test_normalization_bad_input():
    with pytest.raises(neuron.NeuronError, match="give both mean and variance"):
        Normalization(mean=[1.0])
    with pytest.raises(neuron.NeuronError, match="variance\\[0\\] = -1.0 is negative"):
        Normalization(mean=[0.0], variance=[-1.0])
    with pytest.raises(neuron.ShapeError, match="mean has 2 features but variance has 1"):
        Normalization(mean=[0.0, 1.0], variance=[1.0])
    with pytest.raises(neuron.ShapeError, match="row 1 has 1 values, expected 2"):
        Normalization().adapt([[1.0, 2.0], [3.0]])
    with pytest.raises(neuron.ShapeError, match="at least one row"):
        Normalization().adapt([])
    with pytest.raises(neuron.NeuronError, match="no statistics yet"):
        Normalization()([1.0])
    with pytest.raises(neuron.ShapeError, match="takes \\[mean, variance, count\\]"):
        Normalization().set_weights([[1.0]])


# --- Sequential -----------------------------------------------------------------


def test_sequential_names_layers_like_keras():
    model = Sequential([Dense(2, kernel=[[1.0, 1.0]]), Dense(2, kernel=[[1.0, 1.0], [1.0, 1.0]]),
                        Dense(1, kernel=[[1.0], [1.0]], name="out")])
    assert [layer.name for layer in model.layers] == ["dense", "dense_1", "out"]
    assert model.input_size == 1 and model.output_size == 1


def test_sequential_weights_round_trip_in_keras_order():
    model = small_model()
    weights = model.get_weights()
    assert weights == [[[1.0, -1.0], [1.0, 1.0]], [0.0, 0.5], [[1.0], [2.0]], [-1.0]]
    other = Sequential([Dense(2, "relu"), Dense(1, "sigmoid")])
    other.set_weights(weights)
    assert other([0.5, 2.0]) == model([0.5, 2.0])
    assert model.count_params() == 9
    with pytest.raises(neuron.ShapeError, match="expected 4 arrays"):
        other.set_weights(weights[:3])


def test_sequential_checks_the_chain():
    with pytest.raises(neuron.ShapeError, match="expects 3 inputs, but the layer before it gives 2"):
        Sequential([Dense(2, kernel=[[1.0, 1.0]]), Dense(1, kernel=[[1.0], [1.0], [1.0]])])
    with pytest.raises(TypeError, match="layers\\[1\\] must be a layer"):
        Sequential([Dense(1, kernel=[[1.0]]), "relu"])
    with pytest.raises(neuron.ShapeError, match="at least one layer"):
        Sequential([])


@pytest.mark.parametrize("bad,error,message", [
    ([1.0], neuron.ShapeError, "expected 2 inputs, got 1"),
    ([1.0, 2.0, 3.0], neuron.ShapeError, "expected 2 inputs, got 3"),
    ([[1.0, 2.0]], neuron.ShapeError, "use predict\\(\\) for a batch"),
    ([1.0, "2"], TypeError, "x\\[1\\] must be a number, got str"),
    ([True, 2.0], TypeError, "x\\[0\\] must be a number, got bool"),
    ([math.nan, 2.0], neuron.NeuronError, "x\\[0\\] is nan; inputs must be finite"),
    ([1.0, -math.inf], neuron.NeuronError, "x\\[1\\] is -inf"),
    ("12", TypeError, "must be a list of numbers, got str"),
    (None, TypeError, "must be a list of numbers, got NoneType"),
    ([10 ** 400, 1.0], neuron.NeuronError, "too large for a float"),
])
def test_forward_bad_input(bad, error, message):
    model = small_model()
    with pytest.raises(error, match=message):
        model.forward(bad)
    with pytest.raises(error, match=message):
        model.trace(bad)


@pytest.mark.parametrize("bad,error,message", [
    ([1.0, 2.0], neuron.ShapeError, "item 0 is a single number; wrap one example as \\[x\\]"),
    ([[1.0, 2.0], [1.0]], neuron.ShapeError, "row 1 has 1 values, expected 2 like row 0"),
    ([[1.0, 2.0], [1.0, 2.0, 3.0]], neuron.ShapeError, "row 1 has 3 values"),
    ([[1.0], [1.0]], neuron.ShapeError, "expected 2 inputs, got 1"),
    ([[1.0, math.nan]], neuron.NeuronError, "row 0\\[1\\] is nan"),
    ([[1.0, None]], TypeError, "must be a number, got NoneType"),
    ([["a", "b"]], TypeError, "must be a number, got str"),
    (["ab"], TypeError, "row 0 must be a list of numbers"),
    (7, TypeError, "must be a list of rows"),
])
def test_predict_bad_input(bad, error, message):
    with pytest.raises(error, match=message):
        small_model().predict(bad)


def test_nonfinite_allowed_when_asked():
    model = small_model()
    assert math.isnan(model.forward([math.nan, 1.0], allow_nonfinite=True)[0])
    assert model.predict([[math.inf, 0.0]], allow_nonfinite=True) == [[1.0]]


def test_intermediate_overflow_is_not_an_error_and_the_trace_shows_it():
    model = Sequential([Dense(2, "linear", kernel=[[1e308, 1.0], [1e308, 1.0]], bias=[0.0, 0.0]),
                        Dense(1, "sigmoid", kernel=[[1.0], [-1.0]], bias=[0.0])])
    assert model([2.0, 2.0]) == [1.0]  # z[1] = [inf, 4.0], z[2] = inf, a = 1
    assert "= inf" in model.trace([2.0, 2.0]).to_text()
    cancel = Sequential([Dense(1, "linear", kernel=[[1e308], [1e308]], bias=[0.0])])
    assert math.isnan(cancel([2.0, -2.0])[0])  # inf + -inf
    assert "= nan" in cancel.trace([2.0, -2.0]).to_text()


def test_predict_of_an_empty_batch_is_empty():
    assert small_model().predict([]) == []


def test_inputs_may_be_tuples_ints_and_other_numbers():
    from fractions import Fraction

    model = small_model()
    want = model([0.5, 2.0])
    assert model((Fraction(1, 2), 2)) == want
    assert model.predict(((0.5, 2),)) == [want]


# --- metrics --------------------------------------------------------------------


def test_decide_shapes_and_threshold():
    assert neuron.decide(0.5) == 1 and neuron.decide(0.4999) == 0
    assert neuron.decide([[0.7], [0.2]]) == [[1], [0]]
    assert neuron.decide([0.7, 0.2], threshold=0.8) == [0, 0]
    with pytest.raises(neuron.NeuronError, match="NaN"):
        neuron.decide([0.5, math.nan])
    with pytest.raises(TypeError):
        neuron.decide("0.5")


def test_argmax_accuracy_confusion():
    assert neuron.argmax([[0.2, 0.2, 0.1], [0.0, 1.0, 2.0]]) == [0, 2]
    assert neuron.argmax([1.0, 3.0]) == 1
    with pytest.raises(neuron.NeuronError, match="NaN"):
        neuron.argmax([0.1, math.nan])
    with pytest.raises(neuron.ShapeError, match="empty"):
        neuron.argmax([[]])
    assert neuron.accuracy([[1], [0]], [[1], [1]]) == 0.5
    assert neuron.confusion_matrix(["cat", "dog", "dog"], ["dog", "dog", "cat"]) == [[0, 1], [1, 1]]
    assert neuron.confusion_matrix([0, 1], [0, 0], labels=[1, 0]) == [[0, 1], [0, 1]]
    with pytest.raises(neuron.ShapeError, match="y_true has 2 labels but y_pred has 1"):
        neuron.accuracy([1, 0], [1])
    with pytest.raises(neuron.ShapeError, match="no labels"):
        neuron.accuracy([], [])
    with pytest.raises(neuron.ShapeError, match="one-entry rows"):
        neuron.accuracy([[1, 0]], [[1, 0]])


# --- what the hostile tester found ------------------------------------------------


def test_set_weights_is_all_or_nothing():
    model = small_model()
    before = model.get_weights()
    bad = [[[9.0, 9.0], [9.0, 9.0]], [9.0, 9.0], [[1.0], [2.0]], [1.0, 2.0]]  # last bias too long
    with pytest.raises(neuron.ShapeError):
        model.set_weights(bad)
    assert model.get_weights() == before
    assert model([0.5, 2.0]) == small_model()([0.5, 2.0])


def test_statistics_cannot_go_stale():
    norm = Normalization([0.0], [1.0])
    model = Sequential([norm])
    assert model([2.0]) == [2.0]
    norm.variance = [4.0]
    assert model([2.0]) == [1.0] == Sequential([Normalization([0.0], [4.0])])([2.0])
    norm.variance[0] = 100.0  # a copy: changes nothing
    assert model([2.0]) == [1.0]
    with pytest.raises(neuron.ShapeError, match="mean has 3 features but variance has 1"):
        norm.mean = [1.0, 2.0, 3.0]
    with pytest.raises(AttributeError):
        Dense(1, kernel=[[1.0]]).use_bias = False
    with pytest.raises(AttributeError):
        Dense(1, kernel=[[1.0]]).units = 3


def test_normalization_count_in_keras_forms():
    norm = Normalization()
    norm.set_weights([[0.0], [1.0], 5.0])
    assert norm.count == 5
    for bad in (math.nan, -1.0, math.inf):
        with pytest.raises(neuron.NeuronError, match="count must be a finite number >= 0"):
            norm.set_weights([[0.0], [1.0], bad])
    with pytest.raises(neuron.NeuronError, match="statistics must be finite"):
        Normalization([math.nan], [1.0])


def test_adapt_on_huge_values():
    norm = Normalization()
    norm.adapt([[1.7e308], [1.7e308]])
    assert norm.mean == [1.7e308] and norm.variance == [0.0]
    with pytest.raises(neuron.NeuronError, match="variance of feature 0 overflows"):
        Normalization().adapt([[1e200], [-1e200]])


def test_numbers_from_other_libraries():
    from decimal import Decimal

    model = small_model()
    with pytest.raises(neuron.NeuronError, match="too large for a float"):
        model([Decimal("1e400"), 1.0])
    with pytest.raises(neuron.ShapeError, match="expected 2 inputs, got 1000000000000"):
        model(range(10 ** 12))
    with pytest.raises(neuron.NeuronError, match="too large for a float"):
        neuron.activations.get("relu")(10 ** 400)


def test_activation_parameters_are_checked():
    get = neuron.activations.get
    with pytest.raises(neuron.NeuronError, match="alpha must be a finite number"):
        get("elu", alpha=math.nan)
    with pytest.raises(TypeError, match="alpha must be a number, got None"):
        get("elu", alpha=None)
    with pytest.raises(TypeError, match="max_value must be a number, got True"):
        get("relu", max_value=True)
    assert get("relu", max_value=None)(5.0) == 5.0
    assert get("celu", alpha=-1.0)(-1000.0) == -math.inf  # the true value overflows


def test_a_unit_needs_a_weight():
    with pytest.raises(neuron.ShapeError, match="at least one weight"):
        Dense.from_neurons([[]], [2.0])

def test_confusion_matrix_with_labels_that_do_not_sort():
    # sorted() raised "'<' not supported" for mixed labels and None.
    assert neuron.confusion_matrix([1, "a"], [1, "a"]) == [[1, 0], [0, 1]]
    # First appearance: y_true gives None, then 1; y_pred adds "x".
    assert neuron.confusion_matrix([None, 1, None], [1, 1, "x"]) == [[0, 1, 1], [0, 1, 0], [0, 0, 0]]
    with pytest.raises(TypeError, match=r"y_pred item 1 is a dict, which cannot be a label"):
        neuron.confusion_matrix([1, 2], [1, {}])


def test_confusion_matrix_labels_argument_is_checked():
    with pytest.raises(TypeError, match="labels must be a list or tuple of labels, got int"):
        neuron.confusion_matrix([1], [1], labels=5)
    with pytest.raises(TypeError, match="labels must be a list or tuple"):
        neuron.confusion_matrix([1], [1], labels="ab")
    with pytest.raises(neuron.NeuronError, match=r"labels\[1\] is 0, the same as labels\[0\]"):
        neuron.confusion_matrix([1], [1], labels=[0, 0])
    assert neuron.confusion_matrix([1], [1], labels=(1, 0)) == [[1, 0], [0, 0]]


def test_layer_parameters_are_read_only():
    bn = neuron.BatchNormalization()
    bn.set_weights([[1.0], [0.0], [0.0], [1.0]])
    for layer, attribute in ((bn, "epsilon"), (bn, "gamma"), (bn, "moving_mean"),
                             (neuron.LeakyReLU(), "negative_slope"), (neuron.ReLU(), "max_value"),
                             (neuron.ELU(), "alpha"), (neuron.PReLU([0.5]), "alpha")):
        with pytest.raises(AttributeError):
            setattr(layer, attribute, 3.0)
    bn.gamma[0] = 100.0  # a copy
    assert bn.get_weights()[0] == [1.0]


def test_a_layer_swapped_into_a_model_is_refused():
    model = small_model()
    model([1.0, 2.0])
    with pytest.raises(TypeError):
        model.layers[0] = Dense(2, kernel=[[9.0, 9.0], [9.0, 9.0]])
