"""Keras's own files: .keras archives, .weights.h5 and legacy .h5, read with no dependencies.

Tolerances (tests/tolerance.py's error measure, as in test_fixtures.py):
``expected_exact`` within 1e-11 where a fixture has it, otherwise Keras's
float64 re-run ``expected_f64`` within 1e-12, or 1e-6 for models with gelu
or a LeakyReLU layer (Keras's own float64 is only that exact there).
Fixtures whose activations the registry lacks are skipped until the acts
branch registers them.
"""

import glob
import io
import json
import os
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import neuron
import neuron.convert
from neuron.formats.keras import keras_layer_paths, load_keras, to_snake_case
from neuron.models import coffee_data

from fixtures import digits_test_rows, load_json, path, read_bytes
from tolerance import assert_close

EXACT = 1e-11
F64 = 1e-12
LOOSE = 1e-6

KERAS_FILES = sorted(os.path.basename(p)[:-6] for p in glob.glob(path("keras", "*.keras")))


def load_or_skip(source, **kwargs):
    try:
        return neuron.load(source, **kwargs)
    except neuron.FormatError as error:
        if "activation registry" in str(error):
            pytest.skip(str(error))
        raise


def reference(fixture, name):
    """(expected rows, tolerance) by the issue's rule."""
    if "expected_exact" in fixture:
        expected = fixture["expected_exact"]
        if name == "act_mish":
            # Fixture erratum: row 2's 60-digit tanh cancelled to exactly 0,
            # so expected_exact holds [0, 0, 0] where the true values are
            # about -1.165e-173, ...; Keras's float64 run has them right.
            expected = list(expected)
            expected[2] = fixture["expected_f64"][2]
        return expected, EXACT
    loose = name == "layers_mix" or any(
        "gelu" in json.dumps(layer) or "LeakyReLU" in json.dumps(layer)
        for layer in fixture.get("layers", []))
    return fixture["expected_f64"], LOOSE if loose else F64


def test_every_reference_keras_fixture_is_here():
    assert len(KERAS_FILES) == 32
    assert os.path.exists(path("digits", "digits.keras"))


@pytest.mark.parametrize("name", KERAS_FILES)
def test_every_keras_file_loads_and_matches_keras(name):
    fixture = load_json("keras", name + ".json")
    model = load_or_skip(path("keras", name + ".keras"))
    expected, tolerance = reference(fixture, name)
    assert_close(model.predict(fixture["inputs"]), expected, tolerance, name)
    assert model.metadata["source"] == "keras 3.15.1"


def test_coffee_keras_reproduces_keras_on_the_roasts():
    model = neuron.load(path("keras", "coffee.keras"))
    fixture = load_json("keras", "coffee.json")
    assert [layer.name for layer in model.layers] == ["normalization_1", "layer1", "layer2"]
    assert_close(model.predict(fixture["inputs"]), fixture["expected_f64"], F64, "coffee")
    X, _ = coffee_data()
    assert_close(model.predict(X), fixture["train_expected_f64"], F64, "coffee training rows")


def test_load_takes_bytes_and_file_objects():
    data = read_bytes("keras", "coffee.keras")
    for source in (data, io.BytesIO(data), bytearray(data)):
        model = neuron.load(source)
        assert model([200.0, 13.9]) == neuron.load(path("keras", "coffee.keras"))([200.0, 13.9])


def test_digits_keras_reaches_keras_accuracy():
    fixture = load_json("digits", "digits.json")
    model = load_or_skip(path("digits", "digits.keras"))
    rows, labels = digits_test_rows()
    out = model.predict(rows)
    assert_close(out, fixture["expected_f64"], F64, "digits")
    assert neuron.accuracy(labels, neuron.argmax(out)) == fixture["test_accuracy_keras"]


def test_predict_command_reads_a_keras_file(capsys):
    from neuron.cli import main

    assert main(["predict", path("keras", "coffee.keras"), "--row", "200,13.9"]) == 0
    out = capsys.readouterr().out
    assert "0.9625116247" in out


# --- the naming rule ----------------------------------------------------------


def test_snake_case_follows_keras():
    assert to_snake_case("PReLU") == "p_re_lu"
    assert to_snake_case("LeakyReLU") == "leaky_re_lu"
    assert to_snake_case("ReLU") == "re_lu"
    assert to_snake_case("InputLayer") == "input_layer"
    assert to_snake_case("Conv2DTranspose") == "conv2d_transpose"  # digits stay with their word
    assert to_snake_case("My-Layer!") == "my_layer"


def test_paths_count_each_class_separately_and_skip_sequential_input():
    kinds = ["InputLayer", "Dense", "ReLU", "Dense", "PReLU", "Dense", "ReLU"]
    assert keras_layer_paths(kinds) == [
        None, "layers/dense", "layers/re_lu", "layers/dense_1", "layers/p_re_lu", "layers/dense_2",
        "layers/re_lu_1"]
    assert keras_layer_paths(kinds, sequential=False)[0] == "layers/input_layer"


def test_layers_mix_reads_weightless_and_numbered_layers():
    # Dense x6 (dense .. dense_5), PReLU under p_re_lu, BatchNormalization
    # with 4 arrays, and groups for Dropout, ReLU, ... that hold nothing.
    model = load_or_skip(path("keras", "layers_mix.keras"))
    fixture = load_json("keras", "layers_mix.json")
    got = model.get_weights()
    assert len(got) == len(fixture["weights"])
    for mine, theirs in zip(got, fixture["weights"]):
        assert mine == theirs


# --- Functional, legacy .h5 and the tf.keras 2.13 layout (written by Keras) ----


def test_functional_chain_in_every_layout():
    fixture = load_json("keras_written", "functional_chain.json")
    for name in ("functional_chain.keras", "functional_chain.h5"):
        model = neuron.load(path("keras_written", name))
        assert [layer.kind for layer in model.layers] == fixture["layers"][1:]
        assert_close(model.predict(fixture["inputs"]), fixture["expected_f64"], F64, name)
    for name in ("functional_chain.weights.h5", "functional_chain.legacy_weights.h5",
                 "functional_chain.keras", "functional_chain.h5"):
        model = neuron.load(path("keras_written", "functional_chain.keras"))
        model.set_weights([_zeros_like(w) for w in model.get_weights()])
        model.load_weights(path("keras_written", name))
        assert_close(model.predict(fixture["inputs"]), fixture["expected_f64"], F64, name)


def _zeros_like(value):
    if isinstance(value, list):
        return [_zeros_like(v) for v in value]
    return 0.0 if isinstance(value, float) else value


def test_legacy_h5_from_keras3_reads_hard_sigmoid_as_keras3():
    fixture = load_json("keras_written", "hard_sigmoid_k3.json")
    model = load_or_skip(path("keras_written", "hard_sigmoid_k3.h5"))
    assert model.metadata["source"] == "keras 3.15.1"
    assert_close(model.predict(fixture["inputs"]), fixture["expected_f64"], F64, "hard_sigmoid_k3")


def test_tf213_weight_layout_reads_like_keras3():
    model = neuron.load(path("keras_written", "coffee_tf213.keras"))
    fixture = load_json("keras", "coffee.json")
    assert_close(model.predict(fixture["inputs"]), fixture["expected_f64"], F64, "coffee_tf213")


def test_keras2_imitation_gives_the_coffee_predictions():
    model = neuron.load(path("hdf5", "keras2_coffee.h5"))
    assert model.metadata["source"] == "keras 2.13.1"
    fixture = load_json("keras", "coffee.json")
    assert_close(model.predict(fixture["inputs"]), fixture["expected_f64"], F64, "keras2_coffee")


def test_keras2_hard_sigmoid_is_the_keras2_formula():
    model = load_or_skip(path("hdf5", "keras2_hard_sigmoid.h5"))
    assert [layer.activation.name for layer in model.layers] == ["keras2.hard_sigmoid"] * 2
    fixture = load_json("keras", "act_hard_sigmoid.json")
    # The same weights, computed with clip(0.2 z + 0.5, 0, 1) layer by layer.
    for x in fixture["inputs"]:
        values = x
        for layer in model.layers:
            z = [sum(w * v for w, v in zip(column, values)) + b
                 for column, b in zip(zip(*layer.kernel), layer.bias)]
            values = [min(1.0, max(0.0, 0.2 * zj + 0.5)) for zj in z]
        assert_close([model(x)], [values], 1e-15, "keras2 hard_sigmoid")


def _hard_sigmoid_names(data):
    model = load_or_skip(data)
    return [layer.activation.name for layer in model.layers], model.metadata


def test_legacy_h5_without_keras_version_is_read_as_keras2():
    # Renaming the attribute (same length, so the file stays valid) hides
    # the version; Keras 1 and 2 both meant the 0.2 z + 0.5 formula.
    data = read_bytes("hdf5", "keras2_hard_sigmoid.h5")
    names, metadata = _hard_sigmoid_names(data.replace(b"keras_version", b"keras_versioN"))
    assert names == ["keras2.hard_sigmoid"] * 2
    assert metadata["keras_version"] == "not recorded: read as Keras 2"
    names, metadata = _hard_sigmoid_names(data.replace(b"2.13.1", b"1.13.1"))
    assert names == ["keras2.hard_sigmoid"] * 2 and metadata["source"] == "keras 1.13.1"


def test_unsupported_layer_is_refused_by_name_and_class():
    with pytest.raises(neuron.FormatError, match="'layer_normalization' is a LayerNormalization"):
        neuron.load(path("keras_written", "unsupported.keras"))


# --- load_weights -------------------------------------------------------------


def coffee_model():
    fixture = load_json("keras", "coffee.json")
    return neuron.convert.from_keras(_coffee_config(), fixture["weights"])


def _coffee_config():
    with zipfile.ZipFile(path("keras", "coffee.keras")) as archive:
        return json.loads(archive.read("config.json"))


def test_load_weights_from_weights_h5():
    model = coffee_model()
    before = model([200.0, 13.9])
    model.set_weights([_zeros_like(w) for w in model.get_weights()])
    model.load_weights(path("keras", "coffee.weights.h5"))
    assert model([200.0, 13.9]) == before


def test_load_weights_refuses_a_shape_mismatch_naming_layer_and_dataset():
    from neuron.layers import Dense

    model = coffee_model()
    # Swap the first Dense for a 4-input one behind Sequential's back (its
    # own chain check would refuse it): the file's check is what is tested.
    first, _, last = model.layers
    model._layers = (first, Dense(3, "sigmoid", kernel=[[0.0] * 3] * 4, bias=[0.0] * 3, name="layer1"), last)
    with pytest.raises(neuron.FormatError, match=r"coffee.weights.h5: layers/dense/vars/0: "
                                                 r"Dense 'layer1' expects shape 4 x 3 for weight 0, the file has 2 x 3"):
        model.load_weights(path("keras", "coffee.weights.h5"))


def test_load_weights_from_another_architecture_changes_nothing():
    model = neuron.load(path("keras_written", "functional_chain.keras"))
    before = model.get_weights()
    with pytest.raises(neuron.FormatError, match="layers/dense/vars/0: Dense 'dense' expects shape 5 x 6"):
        model.load_weights(path("keras", "coffee.weights.h5"))
    assert model.get_weights() == before
    with pytest.raises(neuron.FormatError, match="layers/normalization/vars: Normalization 'normalization_1' "
                                                 "takes 3 weight arrays, the file has 0"):
        coffee_model().load_weights(path("keras_written", "functional_chain.weights.h5"))


def test_load_weights_refuses_weights_no_layer_reads():
    from neuron.sequential import Sequential

    model = coffee_model()
    # The same model without its last layer: layers/dense_1 is left over.
    shorter = Sequential(model.layers[:2])
    with pytest.raises(neuron.FormatError, match="layers/dense_1: holds weights that no layer"):
        shorter.load_weights(path("keras", "coffee.weights.h5"))


def test_load_refuses_weights_only_files_with_a_pointer():
    for name in (path("keras", "coffee.weights.h5"), path("keras_written", "functional_chain.legacy_weights.h5")):
        with pytest.raises(neuron.FormatError, match="weights only.*load_weights"):
            neuron.load(name)


# --- bad files -----------------------------------------------------------------


def _rezip(replace=None, drop=None, source=("keras", "coffee.keras")):
    out = io.BytesIO()
    with zipfile.ZipFile(path(*source)) as archive, zipfile.ZipFile(out, "w") as new:
        for name in archive.namelist():
            if name == drop:
                continue
            data = archive.read(name)
            if replace and name in replace:
                data = replace[name](data)
            new.writestr(name, data)
    return out.getvalue()


def test_missing_config_or_weights_is_named():
    with pytest.raises(neuron.FormatError, match="x.keras: the .keras archive has no config.json"):
        load_keras(_rezip(drop="config.json"), "x.keras")
    with pytest.raises(neuron.FormatError, match="has no model.weights.h5"):
        load_keras(_rezip(drop="model.weights.h5"), "x.keras")


def test_config_and_weights_from_different_models_disagree():
    other = read_bytes("keras", "act_relu.keras")
    with zipfile.ZipFile(io.BytesIO(other)) as archive:
        weights = archive.read("model.weights.h5")
    data = _rezip(replace={"model.weights.h5": lambda _: weights})
    with pytest.raises(neuron.FormatError, match=r"x.keras/model.weights.h5: layers/dense/vars: holds the "
                                                 r"weights of layer 'dense_4'.*'layer1'"):
        load_keras(data, "x.keras")


def test_renamed_layer_in_config_is_caught():
    def rename(raw):
        return raw.replace(b'"layer2"', b'"output"')

    with pytest.raises(neuron.FormatError, match="layers/dense_1/vars.*'layer2'.*'output'"):
        load_keras(_rezip(replace={"config.json": rename}), "x.keras")


def test_broken_json_and_truncated_zip():
    with pytest.raises(neuron.FormatError, match="config.json: expected JSON"):
        load_keras(_rezip(replace={"config.json": lambda raw: raw[:-5]}), "x.keras")
    data = read_bytes("keras", "coffee.keras")
    for cut in (10, len(data) // 2, len(data) - 30):
        with pytest.raises(neuron.FormatError, match="x.keras"):
            load_keras(data[:cut], "x.keras")


def test_damaged_keras_file_by_name_goes_to_the_keras_reader(tmp_path):
    target = tmp_path / "broken.keras"
    target.write_bytes(read_bytes("keras", "coffee.keras")[:200])
    with pytest.raises(neuron.FormatError, match="broken.keras: not a readable .keras"):
        neuron.load(str(target))


def test_hdf5_after_a_user_block_is_recognised():
    # A user block of 512 bytes in front: the superblock moves to 512 and
    # records that as its base address (superblock version 0 keeps the base
    # 24 bytes in), against which every other address counts.
    data = bytearray(b"\0" * 512 + read_bytes("hdf5", "keras2_coffee.h5"))
    assert neuron.formats._sniff(bytes(data)) == "keras"
    with pytest.raises(neuron.FormatError):
        neuron.load(bytes(data))  # the base still says 0: every address is off by 512
    data[512 + 24:512 + 32] = (512).to_bytes(8, "little")
    fixture = load_json("keras", "coffee.json")
    assert_close(neuron.load(bytes(data)).predict(fixture["inputs"]), fixture["expected_f64"], F64, "user block")


def test_not_a_model_hdf5_file():
    with pytest.raises(neuron.FormatError, match="not a Keras model: no model_config"):
        neuron.load(path("hdf5", "basic_v0.h5"))


# --- fuzzing: only FormatError ------------------------------------------------

COFFEE = read_bytes("keras", "coffee.keras")
with zipfile.ZipFile(io.BytesIO(COFFEE)) as _archive:
    COFFEE_WEIGHTS = _archive.read("model.weights.h5")

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _only_format_errors(data):
    try:
        model = load_keras(data, "fuzz.keras")
    except neuron.FormatError:
        return
    model.predict([[200.0, 13.9]], allow_nonfinite=True)


@FUZZ
@given(st.data())
def test_fuzz_zip_byte_flips(draw):
    data = bytearray(COFFEE)
    for _ in range(draw.draw(st.integers(1, 6))):
        data[draw.draw(st.integers(0, len(data) - 1))] = draw.draw(st.integers(0, 255))
    _only_format_errors(bytes(data))


@FUZZ
@given(st.data())
def test_fuzz_zip_truncations(draw):
    _only_format_errors(COFFEE[:draw.draw(st.integers(0, len(COFFEE) - 1))])


@FUZZ
@given(st.data())
def test_fuzz_inner_weights_then_rezipped(draw):
    weights = bytearray(COFFEE_WEIGHTS)
    for _ in range(draw.draw(st.integers(1, 6))):
        weights[draw.draw(st.integers(0, len(weights) - 1))] = draw.draw(st.integers(0, 255))
    if draw.draw(st.booleans()):
        weights = weights[:draw.draw(st.integers(0, len(weights)))]
    _only_format_errors(_rezip(replace={"model.weights.h5": lambda _: bytes(weights)}))


@FUZZ
@given(st.data())
def test_fuzz_config_json_edits(draw):
    def edit(raw):
        raw = bytearray(raw)
        for _ in range(draw.draw(st.integers(1, 4))):
            raw[draw.draw(st.integers(0, len(raw) - 1))] = draw.draw(st.sampled_from(b'{}[]",:0123456789 nulltrue'))
        return bytes(raw)

    _only_format_errors(_rezip(replace={"config.json": edit}))


@FUZZ
@given(st.data())
def test_fuzz_legacy_h5_flips(draw):
    data = bytearray(read_bytes("hdf5", "keras2_coffee.h5"))
    for _ in range(draw.draw(st.integers(1, 6))):
        data[draw.draw(st.integers(0, len(data) - 1))] = draw.draw(st.integers(0, 255))
    _only_format_errors(bytes(data))
