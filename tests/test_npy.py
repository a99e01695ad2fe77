"""The .npy / .npz reader against NumPy-written fixtures, real framework files and rules."""

import io
import json
import struct
import zipfile

import pytest

from arrays_strategies import read_data
from neuron.errors import FormatError, ShapeError
from neuron.formats.arrays import Array
from neuron.formats.npy import ordered_names, read_npy, read_npz, write_npy

EXPECTED = json.loads(read_data("npy", "expected.json").decode("utf-8"))


def exactly(values):
    # json.dumps tells 1 from 1.0 and -0.0 from 0.0, and prints floats
    # exactly, so equal dumps mean equal values of equal types.
    return json.dumps(values)


def assert_array(array, expected):
    assert list(array.shape) == expected["shape"]
    assert array.dtype == expected["dtype"]
    assert exactly(array.tolist()) == exactly(expected["values"])


# -- NumPy-written fixtures ------------------------------------------------------

@pytest.mark.parametrize("name", sorted(name for name in EXPECTED if name.endswith(".npy")))
def test_npy_fixture(name):
    expected = EXPECTED[name]
    data = read_data("npy", name)
    if "error" in expected:
        with pytest.raises(FormatError, match=expected["error"]) as info:
            read_npy(data, source=name)
        assert str(info.value).startswith(name + ": ")
    else:
        assert_array(read_npy(data, source=name), expected)


@pytest.mark.parametrize("name", sorted(name for name in EXPECTED if name.endswith(".npz")))
def test_npz_fixture(name):
    expected = EXPECTED[name]
    data = read_data("npy", name)
    if "error" in expected:
        with pytest.raises(FormatError, match=expected["error"]):
            read_npz(data, source=name)
        return
    arrays = read_npz(data, source=name)
    assert sorted(arrays) == sorted(expected["arrays"])
    for key, array in arrays.items():
        assert_array(array, expected["arrays"][key])
    assert ordered_names(arrays) == ["arr_%d" % index for index in range(12)]


# -- real framework files ----------------------------------------------------------

def test_keras_coffee_npz_matches_get_weights():
    reference = json.loads(read_data("keras", "coffee.json"))
    arrays = read_npz(read_data("keras", "coffee.npz"), source="coffee.npz")
    got = [arrays[name].tolist() for name in ordered_names(arrays)]
    assert exactly(got) == exactly(reference["weights"])
    assert arrays["arr_2"].dtype == "int64" and arrays["arr_2"].shape == ()


def test_digits_npz_matches_get_weights():
    reference = json.loads(read_data("digits", "digits.json"))
    arrays = read_npz(read_data("digits", "digits.npz"))
    got = [arrays[name].tolist() for name in ordered_names(arrays)]
    assert exactly(got) == exactly(reference["weights"])


@pytest.mark.parametrize("model", ["clf_binary_logistic", "clf_multiclass_relu", "reg_tanh"])
def test_sklearn_npz_matches_coefs_and_intercepts(model):
    reference = json.loads(read_data("sklearn", model + ".json"))
    arrays = read_npz(read_data("sklearn", model + ".npz"))
    layers = len(reference["coefs_"])
    assert sorted(arrays) == sorted(["coef_%d" % i for i in range(layers)]
                                    + ["intercept_%d" % i for i in range(layers)])
    for index in range(layers):
        assert exactly(arrays["coef_%d" % index].tolist()) == exactly(reference["coefs_"][index])
        assert (exactly(arrays["intercept_%d" % index].tolist())
                == exactly(reference["intercepts_"][index]))


# -- header parsing --------------------------------------------------------------

def npy_with_header(header, data=b"", version=b"\x01\x00"):
    encoded = header.encode("utf-8")
    length = struct.pack("<H" if version == b"\x01\x00" else "<I", len(encoded))
    return b"\x93NUMPY" + version + length + encoded + data


@pytest.mark.parametrize("header, shape", [
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", ()),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", (1,)),
    ("{'descr':'<f8','fortran_order':False,'shape':(1,1)}", (1, 1)),
    ('{"shape": (1, 1,), "fortran_order": True, "descr": "<f8"}\n', (1, 1)),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (1L, 1L), }", (1, 1)),
])
def test_header_literals_numpy_accepts(header, shape):
    assert read_npy(npy_with_header(header, struct.pack("<d", 0.5))).shape == shape


@pytest.mark.parametrize("header, words", [
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (1), }", "trailing comma"),
    ("{'descr': '<f8', 'fortran_order': False}", "missing ['shape']"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}", "expected a string"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': True}", "unexpected ['x']"),
    ("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1,)}", "twice"),
    ("{'descr': '<f8', 'fortran_order': 0, 'shape': (1,)}", "expected a string, True"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}", "non-negative"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': '1'}", "tuple"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (1,)} x", "after the closing"),
    ("{'descr': __import__('os'), 'fortran_order': False, 'shape': (1,)}", "expected a string"),
    ("{'descr': '<c16', 'fortran_order': False, 'shape': (1,)}", "unsupported dtype"),
    ("{'descr': '<U3', 'fortran_order': False, 'shape': (1,)}", "unsupported dtype"),
    ("{'descr': '|f8', 'fortran_order': False, 'shape': (1,)}", "byte order"),
    ("{'descr': '|O', 'fortran_order': False, 'shape': (1,)}", "pickle"),
    ("{'descr': [('x', '<f8')], 'fortran_order': False, 'shape': (1,)}", "structured"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (%s)}" % ("1," * 65), "axes"),
    ("{'descr': '<f8\\x00', 'fortran_order': False, 'shape': (1,)}", "backslash"),
])
def test_bad_headers_are_refused_with_the_reason(header, words):
    with pytest.raises(FormatError) as info:
        read_npy(npy_with_header(header, struct.pack("<d", 0.5)), source="w.npy")
    assert words in str(info.value)
    assert str(info.value).startswith("w.npy: ")


def test_data_length_must_match_shape():
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"
    with pytest.raises(FormatError, match="needs 8 data bytes, the file holds 4"):
        read_npy(npy_with_header(header, b"\x00" * 4))
    with pytest.raises(FormatError, match="needs 8 data bytes, the file holds 9"):
        read_npy(npy_with_header(header, b"\x00" * 9))


def test_a_size_of_thousands_of_digits_is_a_format_error():
    # int() of more than 4300 digits raised a plain ValueError on CPython 3.11+.
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (%s,), }" % ("9" * 5000)
    with pytest.raises(FormatError, match="w.npy: header: an integer of 5000 digits"):
        read_npy(npy_with_header(header, b"\x00" * 8), source="w.npy")


def test_huge_shape_is_refused_before_allocating():
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (%d, %d), }" % (10 ** 12, 10 ** 12)
    with pytest.raises(FormatError, match="needs"):
        read_npy(npy_with_header(header, b"\x00" * 8))


def test_empty_fortran_array_with_huge_side_is_cheap():
    header = "{'descr': '<f8', 'fortran_order': True, 'shape': (%d, 0), }" % 10 ** 12
    assert read_npy(npy_with_header(header)).values == []


def test_version_2_and_3_headers():
    header = "{'descr': '<i2', 'fortran_order': False, 'shape': (2,), }"
    for version in (b"\x02\x00", b"\x03\x00"):
        array = read_npy(npy_with_header(header, struct.pack("<2h", -1, 300), version))
        assert array.values == [-1, 300]


@pytest.mark.parametrize("data, words", [
    (b"", "magic"),
    (b"PK\x03\x04", "read_npz"),
    (b"\x93NUMPY", "version"),
    (b"\x93NUMPY\x04\x00\x00\x00", "version 4.0"),
    (b"\x93NUMPY\x01\x00\x10", "header length"),
    (b"\x93NUMPY\x01\x00\xff\xff{}", "past the end"),
    (b"\x93NUMPY\x02\x00\xff\xff\xff\xff{}", "past the end"),
    (b"\x93NUMPY\x01\x00\x02\x00\xff}", "{"),
    (b"\x93NUMPY\x03\x00\x02\x00\x00\x00\xff}", "utf-8"),
])
def test_broken_preambles(data, words):
    with pytest.raises(FormatError, match=words):
        read_npy(data)


def test_npy_reader_points_at_the_right_reader():
    with pytest.raises(FormatError, match="pickles"):
        read_npy(read_data("torch", "mlp_relu.pt"), source="mlp_relu.pt")
    with pytest.raises(FormatError, match="c.npz: this is a zip"):
        read_npy(read_data("keras", "coffee.npz"), source="c.npz")


def test_wrong_argument_type_is_a_type_error():
    with pytest.raises(TypeError, match="read_npy: expected bytes"):
        read_npy("a string")


# -- .npz safety -------------------------------------------------------------------

def deflated_npz(arrays):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in arrays.items():
            archive.writestr(name + ".npy", data)
    return buffer.getvalue()


def set_declared_size(data, size):
    """Rewrite every uncompressed-size field (local and central headers)."""
    data = bytearray(data)
    for signature, field in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = data.find(signature)
        while start >= 0:
            data[start + field:start + field + 4] = struct.pack("<I", size)
            start = data.find(signature, start + 4)
    return bytes(data)


def test_npz_member_larger_than_the_limit_is_refused():
    data = deflated_npz({"big": write_npy([0.0] * 20000)})
    with pytest.raises(FormatError, match="big.npy: declares 160128 uncompressed bytes"):
        read_npz(data, source="m.npz", max_bytes=100000)
    assert read_npz(data)["big"].size == 20000


def test_npz_member_claiming_impossible_expansion_is_refused():
    data = set_declared_size(deflated_npz({"a": write_npy([1.0])}), 0x7FFFFFFF)
    with pytest.raises(FormatError, match="a.npy: declares"):
        read_npz(data, source="m.npz")


def test_npz_member_shorter_than_declared_is_refused():
    honest = deflated_npz({"a": write_npy([1.0, 2.0])})
    with pytest.raises(FormatError, match="a.npy"):
        read_npz(set_declared_size(honest, 200))
    with pytest.raises(FormatError, match="a.npy"):
        read_npz(set_declared_size(honest, 100))


def zip_bomb(zeros):
    """An .npz whose a.npy header declares shape (1,) but carries ``zeros`` bytes of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("a.npy", "w") as member:
            member.write(write_npy([0.0]))
            chunk = bytes(1 << 20)
            for _ in range(zeros >> 20):
                member.write(chunk)
    return buffer.getvalue()


class CountingStream:
    """A member stream that records how many bytes each read asked for."""

    def __init__(self, stream, asked):
        self.stream = stream
        self.asked = asked

    def read(self, n=-1):
        self.asked.append(n)
        return self.stream.read(n)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stream.close()


def test_npz_zip_bomb_is_refused_after_reading_the_header_only(monkeypatch):
    try:
        import tracemalloc

        tracemalloc.get_traced_memory  # PyPy's module has no C part behind it
        tracemalloc.start()
        tracemalloc.stop()
    except ImportError:
        tracemalloc = None  # the read sizes below still show nothing more was read

    data = zip_bomb(50 << 20)
    assert len(data) < 100000
    asked = []
    original = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open",
                        lambda self, *a, **k: CountingStream(original(self, *a, **k), asked))
    if tracemalloc:
        tracemalloc.start()
    try:
        with pytest.raises(FormatError, match=r"m.npz\[a.npy\]: shape \(1,\) of <f8 needs 8 data bytes"):
            read_npz(data, source="m.npz")
        peak = tracemalloc.get_traced_memory()[1] if tracemalloc else 0
    finally:
        if tracemalloc:
            tracemalloc.stop()
    assert sum(n for n in asked) < 1000, asked  # the header, never the 50 MB
    assert peak < 2 * len(data) + (1 << 20)


def test_npz_zip_bomb_with_sizes_rewritten_to_match_the_header_is_refused():
    # The zip now claims 136 bytes: zipfile stops there, and its CRC check fails.
    data = set_declared_size(zip_bomb(4 << 20), len(write_npy([0.0])))
    with pytest.raises(FormatError, match="a.npy: cannot read member: Bad CRC"):
        read_npz(data)


def test_npz_member_with_an_oversized_header_length_is_refused():
    member = b"\x93NUMPY\x02\x00" + struct.pack("<I", 1 << 30) + b"{"
    with pytest.raises(FormatError, match=r"a.npy: header: header length 1073741824 is more than"):
        read_npz(deflated_npz({"a": member}))


def test_npz_names_and_errors():
    with pytest.raises(FormatError, match="m.npz: not a valid .npz"):
        read_npz(b"not a zip", source="m.npz")
    bad = deflated_npz({"w": write_npy([1.0])[:-1]})
    with pytest.raises(FormatError, match=r"m.npz\[w.npy\]: shape"):
        read_npz(bad, source="m.npz")


def test_npz_refuses_a_torch_checkpoint():
    with pytest.raises(FormatError, match="pickles"):
        read_npz(read_data("torch", "mlp_relu.pt"), source="mlp_relu.pt")


# -- ordered_names ------------------------------------------------------------------

def test_ordered_names_sorts_numbers_numerically():
    names = ["arr_10", "arr_2", "arr_1", "arr_0"]
    assert ordered_names(names) == ["arr_0", "arr_1", "arr_2", "arr_10"]
    torch = ["10.weight", "2.bias", "0.weight", "2.weight", "10.bias", "0.bias"]
    assert ordered_names(torch) == ["0.bias", "0.weight", "2.bias", "2.weight",
                                    "10.bias", "10.weight"]
    keras = ["layer_10/kernel", "layer_2/kernel", "layer_2/bias"]
    assert ordered_names(keras) == ["layer_2/bias", "layer_2/kernel", "layer_10/kernel"]


def test_ordered_names_is_independent_of_input_order():
    names = ["arr_01", "arr_1", "b", "a10", "a9", "", "7"]
    assert ordered_names(names) == ordered_names(list(reversed(names)))


# -- write_npy ---------------------------------------------------------------------

def test_write_npy_round_trips_and_pads_to_64_bytes():
    data = write_npy([[1, 2, 3], [4, 5, 6]], dtype="<i8")
    assert (data.index(b"\n") + 1) % 64 == 0
    assert read_npy(data).tolist() == [[1, 2, 3], [4, 5, 6]]
    assert read_npy(write_npy(Array((2,), "float32", [0.5, 1.0]))).dtype == "float32"
    assert read_npy(write_npy([True, False], dtype="bool")).values == [1, 0]
    assert read_npy(write_npy([])).shape == (0,)


def test_write_npy_rejects_bad_input():
    with pytest.raises(ShapeError, match="ragged"):
        write_npy([[1.0, 2.0], [3.0]])
    with pytest.raises(TypeError, match="expected numbers"):
        write_npy(["one"])
    with pytest.raises(ValueError, match="does not fit int8"):
        write_npy([300], dtype="|i1")
