"""Read NumPy ``.npy`` and ``.npz`` files without NumPy (and without pickle).

An ``.npy`` file is, byte by byte (NEP 1, ``numpy.lib.format``):

* the magic string ``b"\\x93NUMPY"``;
* two bytes, the format version: 1.0, 2.0 or 3.0;
* the header length: a little-endian uint16 in version 1.0, uint32 in 2.0
  and 3.0;
* the header, a Python dict literal (latin-1 text; UTF-8 in 3.0) such as
  ``{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }``,
  padded with spaces and a newline;
* the data: ``product(shape)`` elements of the type ``descr`` names, in C
  (row-major) order, or in Fortran (column-major) order when
  ``fortran_order`` is true.

The header is read by a small parser for exactly that literal, never by
``eval``: a file is data, and reading it must not run code.  For the same
reason object arrays (``descr`` ``'|O'``), which NumPy stores as pickles, are
refused.

An ``.npz`` file is a zip of ``.npy`` files, one per array, as written by
``numpy.savez`` (stored) or ``numpy.savez_compressed`` (deflated).

>>> array = read_npy(write_npy([[1.0, 2.0], [3.0, 4.5]]))
>>> array.shape, array.dtype, array.tolist()
((2, 2), 'float64', [[1.0, 2.0], [3.0, 4.5]])
>>> read_npy(write_npy(7, dtype="<i4")).tolist()
7
>>> ordered_names(["arr_10", "arr_2", "arr_1"])
['arr_1', 'arr_2', 'arr_10']
"""

import re
import struct

from neuron.errors import FormatError, NeuronError, ShapeError
from neuron.formats._binary import ELEMENTS, element_count, unpack_elements
from neuron.formats.arrays import Array

MAGIC = b"\x93NUMPY"

# NumPy itself refuses arrays with more than 64 axes; so does neuron, which
# also keeps Array.tolist()'s nesting (one level per axis) shallow.
MAX_AXES = 64

# Per-member and total cap on the uncompressed bytes read from an .npz: far
# above any model a pure-Python forward pass could use, far below what a
# zip bomb would make us allocate.
MAX_NPZ_BYTES = 1 << 30

# The longest .npy header read from an .npz member: NumPy writes a few
# hundred bytes (NumPy itself refuses more than 10000 by default).
MAX_NPY_HEADER_BYTES = 1 << 16

# Deflate cannot expand data by more than about 1032:1, so a member that
# claims more than this per compressed byte is lying about its size.
_DEFLATE_MAX_RATIO = 1032

# descr type letter and size -> neuron dtype name.
_DESCR_TYPES = {
    "f2": "float16", "f4": "float32", "f8": "float64",
    "i1": "int8", "i2": "int16", "i4": "int32", "i8": "int64",
    "u1": "uint8", "u2": "uint16", "u4": "uint32", "u8": "uint64",
    "b1": "bool",
}
_DTYPE_DESCRS = {name: code for code, name in _DESCR_TYPES.items()}


def read_npy(data, source=None):
    """Read one array from the bytes of an ``.npy`` file.

    ``source`` (a file name, say) is only used in error messages.  Floats
    become Python floats, integers and bools Python ints; values are listed in
    C order whatever order the file stores.

    >>> read_npy(write_npy([1.5, -2.0], dtype=">f4")).values
    [1.5, -2.0]

    Raises :class:`~neuron.errors.FormatError` for a file that is not a
    valid ``.npy`` of a supported dtype: bad magic or version, a header that
    is not the expected dict literal, object or structured dtypes, or data
    that is shorter or longer than the shape says.
    """
    data = _as_bytes(data, "read_npy")
    header, data_start = _split_header(data, source)
    descr, fortran_order, shape = _parse_header(header, source)
    element, byte_order = _element_for_descr(descr, source)
    count = element_count(shape)
    expected = count * element.itemsize
    found = len(data) - data_start
    if found != expected:
        raise FormatError(
            "shape %r of %s needs %d data bytes, the file holds %d"
            % (shape, descr, expected, found), source)
    values = unpack_elements(data, data_start, count, element, byte_order)
    if fortran_order and len(shape) > 1:
        values = _fortran_to_c_order(values, shape)
    return Array(shape, element.name, values)


def read_npz(data, source=None, max_bytes=MAX_NPZ_BYTES):
    """Read every array of an ``.npz`` file (a zip of ``.npy`` files).

    Returns a dict from array name (the member name without its ``.npy``
    suffix, e.g. ``"arr_0"``) to :class:`~neuron.formats.arrays.Array`, in
    the order the zip lists them; use :func:`ordered_names` for numeric order.

    Each member's declared size is checked before anything is decompressed:
    it must fit under ``max_bytes`` (also a cap on the total) and be
    achievable by its compression method.  Then each member's ``.npy`` header
    is read and parsed first, and only the data bytes it declares are
    decompressed (a zip bomb, a small header followed by gigabytes of zeros,
    is refused after reading the header).  Raises :class:`~neuron.errors.FormatError` naming the
    member for a broken zip, a member too large, or a member that is not a
    valid ``.npy``; a PyTorch checkpoint (also a zip) is refused with advice.
    """
    import io
    import zipfile

    data = _as_bytes(data, "read_npz")
    from neuron.formats.torch_pickle import looks_like_torch_pickle, refuse_torch_pickle
    if looks_like_torch_pickle(data):
        refuse_torch_pickle(source)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError,
            EOFError, struct.error, UnicodeDecodeError, NotImplementedError) as exc:
        raise FormatError("not a valid .npz (zip) file: %s" % exc, source)
    with archive:
        members = archive.infolist()
        _check_member_sizes(members, max_bytes, source)
        arrays = {}
        for member in members:
            name = _array_name(member.filename)
            if name in arrays:
                raise FormatError("array name appears twice", source, member.filename)
            content = _read_member(archive, member, source)
            arrays[name] = read_npy(content, _member_source(source, member.filename))
    return arrays


def ordered_names(names):
    """Sort array names so that numbered names come in numeric order.

    A "natural" sort: each name is split into runs of digits and of other
    characters, and digit runs compare as numbers.  So ``arr_2`` comes before
    ``arr_10`` (``numpy.savez`` order), ``2.weight`` before ``10.weight``
    (PyTorch ``nn.Sequential`` order) and ``layer_2/kernel`` before
    ``layer_10/kernel``.  Names equal as numbers (``arr_01``, ``arr_1``) fall
    back to plain string order, so the result never depends on input order.

    >>> ordered_names(["10.weight", "2.bias", "2.weight", "arr_10", "arr_9"])
    ['2.bias', '2.weight', '10.weight', 'arr_9', 'arr_10']
    """
    return sorted(names, key=_natural_key)


def write_npy(values, dtype=None):
    """Return the bytes of a version 1.0, C-order ``.npy`` file.

    ``values`` is an :class:`~neuron.formats.arrays.Array`, a nested list
    of numbers (all rows the same length) or a single number (a 0-d array).
    ``dtype`` is a NumPy descr such as ``"<f8"``, ``">f4"``, ``"<i4"`` or
    ``"|b1"``, or a neuron dtype name such as ``"float32"`` (written
    little-endian).  It defaults to the Array's own dtype, or ``"<f8"``.
    bfloat16 has no NumPy descr and cannot be written.

    >>> write_npy([0.5, 2.0])[:10]
    b'\\x93NUMPY\\x01\\x00v\\x00'

    Raises :class:`~neuron.errors.ShapeError` for ragged lists, ``TypeError``
    for a non-number and :class:`~neuron.errors.NeuronError` for a value the
    dtype cannot hold.
    """
    if isinstance(values, Array):
        shape, flat = values.shape, list(values.values)
        dtype = values.dtype if dtype is None else dtype
    else:
        shape, flat = _shape_and_flat(values)
    descr = _descr_for_dtype("<f8" if dtype is None else dtype)
    element, byte_order = _element_for_descr(descr, "write_npy")
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (
        descr, _shape_literal(shape))
    # NumPy pads the header with spaces so the data starts on a 64-byte
    # boundary, and ends it with a newline.
    unpadded = len(MAGIC) + 4 + len(header) + 1
    header += " " * (-unpadded % 64) + "\n"
    return (MAGIC + b"\x01\x00" + struct.pack("<H", len(header))
            + header.encode("latin-1") + _pack_elements(flat, element, byte_order))


# -- reading the header -------------------------------------------------------

def _as_bytes(data, caller):
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("%s: expected bytes, got %s" % (caller, type(data).__name__))
    return bytes(data)


def _split_header(data, source):
    """Check magic and version; return (header text, offset of the data)."""
    if data[:len(MAGIC)] != MAGIC:
        _refuse_other_known_formats(data, source)
        raise FormatError("not an .npy file: expected the magic bytes %r at the start, got %r"
                          % (MAGIC, data[:len(MAGIC)]), source)
    if len(data) < len(MAGIC) + 2:
        raise FormatError("file ends inside the format version", source)
    version = (data[6], data[7])
    if version == (1, 0):
        length_format, encoding = "<H", "latin-1"
    elif version in ((2, 0), (3, 0)):
        length_format, encoding = "<I", "latin-1" if version == (2, 0) else "utf-8"
    else:
        raise FormatError("unsupported .npy format version %d.%d (expected 1.0, 2.0 or 3.0)"
                          % version, source)
    length_start = len(MAGIC) + 2
    header_start = length_start + struct.calcsize(length_format)
    if len(data) < header_start:
        raise FormatError("file ends inside the header length", source)
    (header_length,) = struct.unpack_from(length_format, data, length_start)
    data_start = header_start + header_length
    if data_start > len(data):
        raise FormatError("header length %d runs past the end of the file (%d bytes)"
                          % (header_length, len(data)), source)
    try:
        header = data[header_start:data_start].decode(encoding)
    except UnicodeDecodeError as exc:
        raise FormatError("header is not valid %s: %s" % (encoding, exc), source, "header")
    return header, data_start


def _refuse_other_known_formats(data, source):
    """Give advice when the bytes are a PyTorch pickle or an .npz, not an .npy."""
    from neuron.formats.torch_pickle import looks_like_torch_pickle, refuse_torch_pickle

    if looks_like_torch_pickle(data):
        refuse_torch_pickle(source)
    if data[:4] == b"PK\x03\x04":
        raise FormatError("this is a zip (an .npz?), not an .npy file; read it with read_npz",
                          source)


def _parse_header(header, source):
    """Return (descr, fortran_order, shape) from the header dict literal."""
    fields = _DictLiteral(header, source).parse()
    missing = [key for key in ("descr", "fortran_order", "shape") if key not in fields]
    extra = sorted(key for key in fields if key not in ("descr", "fortran_order", "shape"))
    if missing or extra:
        raise FormatError("expected exactly the keys 'descr', 'fortran_order', 'shape'; "
                          "missing %r, unexpected %r" % (missing, extra), source, "header")
    descr, fortran_order, shape = fields["descr"], fields["fortran_order"], fields["shape"]
    if isinstance(descr, list):
        raise FormatError("structured dtypes (a list of named fields) are not supported; "
                          "save each field as an array of its own", source, "descr")
    if not isinstance(descr, str):
        raise FormatError("expected a string, got %r" % (descr,), source, "descr")
    if not isinstance(fortran_order, bool):
        raise FormatError("expected True or False, got %r" % (fortran_order,),
                          source, "fortran_order")
    if not isinstance(shape, tuple):
        raise FormatError("expected a tuple of sizes, got %r" % (shape,), source, "shape")
    if len(shape) > MAX_AXES:
        raise FormatError("%d axes; at most %d are supported" % (len(shape), MAX_AXES),
                          source, "shape")
    for size in shape:
        if size < 0:
            raise FormatError("sizes must be non-negative, got %r" % (shape,), source, "shape")
    return descr, fortran_order, shape


_INT_PATTERN = re.compile(r"-?[0-9]+L?")
_MAX_INT_DIGITS = 19  # 2**63 - 1, the largest size NumPy can write, has 19 digits


class _DictLiteral:
    """A parser for the one kind of Python literal an .npy header holds.

    Grammar (whitespace allowed between tokens)::

        dict   := "{" [ string ":" value { "," string ":" value } [","] ] "}"
        value  := string | "True" | "False" | tuple | list
        tuple  := "(" ")" | "(" int "," { int "," } [ int ] ")"
        string := a '...' or "..." string without backslashes
        int    := ["-"] digits ["L"]       (the L of Python 2 longs)

    A one-element tuple needs its comma, as in Python: ``(3)`` is not a
    tuple.  A list value (a structured dtype's fields) is recognised only so
    that it can be refused with a clear message; its contents are skipped.
    """

    def __init__(self, text, source):
        self.text = text
        self.source = source
        self.position = 0

    def parse(self):
        fields = {}
        self._expect("{")
        while not self._take("}"):
            key = self._string()
            if key in fields:
                self._fail("key %r appears twice" % key)
            self._expect(":")
            fields[key] = self._value()
            if not self._take(","):
                self._expect("}")
                break
        self._skip_space()
        if self.position != len(self.text):
            self._fail("unexpected text after the closing '}'")
        return fields

    def _value(self):
        self._skip_space()
        char = self.text[self.position:self.position + 1]
        if char in ("'", '"'):
            return self._string()
        if char == "(":
            return self._int_tuple()
        if char == "[":
            return self._skip_list()
        for word, value in (("True", True), ("False", False)):
            if self.text.startswith(word, self.position):
                self.position += len(word)
                return value
        self._fail("expected a string, True, False or a tuple")

    def _int_tuple(self):
        self._expect("(")
        items = []
        while not self._take(")"):
            items.append(self._int())
            if self._take(","):
                continue
            if len(items) == 1:
                self._fail("a one-element tuple needs a trailing comma, as in (3,)")
            self._expect(")")
            break
        return tuple(items)

    def _int(self):
        self._skip_space()
        match = _INT_PATTERN.match(self.text, self.position)
        if not match:
            self._fail("expected an integer")
        text = match.group().rstrip("L")
        if len(text.lstrip("-")) > _MAX_INT_DIGITS:
            # NumPy's sizes are 64-bit; and int() of more than 4300 digits
            # raises a plain ValueError on CPython 3.11+.
            self._fail("an integer of %d digits; sizes have at most %d"
                       % (len(text.lstrip("-")), _MAX_INT_DIGITS))
        self.position = match.end()
        return int(text)

    def _string(self):
        self._skip_space()
        quote = self.text[self.position:self.position + 1]
        if quote not in ("'", '"'):
            self._fail("expected a quoted string")
        end = self.text.find(quote, self.position + 1)
        if end < 0:
            self._fail("unterminated string")
        value = self.text[self.position + 1:end]
        if "\\" in value:
            self._fail("backslash escapes are not supported in strings")
        self.position = end + 1
        return value

    def _skip_list(self):
        # Only nesting depth matters: the caller refuses any list.
        depth = 0
        for index in range(self.position, len(self.text)):
            depth += {"[": 1, "]": -1}.get(self.text[index], 0)
            if depth == 0:
                self.position = index + 1
                return []
        self._fail("unterminated list")

    def _skip_space(self):
        while self.position < len(self.text) and self.text[self.position] in " \t\r\n":
            self.position += 1

    def _take(self, token):
        self._skip_space()
        if self.text.startswith(token, self.position):
            self.position += len(token)
            return True
        return False

    def _expect(self, token):
        if not self._take(token):
            self._fail("expected %r" % token)

    def _fail(self, message):
        raise FormatError("%s at character %d of the dict literal %r"
                          % (message, self.position, self.text[:200]),
                          self.source, "header")


def _element_for_descr(descr, source):
    """Return (Element, struct byte order) for a descr such as '<f4' or '|u1'."""
    order, code = descr[:1], descr[1:]
    if code.startswith("O"):
        raise FormatError("object arrays (%r) are stored as Python pickles, which neuron "
                          "never loads because unpickling can run code" % descr,
                          source, "descr")
    if code not in _DESCR_TYPES or order not in ("<", ">", "|"):
        raise FormatError("unsupported dtype %r; expected one of %s with byte order "
                          "'<', '>' or '|'" % (descr, ", ".join(sorted(_DESCR_TYPES))),
                          source, "descr")
    element = ELEMENTS[_DESCR_TYPES[code]]
    if order == "|" and element.itemsize != 1:
        raise FormatError("dtype %r of %d bytes needs a byte order '<' or '>', not '|'"
                          % (descr, element.itemsize), source, "descr")
    return element, ">" if order == ">" else "<"


def _fortran_to_c_order(values, shape):
    """Reorder values stored in Fortran order (first axis fastest) to C order.

    In Fortran order the element at index (i0, i1, ...) sits at offset
    i0*s0 + i1*s1 + ... with strides s0 = 1, s1 = n0, s2 = n0*n1, ...
    Listing those offsets with the last axis varying fastest (C order)
    gives, for each C position, where its value is in the file.
    """
    if not values:
        return values  # also spares building offsets for shapes like (10**9, 0)
    offsets = [0]
    stride = 1
    for size in shape:
        # Existing offsets stay outer, the new axis inner: it varies fastest.
        offsets = [offset + index * stride for offset in offsets for index in range(size)]
        stride *= size
    return [values[offset] for offset in offsets]


# -- .npz members -------------------------------------------------------------

def _check_member_sizes(members, max_bytes, source):
    import zipfile

    total = 0
    for member in members:
        declared = member.file_size
        if declared > max_bytes:
            raise FormatError("declares %d uncompressed bytes, more than the limit of %d"
                              % (declared, max_bytes), source, member.filename)
        if member.compress_type == zipfile.ZIP_STORED and declared != member.compress_size:
            raise FormatError("stored member declares %d bytes but holds %d"
                              % (declared, member.compress_size), source, member.filename)
        if (member.compress_type == zipfile.ZIP_DEFLATED
                and declared > _DEFLATE_MAX_RATIO * member.compress_size + 1024):
            raise FormatError("declares %d uncompressed bytes from %d compressed bytes, "
                              "more than any compression achieves"
                              % (declared, member.compress_size), source, member.filename)
        total += declared
        if total > max_bytes:
            raise FormatError("members declare more than %d uncompressed bytes in total"
                              % max_bytes, source, member.filename)


def _read_member(archive, member, source):
    import zipfile
    import zlib

    where = _member_source(source, member.filename)
    try:
        with archive.open(member) as stream:
            return _read_npy_stream(stream, member.file_size, where)
    except FormatError:
        raise
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError,
            ValueError, OSError, EOFError, struct.error) as exc:
        raise FormatError("cannot read member: %s" % exc, source, member.filename)


def _read_npy_stream(stream, declared, source):
    """The bytes of one .npy member, decompressing no more than its header declares.

    A zip bomb is a small member that inflates to far more data than its
    array needs (a header for shape (1,) followed by 800 MB of zeros).  So
    the .npy header is read first, in bounded reads, and parsed; it fixes the
    exact number of data bytes, which must agree with the zip's declared
    size; then at most that many bytes (plus one, to notice extra data) are
    read.
    """
    head = stream.read(len(MAGIC) + 2)
    # Version 1.0 has a 2-byte header length, 2.0 and 3.0 a 4-byte one;
    # _split_header below refuses any other version.
    length_size = 2 if head[len(MAGIC):] == b"\x01\x00" else 4
    head += stream.read(length_size)
    if len(head) == len(MAGIC) + 2 + length_size and head[:len(MAGIC)] == MAGIC:
        header_length = int.from_bytes(head[-length_size:], "little")
        if header_length > MAX_NPY_HEADER_BYTES:
            raise FormatError("header length %d is more than the limit of %d"
                              % (header_length, MAX_NPY_HEADER_BYTES), source, "header")
        head += stream.read(header_length)
    header, data_start = _split_header(head, source)
    descr, _, shape = _parse_header(header, source)
    element, _ = _element_for_descr(descr, source)
    expected = element_count(shape) * element.itemsize
    if data_start + expected != declared:
        raise FormatError("shape %r of %s needs %d data bytes, the zip member declares %d"
                          % (shape, descr, expected, declared - data_start), source)
    data = stream.read(expected + 1)
    if len(data) != expected:
        raise FormatError("member holds %d bytes, its header declares %d"
                          % (data_start + len(data), declared), source)
    return head + data


def _array_name(member_name):
    return member_name[:-len(".npy")] if member_name.endswith(".npy") else member_name


def _member_source(source, member_name):
    return member_name if source is None else "%s[%s]" % (source, member_name)


def _natural_key(name):
    # re.split with a capturing group alternates text, digits, text, ... so
    # position i always holds the same kind of part and tuples compare.
    parts = re.split(r"([0-9]+)", name)
    return tuple(int(part) if index % 2 else part for index, part in enumerate(parts)), name


# -- writing ------------------------------------------------------------------

def _descr_for_dtype(dtype):
    if dtype in _DTYPE_DESCRS:
        code = _DTYPE_DESCRS[dtype]
        return ("|" if ELEMENTS[dtype].itemsize == 1 else "<") + code
    return dtype


def _shape_literal(shape):
    if len(shape) == 1:
        return "(%d,)" % shape[0]
    return "(" + ", ".join(str(size) for size in shape) + ")"


def _shape_and_flat(values):
    """Return (shape, flat C-order list) of a number or nested list."""
    shape = []
    probe = values
    while isinstance(probe, (list, tuple)):
        shape.append(len(probe))
        if not probe:
            break
        probe = probe[0]
    rows = [values]
    for axis, size in enumerate(shape):
        next_rows = []
        for row in rows:
            if not isinstance(row, (list, tuple)) or len(row) != size:
                raise ShapeError("write_npy: ragged nested list; expected %d items on axis %d, got %r"
                                 % (size, axis, row))
            next_rows.extend(row)
        rows = next_rows
    return tuple(shape), rows


def _pack_elements(flat, element, byte_order):
    for value in flat:
        if isinstance(value, (list, tuple)) or not isinstance(value, (int, float)):
            raise TypeError("write_npy: expected numbers, got %r" % (value,))
    if element.name == "bool":
        flat = [1 if value else 0 for value in flat]
    try:
        return struct.pack("%s%d%s" % (byte_order, len(flat), element.code), *flat)
    except (struct.error, OverflowError) as exc:
        raise NeuronError("write_npy: a value does not fit %s: %s" % (element.name, exc))
