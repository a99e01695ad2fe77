"""Read ``.safetensors`` files: named tensors as plain data, no pickle.

The format (https://github.com/huggingface/safetensors), byte by byte:

* 8 bytes: ``N``, the header length, a little-endian uint64;
* ``N`` bytes: the header, a UTF-8 JSON object mapping each tensor name to
  ``{"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}``, plus
  an optional ``"__metadata__"`` object of string to string;
* the byte buffer: every tensor's elements, little-endian, in C order, at
  ``buffer[begin:end]``.  The tensors tile the buffer exactly: no gaps, no
  overlaps.

>>> header = b'{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'
>>> import struct
>>> data = struct.pack("<Q", len(header)) + header + struct.pack("<2f", 0.5, 2.0)
>>> tensors, metadata = read_safetensors(data)
>>> tensors["w"].shape, tensors["w"].dtype, tensors["w"].values, metadata
((2,), 'float32', [0.5, 2.0], None)
"""

import struct

from neuron.errors import FormatError
from neuron.formats._binary import ELEMENTS, element_count, unpack_elements
from neuron.formats.arrays import Array

# The reference implementation refuses headers above 100 MB; so does neuron.
MAX_HEADER_BYTES = 100000000

# Same axis limit as the .npy reader (NumPy's), which keeps tolist() shallow.
MAX_AXES = 64

DTYPES = {
    "F64": "float64", "F32": "float32", "F16": "float16", "BF16": "bfloat16",
    "I8": "int8", "I16": "int16", "I32": "int32", "I64": "int64",
    "U8": "uint8", "U16": "uint16", "U32": "uint32", "U64": "uint64",
    "BOOL": "bool",
}

_ENTRY_KEYS = ("dtype", "shape", "data_offsets")


def read_safetensors(data, source=None):
    """Read every tensor of a ``.safetensors`` file.

    Returns ``(tensors, metadata)``: ``tensors`` maps each name to an
    :class:`~neuron.formats.arrays.Array`, in header order; ``metadata`` is
    the ``__metadata__`` dict of strings, or None when the file has none.
    ``source`` (a file name, say) is only used in error messages.

    The whole header is validated before any tensor is decoded.  Raises
    :class:`~neuron.errors.FormatError`, naming ``source`` and the tensor,
    for a header length past the end of the file, a header that is not a
    JSON object, an unknown dtype, a bad shape, offsets outside the buffer
    or not matching the shape, and tensors that overlap or leave gaps.
    A PyTorch pickle passed by mistake is refused with advice.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("read_safetensors: expected bytes, got %s" % type(data).__name__)
    data = bytes(data)
    header, buffer_start = _read_header(data, source)
    buffer_length = len(data) - buffer_start
    metadata = _check_metadata(header.pop("__metadata__", None), source)
    entries = [_check_entry(name, entry, buffer_length, source)
               for name, entry in header.items()]
    _check_tiling(entries, buffer_length, source)
    tensors = {}
    for name, element, shape, begin, end in entries:
        values = unpack_elements(data, buffer_start + begin, element_count(shape), element, "<")
        tensors[name] = Array(shape, element.name, values)
    return tensors, metadata


def _read_header(data, source):
    """Return (header dict, offset where the byte buffer starts)."""
    if len(data) < 8:
        from neuron.formats.torch_pickle import looks_like_torch_pickle, refuse_torch_pickle
        if looks_like_torch_pickle(data):
            refuse_torch_pickle(source)
        raise FormatError("file has %d bytes, too short for the 8-byte header length"
                          % len(data), source)
    (header_length,) = struct.unpack_from("<Q", data, 0)
    if header_length > MAX_HEADER_BYTES or 8 + header_length > len(data):
        from neuron.formats.torch_pickle import looks_like_torch_pickle, refuse_torch_pickle
        if looks_like_torch_pickle(data):
            refuse_torch_pickle(source)
        raise FormatError("header length %d does not fit in the file (%d bytes, header "
                          "limit %d)" % (header_length, len(data), MAX_HEADER_BYTES), source)
    import json

    try:
        text = data[8:8 + header_length].decode("utf-8")
        header = json.loads(text, object_pairs_hook=_unique_keys,
                            parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        if isinstance(exc, FormatError):
            raise FormatError(str(exc), source, "header")
        raise FormatError("header is not valid UTF-8 JSON: %s" % exc, source, "header")
    if not isinstance(header, dict):
        raise FormatError("header must be a JSON object, got %s" % type(header).__name__,
                          source, "header")
    return header, 8 + header_length


def _unique_keys(pairs):
    # json.loads would silently keep the last of two equal keys; a tensor
    # listed twice is a broken file, not a choice to make for the user.
    result = {}
    for key, value in pairs:
        if key in result:
            raise FormatError("key %r appears twice" % key)
        result[key] = value
    return result


def _refuse_constant(name):
    raise FormatError("%s is not valid JSON" % name)


def _check_metadata(metadata, source):
    if metadata is None:
        return None
    if not isinstance(metadata, dict) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in metadata.items()):
        raise FormatError("expected an object of string to string", source, "__metadata__")
    return metadata


def _check_entry(name, entry, buffer_length, source):
    """Validate one tensor's header entry; return (name, Element, shape, begin, end)."""
    if not isinstance(entry, dict) or sorted(entry) != sorted(_ENTRY_KEYS):
        raise FormatError("expected an object with exactly the keys %s, got %r"
                          % (", ".join(_ENTRY_KEYS), entry), source, name)
    dtype = entry["dtype"]
    if not isinstance(dtype, str) or dtype not in DTYPES:
        raise FormatError("unsupported dtype %r; expected one of %s"
                          % (dtype, ", ".join(DTYPES)), source, name)
    element = ELEMENTS[DTYPES[dtype]]
    shape = entry["shape"]
    if not isinstance(shape, list) or not all(_is_count(size) for size in shape):
        raise FormatError("shape must be a list of non-negative integers, got %r"
                          % (shape,), source, name)
    if len(shape) > MAX_AXES:
        raise FormatError("%d axes; at most %d are supported" % (len(shape), MAX_AXES),
                          source, name)
    offsets = entry["data_offsets"]
    if (not isinstance(offsets, list) or len(offsets) != 2
            or not all(_is_count(offset) for offset in offsets)):
        raise FormatError("data_offsets must be [begin, end], two non-negative integers, "
                          "got %r" % (offsets,), source, name)
    begin, end = offsets
    expected = element_count(shape) * element.itemsize
    if end < begin or end - begin != expected:
        raise FormatError("data_offsets %r span %d bytes; shape %r of %s needs %d"
                          % (offsets, end - begin, shape, dtype, expected), source, name)
    if end > buffer_length:
        raise FormatError("data_offsets %r run past the end of the %d-byte buffer"
                          % (offsets, buffer_length), source, name)
    return name, element, tuple(shape), begin, end


def _is_count(value):
    # JSON true/false arrive as bool, a subclass of int: not a size.
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_tiling(entries, buffer_length, source):
    """Check that the tensors cover buffer[0:buffer_length] exactly once.

    Sorted by where they begin, each tensor must start where the previous
    one ended (a later start is a gap, an earlier one an overlap), the first
    at 0 and the last ending at the buffer's end.
    """
    position = 0
    for name, _, _, begin, end in sorted(entries, key=lambda entry: (entry[3], entry[4])):
        if begin != position:
            problem = "a gap" if begin > position else "an overlap"
            raise FormatError("data_offsets [%d, %d] leave %s: the previous tensor ends at %d"
                              % (begin, end, problem, position), source, name)
        position = end
    if position != buffer_length:  # ends past the buffer were refused earlier
        raise FormatError("the buffer holds %d bytes but the tensors use only %d"
                          % (buffer_length, position), source)
