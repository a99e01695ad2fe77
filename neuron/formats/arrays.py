"""The array a file reader hands back: a shape, a dtype name and flat values."""


class Array:
    """An n-dimensional array read from a file.

    ``shape`` is a tuple of sizes (``()`` for a scalar), ``dtype`` a short
    name such as ``"float32"`` or ``"int64"``, and ``values`` a flat list of
    Python numbers in C (row-major) order.

    >>> Array((2, 2), "float64", [1.0, 2.0, 3.0, 4.0]).tolist()
    [[1.0, 2.0], [3.0, 4.0]]
    >>> Array((), "int32", [7]).tolist()
    7
    """

    __slots__ = ("shape", "dtype", "values")

    def __init__(self, shape, dtype, values):
        self.shape = tuple(shape)
        self.dtype = dtype
        self.values = values

    def __repr__(self):
        return "Array(shape=%r, dtype=%r)" % (self.shape, self.dtype)

    @property
    def size(self):
        count = 1
        for n in self.shape:
            count *= n
        return count

    def tolist(self):
        """The values as nested lists (a plain number for a 0-d array)."""
        if not self.shape:
            return self.values[0]
        return _nest(self.values, self.shape, 0, 0)[0]


def _nest(values, shape, axis, start):
    # Build one level of nesting at a time; loops, not recursion over the
    # values, so only the number of axes bounds the depth.
    if axis == len(shape) - 1:
        end = start + shape[axis]
        return list(values[start:end]), end
    rows = []
    for _ in range(shape[axis]):
        row, start = _nest(values, shape, axis + 1, start)
        rows.append(row)
    return rows, start
