"""neuron's JSON format: exact round trips, atomic saves, and refusal of broken files."""

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import neuron
from neuron.formats import native
from neuron.models import coffee

from fixtures import path

# Every finite float, subnormals and -0.0 included: repr must bring each back.
weights = st.floats(allow_nan=False, allow_infinity=False, width=64).filter(lambda v: abs(v) < 1e300)
small = st.floats(-1e3, 1e3, allow_nan=False)


@st.composite
def models(draw):
    n = draw(st.integers(1, 4))
    size = n
    layers = []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["Dense", "Dense", "Normalization", "BatchNormalization", "LeakyReLU",
                                     "ReLU", "ELU", "PReLU", "Softmax", "Dropout", "Flatten", "Activation"]))
        if kind == "Dense":
            units = draw(st.integers(1, 4))
            use_bias = draw(st.booleans())
            kernel = [[draw(weights) for _ in range(units)] for _ in range(size)]
            bias = [draw(weights) for _ in range(units)] if use_bias else None
            layers.append(neuron.Dense(units, draw(st.sampled_from(["linear", "relu", "sigmoid"])),
                                       kernel=kernel, bias=bias, use_bias=use_bias))
            size = units
        elif kind == "Normalization":
            layers.append(neuron.Normalization([draw(weights) for _ in range(size)],
                                               [draw(st.floats(0.0, 1e300)) for _ in range(size)]))
        elif kind == "BatchNormalization":
            center, scale = draw(st.booleans()), draw(st.booleans())
            layers.append(neuron.BatchNormalization(
                draw(st.floats(1e-9, 1.0)), center=center, scale=scale,
                gamma=[draw(small) for _ in range(size)] if scale else None,
                beta=[draw(small) for _ in range(size)] if center else None,
                moving_mean=[draw(small) for _ in range(size)],
                moving_variance=[draw(st.floats(0.0, 1e3)) for _ in range(size)]))
        elif kind == "LeakyReLU":
            layers.append(neuron.LeakyReLU(draw(st.floats(0.0, 1.0))))
        elif kind == "ReLU":
            layers.append(neuron.ReLU(draw(st.one_of(st.none(), st.floats(0.0, 10.0))),
                                      draw(st.floats(0.0, 1.0)), draw(st.floats(-1.0, 1.0))))
        elif kind == "ELU":
            layers.append(neuron.ELU(draw(st.floats(0.0, 2.0))))
        elif kind == "PReLU":
            layers.append(neuron.PReLU([draw(small) for _ in range(size)]))
        elif kind == "Softmax":
            layers.append(neuron.Softmax())
        elif kind == "Dropout":
            layers.append(neuron.Dropout(draw(st.floats(0.0, 0.9))))
        elif kind == "Flatten":
            layers.append(neuron.Flatten())
        else:
            layers.append(neuron.ActivationLayer(draw(st.sampled_from(["relu", "sigmoid", "linear"]))))
    if size != n or layers[0].input_size is None:
        pass
    return neuron.Sequential(layers), n


def same_bits(a, b):
    return len(a) == len(b) and all(repr(x) == repr(y) for x, y in zip(a, b))


@given(models(), st.lists(small, min_size=4, max_size=4))
def test_saved_and_loaded_models_predict_bit_for_bit_the_same(model_and_size, x):
    model, n = model_and_size
    again = native.loads(native.dumps(model))
    assert [layer.kind for layer in again.layers] == [layer.kind for layer in model.layers]
    assert again.get_weights() == model.get_weights()
    out, back = model(x[:n], allow_nonfinite=True), again(x[:n], allow_nonfinite=True)
    assert same_bits(out, back)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(weights)
def test_every_float_survives_a_file(tmp_path, w):
    model = neuron.Sequential([neuron.Dense(1, kernel=[[w]], bias=[-w])])
    model.save(tmp_path / "m.json")
    again = neuron.load(tmp_path / "m.json")
    assert repr(again.layers[0].kernel[0][0]) == repr(w)
    assert repr(again.layers[0].bias[0]) == repr(-w)


def test_save_is_atomic_and_leaves_no_temporary_files(tmp_path):
    target = tmp_path / "coffee.json"
    target.write_text("the old model")
    os.chmod(target, 0o640)
    coffee().save(str(target))
    assert os.stat(target).st_mode & 0o777 == 0o640
    assert os.listdir(tmp_path) == ["coffee.json"]
    broken = neuron.Sequential([neuron.Dense(1, lambda z: z, kernel=[[1.0]])])
    with pytest.raises(neuron.NeuronError, match="registry"):
        broken.save(str(target))
    assert os.listdir(tmp_path) == ["coffee.json"]
    assert neuron.load(str(target))([200.0, 13.9]) == coffee()([200.0, 13.9])


def test_load_takes_a_path_bytes_or_a_binary_file(tmp_path):
    model = coffee()
    target = tmp_path / "coffee.json"
    model.save(target)
    x = [200.0, 13.9]
    with open(target, "rb") as f:
        from_file = neuron.load(f)
    assert neuron.load(str(target))(x) == neuron.load(target.read_bytes())(x) == from_file(x) == model(x)
    with open(target) as f, pytest.raises(TypeError, match="binary"):
        neuron.load(f)
    with pytest.raises(TypeError):
        neuron.load(42)


def test_shipped_native_coffee_file():
    model = neuron.load(path("native", "coffee.json"))
    assert model.metadata["input_names"] == ["temperature", "duration"]
    assert model.predict([[200.0, 13.9]]) == coffee().predict([[200.0, 13.9]])


def test_classifier_round_trip():
    model = neuron.Sequential([neuron.Dense(3, "linear", kernel=[[1.0, 2.0, 3.0]]), neuron.Softmax()])
    clf = neuron.Classifier(model, ["a", "b", "c"])
    again = native.loads(native.dumps(clf))
    assert isinstance(again, neuron.Classifier)
    assert again.kind == "multiclass" and again.classes == ["a", "b", "c"]
    assert again.predict([[1.0], [-1.0]]) == ["c", "a"]


def test_units_x_inputs_layout_is_read():
    doc = native.to_dict(neuron.Sequential([neuron.Dense(2, kernel=[[1.0, 2.0]], bias=[0.5, 0.25])]))
    dense = doc["layers"][0]
    dense["kernel_layout"] = "units x inputs"
    dense["kernel"] = [[1.0], [2.0]]
    assert native.from_dict(doc)([1.0]) == [1.5, 2.25]


# --- broken and hostile files ---------------------------------------------


def coffee_doc():
    return json.loads(native.dumps(coffee()))


def broken(change):
    doc = coffee_doc()
    change(doc)
    return json.dumps(doc).encode()


def set_in(keys, value):
    def change(doc):
        target = doc
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value
    return change


CASES = [
    (b"", "not valid JSON"),
    (b"{\"format\": \"neuron\", \"version\": 1, \"layers\": [", "not valid JSON"),
    (b"[1, 2]", "JSON object"),
    (broken(set_in(["format"], "keras")), "format"),
    (broken(set_in(["version"], 2)), "version 2"),
    (broken(set_in(["version"], "1")), "version"),
    (broken(set_in(["layers"], [])), "layers"),
    (broken(set_in(["layers", 1, "type"], "Conv2D")), "unknown layer type 'Conv2D'"),
    (broken(set_in(["layers", 1, "activation"], "swishy")), "swishy"),
    (broken(set_in(["layers", 1, "kernel", 0, 1], "0.29")), "kernel[0][1]: expected a finite number, got the string '0.29'"),
    (broken(set_in(["layers", 1, "kernel", 0], [1.0, 2.0])), "kernel[1]: expected 2 numbers like row 0, got a list of 3"),
    (broken(set_in(["layers", 1, "kernel_layout"], "rows")), "kernel_layout"),
    (broken(set_in(["layers", 1, "units"], 4)), "4 columns"),
    (broken(set_in(["layers", 2, "kernel"], [[1.0], [2.0]])), "expects 2 inputs"),
    (broken(set_in(["layers", 1, "bias"], [1.0])), "bias"),
    (broken(set_in(["layers", 0, "variance", 0], -1.0)), "negative"),
    (broken(set_in(["layers", 1, "use_bias"], "yes")), "use_bias"),
    (broken(set_in(["metadata"], {"input_names": ["one"]})), "input_names"),
    (b'{"format": "neuron", "version": 1, "layers": [{"type": "Dense", "units": 1, "activation": "linear",'
     b' "kernel_layout": "inputs x units", "kernel": [[NaN]], "bias": [0.0]}]}', "finite"),
    (b'{"format": "neuron", "version": 1, "layers": [{"type": "Dense", "units": 1, "activation": "linear",'
     b' "kernel_layout": "inputs x units", "kernel": [[1e400]], "bias": [0.0]}]}', "finite"),
    (b"[" * 100000 + b"]" * 100000, ""),
    (b"\xff\xfe{}", "UTF-8"),
]


@pytest.mark.parametrize("data, message", CASES)
def test_broken_files_raise_format_error_naming_file_and_entry(data, message):
    with pytest.raises(neuron.FormatError) as caught:
        native.loads(data, "model.json")
    text = str(caught.value)
    assert text.startswith("model.json: ")
    assert message in text


def test_errors_name_the_layer_entry():
    data = broken(set_in(["layers", 1, "kernel", 0, 1], True))
    with pytest.raises(neuron.FormatError) as caught:
        native.loads(data, "m.json")
    assert caught.value.source == "m.json"
    assert caught.value.entry == "layers[1] (Dense 'layer1').kernel[0][1]"


@given(st.binary(max_size=200))
def test_random_bytes_only_raise_format_error(data):
    with pytest.raises(neuron.FormatError):
        native.loads(data, "random.json")


VALID = native.dumps(coffee()).encode()


@given(st.data())
def test_corrupted_files_load_or_raise_format_error(data):
    blob = bytearray(VALID)
    for _ in range(data.draw(st.integers(1, 4))):
        action = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        at = data.draw(st.integers(0, max(len(blob) - 1, 0)))
        if action == "flip" and blob:
            blob[at] = data.draw(st.integers(0, 255))
        elif action == "cut":
            del blob[at:at + data.draw(st.integers(1, 50))]
        else:
            blob[at:at] = data.draw(st.sampled_from([b"\"x\"", b"null", b"[", b"1e999", b"-", b"true", b","]))
    try:
        model = native.loads(bytes(blob), "corrupt.json")
    except neuron.FormatError:
        return
    assert isinstance(model, (neuron.Sequential, neuron.Classifier))


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10, 10 ** 30), st.floats(), st.text(max_size=5)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=6,
)


def leaf_paths(value, prefix=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaf_paths(item, prefix + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from leaf_paths(item, prefix + (i,))
    yield prefix


PATHS = [p for p in leaf_paths(coffee_doc()) if p]


@given(st.sampled_from(PATHS), json_values)
def test_any_entry_replaced_by_any_json_value_loads_or_raises_format_error(where, value):
    doc = coffee_doc()
    set_in(list(where), value)(doc)
    try:
        model = native.from_dict(doc, "edited.json")
    except neuron.FormatError:
        return
    assert isinstance(model, (neuron.Sequential, neuron.Classifier))


# -- what the hostile tester found -------------------------------------------------


def _one_dense(activation="leaky_relu"):
    return native.dumps(neuron.Sequential([neuron.Dense(1, activation, kernel=[[1.0]], name="d")]))


def test_a_key_twice_is_refused_naming_the_key():
    # json.loads keeps the last of two equal keys, silently.
    text = _one_dense().replace('"units": 1,', '"units": 1, "units": 2,')
    with pytest.raises(neuron.FormatError, match="m.json: units: the key 'units' appears twice"):
        native.loads(text, "m.json")


@pytest.mark.parametrize("old,new,key,constant", [
    ("[1.0]", "[NaN]", "kernel", "NaN"),
    ('"bias": [0.0]', '"bias": [-Infinity]', "bias", "-Infinity"),
    ('"name": "sequential",', '"name": "sequential", "metadata": {"x": {"y": [[Infinity]]}},', "y", "Infinity"),
    ('"activation": "leaky_relu",', '"activation": "leaky_relu", "activation_params": {"negative_slope": NaN},',
     "negative_slope", "NaN"),
])
def test_nan_and_infinity_constants_are_refused_anywhere(old, new, key, constant):
    text = _one_dense().replace(old, new)
    assert text != _one_dense()
    with pytest.raises(neuron.FormatError, match="m.json: %s: %s is not JSON" % (key, constant)):
        native.loads(text, "m.json")
    with pytest.raises(neuron.FormatError, match="m.json: NaN is not JSON"):
        native.loads("NaN", "m.json")


@pytest.mark.parametrize("activation,params,expected", [
    ("leaky_relu", '{"negative_slope": null}', "a number"),
    ("leaky_relu", '{"negative_slope": true}', "a number"),
    ("leaky_relu", '{"negative_slope": 1e400}', "a finite number"),
    ("relu", '{"max_value": false}', "a number"),
    ("gelu", '{"approximate": null}', "true or false"),
    ("threshold", '{"threshold": null, "default_value": 0}', "a number"),
])
def test_activation_params_of_the_wrong_kind_are_format_errors(activation, params, expected):
    text = _one_dense().replace('"activation": "leaky_relu",',
                                '"activation": "%s", "activation_params": %s,' % (activation, params))
    with pytest.raises(neuron.FormatError, match=r"m.json: layers\[0\] \(Dense 'd'\)\.activation_params\.\w+: "
                       "expected %s" % expected):
        native.loads(text, "m.json")


def test_activation_params_that_are_fine_still_load():
    text = _one_dense().replace('"activation": "leaky_relu",',
                                '"activation": "relu", "activation_params": {"max_value": null},')
    assert native.loads(text).layers[0].activation.name == "relu"


@pytest.mark.parametrize("metadata,error,words", [
    ("x", TypeError, "metadata must be a dict"),
    ({1: 2}, TypeError, "metadata has the key 1 .int.; JSON keys are strings"),
    ({"a": [1, {"b": object()}]}, TypeError, r"metadata.a\[1\].b is a object"),
    ({"a": float("nan")}, neuron.NeuronError, "metadata.a is nan"),
    ({"input_names": ["a", "b"]}, neuron.NeuronError, "metadata.input_names: expected 1 entries"),
])
def test_save_checks_metadata_before_writing(tmp_path, metadata, error, words):
    model = neuron.Sequential([neuron.Dense(1, kernel=[[1.0]])])
    model.metadata = metadata
    target = tmp_path / "m.json"
    with pytest.raises(error, match="save: " + words):
        model.save(str(target))
    assert not target.exists() and os.listdir(str(tmp_path)) == []


def test_save_takes_str_and_path_like_only(tmp_path):
    model = neuron.Sequential([neuron.Dense(1, kernel=[[1.0]])])
    model.save(tmp_path / "a.json")
    assert neuron.load(str(tmp_path / "a.json")).predict([[2.0]]) == [[2.0]]
    for bad in (os.fsencode(str(tmp_path / "b.json")), 5):
        with pytest.raises(TypeError, match="save: path must be a str or an os.PathLike, got %s"
                           % type(bad).__name__):
            model.save(bad)

    class BytesPath:
        def __fspath__(self):
            return os.fsencode(str(tmp_path / "c.json"))

    with pytest.raises(TypeError, match="save: path must name the file as text"):
        model.save(BytesPath())
    assert sorted(os.listdir(str(tmp_path))) == ["a.json"]


def test_a_size_of_thousands_of_digits_is_a_format_error():
    # Checked, not changed: CPython 3.11+'s json refuses ints of more than 4300 digits.
    text = _one_dense().replace('"units": 1,', '"units": %s,' % ("9" * 5000))
    with pytest.raises(neuron.FormatError, match="m.json: not valid JSON"):
        native.loads(text, "m.json")
