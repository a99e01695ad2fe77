"""Turn raw bytes into Python numbers, shared by the .npy and .safetensors readers.

Both formats store an array as ``count`` fixed-size elements back to back.
Each element type is described here by a :class:`Element`: the dtype name
neuron reports, the item size in bytes and the :mod:`struct` code that
decodes it.  Two types need more than one ``struct`` code:

* ``bool`` is decoded as unsigned bytes and reported as the ints 0 and 1
  (any non-zero byte counts as true, as NumPy does);
* ``bfloat16`` is the top half of a float32, so each element is widened by
  two zero bytes and decoded as a float32 -- exact, since every bfloat16 is
  a float32 with its low 16 mantissa bits cleared.

>>> unpack_elements(b"\\x00\\x00\\xc0\\x3f", 0, 1, ELEMENTS["float32"], "<")
[1.5]
>>> unpack_elements(b"\\xc0\\x3f", 0, 1, ELEMENTS["bfloat16"], "<")
[1.5]
"""

import struct


class Element:
    """One element type: its neuron dtype name, size in bytes and struct code."""

    __slots__ = ("name", "itemsize", "code")

    def __init__(self, name, itemsize, code):
        self.name = name
        self.itemsize = itemsize
        self.code = code

    def __repr__(self):
        return "Element(%r)" % self.name


ELEMENTS = {
    element.name: element
    for element in (
        Element("float16", 2, "e"),
        Element("bfloat16", 2, None),  # decoded by _unpack_bfloat16
        Element("float32", 4, "f"),
        Element("float64", 8, "d"),
        Element("int8", 1, "b"),
        Element("uint8", 1, "B"),
        Element("int16", 2, "h"),
        Element("uint16", 2, "H"),
        Element("int32", 4, "i"),
        Element("uint32", 4, "I"),
        Element("int64", 8, "q"),
        Element("uint64", 8, "Q"),
        Element("bool", 1, "B"),  # bytes, then mapped to 0/1
    )
}


def element_count(shape):
    """The number of elements in an array of this shape (1 for ``()``).

    >>> element_count((2, 3)), element_count(()), element_count((4, 0))
    (6, 1, 0)
    """
    count = 1
    for size in shape:
        count *= size
    return count


def unpack_elements(buffer, offset, count, element, byte_order):
    """Decode ``count`` elements starting at ``buffer[offset]`` into a list.

    ``byte_order`` is ``"<"`` (little-endian) or ``">"`` (big-endian).  The
    caller has already checked that the bytes are there; this function only
    decodes, so it never allocates more than the buffer holds.
    """
    if element.name == "bfloat16":
        return _unpack_bfloat16(buffer, offset, count, byte_order)
    layout = struct.Struct("%s%d%s" % (byte_order, count, element.code))
    values = list(layout.unpack_from(buffer, offset))
    if element.name == "bool":
        values = [1 if byte else 0 for byte in values]
    return values


def _unpack_bfloat16(buffer, offset, count, byte_order):
    # A bfloat16 is the high half of a float32.  Build the float32 bytes by
    # interleaving two zero bytes (the low half) with each element; slicing
    # with a step moves whole columns of bytes at C speed.
    raw = bytes(buffer[offset:offset + 2 * count])
    widened = bytearray(4 * count)
    if byte_order == "<":
        widened[2::4] = raw[0::2]
        widened[3::4] = raw[1::2]
    else:
        widened[0::4] = raw[0::2]
        widened[1::4] = raw[1::2]
    return list(struct.unpack("%s%df" % (byte_order, count), widened))
