"""neuron.Classifier: what it refuses, and allow_nonfinite passed through to the model."""

import pytest

import neuron
from neuron.formats import native


def _sigmoid_model(units=1):
    return neuron.Sequential([neuron.Dense(units, "sigmoid", kernel=[[1.0] * units], bias=[0.0] * units)])


def _softmax_model():
    return neuron.Sequential([neuron.Dense(3, "linear", kernel=[[1.0, 2.0, 3.0]]), neuron.Softmax()])


@pytest.mark.parametrize("classes", [[0, 0], ["a", "a"], [1, 1.0]])
def test_duplicate_classes_are_refused(classes):
    with pytest.raises(neuron.NeuronError, match="distinct"):
        neuron.Classifier(_sigmoid_model(), classes)


def test_unhashable_classes_are_a_type_error():
    with pytest.raises(TypeError, match=r"classes\[0\] is a list"):
        neuron.Classifier(_sigmoid_model(), [[0], {}])


def test_nan_class_is_refused():
    with pytest.raises(neuron.NeuronError, match=r"classes\[1\] is NaN"):
        neuron.Classifier(_sigmoid_model(), [0, float("nan")])


def test_bad_classes_in_a_file_are_a_format_error():
    text = native.dumps(neuron.Classifier(_sigmoid_model(), [0, 1])).replace('"classes": [0, 1]',
                                                                             '"classes": [0, 0]')
    with pytest.raises(neuron.FormatError, match="classifier.*distinct"):
        native.loads(text, "m.json")
    text = text.replace('"classes": [0, 0]', '"classes": [[0], {}]')
    with pytest.raises(neuron.FormatError, match="classifier.*hashable"):
        native.loads(text, "m.json")


def test_multiclass_over_a_linear_output_is_refused():
    # Once returned "probabilities" below zero.
    model = neuron.Sequential([neuron.Dense(3, "linear", kernel=[[1.0, -2.0, 3.0]])])
    with pytest.raises(neuron.NeuronError, match="multiclass classifier needs a softmax output"):
        neuron.Classifier(model, ["a", "b", "c"], kind="multiclass")
    with pytest.raises(neuron.NeuronError, match="multilabel classifier needs a logistic"):
        neuron.Classifier(model, ["a", "b", "c"], kind="multilabel")
    with pytest.raises(neuron.NeuronError, match="binary classifier needs a logistic"):
        neuron.Classifier(neuron.Sequential([neuron.Dense(1, kernel=[[1.0]])]), [0, 1])


def test_log_sigmoid_and_log_softmax_are_not_probabilities():
    for activation in ("log_sigmoid", "log_softmax"):
        model = neuron.Sequential([neuron.Dense(2, activation, kernel=[[1.0, 2.0]])])
        with pytest.raises(neuron.NeuronError):
            neuron.Classifier(model, ["a", "b"])


def test_the_checks_look_past_dropout():
    model = neuron.Sequential([neuron.Dense(3, "linear", kernel=[[1.0, 2.0, 3.0]]), neuron.Softmax(),
                               neuron.Dropout(0.5)])
    assert neuron.Classifier(model, ["a", "b", "c"]).kind == "multiclass"


def test_allow_nonfinite_passes_through():
    clf = neuron.Classifier(_softmax_model(), ["a", "b", "c"])
    with pytest.raises(neuron.NeuronError, match="allow_nonfinite"):
        clf.predict_proba([[float("inf")]])
    p = clf.predict_proba([[float("nan")]], allow_nonfinite=True)[0]
    assert all(v != v for v in p)
    binary = neuron.Classifier(_sigmoid_model(), ["no", "yes"])
    assert binary.predict([[float("inf")], [float("-inf")]], allow_nonfinite=True) == ["yes", "no"]


@pytest.mark.parametrize("model,classes", [(_sigmoid_model(), [0, 1]), (_sigmoid_model(2), ["x", "y"])])
def test_nan_probability_is_not_decided_silently(model, classes):
    clf = neuron.Classifier(model, classes, kind=None if len(classes) == 2 and model.output_size == 1
                            else "multilabel")
    with pytest.raises(neuron.NeuronError, match="NaN"):
        clf.predict([[float("nan")]], allow_nonfinite=True)
