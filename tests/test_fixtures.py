"""Every framework fixture loads and matches what the framework computed.

Tolerances (the error measure is tests/tolerance.py's): ``expected_exact``
within 1e-11 where a fixture has it; otherwise the framework's float64 re-run
``expected_f64`` within 1e-12, or 1e-6 for models with gelu or a LeakyReLU
layer, where Keras/PyTorch themselves are only that exact.  scikit-learn's
labels must be equal, its probabilities within 1e-12.

act_mish's expected_exact has one wrong row (tests/fixtures.py says why);
that row is checked against a 200-digit recomputation instead.
"""

import glob
import os

import pytest

import neuron
from neuron.models import coffee_data
from neuron.convert import from_keras, from_sklearn, from_torch

from fixtures import digits_test_rows, expected_exact, keras_config, load_json, path
from tolerance import assert_close

EXACT = 1e-11
F64 = 1e-12
LOOSE = 1e-6  # gelu and LeakyReLU: Keras's own float64 is only this exact

KERAS_ACTIVATION_MODELS = sorted(
    os.path.basename(p)[:-5] for p in glob.glob(path("keras", "act_*.json")) + glob.glob(path("keras", "last_*.json"))
)


def function(*args):
    try:
        return function(*args)
    except neuron.FormatError as error:
        if "activation registry" in str(error) or "unknown activation" in str(error):
            pytest.skip(str(error))
        raise


@pytest.mark.parametrize("name", KERAS_ACTIVATION_MODELS)
def test_keras_activation_models_match_exact(name):
    fixture = load_json("keras", name + ".json")
    model = from_keras(fixture["layers"], fixture["weights"])
    assert_close(model.predict(fixture["inputs"]), expected_exact(name, fixture), EXACT, name)


@pytest.mark.parametrize("name", ["act_relu", "act_sigmoid", "last_softmax"])
def test_keras_weights_from_npz(name):
    fixture = load_json("keras", name + ".json")
    arrays = neuron.formats.read_arrays(path("keras", name + ".npz"))
    model = from_keras(fixture["layers"], arrays)
    assert_close(model.predict(fixture["inputs"]), fixture["expected_exact"], EXACT, name)


def test_layers_mix():
    fixture = load_json("keras", "layers_mix.json")
    model = from_keras(keras_config("keras", "layers_mix.keras"), fixture["weights"])
    kinds = [layer.kind for layer in model.layers]
    assert kinds == ["Dense", "LeakyReLU", "BatchNormalization", "Dropout", "Dense", "ReLU", "Dense", "ELU",
                     "Dense", "PReLU", "Dense", "Activation", "Dense", "Softmax"]
    assert_close(model.predict(fixture["inputs"]), fixture["expected_f64"], LOOSE, "layers_mix")


def test_coffee_from_config_json_and_weights():
    fixture = load_json("keras", "coffee.json")
    model = from_keras(keras_config("keras", "coffee.keras"), fixture["weights"])
    assert [layer.name for layer in model.layers] == ["normalization_1", "layer1", "layer2"]
    assert_close(model.predict(fixture["inputs"]), fixture["expected_f64"], F64, "coffee")
    X, _ = coffee_data()
    assert_close(model.predict(X), fixture["train_expected_f64"], F64, "coffee training rows")


def test_coffee_from_npz():
    model = from_keras(keras_config("keras", "coffee.keras"), neuron.formats.read_arrays(path("keras", "coffee.npz")))
    fixture = load_json("keras", "coffee.json")
    assert_close(model.predict(fixture["inputs"]), fixture["expected_f64"], F64, "coffee")


def _digits_model(weights):
    return from_keras(keras_config("digits", "digits.keras"), weights)


def test_digits_matches_keras_and_reaches_its_accuracy():
    fixture = load_json("digits", "digits.json")
    model = _digits_model(fixture["weights"])
    rows, labels = digits_test_rows()
    assert len(rows) == 297
    out = model.predict(rows)
    assert_close(out, fixture["expected_f64"], F64, "digits")
    assert neuron.accuracy(labels, neuron.argmax(out)) == fixture["test_accuracy_keras"]


def test_digits_from_npz():
    model = _digits_model(neuron.formats.read_arrays(path("digits", "digits.npz")))
    rows, _ = digits_test_rows()
    assert_close(model.predict(rows), load_json("digits", "digits.json")["expected_f64"], F64, "digits")


TORCH_MODELS = {"mlp_relu": F64, "mlp_sigmoid": F64, "mlp_mixed": LOOSE}  # mixed has GELU and LeakyReLU


@pytest.mark.parametrize("name", sorted(TORCH_MODELS))
def test_torch_from_state_dict_lists(name):
    fixture = load_json("torch", name + ".json")
    model = from_torch(fixture["state_dict"], fixture["model"])
    assert_close(model.predict(fixture["inputs"]), fixture["expected_f64"], TORCH_MODELS[name], name)


@pytest.mark.parametrize("name", sorted(TORCH_MODELS))
def test_torch_from_safetensors(name):
    fixture = load_json("torch", name + ".json")
    state = neuron.formats.read_arrays(path("torch", name + ".safetensors"))
    assert sorted(state) == sorted(fixture["state_dict_keys"])
    model = from_torch(state, fixture["model"])
    assert_close(model.predict(fixture["inputs"]), fixture["expected_f64"], TORCH_MODELS[name], name)


@pytest.mark.parametrize("name", ["clf_binary_logistic", "clf_multiclass_relu"])
def test_sklearn_classifiers(name):
    fixture = load_json("sklearn", name + ".json")
    model = from_sklearn(fixture)
    assert isinstance(model, neuron.Classifier)
    assert model.predict(fixture["inputs"]) == fixture["expected_predict"]
    assert_close(model.predict_proba(fixture["inputs"]), fixture["expected_predict_proba"], F64, name)


def test_sklearn_regressor():
    fixture = load_json("sklearn", "reg_tanh.json")
    model = from_sklearn(fixture)
    assert isinstance(model, neuron.Sequential)
    assert_close(model.predict(fixture["inputs"]), [[v] for v in fixture["expected_predict"]], F64, "reg_tanh")


@pytest.mark.parametrize("name", ["clf_binary_logistic", "clf_multiclass_relu", "reg_tanh"])
def test_sklearn_from_npz(name):
    fixture = load_json("sklearn", name + ".json")
    arrays = neuron.formats.read_arrays(path("sklearn", name + ".npz"))
    coefs = [arrays[k] for k in arrays if k.startswith("coef_")]
    intercepts = [arrays[k] for k in arrays if k.startswith("intercept_")]
    model = from_sklearn(coefs, intercepts, fixture["activation"], fixture["out_activation_"],
                            fixture.get("classes_"))
    if name == "reg_tanh":
        assert_close(model.predict(fixture["inputs"]), [[v] for v in fixture["expected_predict"]], F64, name)
    else:
        assert model.predict(fixture["inputs"]) == fixture["expected_predict"]
