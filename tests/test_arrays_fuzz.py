"""Fuzz the array readers: broken input may only ever raise FormatError.

And a file that is accepted must be read consistently: every array holds
exactly product(shape) values, the safetensors tensors tile their buffer,
and a flipped byte in the data part changes at most the one element that
holds it, never a shape, a dtype or a name.
"""

import json
import os
import struct

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from arrays_strategies import (
    SAFETENSORS_DTYPES, fixture_npy_names, npy_files, product, read_data,
    safetensors_bytes, safetensors_tensors,
)
from neuron.errors import FormatError
from neuron.formats.npy import read_npy, read_npz
from neuron.formats.safetensors import read_safetensors

# NEURON_FUZZ_EXAMPLES=5000 python3 -m pytest tests/test_arrays_fuzz.py  for a long run.
FUZZ = settings(max_examples=int(os.environ.get("NEURON_FUZZ_EXAMPLES", "150")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

NPZ_FIXTURES = [read_data("npy", "stored_12.npz"), read_data("npy", "deflated_12.npz"),
                read_data("keras", "coffee.npz")]
NPY_FIXTURES = [read_data("npy", name) for name in fixture_npy_names]
SAFETENSORS_FIXTURES = [read_data("npy", "all_dtypes.safetensors"),
                        read_data("torch", "mlp_mixed.safetensors")]


def read_or_refuse(reader, data):
    """The reader's result, or None if it raised FormatError (anything else propagates)."""
    try:
        return reader(data)
    except FormatError:
        return None


def same_value(a, b):
    return a == b or (a != a and b != b)  # NaN equals NaN here


def data_start_of_npy(data):
    length_size = 2 if data[6] == 1 else 4
    (length,) = struct.unpack_from("<H" if length_size == 2 else "<I", data, 8)
    return 8 + length_size + length


def check_array_consistent(array):
    assert len(array.values) == product(array.shape)
    array.tolist()


# -- random bytes ---------------------------------------------------------------------

prefixes = st.sampled_from([b"", b"\x93NUMPY\x01\x00", b"\x93NUMPY\x02\x00",
                            b"\x93NUMPY\x03\x00", b"PK\x03\x04", b"\x80\x02",
                            struct.pack("<Q", 40) + b'{"'])


@FUZZ
@given(prefixes, st.binary(max_size=300))
def test_random_bytes_raise_only_format_error(prefix, tail):
    data = prefix + tail
    for reader in (read_npy, read_npz, lambda d: read_safetensors(d)[0]):
        result = read_or_refuse(reader, data)
        if reader is read_npy and result is not None:
            check_array_consistent(result)


# -- truncation ---------------------------------------------------------------------------

@FUZZ
@given(npy_files(), st.data())
def test_every_truncated_npy_is_refused(file, data):
    content, _, _ = file
    cut = data.draw(st.integers(0, len(content) - 1))
    with pytest.raises(FormatError):
        read_npy(content[:cut])


@FUZZ
@given(safetensors_tensors(), st.data())
def test_every_truncated_safetensors_is_refused(tensors, data):
    content = safetensors_bytes(tensors)
    cut = data.draw(st.integers(0, len(content) - 1))
    with pytest.raises(FormatError):
        read_safetensors(content[:cut])


@FUZZ
@given(st.sampled_from(NPZ_FIXTURES), st.data())
def test_truncated_npz_raises_only_format_error(content, data):
    cut = data.draw(st.integers(0, len(content) - 1))
    read_or_refuse(read_npz, content[:cut])


# -- byte flips -------------------------------------------------------------------------

def flip(content, position, mask):
    flipped = bytearray(content)
    flipped[position] ^= mask
    return bytes(flipped)


@FUZZ
@given(st.one_of(st.sampled_from(NPY_FIXTURES), npy_files().map(lambda file: file[0])),
       st.data())
def test_flipped_npy_byte_is_refused_or_read_consistently(content, data):
    position = data.draw(st.integers(0, len(content) - 1))
    mask = data.draw(st.integers(1, 255))
    original = read_npy(content)
    result = read_or_refuse(read_npy, flip(content, position, mask))
    if result is None:
        return
    check_array_consistent(result)
    start = data_start_of_npy(content)
    if position >= start:
        assert (result.shape, result.dtype) == (original.shape, original.dtype)
        changed = [index for index, (a, b) in enumerate(zip(original.values, result.values))
                   if not same_value(a, b)]
        assert len(changed) <= 1


@FUZZ
@given(st.one_of(st.sampled_from(SAFETENSORS_FIXTURES),
                 safetensors_tensors().map(safetensors_bytes)), st.data())
def test_flipped_safetensors_byte_is_refused_or_read_consistently(content, data):
    position = data.draw(st.integers(0, len(content) - 1))
    mask = data.draw(st.integers(1, 255))
    original, _ = read_safetensors(content)
    outcome = read_or_refuse(read_safetensors, flip(content, position, mask))
    if outcome is None:
        return
    tensors, _ = outcome
    buffer_start = 8 + struct.unpack_from("<Q", content)[0]
    used = 0
    for array in tensors.values():
        check_array_consistent(array)
        itemsize = {name: size for size, name in SAFETENSORS_DTYPES.values()}[array.dtype]
        used += itemsize * array.size
    assert used == len(content) - buffer_start
    if position >= buffer_start:
        assert sorted(tensors) == sorted(original)
        changed = 0
        for name, array in tensors.items():
            assert (array.shape, array.dtype) == (original[name].shape, original[name].dtype)
            changed += sum(not same_value(a, b)
                           for a, b in zip(original[name].values, array.values))
        assert changed <= 1


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(NPZ_FIXTURES), st.data())
def test_flipped_npz_byte_raises_only_format_error(content, data):
    position = data.draw(st.integers(0, len(content) - 1))
    mask = data.draw(st.integers(1, 255))
    arrays = read_or_refuse(read_npz, flip(content, position, mask))
    for array in (arrays or {}).values():
        check_array_consistent(array)


# -- header edits ------------------------------------------------------------------------

def header_of(tensors):
    content = safetensors_bytes(tensors)
    length = struct.unpack_from("<Q", content)[0]
    return json.loads(content[8:8 + length]), content[8 + length:]


def rebuild(header, buffer):
    text = json.dumps(header).encode("utf-8")
    return struct.pack("<Q", len(text)) + text + buffer


nonempty_tensors = safetensors_tensors().filter(lambda ts: any(raw for _, _, _, raw in ts))

EDITS = ["huge_shape", "shape_mismatch", "outside", "shift", "hole", "long_header", "dtype"]


@FUZZ
@given(nonempty_tensors, st.sampled_from(EDITS), st.data())
def test_safetensors_header_edits_are_refused(tensors, edit, data):
    header, buffer = header_of(tensors)
    name = data.draw(st.sampled_from([n for n, _, _, raw in tensors if raw]))
    entry = header[name]
    begin, end = entry["data_offsets"]
    if edit == "huge_shape":
        entry["shape"] = [data.draw(st.integers(2 ** 32, 2 ** 70))] + entry["shape"]
    elif edit == "shape_mismatch":
        entry["shape"] = entry["shape"] + [data.draw(st.integers(2, 5))]
    elif edit == "outside":
        extra = data.draw(st.integers(1, 2 ** 64))
        entry["data_offsets"] = [begin + extra, end + extra]
    elif edit == "shift":
        delta = data.draw(st.integers(-begin, len(buffer)).filter(lambda d: d != 0))
        entry["data_offsets"] = [begin + delta, end + delta]
    elif edit == "hole":
        buffer += data.draw(st.binary(min_size=1, max_size=16))
    elif edit == "dtype":
        itemsize = SAFETENSORS_DTYPES[entry["dtype"]][0]
        entry["dtype"] = data.draw(st.sampled_from(
            [d for d, (size, _) in SAFETENSORS_DTYPES.items() if size != itemsize]))
    content = rebuild(header, buffer)
    if edit == "long_header":
        length = struct.unpack_from("<Q", content)[0]
        bigger = length + data.draw(st.integers(1, 2 ** 63))
        content = struct.pack("<Q", bigger) + content[8:]
    with pytest.raises(FormatError):
        read_safetensors(content, source="edited")


@FUZZ
@given(npy_files(), st.sampled_from(["huge_shape", "shape_mismatch", "long_header"]),
       st.data())
def test_npy_header_edits_are_refused(file, edit, data):
    content, descr, shape = file
    payload = content[data_start_of_npy(content):]
    if edit == "long_header":
        length = struct.unpack_from("<H", content, 8)[0]
        bigger = length + data.draw(st.integers(len(payload) + 1, 2 ** 16 - 1 - length))
        with pytest.raises(FormatError):
            read_npy(content[:8] + struct.pack("<H", bigger) + content[10:])
        return
    if edit == "huge_shape":
        assume(product(shape) > 0)  # an empty array may have a huge side: (0, 2**40) is valid
        new_shape = shape + (data.draw(st.integers(2 ** 32, 2 ** 70)),)
    else:
        new_shape = data.draw(st.lists(st.integers(0, 6), max_size=4).map(tuple))
        assume(product(new_shape) != product(shape))
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (
        descr, data.draw(st.booleans()), repr(new_shape))
    edited = b"\x93NUMPY\x02\x00" + struct.pack("<I", len(header)) + header.encode() + payload
    with pytest.raises(FormatError):
        read_npy(edited)
