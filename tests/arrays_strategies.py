"""Hypothesis strategies and small writers for the array-file reader tests.

Bounds are explicit and small: at most 3 axes of at most 4 elements, so a
fuzzing run stays within a few seconds.
"""

import json
import os
import struct

from hypothesis import strategies as st

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")

MAX_AXES = 3
MAX_SIDE = 4

# safetensors dtype -> (itemsize, neuron dtype name)
SAFETENSORS_DTYPES = {
    "F64": (8, "float64"), "F32": (4, "float32"), "F16": (2, "float16"),
    "BF16": (2, "bfloat16"), "I8": (1, "int8"), "I16": (2, "int16"),
    "I32": (4, "int32"), "I64": (8, "int64"), "U8": (1, "uint8"),
    "U16": (2, "uint16"), "U32": (4, "uint32"), "U64": (8, "uint64"),
    "BOOL": (1, "bool"),
}

# .npy descr -> struct code used to pack test values.
NPY_DESCRS = {
    "<f8": "d", ">f8": "d", "<f4": "f", ">f4": "f", "<f2": "e", ">f2": "e",
    "|i1": "b", "|u1": "B", "<i2": "h", ">i2": "h", "<u2": "H", ">u2": "H",
    "<i4": "i", ">i4": "i", "<u4": "I", ">u4": "I", "<i8": "q", ">i8": "q",
    "<u8": "Q", ">u8": "Q", "|b1": "B",
}


def read_data(*parts):
    with open(os.path.join(DATA, *parts), "rb") as handle:
        return handle.read()


def product(shape):
    count = 1
    for size in shape:
        count *= size
    return count


shapes = st.lists(st.integers(0, MAX_SIDE), max_size=MAX_AXES).map(tuple)


def safetensors_bytes(tensors, metadata=None):
    """Write a safetensors file from (name, dtype, shape, raw bytes) in buffer order."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    offset = 0
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": list(shape),
                        "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    return header_and_buffer(header, b"".join(raw for _, _, _, raw in tensors))


def header_and_buffer(header, buffer):
    text = json.dumps(header).encode("utf-8")
    return struct.pack("<Q", len(text)) + text + buffer


@st.composite
def safetensors_tensors(draw):
    """A list of (name, dtype, shape, raw bytes) with unique names."""
    names = draw(st.lists(st.text("abcxyz.0123456789_", min_size=1, max_size=6),
                          max_size=4, unique=True))
    tensors = []
    for name in names:
        dtype = draw(st.sampled_from(sorted(SAFETENSORS_DTYPES)))
        shape = draw(shapes)
        size = product(shape) * SAFETENSORS_DTYPES[dtype][0]
        raw = draw(st.binary(min_size=size, max_size=size))
        tensors.append((name, dtype, shape, raw))
    return tensors


@st.composite
def npy_files(draw):
    """(bytes of a C-order .npy, descr, shape) from neuron's own writer."""
    from neuron.formats.npy import write_npy
    from neuron.formats.arrays import Array

    descr = draw(st.sampled_from(sorted(NPY_DESCRS)))
    shape = draw(shapes)
    itemsize = struct.calcsize(NPY_DESCRS[descr])
    raw = draw(st.binary(min_size=product(shape) * itemsize,
                         max_size=product(shape) * itemsize))
    values = list(struct.unpack("<%d%s" % (product(shape), NPY_DESCRS[descr]), raw))
    if descr == "|b1":
        values = [value & 1 for value in values]
    data = write_npy(Array(shape, "test", values), dtype=descr)
    return data, descr, shape


fixture_npy_names = sorted(
    name for name in os.listdir(os.path.join(DATA, "npy"))
    if name.endswith(".npy") and name not in ("object.npy", "structured.npy"))
