"""The safetensors reader and the PyTorch pickle refusal."""

import json
import struct

import pytest

from arrays_strategies import header_and_buffer, read_data, safetensors_bytes
from neuron.errors import FormatError
from neuron.formats.safetensors import read_safetensors
from neuron.formats.torch_pickle import looks_like_torch_pickle, refuse_torch_pickle

EXPECTED = json.loads(read_data("npy", "expected.json").decode("utf-8"))
TORCH_MODELS = ["mlp_mixed", "mlp_relu", "mlp_sigmoid"]


def exactly(values):
    return json.dumps(values)


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if n.endswith(".safetensors")))
def test_spec_written_fixture(name):
    expected = EXPECTED[name]
    tensors, metadata = read_safetensors(read_data("npy", name), source=name)
    assert metadata == expected["metadata"]
    assert sorted(tensors) == sorted(expected["arrays"])
    for key, array in tensors.items():
        want = expected["arrays"][key]
        assert (list(array.shape), array.dtype) == (want["shape"], want["dtype"])
        assert exactly(array.tolist()) == exactly(want["values"])


@pytest.mark.parametrize("model", TORCH_MODELS)
def test_torch_safetensors_match_state_dict(model):
    reference = json.loads(read_data("torch", model + ".json"))
    tensors, metadata = read_safetensors(read_data("torch", model + ".safetensors"))
    assert metadata == {"format": "pt"}
    assert sorted(tensors) == sorted(reference["state_dict_keys"])
    for key, values in reference["state_dict"].items():
        assert tensors[key].dtype == "float32"
        assert exactly(tensors[key].tolist()) == exactly(values)


# -- validation --------------------------------------------------------------------

F32_PAIR = struct.pack("<2f", 1.0, 2.0)


def entry(dtype="F32", shape=(2,), offsets=(0, 8)):
    return {"dtype": dtype, "shape": list(shape), "data_offsets": list(offsets)}


@pytest.mark.parametrize("header, buffer, words", [
    ({"w": entry(dtype="F8_E4M3")}, F32_PAIR, "w: unsupported dtype 'F8_E4M3'"),
    ({"w": entry(dtype=3)}, F32_PAIR, "unsupported dtype 3"),
    ({"w": entry(shape=(-2,))}, F32_PAIR, "w: shape must be"),
    ({"w": {"dtype": "F32", "shape": [True, 2], "data_offsets": [0, 8]}}, F32_PAIR, "shape"),
    ({"w": {"dtype": "F32", "shape": [2.0], "data_offsets": [0, 8]}}, F32_PAIR, "shape"),
    ({"w": entry(shape=(1,) * 65, offsets=(0, 4))}, F32_PAIR[:4], "axes"),
    ({"w": entry(offsets=(0, 4))}, F32_PAIR, "span 4 bytes"),
    ({"w": entry(offsets=(8, 0))}, F32_PAIR, "span -8 bytes"),
    ({"w": entry(offsets=(0,))}, F32_PAIR, "data_offsets must be"),
    ({"w": entry(offsets=(0, 8.0))}, F32_PAIR, "data_offsets must be"),
    ({"w": entry(offsets=(4, 12))}, F32_PAIR + F32_PAIR, "w: data_offsets [4, 12] leave a gap"),
    ({"w": entry(offsets=(0, 8))}, F32_PAIR + b"\x00", "use only 8"),
    ({"w": entry(offsets=(8, 16))}, F32_PAIR * 2, "gap"),
    ({"w": entry(shape=(10 ** 20,), offsets=(0, 4 * 10 ** 20))}, F32_PAIR, "w: data_offsets [0, 400000000000000000000] run past the end"),
    ({"a": entry(), "b": entry(offsets=(4, 12))}, F32_PAIR * 2, "b: data_offsets [4, 12] leave an overlap"),
    ({"a": entry(), "b": entry(offsets=(8, 16))}, F32_PAIR, "b: data_offsets [8, 16] run past the end of the 8-byte buffer"),
    ({"w": dict(entry(), extra=1)}, F32_PAIR, "exactly the keys"),
    ({"w": [1, 2]}, F32_PAIR, "exactly the keys"),
    ({"__metadata__": {"a": 1}, "w": entry()}, F32_PAIR, "__metadata__: expected"),
])
def test_bad_headers_are_refused_naming_the_tensor(header, buffer, words):
    with pytest.raises(FormatError) as info:
        read_safetensors(header_and_buffer(header, buffer), source="m.safetensors")
    assert words in str(info.value)
    assert str(info.value).startswith("m.safetensors: ")


@pytest.mark.parametrize("data, words", [
    (b"", "too short"),
    (struct.pack("<Q", 100) + b"{}", "does not fit"),
    (struct.pack("<Q", 2 ** 64 - 1) + b"{}", "does not fit"),
    (struct.pack("<Q", 2) + b"[]", "must be a JSON object"),
    (struct.pack("<Q", 2) + b"\xff}", "not valid UTF-8 JSON"),
    (struct.pack("<Q", 3) + b"{x}", "not valid UTF-8 JSON"),
    (struct.pack("<Q", 7) + b'{"a":N}', "JSON"),
    (struct.pack("<Q", 9) + b'{"a":NaN}', "NaN is not valid JSON"),
    (struct.pack("<Q", 19) + b'{"__metadata__":{}}', None),
    (header_and_buffer({}, b""), None),
])
def test_broken_files(data, words):
    if words is None:
        assert read_safetensors(data)[0] == {}
        return
    with pytest.raises(FormatError, match=words):
        read_safetensors(data, source="m.safetensors")


def test_duplicate_tensor_names_are_refused():
    text = b'{"w":%s,"w":%s}' % ((json.dumps(entry()).encode(),) * 2)
    with pytest.raises(FormatError, match="'w' appears twice"):
        read_safetensors(struct.pack("<Q", len(text)) + text + F32_PAIR, source="d")


def test_deep_json_nesting_is_a_format_error():
    text = b'{"__metadata__":' + b"[" * 100000 + b"]" * 100000 + b"}"
    with pytest.raises(FormatError):
        read_safetensors(struct.pack("<Q", len(text)) + text)


def test_zero_size_tensors_may_share_an_offset():
    data = safetensors_bytes([("e", "F32", (0,), b""), ("f", "I8", (0, 3), b""),
                              ("w", "F32", (2,), F32_PAIR)])
    tensors, _ = read_safetensors(data)
    assert tensors["e"].tolist() == [] and tensors["w"].values == [1.0, 2.0]


def test_bfloat16_keeps_the_top_half_of_a_float32():
    # 0x3fc0 is the top half of 1.5f; 0xc049 of -3.140625f; 0x7f80 is +inf.
    raw = struct.pack("<3H", 0x3FC0, 0xC049, 0x7F80)
    tensors, _ = read_safetensors(safetensors_bytes([("b", "BF16", (3,), raw)]))
    assert tensors["b"].values == [1.5, -3.140625, float("inf")]


# -- PyTorch pickles ------------------------------------------------------------------

@pytest.mark.parametrize("model", TORCH_MODELS)
def test_torch_checkpoints_are_recognised_and_refused(model):
    data = read_data("torch", model + ".pt")
    assert looks_like_torch_pickle(data)
    with pytest.raises(FormatError) as info:
        read_safetensors(data, source=model + ".pt")
    message = str(info.value)
    assert message.startswith(model + ".pt: PyTorch .pt/.pth files are Python pickles")
    assert "can run arbitrary code" in message
    assert 'save_file(model.state_dict(), "model.safetensors")' in message


def test_legacy_pickles_are_recognised():
    assert looks_like_torch_pickle(b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19.")
    assert looks_like_torch_pickle(bytearray(b"\x80\x04\x95"))


@pytest.mark.parametrize("name", ["torch/mlp_relu.safetensors", "keras/coffee.npz",
                                  "npy/c_3d.npy", "npy/deflated_12.npz"])
def test_other_files_are_not_taken_for_pickles(name):
    assert not looks_like_torch_pickle(read_data(*name.split("/")))
    assert not looks_like_torch_pickle(b"PK\x03\x04 broken zip")
    assert not looks_like_torch_pickle(b"")


def test_refuse_torch_pickle_always_raises():
    with pytest.raises(FormatError, match="^PyTorch"):
        refuse_torch_pickle()
