"""Tests for neuron.formats.hdf5, the pure-Python HDF5 reader.

Three kinds of check:

* oracles: files written by h5py (tests/data/hdf5, made by
  tools/make_h5_fixtures.py) and by Keras 3 (tests/data/keras), compared
  with the values recorded beside them;
* targeted hostile inputs: a cycle, a dataspace far larger than the file,
  an address past the end, an unknown "must understand" message;
* fuzzing: random bytes, truncations and byte flips of the fixtures may
  raise FormatError and nothing else.
"""

import json
import os
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neuron.errors import FormatError
from neuron.formats import hdf5
from neuron.formats.hdf5 import Dataset, Group, open_hdf5

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
H5_DIR = os.path.join(DATA, "hdf5")
KERAS_DIR = os.path.join(DATA, "keras")
SHARED = "/work/shared/fixtures"

GENERATED = ["basic_v0", "v108", "latest", "keras2_coffee",
             "keras2_hard_sigmoid"]


def _read(path):
    with open(path, "rb") as handle:
        return handle.read()


def _open(name):
    return open_hdf5(_read(os.path.join(H5_DIR, name + ".h5")), name + ".h5")


def _expected(name):
    with open(os.path.join(H5_DIR, name + ".json")) as handle:
        return json.load(handle)


# --------------------------------------------------------------------------
# Files written by h5py
# --------------------------------------------------------------------------

@pytest.mark.parametrize("name, version", [
    ("basic_v0", 0), ("v108", 2), ("latest", 3), ("keras2_coffee", 0)])
def test_fixtures_cover_each_superblock_version(name, version):
    assert _read(os.path.join(H5_DIR, name + ".h5"))[8] == version


@pytest.mark.parametrize("name", GENERATED)
def test_every_dataset_reads_as_recorded(name):
    root = _open(name)
    for path, want in _expected(name)["datasets"].items():
        dataset = root[path]
        assert isinstance(dataset, Dataset)
        assert dataset.shape == tuple(want["shape"]), path
        assert dataset.dtype == want["dtype"], path
        array = dataset.read()
        assert array.shape == tuple(want["shape"]), path
        assert array.tolist() == want["values"], path


@pytest.mark.parametrize("name", GENERATED)
def test_every_attribute_decodes_as_recorded(name):
    root = _open(name)
    for path, want in _expected(name)["attrs"].items():
        assert root[path].attrs == want, path


@pytest.mark.parametrize("name", GENERATED)
def test_walk_lists_every_dataset_once_in_sorted_order(name):
    expected = _expected(name)
    want = sorted(set(expected["datasets"]) | set(expected["errors"]))
    paths = [path for path, _ in _open(name).walk()]
    assert paths == want


@pytest.mark.parametrize("name", ["basic_v0", "v108", "latest"])
@pytest.mark.parametrize("path", ["chunked", "gzipped"])
def test_chunked_and_compressed_datasets_are_refused_by_name(name, path):
    dataset = _open(name)[path]
    assert dataset.shape == (10,) and dataset.dtype == "float32"
    with pytest.raises(FormatError) as info:
        dataset.read()
    message = str(info.value)
    assert "chunked/compressed dataset layout is not supported" in message
    assert message.startswith(name + ".h5: /" + path + ": ")


@pytest.mark.parametrize("name", ["basic_v0", "v108", "latest"])
def test_paths_soft_links_and_membership(name):
    root = _open(name)
    assert root.keys() == sorted(root.keys())
    assert "outer" in root and "nowhere" not in root
    assert root["outer"]["inner/cube_f8"].name == "/outer/inner/cube_f8"
    assert root["outer/inner"]["/scalar_i8"].read().tolist() == 42
    assert root["outer/soft_to_one"].read().tolist() == [1.5]
    assert isinstance(root["empty"], Group) and root["empty"].keys() == []
    with pytest.raises(KeyError):
        root["outer/missing"]
    with pytest.raises(KeyError):
        root["scalar_i8/below_a_dataset"]
    with pytest.raises(TypeError):
        root[0]


def test_dense_link_storage_and_deep_name_index():
    root = _open("latest")
    assert root["many"].keys() == ["item%02d" % i for i in range(20)]
    deep = root["deep_index"]
    assert deep.keys() == ["link%03d" % i for i in range(120)]
    assert deep["link119"].read().tolist() == 42


def test_group_cycle_is_a_format_error_naming_the_link():
    root = _open("cycle")
    assert root["a/b/back_to_a/b/data"].read().tolist() == [1.0]
    with pytest.raises(FormatError, match=r"/a/b/back_to_a: group cycle"):
        list(root.walk())


def test_not_hdf5_and_wrong_type():
    with pytest.raises(FormatError, match="x.h5: /: not an HDF5 file"):
        open_hdf5(b"PK\x03\x04 a zip, not HDF5", source="x.h5")
    with pytest.raises(TypeError):
        open_hdf5("a str is not bytes")
    root = open_hdf5(bytearray(_read(os.path.join(H5_DIR, "cycle.h5"))))
    assert root.keys() == ["a"]


# --------------------------------------------------------------------------
# Legacy Keras 2 layout, read the way a loader would
# --------------------------------------------------------------------------

def _keras2_weights(root):
    """Weights in Keras 2 get_weights() order, found via the name attributes."""
    group = root["model_weights"]
    weights = []
    for layer in group.attrs["layer_names"]:
        for weight_name in group[layer].attrs["weight_names"]:
            weights.append(group[layer][weight_name].read().tolist())
    return weights


@pytest.mark.parametrize("name, source", [
    ("keras2_coffee", "coffee.json"),
    ("keras2_hard_sigmoid", "act_hard_sigmoid.json")])
def test_keras2_imitation_reads_like_a_loader_would(name, source):
    root = _open(name)
    assert root.attrs["keras_version"] == "2.13.1"
    assert root.attrs["backend"] == "tensorflow"
    config = json.loads(root.attrs["model_config"])
    assert config["class_name"] == "Sequential"
    with open(os.path.join(KERAS_DIR, source)) as handle:
        assert _keras2_weights(root) == json.load(handle)["weights"]


# --------------------------------------------------------------------------
# Keras 3 files
# --------------------------------------------------------------------------

def _keras3_weights(root, config):
    """Weights in get_weights() order: layers in config order, vars 0, 1, ...

    Keras 3 names each layer's group after its class, but records the
    layer's own name in the ``name`` attribute of ``vars``; that attribute
    (a variable-length string) ties the groups to config.json.
    """
    by_name = {}
    for group_name in root["layers"].keys():
        variables = root["layers"][group_name]["vars"]
        by_name[variables.attrs["name"]] = variables
    weights = []
    for layer in config["config"]["layers"]:
        variables = by_name.get(layer["config"]["name"])
        if variables is None:
            continue
        for index in sorted(variables.keys(), key=int):
            weights.append(variables[index].read().tolist())
    return weights


def _keras_cases(folder):
    cases = []
    if not os.path.isdir(folder):
        return cases
    for name in sorted(os.listdir(folder)):
        stem, ext = os.path.splitext(name)
        if ext == ".keras" or name.endswith(".weights.h5"):
            stem = name[:-len(".weights.h5")] if ext == ".h5" else stem
            if os.path.exists(os.path.join(folder, stem + ".json")):
                cases.append((folder, name, stem))
    return cases


def _check_keras_file(folder, name, stem):
    with zipfile.ZipFile(os.path.join(folder, stem + ".keras")) as archive:
        config = json.loads(archive.read("config.json"))
        if name.endswith(".keras"):
            data = archive.read("model.weights.h5")
        else:
            data = _read(os.path.join(folder, name))
    with open(os.path.join(folder, stem + ".json")) as handle:
        want = json.load(handle)["weights"]
    root = open_hdf5(data, name)
    # The json holds float32 values printed as float64, so equality is exact.
    assert _keras3_weights(root, config) == want
    for path, dataset in root.walk():
        assert dataset.dtype in ("float32", "int64"), path


@pytest.mark.parametrize("folder, name, stem", _keras_cases(KERAS_DIR))
def test_keras3_weights_match_reference(folder, name, stem):
    _check_keras_file(folder, name, stem)


def test_keras3_walk_lists_weight_paths():
    root = open_hdf5(_read(os.path.join(KERAS_DIR, "coffee.weights.h5")))
    assert [path for path, _ in root.walk()] == [
        "layers/dense/vars/0", "layers/dense/vars/1",
        "layers/dense_1/vars/0", "layers/dense_1/vars/1",
        "layers/normalization/vars/0", "layers/normalization/vars/1",
        "layers/normalization/vars/2"]
    assert root["layers/normalization/vars/2"].shape == ()


SHARED_CASES = (_keras_cases(os.path.join(SHARED, "keras"))
                + _keras_cases(os.path.join(SHARED, "digits")))


@pytest.mark.skipif(not SHARED_CASES, reason="shared fixtures not present")
@pytest.mark.parametrize("folder, name, stem", SHARED_CASES)
def test_every_shared_keras_fixture_matches_reference(folder, name, stem):
    _check_keras_file(folder, name, stem)


# --------------------------------------------------------------------------
# Targeted hostile input
# --------------------------------------------------------------------------

def _message_of(root, path, message_type):
    obj = root[path]
    return hdf5._find(obj._messages, message_type)


def _patched(name, pos, new_bytes):
    data = bytearray(_read(os.path.join(H5_DIR, name + ".h5")))
    data[pos:pos + len(new_bytes)] = new_bytes
    return bytes(data)


@pytest.mark.parametrize("name", ["basic_v0", "latest"])
def test_dataspace_far_larger_than_the_file_is_refused_before_allocating(name):
    space = _message_of(_open(name), "outer/matrix_f4", hdf5._MSG_DATASPACE)
    # Both fixtures write dataspace version 1 or 2; the first dimension
    # starts 8 (v1) or 4 (v2) bytes into the message.
    version = _read(os.path.join(H5_DIR, name + ".h5"))[space.pos]
    first_dim = space.pos + (8 if version == 1 else 4)
    data = _patched(name, first_dim, (10 ** 12).to_bytes(8, "little"))
    dataset = open_hdf5(data, "big.h5")["outer/matrix_f4"]
    assert dataset.shape == (10 ** 12, 4)
    with pytest.raises(FormatError, match="big.h5: /outer/matrix_f4: .*needs"):
        dataset.read()


def test_data_address_past_the_end_is_refused():
    layout = _message_of(_open("basic_v0"), "outer/matrix_f4",
                         hdf5._MSG_LAYOUT)
    # Layout version 3, class 1 (contiguous): the address follows 2 bytes.
    data = _patched("basic_v0", layout.pos + 2, (2 ** 40).to_bytes(8, "little"))
    with pytest.raises(FormatError, match="beyond the end of the file"):
        open_hdf5(data, "far.h5")["outer/matrix_f4"].read()


def test_unknown_must_understand_message_is_refused():
    space = _message_of(_open("basic_v0"), "outer/matrix_f4",
                        hdf5._MSG_DATASPACE)
    # Version 1 message header: type (2 bytes), size (2), flags (1), 3 spare.
    data = _patched("basic_v0", space.pos - 8, b"\x99\x00")
    data = data[:space.pos - 4] + b"\x80" + data[space.pos - 3:]
    with pytest.raises(FormatError, match="type 153 .*must understand"):
        open_hdf5(data, "odd.h5")["outer/matrix_f4"]


def test_unsupported_datatype_class_is_named():
    datatype = _message_of(_open("basic_v0"), "outer/matrix_f4",
                           hdf5._MSG_DATATYPE)
    data = _patched("basic_v0", datatype.pos, b"\x16")  # version 1, compound
    with pytest.raises(FormatError, match="matrix_f4: compound datatype"):
        open_hdf5(data, "odd.h5")["outer/matrix_f4"]


# --------------------------------------------------------------------------
# Fuzzing: only FormatError may escape
# --------------------------------------------------------------------------

FUZZ_FILES = ["basic_v0", "latest", "keras2_coffee", "cycle"]
FUZZ_DATA = {name: _read(os.path.join(H5_DIR, name + ".h5"))
             for name in FUZZ_FILES}


def _exercise(data):
    """Open, list, read and decode everything; return nothing."""
    try:
        root = open_hdf5(data, "fuzz.h5")
    except FormatError:
        return
    # A fuzzed file may link many names to one big group; visiting each
    # group once and capping the lookups keeps every example fast.
    stack, seen, budget = [root], set(), 2000
    while stack and budget > 0:
        group = stack.pop()
        if group._pos in seen:
            continue
        seen.add(group._pos)
        try:
            group.attrs
            names = group.keys()
        except FormatError:
            continue
        for name in names[:budget]:
            budget -= 1
            try:
                member = group[name]
            except (FormatError, KeyError):
                # KeyError: a fuzzed soft link may point nowhere, which is a
                # legal (dangling) link, not a broken file.
                continue
            if isinstance(member, Group):
                stack.append(member)
            else:
                for action in (member.read, lambda: member.attrs):
                    try:
                        action()
                    except FormatError:
                        pass
    try:
        for _, dataset in root.walk():
            try:
                dataset.read()
            except FormatError:
                pass
    except FormatError:
        pass


FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.binary(max_size=2048))
def test_fuzz_random_bytes(data):
    _exercise(data)


@FUZZ
@given(st.binary(max_size=600))
def test_fuzz_random_bytes_after_a_valid_signature(tail):
    _exercise(hdf5._SIGNATURE + tail)


@FUZZ
@given(st.sampled_from(FUZZ_FILES), st.data())
def test_fuzz_truncations(name, draw):
    data = FUZZ_DATA[name]
    _exercise(data[:draw.draw(st.integers(0, len(data) - 1))])


def test_truncation_at_many_lengths():
    data = FUZZ_DATA["cycle"]
    for length in range(0, len(data), 7):
        _exercise(data[:length])


@FUZZ
@given(st.sampled_from(FUZZ_FILES), st.data())
def test_fuzz_byte_flips(name, draw):
    data = bytearray(FUZZ_DATA[name])
    flips = draw.draw(st.lists(st.tuples(st.integers(0, len(data) - 1),
                                         st.integers(0, 255)),
                               min_size=1, max_size=8))
    for pos, value in flips:
        data[pos] = value
    _exercise(bytes(data))


@FUZZ
@given(st.sampled_from(FUZZ_FILES), st.data())
def test_fuzz_metadata_flips(name, draw):
    # Flips aimed at the first 2 KB, where superblock, root header and most
    # group structures live, so fewer examples land in plain data.
    data = bytearray(FUZZ_DATA[name])
    flips = draw.draw(st.lists(st.tuples(st.integers(0, 2047),
                                         st.integers(0, 255)),
                               min_size=1, max_size=4))
    for pos, value in flips:
        data[pos] = value
    _exercise(bytes(data))
