"""Write the small .npy, .npz and .safetensors files the array-reader tests read.

Run by hand from the repository root when the fixtures need to change:

    python3 tools/make_npy_fixtures.py

It needs NumPy, which is a tool of this script only: neuron itself never
imports it.  The safetensors files are written from the format description
with struct and json (the ``safetensors`` package is not needed), so they
check the reader against the spec, not against one implementation.

Everything goes to tests/data/npy/, with ``expected.json`` beside the files:
for each file name either ``{"shape", "dtype", "values"}`` (values as nested
lists, in C order, as ``Array.tolist()`` returns them), ``{"arrays": {...}}``
for an archive, or ``{"error": "<words the message must contain>"}``.
"""

import io
import json
import os
import struct
import zipfile

import numpy as np
from numpy.lib import format as npy_format

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "npy")

FIXED_DATE = (1980, 1, 1, 0, 0, 0)

DTYPE_NAMES = {
    "f2": "float16", "f4": "float32", "f8": "float64",
    "i1": "int8", "i2": "int16", "i4": "int32", "i8": "int64",
    "u1": "uint8", "u2": "uint16", "u4": "uint32", "u8": "uint64", "b1": "bool",
}


def sample(code):
    """A small (2, 3) array of the type, with its extreme values where that is cheap."""
    kind = np.dtype(code).kind
    if kind == "f":
        values = [0.5, -2.25, 1e-3, 3.0, -0.0, 65504.0]  # 65504 is float16's largest
    elif kind == "b":
        values = [True, False, True, True, False, False]
    else:
        info = np.iinfo(np.dtype(code))
        values = [0, 1, int(info.max), int(info.min), 7, int(info.max) - 1]
    return np.array(values, dtype=np.dtype(code)).reshape(2, 3)


def expected_of(array):
    dtype = DTYPE_NAMES[array.dtype.str[1:]]
    values = array.tolist()
    if dtype == "bool":
        values = json.loads(json.dumps(array.astype(np.int64).tolist()))
    return {"shape": list(array.shape), "dtype": dtype, "values": values}


def save(name, array, expected, version=None):
    buffer = io.BytesIO()
    npy_format.write_array(buffer, array, version=version, allow_pickle=True)
    with open(os.path.join(OUT, name), "wb") as handle:
        handle.write(buffer.getvalue())
    expected[name] = expected_of(array) if array.dtype != object and not array.dtype.names else None


def write_npy_files(expected):
    for code in DTYPE_NAMES:
        orders = "<>" if np.dtype(code).itemsize > 1 else "|"
        for order in orders:
            descr = order + code
            tag = {"<": "le", ">": "be", "|": "1b"}[order]
            save("dtype_%s_%s.npy" % (DTYPE_NAMES[code], tag), sample(descr), expected)
    cube = np.arange(24, dtype="<f8").reshape(2, 3, 4) / 4
    save("c_3d.npy", cube, expected)
    save("fortran_2d.npy", np.asfortranarray(sample("<f4")), expected)
    save("fortran_3d.npy", np.asfortranarray(cube), expected)
    save("scalar_0d.npy", np.array(2.5), expected)
    save("scalar_0d_int.npy", np.array(-7, dtype=">i8"), expected)
    save("empty_0x3.npy", np.zeros((0, 3), dtype="<f4"), expected)
    save("version_2_0.npy", sample("<f8"), expected, version=(2, 0))
    save("version_3_0.npy", sample(">i4"), expected, version=(3, 0))
    save("object.npy", np.array([1, "two", None], dtype=object), expected)
    expected["object.npy"] = {"error": "pickle"}
    save("structured.npy", np.zeros(2, dtype=[("x", "<f4"), ("y", "<i4")]), expected)
    expected["structured.npy"] = {"error": "structured"}


def write_npz_files(expected):
    arrays = [np.arange(index + 1, dtype="<f4") / 8 for index in range(12)]
    for name, writer in (("stored_12.npz", np.savez), ("deflated_12.npz", np.savez_compressed)):
        buffer = io.BytesIO()
        writer(buffer, *arrays)
        with open(os.path.join(OUT, name), "wb") as handle:
            handle.write(buffer.getvalue())
        expected[name] = {"arrays": {"arr_%d" % index: expected_of(array)
                                     for index, array in enumerate(arrays)}}
    with zipfile.ZipFile(os.path.join(OUT, "bad_member.npz"), "w") as archive:
        # A fixed date keeps the file identical from run to run.
        archive.writestr(zipfile.ZipInfo("good.npy", FIXED_DATE),
                         npy_format_bytes(np.array([1.0, 2.0])))
        archive.writestr(zipfile.ZipInfo("bad.npy", FIXED_DATE),
                         b"\x93NUMPY\x01\x00\x10\x00{'descr': '<f8'}")
    expected["bad_member.npz"] = {"error": "bad.npy"}


def npy_format_bytes(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


# -- safetensors, written from the spec ---------------------------------------

SAFETENSORS_TYPES = [
    # (safetensors dtype, struct code or None for bfloat16, neuron name, values)
    ("F64", "d", "float64", [0.1, -2.5, 1e300]),
    ("F32", "f", "float32", [0.1, -2.5, 3.0e38]),
    ("F16", "e", "float16", [0.1, -2.5, 65504.0]),
    ("BF16", None, "bfloat16", [0.1, -2.5, 3.0e38]),
    ("I8", "b", "int8", [-128, 0, 127]),
    ("U8", "B", "uint8", [0, 1, 255]),
    ("I16", "h", "int16", [-32768, 5, 32767]),
    ("U16", "H", "uint16", [0, 5, 65535]),
    ("I32", "i", "int32", [-2 ** 31, 5, 2 ** 31 - 1]),
    ("U32", "I", "uint32", [0, 5, 2 ** 32 - 1]),
    ("I64", "q", "int64", [-2 ** 63, 5, 2 ** 63 - 1]),
    ("U64", "Q", "uint64", [0, 5, 2 ** 64 - 1]),
    ("BOOL", "?", "bool", [True, False, True]),
]


def bfloat16_bytes_and_values(values):
    """Truncate float32 values to bfloat16 (round to nearest even, as torch does)."""
    bits = np.array(values, dtype="<f4").view("<u4").astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype("<u2")
    exact = (rounded.astype("<u4") << 16).view("<f4").astype(np.float64).tolist()
    return rounded.tobytes(), exact


def encode(safetensors_dtype, code, values):
    if code is None:
        return bfloat16_bytes_and_values(values)
    raw = struct.pack("<%d%s" % (len(values), code), *values)
    decoded = np.frombuffer(raw, dtype=_numpy_dtype(safetensors_dtype)).tolist()
    if safetensors_dtype == "BOOL":
        decoded = [int(value) for value in decoded]
    return raw, decoded


def _numpy_dtype(safetensors_dtype):
    return {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I8": "i1", "U8": "u1", "I16": "<i2",
            "U16": "<u2", "I32": "<i4", "U32": "<u4", "I64": "<i8", "U64": "<u8",
            "BOOL": "?"}[safetensors_dtype]


def safetensors_bytes(tensors, metadata=None, pad_to=8):
    """tensors: list of (name, dtype, shape, raw bytes), stored in that order."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    offset = 0
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % pad_to)  # the spec allows trailing spaces
    return struct.pack("<Q", len(text)) + text + b"".join(raw for _, _, _, raw in tensors)


def write_safetensors_files(expected):
    tensors, arrays = [], {}
    for dtype, code, neuron_name, values in SAFETENSORS_TYPES:
        raw, decoded = encode(dtype, code, values)
        name = "t_" + dtype.lower()
        tensors.append((name, dtype, [3], raw))
        arrays[name] = {"shape": [3], "dtype": neuron_name, "values": decoded}
    matrix = struct.pack("<6f", 1, 2, 3, 4, 5, 6.5)
    tensors.append(("layer_10.weight", "F32", [2, 3], matrix))
    arrays["layer_10.weight"] = {"shape": [2, 3], "dtype": "float32",
                                 "values": [[1.0, 2.0, 3.0], [4.0, 5.0, 6.5]]}
    tensors.append(("scalar", "F64", [], struct.pack("<d", -0.75)))
    arrays["scalar"] = {"shape": [], "dtype": "float64", "values": -0.75}
    tensors.append(("empty", "F32", [0, 4], b""))
    arrays["empty"] = {"shape": [0, 4], "dtype": "float32", "values": []}
    write_bytes("all_dtypes.safetensors",
                safetensors_bytes(tensors, metadata={"format": "pt", "note": "fixture"}))
    expected["all_dtypes.safetensors"] = {"arrays": arrays,
                                          "metadata": {"format": "pt", "note": "fixture"}}

    # Stored out of name order, without metadata: offsets, not names, place data.
    raw_b, values_b = encode("BF16", None, [1.0, -0.5, 0.33333334, 1e-30])
    raw_h, values_h = encode("F16", "e", [1.0, -0.5, 0.33333334, 6e-8])
    write_bytes("half_types.safetensors",
                safetensors_bytes([("z_bf16", "BF16", [2, 2], raw_b),
                                   ("a_f16", "F16", [4], raw_h)]))
    expected["half_types.safetensors"] = {"arrays": {
        "z_bf16": {"shape": [2, 2], "dtype": "bfloat16",
                   "values": [values_b[:2], values_b[2:]]},
        "a_f16": {"shape": [4], "dtype": "float16", "values": values_h},
    }, "metadata": None}


def write_bytes(name, data):
    with open(os.path.join(OUT, name), "wb") as handle:
        handle.write(data)


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {}
    write_npy_files(expected)
    write_npz_files(expected)
    write_safetensors_files(expected)
    with open(os.path.join(OUT, "expected.json"), "w") as handle:
        json.dump(expected, handle, indent=1, sort_keys=True)
        handle.write("\n")
    print("wrote %d fixtures to %s" % (len(expected), os.path.normpath(OUT)))


if __name__ == "__main__":
    main()
