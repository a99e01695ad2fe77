"""A small read-only HDF5 reader, enough for the files Keras and h5py write.

HDF5 is a file system inside a file: *groups* (folders) hold *links* to
other groups and to *datasets* (n-dimensional arrays), and both may carry
*attributes* (small named values).  Keras stores one dataset per weight
(the example reads a file of the test suite, from the repository's top)::

    >>> with open("tests/data/keras/coffee.weights.h5", "rb") as f:
    ...     data = f.read()
    >>> root = open_hdf5(data, source="coffee.weights.h5")
    >>> root.keys()
    ['layers', 'vars']
    >>> bias = root["layers/dense/vars/1"]
    >>> bias.shape, bias.dtype
    ((3,), 'float32')
    >>> bias.read().tolist()
    [-9.869999885559082, -9.279999732971191, 1.0099999904632568]
    >>> root["layers/dense/vars"].attrs
    {'name': 'layer1'}
    >>> [path for path, dataset in root.walk()][:3]
    ['layers/dense/vars/0', 'layers/dense/vars/1', 'layers/dense_1/vars/0']

The caller reads the file (``open(path, "rb").read()``) and passes the
bytes, so this module never touches the file system.

What is understood (the HDF5 File Format Specification, version 3.0, names
every structure mentioned here):

* superblock versions 0 and 1 (h5py's default) and 2 and 3
  (``libver="latest"``); version 1 and 2 object headers with continuation
  blocks;
* groups stored as symbol tables (a version 1 B-tree of symbol table nodes
  whose names live in a local heap) and as link messages, either in the
  object header ("compact") or in a fractal heap indexed by a version 2
  B-tree ("dense", used once a group has more than 8 links); hard and soft
  links;
* datasets with contiguous or compact storage (chunked and filtered
  storage is refused with a clear error);
* IEEE floats of 16, 32 and 64 bits and integers of 8 to 64 bits, either
  byte order; enumerations (h5py's booleans) read as their integer base;
  fixed-length strings and variable-length strings kept in the global heap;
* scalar, simple (n-dimensional) and null dataspaces;
* attributes, in the object header or in dense storage.

Every problem with the bytes, from a truncated file to a feature this reader
does not implement, raises :class:`~neuron.errors.FormatError` naming the
source and the object path.  Every read is bounds-checked and every loop is
capped by the file size, so hostile input cannot make the reader hang or
allocate more than the file could hold.
"""

import bisect
import struct

from neuron.errors import FormatError
from neuron.formats.arrays import Array

__all__ = ["open_hdf5", "Group", "Dataset"]

_SIGNATURE = b"\x89HDF\r\n\x1a\n"

# Object header message types (specification section IV.A.2).
_MSG_DATASPACE = 0x01
_MSG_LINK_INFO = 0x02
_MSG_DATATYPE = 0x03
_MSG_FILL_OLD = 0x04
_MSG_FILL = 0x05
_MSG_LINK = 0x06
_MSG_EXTERNAL = 0x07
_MSG_LAYOUT = 0x08
_MSG_GROUP_INFO = 0x0A
_MSG_FILTERS = 0x0B
_MSG_ATTRIBUTE = 0x0C
_MSG_CONTINUATION = 0x10
_MSG_SYMBOL_TABLE = 0x11
_MSG_ATTRIBUTE_INFO = 0x15
_KNOWN_MESSAGES = frozenset(range(0x00, 0x19))

# Message flag bits.
_FLAG_SHARED = 0x02
_FLAG_MUST_UNDERSTAND = 0x80

# Datatype classes.
_CLASS_FIXED = 0
_CLASS_FLOAT = 1
_CLASS_STRING = 3
_CLASS_ENUM = 8
_CLASS_VLEN = 9
_CLASS_NAMES = {
    0: "fixed-point", 1: "floating-point", 2: "time", 3: "string",
    4: "bitfield", 5: "opaque", 6: "compound", 7: "reference",
    8: "enumerated", 9: "variable-length", 10: "array",
}

# IEEE formats by size: (struct code, precision bits, exponent bits).
_FLOATS = {2: ("e", 16, 5), 4: ("f", 32, 8), 8: ("d", 64, 11)}
_INTS = {1: "b", 2: "h", 4: "i", 8: "q"}

# Nested datatypes (an enum's base, a vlen's base) are parsed recursively;
# real files nest one level, so a small cap only ever stops hostile input.
_MAX_TYPE_DEPTH = 8
# Soft links may point at soft links; HDF5's own default limit is 16.
_MAX_SOFT_LINK_HOPS = 16
# Version 2 B-trees in real files are a few levels deep.
_MAX_BTREE_DEPTH = 32


# --------------------------------------------------------------------------
# Bounds-checked reading
# --------------------------------------------------------------------------

class _File:
    """The file's bytes plus what the superblock says about reading them.

    Every access goes through :meth:`take`, which raises FormatError instead
    of letting a slice come back short, so no caller ever sees a struct.error
    or an IndexError.
    """

    def __init__(self, data, source):
        self.data = data
        self.size = len(data)
        self.source = source
        self.offset_size = 8
        self.length_size = 8
        self.base = 0
        self.undefined = (1 << 64) - 1
        self.root = None
        # Parsed structures by object header position.  Paths are many
        # names for one object (soft links resolve from the root each
        # time), so each object's messages and links are parsed only once.
        self.headers = {}       # position -> messages
        self.links = {}         # position -> {name: _Link}
        self._global_heaps = {}
        self.global_heap_budget = len(data)

    def error(self, message, path):
        return FormatError(message, self.source, path or "/")

    def take(self, pos, count, path, what):
        """Return ``count`` bytes at absolute position ``pos``."""
        if pos < 0 or count < 0 or pos + count > self.size:
            raise self.error(
                "%s needs %d bytes at offset %d, but the file has %d bytes"
                % (what, count, pos, self.size), path)
        return self.data[pos:pos + count]

    def cursor(self, pos, length, path, what):
        """A :class:`_Cursor` over ``length`` bytes at ``pos`` (checked now)."""
        self.take(pos, length, path, what)
        return _Cursor(self, pos, pos + length, path, what)

    def address(self, value, path, what):
        """Turn a stored address into a file position (None if undefined)."""
        if value == self.undefined:
            return None
        pos = self.base + value
        if pos >= self.size:
            raise self.error(
                "%s address %d lies beyond the end of the file (%d bytes)"
                % (what, pos, self.size), path)
        return pos


class _Cursor:
    """Reads little-endian fields one after another inside [pos, end)."""

    def __init__(self, file, pos, end, path, what, data=None):
        self.file = file
        # Normally the file itself; a tiny heap object is read from its ID.
        self.data = file.data if data is None else data
        self.pos = pos
        self.end = end
        self.path = path
        self.what = what

    @property
    def remaining(self):
        return self.end - self.pos

    def bytes(self, count):
        if count < 0 or self.pos + count > self.end:
            raise self.file.error(
                "%s is truncated: needs %d more bytes at offset %d, has %d"
                % (self.what, count, self.pos, self.end - self.pos), self.path)
        chunk = self.data[self.pos:self.pos + count]
        self.pos += count
        return chunk

    def skip(self, count):
        self.bytes(count)

    def uint(self, size):
        return int.from_bytes(self.bytes(size), "little")

    def u8(self):
        return self.uint(1)

    def u16(self):
        return self.uint(2)

    def u32(self):
        return self.uint(4)

    def offset(self):
        """An address field, as a file position; None when undefined."""
        raw = self.uint(self.file.offset_size)
        return self.file.address(raw, self.path, self.what)

    def length(self):
        return self.uint(self.file.length_size)

    def signature(self, expected):
        found = self.bytes(len(expected))
        if found != expected:
            raise self.file.error(
                "%s: expected signature %r, found %r"
                % (self.what, expected, bytes(found)), self.path)

    def sub(self, count, what):
        """A cursor over the next ``count`` bytes, which this one skips."""
        start = self.pos
        self.skip(count)
        return _Cursor(self.file, start, start + count, self.path, what,
                       self.data)


def _align8(n):
    return (n + 7) & ~7


def _bytes_needed(value):
    """How many bytes an unsigned integer field needs to hold ``value``."""
    return max(1, (value.bit_length() + 7) // 8)


def _product(numbers):
    result = 1
    for n in numbers:
        result *= n
    return result


# --------------------------------------------------------------------------
# Superblock
# --------------------------------------------------------------------------

def _find_superblock(data):
    """The superblock sits at 0, 512, 1024, 2048, ... (after a user block)."""
    pos = 0
    while pos + len(_SIGNATURE) <= len(data):
        if data[pos:pos + len(_SIGNATURE)] == _SIGNATURE:
            return pos
        pos = 512 if pos == 0 else pos * 2
    return None


def _read_superblock(file):
    """Fill in the file's field sizes and return the root object's position."""
    start = _find_superblock(file.data)
    if start is None:
        raise file.error("not an HDF5 file: no HDF5 signature found", None)
    cur = file.cursor(start + 8, min(file.size - start - 8, 256), "/",
                      "superblock")
    version = cur.u8()
    if version in (0, 1):
        cur.skip(3)            # free-space, root symbol table, reserved
        cur.skip(1)            # shared header message format version
        _set_sizes(file, cur.u8(), cur.u8())
        cur.skip(1 + 2 + 2 + 4)  # reserved, group K values, consistency flags
        if version == 1:
            cur.skip(4)        # indexed storage K, reserved
        base = cur.uint(file.offset_size)
        cur.skip(3 * file.offset_size)  # free space, end of file, driver info
        cur.skip(file.offset_size)      # root entry: link name offset
        root = cur.uint(file.offset_size)
    elif version in (2, 3):
        _set_sizes(file, cur.u8(), cur.u8())
        cur.skip(1)            # consistency flags
        base = cur.uint(file.offset_size)
        cur.skip(2 * file.offset_size)  # superblock extension, end of file
        root = cur.uint(file.offset_size)
    else:
        raise file.error("superblock version %d is not supported "
                         "(expected 0, 1, 2 or 3)" % version, None)
    if base == file.undefined or base > file.size:
        raise file.error("superblock base address %d is outside the file"
                         % base, None)
    file.base = base
    pos = file.address(root, "/", "root group")
    if pos is None:
        raise file.error("the superblock has no root group", None)
    return pos


def _set_sizes(file, offset_size, length_size):
    for name, size in (("offsets", offset_size), ("lengths", length_size)):
        if size not in (2, 4, 8):
            raise file.error("superblock: size of %s is %d bytes "
                             "(expected 2, 4 or 8)" % (name, size), None)
    file.offset_size = offset_size
    file.length_size = length_size
    file.undefined = (1 << (8 * offset_size)) - 1


# --------------------------------------------------------------------------
# Object headers
# --------------------------------------------------------------------------

class _Message:
    """One header message: its type, flags and where its body lies."""

    __slots__ = ("type", "flags", "pos", "size")

    def __init__(self, type_, flags, pos, size):
        self.type = type_
        self.flags = flags
        self.pos = pos
        self.size = size

    def cursor(self, file, path, what):
        return _Cursor(file, self.pos, self.pos + self.size, path, what)


def _read_object_header(file, pos, path):
    """Return the messages of the object header at ``pos``, continuations included.

    Messages may continue in blocks elsewhere in the file (continuation
    messages).  Real headers never revisit a block or overlap, so the total
    bytes read are capped at the file size; that bounds a hostile chain of
    continuations that loops or overlaps.
    """
    head = file.take(pos, 4, path, "object header")
    tracks_order = False
    if head == b"OHDR":
        version = 2
        first, tracks_order = _v2_first_block(file, pos, path)
        blocks = [first]
    elif head[0] == 1:
        version = 1
        cur = file.cursor(pos, 16, path, "object header")
        cur.skip(2 + 2 + 4)    # version, reserved, message count, ref count
        size = cur.u32()
        blocks = [(pos + 16, size)]
    else:
        raise file.error("object header at offset %d has unknown version %d "
                         "(expected 1 or 2)" % (pos, head[0]), path)
    messages = []
    seen = set()
    budget = file.size
    while blocks:
        start, size = blocks.pop(0)
        if start in seen:
            raise file.error("object header continuation at offset %d is "
                             "visited twice (a loop)" % start, path)
        seen.add(start)
        budget -= size
        if budget < 0:
            raise file.error("object header continuations add up to more "
                             "bytes than the file holds", path)
        cur = file.cursor(start, size, path, "object header messages")
        for message in _header_messages(cur, version, tracks_order):
            if message.type == _MSG_CONTINUATION:
                blocks.append(_continuation(file, message, version, path))
            else:
                _check_understood(file, message, path)
                messages.append(message)
    return messages


def _v2_first_block(file, pos, path):
    cur = file.cursor(pos, min(file.size - pos, 64), path, "object header")
    cur.skip(4)
    version = cur.u8()
    if version != 2:
        raise file.error("object header version %d is not supported "
                         "(expected 2)" % version, path)
    flags = cur.u8()
    if flags & 0x20:
        cur.skip(16)           # access, modification, change, birth times
    if flags & 0x10:
        cur.skip(4)            # attribute storage phase change values
    size = cur.uint(1 << (flags & 0x03))
    # Flag bit 2: attribute creation order is tracked, and then every
    # message carries a 2-byte creation order after its flags.
    return (cur.pos, size), bool(flags & 0x04)


def _header_messages(cur, version, tracks_order):
    """Yield the messages packed in one header block."""
    if version == 1:
        while cur.remaining >= 8:
            type_, size, flags = cur.u16(), cur.u16(), cur.u8()
            cur.skip(3)
            body = cur.sub(size, "header message")
            yield _Message(type_, flags, body.pos, size)
    else:
        while cur.remaining >= (6 if tracks_order else 4):
            type_, size, flags = cur.u8(), cur.u16(), cur.u8()
            if tracks_order:
                cur.skip(2)
            body = cur.sub(size, "header message")
            yield _Message(type_, flags, body.pos, size)


def _continuation(file, message, version, path):
    cur = message.cursor(file, path, "continuation message")
    pos = cur.offset()
    size = cur.length()
    if pos is None:
        raise file.error("continuation message has an undefined address", path)
    if version == 1:
        return (pos, size)
    # Version 2 continuation blocks are "OCHK" + messages + checksum.
    if size < 8:
        raise file.error("continuation block of %d bytes is too small" % size,
                         path)
    file.cursor(pos, 4, path, "continuation block").signature(b"OCHK")
    return (pos + 4, size - 8)


def _check_understood(file, message, path):
    if message.type not in _KNOWN_MESSAGES and (
            message.flags & _FLAG_MUST_UNDERSTAND):
        raise file.error("header message type %d is not understood by this "
                         "reader and is marked 'must understand'"
                         % message.type, path)


def _find(messages, type_):
    for message in messages:
        if message.type == type_:
            return message
    return None


def _unshared(file, message, path, what):
    """Refuse shared (committed) messages: they live in another object."""
    if message.flags & _FLAG_SHARED:
        raise file.error("shared %s messages are not supported" % what, path)
    return message


# --------------------------------------------------------------------------
# Datatypes and dataspaces
# --------------------------------------------------------------------------

class _Type:
    """A decoded datatype: what kind of value and how to unpack it.

    ``kind`` is "number", "string" (fixed length) or "vlen-string".
    """

    __slots__ = ("kind", "size", "code", "name", "padding")

    def __init__(self, kind, size, code=None, name=None, padding=0):
        self.kind = kind
        self.size = size
        self.code = code       # struct format with byte order, e.g. "<f"
        self.name = name       # "float32", "int64", "str"
        self.padding = padding


def _read_datatype(cur, depth=0):
    """Decode a datatype message body."""
    file, path = cur.file, cur.path
    if depth > _MAX_TYPE_DEPTH:
        raise file.error("datatype nests more than %d levels" % _MAX_TYPE_DEPTH,
                         path)
    first = cur.u8()
    klass, version = first & 0x0F, first >> 4
    bits = cur.uint(3)
    size = cur.u32()
    if klass == _CLASS_FIXED:
        return _integer_type(cur, bits, size)
    if klass == _CLASS_FLOAT:
        return _float_type(cur, bits, size)
    if klass == _CLASS_STRING:
        if size == 0:
            raise file.error("string datatype has size 0", path)
        return _Type("string", size, name="str", padding=bits & 0x0F)
    if klass == _CLASS_ENUM:
        # h5py stores booleans as an enum over int8; the values are what
        # matter here, so an enum reads as its integer base type.  The
        # member names and values that follow are not needed.
        base = _read_datatype(cur, depth + 1)
        if base.kind != "number":
            raise file.error("enumerated datatype over a non-number base",
                             path)
        return base
    if klass == _CLASS_VLEN:
        if bits & 0x0F != 1:
            raise file.error("variable-length sequences are not supported "
                             "(only variable-length strings)", path)
        expected = 4 + file.offset_size + 4
        if size != expected:
            raise file.error("variable-length string datatype has size %d "
                             "(expected %d)" % (size, expected), path)
        return _Type("vlen-string", size, name="str")
    raise file.error("%s datatype (class %d, version %d) is not supported"
                     % (_CLASS_NAMES.get(klass, "unknown"), klass, version), path)


def _integer_type(cur, bits, size):
    offset, precision = cur.u16(), cur.u16()
    if size not in _INTS or offset != 0 or precision != 8 * size:
        raise cur.file.error(
            "integer datatype of %d bytes, bit offset %d, precision %d is not "
            "supported (expected 1, 2, 4 or 8 whole bytes)"
            % (size, offset, precision), cur.path)
    signed = bool(bits & 0x08)
    code = _INTS[size] if signed else _INTS[size].upper()
    order = ">" if bits & 0x01 else "<"
    name = ("int%d" if signed else "uint%d") % (8 * size)
    return _Type("number", size, order + code, name)


def _float_type(cur, bits, size):
    offset, precision = cur.u16(), cur.u16()
    cur.skip(1)                # exponent location
    exponent_bits = cur.u8()
    cur.skip(6)                # mantissa location and size, exponent bias
    if size not in _FLOATS or offset != 0:
        raise cur.file.error("floating-point datatype of %d bytes is not "
                             "supported (expected 2, 4 or 8)" % size, cur.path)
    code, ieee_precision, ieee_exponent = _FLOATS[size]
    if precision != ieee_precision or exponent_bits != ieee_exponent:
        raise cur.file.error(
            "floating-point datatype with %d bits and a %d-bit exponent is not "
            "IEEE binary%d" % (precision, exponent_bits, 8 * size), cur.path)
    # Byte order is bit 0, with bit 6 set for VAX order (not supported).
    if bits & 0x40:
        raise cur.file.error("VAX-order floats are not supported", cur.path)
    order = ">" if bits & 0x01 else "<"
    return _Type("number", size, order + code, "float%d" % (8 * size))


def _read_dataspace(cur):
    """Decode a dataspace message: a shape tuple, or None for a null space."""
    version = cur.u8()
    rank = cur.u8()
    cur.u8()  # flags: only say whether maximum sizes follow, which a reader skips
    if version == 1:
        cur.skip(5)
        null = False
    elif version == 2:
        kind = cur.u8()
        if kind not in (0, 1, 2):
            raise cur.file.error("dataspace type %d is unknown" % kind, cur.path)
        null = kind == 2
    else:
        raise cur.file.error("dataspace version %d is not supported "
                             "(expected 1 or 2)" % version, cur.path)
    if rank > 32:
        raise cur.file.error("dataspace has %d dimensions (at most 32)" % rank,
                             cur.path)
    shape = tuple(cur.length() for _ in range(rank))
    if null:
        return None
    return shape


# --------------------------------------------------------------------------
# Decoding values
# --------------------------------------------------------------------------

def _check_fits(file, path, shape, dtype, available, what):
    """Refuse a shape whose data would need more bytes than are there.

    Checking before unpacking means a dataspace that claims 10**12 elements
    in a small file costs nothing instead of exhausting memory.
    """
    count = _product(shape)
    need = count * dtype.size
    if need > available:
        raise file.error(
            "%s of shape %s needs %d bytes of %s, but only %d are available"
            % (what, shape, need, dtype.name, available), path)
    # An empty shape such as (10**12, 0) needs no bytes, yet nesting it
    # would build 10**12 empty lists; the lists before the first zero
    # dimension are bounded by the file size, as real data would be.
    lists = 1
    for n in shape:
        if n == 0:
            break
        lists *= n
    if count == 0 and lists > file.size:
        raise file.error("empty %s of shape %s would nest %d lists, more than "
                         "the file's size" % (what, shape, lists), path)
    return count


def _decode_elements(file, path, raw, count, dtype):
    """Turn ``count`` packed elements into Python values."""
    if dtype.kind == "number":
        return list(struct.unpack(dtype.code[0] + str(count) + dtype.code[1],
                                  raw[:count * dtype.size]))
    size = dtype.size
    if dtype.kind == "string":
        return [_fixed_string(file, path, raw[i * size:(i + 1) * size],
                              dtype.padding) for i in range(count)]
    return [_vlen_string(file, path, raw[i * size:(i + 1) * size])
            for i in range(count)]


def _fixed_string(file, path, raw, padding):
    # Padding 0 is null-terminated, 1 null-padded, 2 space-padded.  Reading
    # up to the first NUL is right for the first two; HDF5 never stores a
    # NUL inside a null-padded string either.
    raw = bytes(raw)
    if padding == 2:
        raw = raw.rstrip(b" ")
    else:
        cut = raw.find(b"\x00")
        if cut >= 0:
            raw = raw[:cut]
    return _text(file, path, raw)


def _text(file, path, raw):
    # HDF5 marks strings ASCII or UTF-8; ASCII is a subset, so UTF-8 decodes
    # both, and an invalid byte is a broken file rather than something to
    # paper over with replacement characters.
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise file.error("string is not valid UTF-8 (%s)" % exc.reason, path)


def _vlen_string(file, path, raw):
    """A variable-length string: length, global heap collection, index."""
    length = int.from_bytes(raw[:4], "little")
    collection = int.from_bytes(raw[4:4 + file.offset_size], "little")
    index = int.from_bytes(raw[4 + file.offset_size:], "little")
    if length == 0:
        return ""
    pos = file.address(collection, path, "global heap collection")
    if pos is None:
        raise file.error("variable-length string of %d bytes has no global "
                         "heap collection" % length, path)
    data = _global_heap_object(file, pos, index, path)
    if length > len(data):
        raise file.error("variable-length string claims %d bytes, its heap "
                         "object holds %d" % (length, len(data)), path)
    return _text(file, path, bytes(data[:length]))


def _global_heap_object(file, pos, index, path):
    """Object ``index`` of the global heap collection at ``pos``."""
    objects = file._global_heaps.get(pos)
    if objects is None:
        objects = _read_global_heap(file, pos, path)
        file._global_heaps[pos] = objects
    try:
        return objects[index]
    except KeyError:
        raise file.error("global heap collection at offset %d has no object %d"
                         % (pos, index), path) from None


def _read_global_heap(file, pos, path):
    head = file.cursor(pos, 8 + file.length_size, path, "global heap")
    head.signature(b"GCOL")
    version = head.u8()
    if version != 1:
        raise file.error("global heap version %d is not supported" % version,
                         path)
    head.skip(3)
    size = head.length()
    if size < head.pos - pos or pos + size > file.size:
        raise file.error("global heap collection of %d bytes at offset %d does "
                         "not fit the file" % (size, pos), path)
    # Collections never overlap in a real file, so all of them together
    # fit in the file; a hostile file pointing strings at many overlapping
    # "collections" runs out of this budget instead of costing n**2 time.
    file.global_heap_budget -= size
    if file.global_heap_budget < 0:
        raise file.error("global heap collections add up to more bytes than "
                         "the file holds", path)
    cur = _Cursor(file, head.pos, pos + size, path, "global heap")
    objects = {}
    # Each object has a header of 8 + length_size bytes, so the collection
    # size bounds this loop.
    while cur.remaining >= 8 + file.length_size:
        index = cur.u16()
        cur.skip(6)            # reference count, reserved
        length = cur.length()
        if index == 0:         # the free space that ends the collection
            break
        objects[index] = cur.bytes(length)
        cur.skip(min(_align8(length) - length, cur.remaining))
    return objects


# --------------------------------------------------------------------------
# Attributes
# --------------------------------------------------------------------------

def _read_attribute(file, cur, path):
    """Decode an attribute message body: return (name, value)."""
    version = cur.u8()
    flags = cur.u8()
    name_size, type_size, space_size = cur.u16(), cur.u16(), cur.u16()
    if version not in (1, 2, 3):
        raise file.error("attribute message version %d is not supported"
                         % version, path)
    if flags & 0x03:
        raise file.error("attributes with shared datatypes or dataspaces are "
                         "not supported", path)
    if version == 3:
        cur.skip(1)            # name character set
    pad = _align8 if version == 1 else (lambda n: n)
    name = _fixed_string(file, path, cur.bytes(pad(name_size)), 0)
    where = path.rstrip("/") + "/@" + name if path else "@" + name
    dtype = _read_datatype(_sub_at(cur, type_size, pad, where))
    shape = _read_dataspace(_sub_at(cur, space_size, pad, where))
    if shape is None:
        return name, None
    available = cur.remaining
    count = _check_fits(file, where, shape, dtype, available, "attribute")
    values = _decode_elements(file, where, cur.bytes(count * dtype.size),
                              count, dtype)
    return name, Array(shape, dtype.name, values).tolist()


def _sub_at(cur, size, pad, path):
    """A cursor over the next ``size`` bytes, skipping the padded size."""
    start = cur.pos
    cur.skip(pad(size))
    return _Cursor(cur.file, start, start + size, path, cur.what, cur.data)


def _read_attributes(file, messages, path):
    """All attributes of an object, compact and dense, as a dict."""
    attrs = {}
    for message in messages:
        if message.type == _MSG_ATTRIBUTE:
            _unshared(file, message, path, "attribute")
            name, value = _read_attribute(
                file, message.cursor(file, path, "attribute message"), path)
            attrs[name] = value
    info = _find(messages, _MSG_ATTRIBUTE_INFO)
    if info is not None:
        cur = info.cursor(file, path, "attribute info message")
        version, flags = cur.u8(), cur.u8()
        if version != 0:
            raise file.error("attribute info version %d is not supported"
                             % version, path)
        if flags & 0x01:
            cur.skip(2)        # maximum creation index
        heap, names = cur.offset(), cur.offset()
        if heap is not None:
            for body in _dense_objects(file, heap, names, 8, path):
                name, value = _read_attribute(file, body, path)
                attrs[name] = value
    return attrs


# --------------------------------------------------------------------------
# Dense storage: fractal heap and version 2 B-tree
# --------------------------------------------------------------------------

def _dense_objects(file, heap_pos, btree_pos, record_type, path):
    """Yield a cursor over each object a name-index B-tree points into.

    Dense links (record type 5) and dense attributes (type 8) both store
    their messages in a fractal heap and index them by name in a version 2
    B-tree whose records hold each object's heap ID.
    """
    if btree_pos is None:
        raise file.error("dense storage has a heap but no name index", path)
    heap = _FractalHeap(file, heap_pos, path)
    for record in _btree2_records(file, btree_pos, record_type, path):
        if record_type == 5:
            heap_id = record[4:4 + heap.id_length]   # after the name hash
        else:
            heap_id = record[:heap.id_length]
            if len(record) > heap.id_length and record[heap.id_length] & 0x01:
                raise file.error("shared attributes in dense storage are not "
                                 "supported", path)
        yield heap.get(heap_id)


def _btree2_records(file, pos, record_type, path):
    """Return every record of the version 2 B-tree at ``pos``, in no order.

    Nodes are visited with an explicit stack (no recursion), each at most
    once, and the records gathered can never add up to more bytes than the
    file holds.
    """
    cur = file.cursor(pos, min(file.size - pos, 16 + 3 * 8 + 8), path,
                      "v2 B-tree header")
    cur.signature(b"BTHD")
    version, found_type = cur.u8(), cur.u8()
    if version != 0 or found_type != record_type:
        raise file.error("v2 B-tree at offset %d: version %d type %d "
                         "(expected version 0 type %d)"
                         % (pos, version, found_type, record_type), path)
    node_size, record_size, depth = cur.u32(), cur.u16(), cur.u16()
    cur.skip(2)                # split and merge percentages
    root, root_records = cur.offset(), cur.u16()
    if root is None or root_records == 0:
        return []
    if record_size == 0 or node_size <= 10 or depth > _MAX_BTREE_DEPTH:
        raise file.error("v2 B-tree has node size %d, record size %d, depth %d"
                         % (node_size, record_size, depth), path)
    count_sizes, total_sizes = _btree2_field_sizes(file, node_size,
                                                   record_size, depth)
    records = []
    budget = file.size // record_size
    seen = set()
    stack = [(root, root_records, depth)]
    while stack:
        node, count, level = stack.pop()
        if node in seen:
            raise file.error("v2 B-tree node at offset %d is reached twice"
                             % node, path)
        seen.add(node)
        budget -= count
        if budget < 0:
            raise file.error("v2 B-tree holds more records than the file has "
                             "room for", path)
        cur = file.cursor(node, min(node_size, file.size - node), path,
                          "v2 B-tree node")
        cur.signature(b"BTLF" if level == 0 else b"BTIN")
        cur.skip(2)            # version, type
        for _ in range(count):
            records.append(cur.bytes(record_size))
        if level == 0:
            continue
        for _ in range(count + 1):
            child = cur.offset()
            child_count = cur.uint(count_sizes)
            if level > 1:
                cur.skip(total_sizes[level - 1])
            if child is None:
                raise file.error("v2 B-tree child has an undefined address",
                                 path)
            stack.append((child, child_count, level - 1))
    return records


def _btree2_field_sizes(file, node_size, record_size, depth):
    """Widths of the child-count fields in internal nodes.

    The specification sizes these fields by the largest count they could
    hold: a leaf holds (node_size - 10) / record_size records (10 bytes go
    to signature, version, type and checksum), and an internal node's subtree
    holds its own records plus its children's.  The HDF5 library computes
    them the same way, level by level.
    """
    leaf_max = (node_size - 10) // record_size
    count_size = _bytes_needed(leaf_max)
    total_sizes = [0]
    cumulative = leaf_max
    for level in range(1, depth + 1):
        pointer = file.offset_size + count_size + (
            total_sizes[level - 1] if level > 1 else 0)
        node_max = (node_size - 10 - pointer) // (record_size + pointer)
        cumulative = (node_max + 1) * cumulative + node_max
        total_sizes.append(_bytes_needed(cumulative))
    return count_size, total_sizes


class _FractalHeap:
    """The managed objects of a fractal heap, found through heap IDs.

    A fractal heap stores objects in direct blocks arranged in a "doubling
    table": rows of ``width`` blocks, the first two rows of the starting
    block size and each later row twice the one before.  Indirect blocks
    hold the addresses of a table's blocks.  An object's heap ID gives its
    offset in the heap's address space and its length.
    """

    def __init__(self, file, pos, path):
        self.file, self.path = file, path
        length, offset = file.length_size, file.offset_size
        cur = file.cursor(pos, min(file.size - pos, 22 + 12 * length + 3 * offset),
                          path, "fractal heap header")
        cur.signature(b"FRHP")
        if cur.u8() != 0:
            raise file.error("fractal heap version is not 0", path)
        self.id_length = cur.u16()
        if cur.u16() != 0:
            raise file.error("fractal heaps with I/O filters are not supported",
                             path)
        cur.skip(1)            # flags: ID wrap-around, direct block checksums
        max_object = cur.u32()
        cur.skip(length + offset + length + offset + 6 * length + 2 * length)
        self.width = cur.u16()
        self.start_size = cur.length()
        self.max_direct = cur.length()
        max_heap_bits = cur.u16()
        cur.skip(2)            # starting rows in the root indirect block
        self.root = cur.offset()
        self.root_rows = cur.u16()
        if (self.width == 0 or not _power_of_two(self.width)
                or not _power_of_two(self.start_size)
                or not _power_of_two(self.max_direct)
                or self.max_direct < self.start_size
                or not 0 < max_heap_bits <= 64):
            raise file.error("fractal heap header has an impossible doubling "
                             "table (width %d, block sizes %d..%d, %d bits)"
                             % (self.width, self.start_size, self.max_direct,
                                max_heap_bits), path)
        self.offset_bytes = (max_heap_bits + 7) // 8
        # The library sizes an ID's length field for the largest object a
        # direct block or the heap's limit allows, whichever is smaller.
        self.length_bytes = min((self.max_direct.bit_length() - 1 + 7) // 8,
                                _bytes_needed(max_object))
        self.max_direct_rows = (self.max_direct.bit_length()
                                - self.start_size.bit_length() + 2)
        if 1 + self.offset_bytes + self.length_bytes > self.id_length:
            raise file.error("fractal heap IDs of %d bytes cannot hold an "
                             "offset and a length" % self.id_length, path)
        self._blocks = None

    def get(self, heap_id):
        """A cursor over the object that ``heap_id`` names."""
        file, path = self.file, self.path
        if len(heap_id) < 1:
            raise file.error("empty fractal heap ID", path)
        kind = (heap_id[0] >> 4) & 0x03
        if heap_id[0] >> 6 != 0:
            raise file.error("fractal heap ID version %d is not supported"
                             % (heap_id[0] >> 6), path)
        if kind == 2:          # tiny: the object is inside the ID itself
            size = (heap_id[0] & 0x0F) + 1
            if 1 + size > len(heap_id):
                raise file.error("tiny heap object is longer than its ID", path)
            return _Cursor(file, 1, 1 + size, path, "tiny heap object",
                           data=bytes(heap_id))
        if kind != 0:
            raise file.error("huge fractal heap objects are not supported",
                             path)
        at = 1
        offset = int.from_bytes(heap_id[at:at + self.offset_bytes], "little")
        at += self.offset_bytes
        size = int.from_bytes(heap_id[at:at + self.length_bytes], "little")
        offsets, blocks = self._direct_blocks()
        # The last block starting at or before the offset is the only one
        # that can hold it: blocks tile the heap's address space.
        index = bisect.bisect_right(offsets, offset) - 1
        if index >= 0:
            block_offset, block_size, block_pos = blocks[index]
            if offset + size <= block_offset + block_size:
                start = block_pos + (offset - block_offset)
                return file.cursor(start, size, path, "heap object")
        raise file.error("fractal heap has no object at offset %d (length %d)"
                         % (offset, size), path)

    def _direct_blocks(self):
        if self._blocks is None:
            blocks = sorted(self._walk_blocks())
            self._blocks = ([block[0] for block in blocks], blocks)
        return self._blocks

    def _walk_blocks(self):
        """List (heap offset, size, file position) of every direct block."""
        file, path = self.file, self.path
        if self.root is None:
            return []
        if self.root_rows == 0:
            return [(0, self.start_size, self._direct_data(self.root))]
        blocks = []
        seen = set()
        # Each entry is an address stored in the file, and a real heap never
        # reads one twice, so the entries read are capped by the file size.
        budget = file.size // file.offset_size
        stack = [(self.root, self.root_rows, 0)]
        while stack:
            pos, rows, base = stack.pop()
            if pos in seen:
                raise file.error("fractal heap indirect block at offset %d is "
                                 "reached twice" % pos, path)
            seen.add(pos)
            budget -= max(rows, 0) * self.width
            if budget < 0:
                raise file.error("fractal heap indirect blocks hold more "
                                 "entries than the file has room for", path)
            if rows > 64:
                raise file.error("fractal heap indirect block has %d rows"
                                 % rows, path)
            cur = file.cursor(pos, min(file.size - pos, 5 + file.offset_size
                                       + self.offset_bytes), path,
                              "fractal heap indirect block")
            cur.signature(b"FHIB")
            cur.skip(1 + file.offset_size + self.offset_bytes)
            entry = _Cursor(file, cur.pos, file.size, path,
                            "fractal heap indirect block")
            offset = base
            for row in range(rows):
                size = self.start_size << max(row - 1, 0)
                for _ in range(self.width):
                    child = entry.offset()
                    if child is not None:
                        if row < self.max_direct_rows:
                            blocks.append((offset, size,
                                           self._direct_data(child)))
                        else:
                            child_rows = (size.bit_length() - 1) - (
                                (self.start_size * self.width).bit_length()
                                - 1) + 1
                            stack.append((child, child_rows, offset))
                    offset += size
        return blocks

    def _direct_data(self, pos):
        """Position of a direct block (offsets inside it count its header)."""
        self.file.cursor(pos, 4, self.path,
                         "fractal heap direct block").signature(b"FHDB")
        return pos


def _power_of_two(n):
    return n > 0 and n & (n - 1) == 0


# --------------------------------------------------------------------------
# Links: what a group holds
# --------------------------------------------------------------------------

class _Link:
    """A named link: "hard" (to an object header), "soft" (to a path) or other."""

    __slots__ = ("kind", "target")

    def __init__(self, kind, target):
        self.kind = kind
        self.target = target   # a file position for hard links, a path for soft


def _read_link(file, cur, path):
    """Decode a link message body: return (name, _Link)."""
    version, flags = cur.u8(), cur.u8()
    if version != 1:
        raise file.error("link message version %d is not supported "
                         "(expected 1)" % version, path)
    kind = cur.u8() if flags & 0x08 else 0
    if flags & 0x04:
        cur.skip(8)            # creation order
    if flags & 0x10:
        cur.skip(1)            # name character set
    name = _text(file, path, bytes(cur.bytes(cur.uint(1 << (flags & 0x03)))))
    if kind == 0:
        target = cur.offset()
        if target is None:
            raise file.error("hard link %r has an undefined address" % name,
                             path)
        return name, _Link("hard", target)
    if kind == 1:
        return name, _Link("soft", _text(file, path, bytes(cur.bytes(cur.u16()))))
    return name, _Link("external" if kind == 64 else "user-defined", None)


def _group_links(file, messages, path):
    """The links of a group, from whichever storage the group uses."""
    table = _find(messages, _MSG_SYMBOL_TABLE)
    if table is not None:
        return _symbol_table_links(file, table, path)
    links = {}
    for message in messages:
        if message.type == _MSG_LINK:
            name, link = _read_link(file, message.cursor(file, path, "link"),
                                    path)
            links[name] = link
    info = _find(messages, _MSG_LINK_INFO)
    if info is not None:
        cur = info.cursor(file, path, "link info message")
        version, flags = cur.u8(), cur.u8()
        if version != 0:
            raise file.error("link info version %d is not supported" % version,
                             path)
        if flags & 0x01:
            cur.skip(8)        # maximum creation index
        heap, names = cur.offset(), cur.offset()
        if heap is not None:
            for body in _dense_objects(file, heap, names, 5, path):
                name, link = _read_link(file, body, path)
                links[name] = link
    return links


def _symbol_table_links(file, message, path):
    """Links of an old-style group: a v1 B-tree over symbol table nodes.

    The B-tree's leaves point at symbol table nodes ("SNOD"), each a list of
    entries whose names are offsets into the group's local heap.  Nodes are
    visited with an explicit stack, each at most once.
    """
    cur = message.cursor(file, path, "symbol table message")
    btree, heap = cur.offset(), cur.offset()
    if btree is None or heap is None:
        raise file.error("symbol table message has an undefined address", path)
    names = _local_heap(file, heap, path)
    links = {}
    seen = set()
    # Real trees list each node once and each symbol once; counting the
    # entries read bounds a hostile tree whose nodes overlap.
    entries_read = 0
    stack = [(btree, None)]
    while stack:
        pos, level = stack.pop()
        if pos in seen:
            raise file.error("group B-tree node at offset %d is reached twice "
                             "(a loop)" % pos, path)
        seen.add(pos)
        node = file.cursor(pos, min(file.size - pos, 8 + 2 * file.offset_size),
                           path, "group B-tree node")
        node.signature(b"TREE")
        node_type, node_level, entries = node.u8(), node.u8(), node.u16()
        if node_type != 0 or (level is not None and node_level != level):
            raise file.error("group B-tree node at offset %d has type %d level "
                             "%d (expected type 0 level %s)"
                             % (pos, node_type, node_level, level), path)
        node.skip(2 * file.offset_size)      # siblings
        body = _Cursor(file, node.pos, file.size, path, "group B-tree node")
        for _ in range(entries):
            body.skip(file.length_size)      # key: a name's heap offset
            child = body.offset()
            if child is None:
                raise file.error("group B-tree child has an undefined address",
                                 path)
            if node_level == 0:
                if child in seen:
                    raise file.error("symbol table node at offset %d is "
                                     "listed twice" % child, path)
                seen.add(child)
                entries_read += _symbol_node_links(file, child, names, links,
                                                   path)
                if entries_read * (2 * file.offset_size + 24) > file.size:
                    raise file.error("group lists more symbols than the file "
                                     "has room for", path)
            else:
                stack.append((child, node_level - 1))
    return links


def _local_heap(file, pos, path):
    """The data segment of a local heap (where symbol names live)."""
    cur = file.cursor(pos, 8 + 2 * file.length_size + file.offset_size, path,
                      "local heap")
    cur.signature(b"HEAP")
    if cur.u8() != 0:
        raise file.error("local heap version is not 0", path)
    cur.skip(3)
    size = cur.length()
    cur.skip(file.length_size)               # free list head
    data = cur.offset()
    if data is None:
        raise file.error("local heap has no data segment", path)
    return file.take(data, size, path, "local heap data")


def _heap_name(file, names, offset, path):
    end = names.find(b"\x00", offset)
    if offset >= len(names) or end < 0:
        raise file.error("link name offset %d is outside the local heap "
                         "(%d bytes)" % (offset, len(names)), path)
    return _text(file, path, names[offset:end])


def _symbol_node_links(file, pos, names, links, path):
    """Add the entries of one symbol table node to ``links``; return their count."""
    cur = file.cursor(pos, 8, path, "symbol table node")
    cur.signature(b"SNOD")
    if cur.u8() != 1:
        raise file.error("symbol table node version is not 1", path)
    cur.skip(1)
    count = cur.u16()
    entry_size = 2 * file.offset_size + 24
    body = file.cursor(cur.pos, count * entry_size, path, "symbol table node")
    for _ in range(count):
        name = _heap_name(file, names, body.uint(file.offset_size), path)
        header = body.offset()
        cache_type = body.u32()
        body.skip(4)
        scratch = body.sub(16, "symbol table entry")
        if cache_type == 2:
            # An old-style soft link: the scratch pad holds the offset of
            # the target path in the local heap.
            links[name] = _Link("soft",
                                _heap_name(file, names, scratch.u32(), path))
        elif header is None:
            raise file.error("symbol %r has an undefined address" % name, path)
        else:
            links[name] = _Link("hard", header)
    return count


# --------------------------------------------------------------------------
# Datasets: layout and raw data
# --------------------------------------------------------------------------

_CHUNKED = "chunked/compressed dataset layout is not supported"


def _read_layout(file, message, path):
    """Return ("compact", position, size) or ("contiguous", position|None, size)."""
    cur = message.cursor(file, path, "data layout message")
    version = cur.u8()
    if version in (1, 2):
        rank, klass = cur.u8(), cur.u8()
        cur.skip(5)
        if klass == 0:
            cur.skip(4 * rank)
            size = cur.u32()
            return ("compact", cur.pos, size)
        if klass == 1:
            pos = cur.offset()
            return ("contiguous", pos, None)
    elif version in (3, 4):
        klass = cur.u8()
        if klass == 0:
            size = cur.u16()
            return ("compact", cur.pos, size)
        if klass == 1:
            pos = cur.offset()
            return ("contiguous", pos, cur.length())
    else:
        raise file.error("data layout version %d is not supported" % version,
                         path)
    if klass == 2:
        raise file.error(_CHUNKED, path)
    raise file.error("data layout class %d is not supported "
                     "(only compact and contiguous)" % klass, path)


def _fill_bytes(file, messages, dtype, path):
    """The fill value of a dataset, or zeros when none is stored."""
    message = _find(messages, _MSG_FILL) or _find(messages, _MSG_FILL_OLD)
    value = None
    if message is not None:
        cur = message.cursor(file, path, "fill value message")
        if message.type == _MSG_FILL_OLD:
            value = cur.bytes(cur.u32())
        else:
            version = cur.u8()
            if version in (1, 2):
                cur.skip(2)
                defined = cur.u8()
                if version == 1 or defined:
                    value = cur.bytes(cur.u32())
            elif version == 3:
                if cur.u8() & 0x20:
                    value = cur.bytes(cur.u32())
    if value is None or len(value) != dtype.size:
        return bytes(dtype.size)
    return bytes(value)


# --------------------------------------------------------------------------
# The public objects
# --------------------------------------------------------------------------

def _open_object(file, pos, path):
    """Read the object header at ``pos`` and wrap it as a Group or Dataset."""
    messages = file.headers.get(pos)
    if messages is None:
        messages = _read_object_header(file, pos, path)
        file.headers[pos] = messages
    if _find(messages, _MSG_LAYOUT) is not None:
        return Dataset(file, pos, path, messages)
    if any(_find(messages, t) is not None for t in
           (_MSG_SYMBOL_TABLE, _MSG_LINK_INFO, _MSG_LINK, _MSG_GROUP_INFO)):
        return Group(file, pos, path, messages)
    raise file.error("object at offset %d is neither a group nor a dataset "
                     "(committed datatypes are not supported)" % pos, path)


def _join(parent, name):
    return parent.rstrip("/") + "/" + name


class _Object:
    """What groups and datasets share: a path, a header and attributes."""

    def __init__(self, file, pos, path, messages):
        self._file = file
        self._pos = pos
        self._messages = messages
        self._attrs = None
        self.name = path

    @property
    def attrs(self):
        """The object's attributes as a dict of decoded values.

        Strings become ``str``, numbers Python ints and floats, arrays nested
        lists (of ``str`` for string arrays), and an empty (null dataspace)
        attribute ``None``.
        """
        if self._attrs is None:
            self._attrs = _read_attributes(self._file, self._messages,
                                           self.name)
        return dict(self._attrs)

    def __repr__(self):
        return "<%s %r>" % (type(self).__name__, self.name)


class Group(_Object):
    """An HDF5 group: named links to groups and datasets.

    ``group[name]`` opens a member, and a path with slashes walks down
    several levels (``root["layers/dense/vars/0"]``); a path starting with
    ``/`` starts at the root.  Missing names raise :class:`KeyError`.
    """

    def _links(self):
        links = self._file.links.get(self._pos)
        if links is None:
            links = _group_links(self._file, self._messages, self.name)
            self._file.links[self._pos] = links
        return links

    def keys(self):
        """The member names, sorted (HDF5 itself keeps no useful order)."""
        return sorted(self._links())

    def __iter__(self):
        return iter(self.keys())

    def __len__(self):
        return len(self._links())

    def __contains__(self, path):
        try:
            self[path]
        except KeyError:
            return False
        return True

    def __getitem__(self, path):
        if not isinstance(path, str):
            raise TypeError("HDF5 group keys are str paths, not %s"
                            % type(path).__name__)
        start = self._root() if path.startswith("/") else self
        return _lookup(start, path, 0)

    def _root(self):
        return _open_object(self._file, self._file.root, "/")

    def _child(self, name, hops):
        link = self._links().get(name)
        path = _join(self.name, name)
        if link is None:
            raise KeyError("%s: no member %r in group %r"
                           % (self._file.source, name, self.name))
        if link.kind == "hard":
            return _open_object(self._file, link.target, path)
        if link.kind == "soft":
            if hops >= _MAX_SOFT_LINK_HOPS:
                raise self._file.error("more than %d soft links in a row "
                                       "(a loop?)" % _MAX_SOFT_LINK_HOPS, path)
            start = self._root() if link.target.startswith("/") else self
            return _lookup(start, link.target, hops + 1)
        raise self._file.error("%s links are not supported" % link.kind, path)

    def walk(self):
        """Yield ``(path, dataset)`` for every dataset below this group.

        Paths are relative to this group ("layers/dense/vars/0") and come in
        sorted order, depth first.  Only hard links are followed, and each
        object is visited once, as h5py's ``visititems`` does.  A group that
        contains itself (a cycle) raises FormatError.
        """
        file = self._file
        stack = [(self, "")]
        on_path = []          # (group position, depth) of the current branch
        visited = {self._pos}
        while stack:
            node, relative = stack.pop()
            if isinstance(node, Dataset):
                yield relative, node
                continue
            depth = relative.count("/") + 1 if relative else 0
            while on_path and on_path[-1][1] >= depth:
                on_path.pop()
            on_path.append((node._pos, depth))
            ancestors = {pos for pos, _ in on_path}
            links = node._links()
            for name in sorted(links, reverse=True):
                link = links[name]
                if link.kind != "hard":
                    continue
                child_path = relative + "/" + name if relative else name
                if link.target in ancestors:
                    raise file.error("group cycle: %r leads back to one of its "
                                     "own ancestors" % _join(node.name, name),
                                     _join(node.name, name))
                if link.target in visited:
                    continue
                visited.add(link.target)
                stack.append((_open_object(file, link.target,
                                           _join(node.name, name)), child_path))


def _lookup(start, path, hops):
    """Follow a slash-separated ``path`` from the group ``start``."""
    node = start
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if not isinstance(node, Group):
            raise KeyError("%s: %r is a dataset, not a group"
                           % (start._file.source, node.name))
        node = node._child(part, hops)
    return node


class Dataset(_Object):
    """An HDF5 dataset: an n-dimensional array of numbers or strings.

    ``shape`` is a tuple (``()`` for a scalar, None for an empty "null"
    dataspace), ``dtype`` a name such as "float32", "int64" or "str", and
    :meth:`read` returns an :class:`~neuron.formats.arrays.Array`.
    """

    def __init__(self, file, pos, path, messages):
        super().__init__(file, pos, path, messages)
        space = _find(messages, _MSG_DATASPACE)
        datatype = _find(messages, _MSG_DATATYPE)
        if space is None or datatype is None:
            raise file.error("dataset has no %s message"
                             % ("dataspace" if space is None else "datatype"),
                             path)
        self.shape = _read_dataspace(
            _unshared(file, space, path, "dataspace").cursor(
                file, path, "dataspace message"))
        self._type = _read_datatype(
            _unshared(file, datatype, path, "datatype").cursor(
                file, path, "datatype message"))
        self.dtype = self._type.name

    def read(self):
        """Read the whole dataset into an Array.

        Raises FormatError for chunked or compressed storage, for data that
        would run past the end of the file, and for a null dataspace.
        """
        file, path, dtype = self._file, self.name, self._type
        if self.shape is None:
            raise file.error("dataset has a null dataspace: it holds no data",
                             path)
        if (_find(self._messages, _MSG_FILTERS) is not None):
            raise file.error(_CHUNKED, path)
        if _find(self._messages, _MSG_EXTERNAL) is not None:
            raise file.error("datasets stored in external files are not "
                             "supported", path)
        kind, pos, size = _read_layout(file, _find(self._messages, _MSG_LAYOUT),
                                       path)
        if pos is None:
            raw, count = self._fill(), _product(self.shape)
        else:
            available = file.size - pos
            if size is not None:
                available = min(available, size)
            count = _check_fits(file, path, self.shape, dtype, available,
                                "dataset")
            raw = file.take(pos, count * dtype.size, path, "dataset data")
        values = _decode_elements(file, path, raw, count, dtype)
        return Array(self.shape, dtype.name, values)

    def _fill(self):
        """Data for a dataset whose storage was never written: its fill value.

        No bytes in the file back such data, so the element count is capped
        at the file size: a real file never declares an unwritten dataset
        that large, and a hostile one cannot make us allocate without bound.
        """
        file, path = self._file, self.name
        count = _product(self.shape)
        if count > file.size:
            raise file.error("unwritten dataset of %d elements is larger than "
                             "the file" % count, path)
        return _fill_bytes(file, self._messages, self._type, path) * count


def open_hdf5(data, source=None):
    """Parse HDF5 file contents and return the root :class:`Group`.

    ``data`` is the whole file as bytes (the caller reads it); ``source``
    names the file in error messages.  Raises FormatError when the bytes
    are not an HDF5 file this reader understands.

    >>> open_hdf5(b"not hdf5", source="x.h5")
    Traceback (most recent call last):
    ...
    neuron.errors.FormatError: x.h5: /: not an HDF5 file: no HDF5 signature found
    """
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise TypeError("open_hdf5: expected the file contents as bytes, got %s"
                        % type(data).__name__)
    file = _File(data, source)
    file.root = _read_superblock(file)
    root = _open_object(file, file.root, "/")
    if not isinstance(root, Group):
        raise file.error("the root object is not a group", "/")
    return root
