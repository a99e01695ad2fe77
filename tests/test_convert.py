"""Converters: live objects (duck-typed stand-ins), refusals, and scikit-learn's rules."""

import pytest

import neuron
from neuron.convert import from_keras, from_sklearn, from_torch, parse_torch_modules


class Array(list):
    """A stand-in for a NumPy array or torch tensor: anything with tolist()."""

    def tolist(self):
        return list(self)

    def detach(self):
        return self

    def cpu(self):
        return self


class FakeKeras:
    def __init__(self, config, weights):
        self._config, self._weights = config, weights

    def get_config(self):
        return self._config

    def get_weights(self):
        return [Array(w) for w in self._weights]


DENSE = {"class_name": "Dense", "config": {"name": "d", "units": 1, "activation": "sigmoid", "use_bias": True}}


def test_live_keras_model():
    model = from_keras(FakeKeras({"name": "m", "layers": [DENSE]}, [[[2.0], [-1.0]], [0.0]]))
    assert model([1.0, 2.0]) == [0.5] and model.name == "m"


def test_keras_refusals_name_the_layer():
    with pytest.raises(neuron.FormatError, match="'d' .Dense.*2 weight arrays"):
        from_keras([DENSE], [[[1.0]]])
    with pytest.raises(neuron.FormatError, match="take 2 weight arrays, 3 were given"):
        from_keras([DENSE], [[[1.0]], [0.0], [1.0]])
    with pytest.raises(neuron.FormatError, match="kernel"):
        from_keras([DENSE], [[[1.0, 2.0]], [0.0]])
    with pytest.raises(neuron.FormatError, match="invert"):
        from_keras([{"class_name": "Normalization", "config": {"invert": True}}], [])
    with pytest.raises(neuron.FormatError, match="flat list"):
        from_keras([{"class_name": "InputLayer", "config": {"batch_shape": [None, 8, 8]}}, DENSE], [])
    with pytest.raises(neuron.FormatError, match="activation wobble"):
        from_keras([{"class_name": "Activation", "config": {"activation": "wobble"}}], [])


def test_functional_models_must_be_one_chain():
    def layer(name, kind, inbound, config=None):
        entry = {"class_name": kind, "name": name, "config": dict(config or {}, name=name), "inbound_nodes": []}
        if inbound:
            entry["inbound_nodes"] = [{"args": [{"class_name": "__keras_tensor__",
                                                 "config": {"keras_history": [n, 0, 0]}} for n in inbound]}]
        return entry

    chain = {"class_name": "Functional", "config": {"name": "f", "layers": [
        layer("in", "InputLayer", [], {"batch_shape": [None, 1]}),
        layer("d", "Dense", ["in"], {"units": 1, "activation": "linear"}),
        layer("r", "ReLU", ["d"])]}}
    assert from_keras(chain, [[[2.0]], [1.0]])([-3.0]) == [0.0]
    chain["config"]["layers"][2] = layer("r", "ReLU", ["in"])
    with pytest.raises(neuron.FormatError, match="single chain"):
        from_keras(chain, [[[2.0]], [1.0]])


def test_keras2_leaky_relu_alpha_and_hard_sigmoid():
    model = from_keras([{"class_name": "LeakyReLU", "config": {"alpha": 0.5}}], [], keras_version="2.15.0")
    assert model([-2.0]) == [-1.0]
    assert from_keras([{"class_name": "LeakyReLU", "config": {}}], [])([-10.0]) == [-3.0]
    if "keras2.hard_sigmoid" in neuron.activations.names():
        model = from_keras([{"class_name": "Activation", "config": {"activation": "hard_sigmoid"}}], [],
                           keras_version="2.15.0")
        assert model([1.0]) == [0.7]


def test_torch_state_dict_checks():
    state = {"0.weight": [[1.0, 2.0]], "0.bias": [0.5]}
    assert from_torch(state, ["Linear"])([1.0, 1.0]) == [3.5]
    with pytest.raises(neuron.FormatError, match="in_features=3"):
        from_torch(state, ["Linear(in_features=3, out_features=1, bias=True)"])
    with pytest.raises(neuron.FormatError, match="bias=False"):
        from_torch(state, ["Linear(in_features=2, out_features=1, bias=False)"])
    with pytest.raises(neuron.FormatError, match="2.weight"):
        from_torch(dict(state, **{"2.weight": [[1.0]]}), ["Linear"])
    with pytest.raises(neuron.FormatError, match="Conv1d"):
        from_torch(state, ["Linear", "Conv1d"])
    with pytest.raises(neuron.FormatError, match="dim=0"):
        from_torch(state, ["Linear", "Softmax(dim=0)"])
    no_bias = from_torch({"0.weight": [[1.0, 2.0]]}, ["Linear(in_features=2, out_features=1, bias=False)"])
    assert no_bias.layers[0].use_bias is False and no_bias([1.0, 1.0]) == [3.0]


def test_torch_module_text_parsing_refuses_what_it_cannot_read():
    assert parse_torch_modules("Sequential(\n  (0): Dropout(p=0.25, inplace=False)\n)") == [
        ("0", ("Dropout", {"p": 0.25, "inplace": False}))]
    for text in ["Sequential(\n  (0): Linear(2, 3)\n)", "Sequential(\n  (a): ReLU()\n)", "Sequential(\n  (0): ReLU("]:
        with pytest.raises(neuron.FormatError):
            parse_torch_modules(text)


class FakeLinear:
    def __init__(self, weight, bias):
        self.in_features, self.out_features = len(weight[0]), len(weight)
        self.bias = bias


class Linear(FakeLinear):
    pass


class Sigmoid:
    pass


class FakeSequential:
    def __init__(self):
        self._children = [("0", Linear([[2.0, -1.0]], Array([0.0]))), ("1", Sigmoid())]

    def named_children(self):
        return iter(self._children)

    def children(self):
        return (child for _, child in self._children)

    def state_dict(self):
        return {"0.weight": Array([[2.0, -1.0]]), "0.bias": Array([0.0])}


def test_live_torch_sequential():
    model = from_torch(FakeSequential())
    assert model([1.0, 2.0]) == [0.5]


class StandardScaler:
    with_mean = with_std = True

    def __init__(self, mean, scale):
        self.mean_, self.scale_ = Array(mean), Array(scale)


class MLPRegressor:
    activation, out_activation_ = "relu", "identity"

    def __init__(self):
        self.coefs_ = [Array([[1.0], [1.0]])]
        self.intercepts_ = [Array([0.0])]


class Pipeline:
    def __init__(self, steps):
        self.steps = steps


def test_sklearn_pipeline_with_standard_scaler():
    # The second feature was constant: scikit-learn's scale_ is 1, so it is only centred.
    model = from_sklearn(Pipeline([("scale", StandardScaler([1.0, 5.0], [2.0, 1.0])), ("mlp", MLPRegressor())]))
    assert model.layers[0].kind == "Normalization"
    assert model([3.0, 7.0]) == [(3.0 - 1.0) / 2.0 + (7.0 - 5.0) / 1.0]
    with pytest.raises(neuron.FormatError, match="below 1e-7"):
        from_sklearn(MLPRegressor(), scaler_mean=[0.0, 0.0], scaler_scale=[1e-9, 1.0])


def test_sklearn_decision_rules():
    one = [[[1.0]]], [[0.0]]
    binary = from_sklearn(*one, activation="identity", out_activation="logistic", classes=["no", "yes"])
    assert binary.predict([[0.0], [1e-9]]) == ["no", "yes"]  # p > 0.5, not >=
    assert binary.predict_proba([[0.0]]) == [[0.5, 0.5]]
    multi = from_sklearn([[[1.0, 1.0, 0.0]]], [[0.0, 0.0, 0.0]], "identity", "softmax" if
                         "softmax" in neuron.activations.names() else None, [7, 8, 9]) \
        if "softmax" in neuron.activations.names() else None
    if multi is not None:
        assert multi.predict([[1.0]]) == [7]  # a tie goes to the first class, like argmax
    multilabel = from_sklearn([[[1.0, -1.0]]], [[0.0, 0.0]], "identity", "logistic", ["a", "b"])
    assert multilabel.kind == "multilabel" and multilabel.predict([[2.0]]) == [[1, 0]]
