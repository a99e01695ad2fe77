"""Input checks shared by every public entry point.

They turn what a user passes into plain lists of floats, once per call, and
raise a clear error at the user's own call when that is impossible:
:class:`TypeError` for a value of the wrong Python type (``bool`` and ``str``
are not numbers), :class:`~neuron.ShapeError` for a wrong length or nesting,
:class:`~neuron.NeuronError` for a number that is not allowed (NaN or
infinity in an input, an integer too large for a float).

``where`` is the start of every message: the function and the argument, such
as ``"Dense 'hidden': kernel"``.
"""

import sys

from .errors import NeuronError, ShapeError

_SEQUENCES = (list, tuple)

# float.conjugate is a method of float: called through map() it copies a
# list of floats in C and raises TypeError for anything that is not a float
# (bool, int, str, a nested list), returning a float subclass's value as a
# plain float.  On CPython that is about twice as fast as a Python loop over
# the items (bench/run.py, 400 inputs); PyPy's JIT runs the loop faster, and
# MicroPython has no float.conjugate, so they take the loop.
_float_only = getattr(float, "conjugate", None) if sys.implementation.name == "cpython" else None


def fast_vector(values, allow_nonfinite=False, copy=True):
    """A new list of the floats in ``values`` when it is a plain list or tuple of floats.

    Returns None for anything else (ints, other sequences, nested lists) and
    for NaN or infinity unless ``allow_nonfinite``: :func:`as_vector` then
    converts or explains.  This is the hot path of ``forward`` and
    ``predict``; it never raises.  With ``copy=False`` it may return
    ``values`` itself (for a caller that only reads it).

    >>> fast_vector([0.5, 2.0]), fast_vector([1, 2.0]), fast_vector([float("nan")])
    ([0.5, 2.0], None, None)
    """
    kind = type(values)
    if kind is not list and kind is not tuple:
        return None
    if _float_only is None:
        # One loop checks type and finiteness (v - v is 0.0 for every finite v).
        if allow_nonfinite:
            for v in values:
                if type(v) is not float:
                    return None
        else:
            for v in values:
                if type(v) is not float or v - v != 0.0:
                    return None
        return list(values) if copy else values
    # Always a copy here, even for a caller that only reads: it is what turns
    # a float subclass (NumPy's float64) into a plain float, and math.sumprod
    # adds plain floats differently from anything else.
    try:
        out = list(map(_float_only, values))
    except TypeError:
        return None
    if not allow_nonfinite:
        # One sum instead of a test per item: it is finite when every item
        # is; when it is not (a NaN, an infinity, or finite items whose sum
        # overflows), as_vector looks at each item.
        total = sum(out)
        if total - total != 0.0:
            return None
    return out


def as_float(value, where):
    """One number as a float: ints and floats, and objects with ``__float__``.

    Numbers from other libraries (Fraction, Decimal, NumPy scalars) are
    converted; NumPy's booleans, complex numbers and strings are refused like
    Python's own, and a finite number too large for a float is an error, not
    an infinity.
    """
    if type(value) is float:
        return value
    if isinstance(value, bool) or isinstance(value, (str, bytes, complex)):
        raise TypeError("%s must be a number, got %s" % (where, _describe(value)))
    if isinstance(value, (int, float)):
        try:
            return float(value)
        except OverflowError:
            raise NeuronError("%s = %s is too large for a float" % (where, _short(value)))
    if _is_sequence(value):
        raise ShapeError("%s must be a number, got a %s" % (where, type(value).__name__))
    # NumPy scalars and 0-d arrays say what they hold: b(ool), c(omplex),
    # U/S (text), O(bject), M/m (dates) are not real numbers.
    kind = getattr(getattr(value, "dtype", None), "kind", "f")
    if kind not in ("f", "i", "u") or not hasattr(value, "__float__"):
        raise TypeError("%s must be a number, got %s" % (where, _describe(value)))
    try:
        result = float(value)
    except OverflowError:
        result = None
    except (TypeError, ValueError):
        raise TypeError("%s must be a number, got %s" % (where, _describe(value)))
    # Decimal("1e400") converts to inf without an error: it is finite,
    # just too large.  (A value that compares unequal to its own float while
    # the float is infinite was finite.)
    if result is None or (result - result != 0.0 and result == result and value != result):
        raise NeuronError("%s = %s is too large for a float" % (where, _short(value)))
    return result


def as_vector(values, where, size=None, allow_nonfinite=False, batch_hint=False):
    """A flat list of floats, of length ``size`` when given.

    ``batch_hint`` adds "use predict() for a batch" to the error raised when a
    list of rows arrives where one example belongs.
    """
    out = fast_vector(values, allow_nonfinite)
    if out is None:
        out = _as_vector(values, where, size, allow_nonfinite, batch_hint)
    if size is not None and len(out) != size:
        raise ShapeError("%s: expected %d values, got %d" % (where, size, len(out)))
    return out


def _as_vector(values, where, size, allow_nonfinite, batch_hint):
    # Item by item: converts ints and other numbers, and names the first
    # item that is not allowed.
    if not _is_sequence(values):
        raise TypeError(
            "%s must be a list of numbers, got %s" % (where, _describe(values))
        )
    if size is not None and len(values) != size and not (values and _is_sequence(values[0])):
        # Before reading anything: a wrong length is the error, however long.
        # (A batch passed as one example gets the nesting error below.)
        raise ShapeError("%s: expected %d values, got %d" % (where, size, len(values)))
    out = []
    i = 0
    for v in values:
        if type(v) is not float:
            if _is_sequence(v):
                hint = "; use predict() for a batch of rows" if batch_hint else ""
                raise ShapeError(
                    "%s must be a flat list of numbers, but item %d is a %s%s"
                    % (where, i, type(v).__name__, hint)
                )
            v = as_float(v, "%s[%d]" % (where, i))
        if not allow_nonfinite and v - v != 0.0:
            # v - v is 0.0 for every finite v, NaN for inf and NaN.
            raise NeuronError(
                "%s[%d] is %r; inputs must be finite (allow_nonfinite=True lets "
                "NaN and infinity through)" % (where, i, v)
            )
        out.append(v)
        i += 1
    return out


def as_matrix(values, where, rows=None, columns=None, allow_nonfinite=False):
    """A list of rows, each a list of floats, all of one length.

    A flat list of numbers, a ragged row or a wrong count raises ShapeError.
    """
    if not _is_sequence(values):
        raise TypeError(
            "%s must be a list of rows, got %s" % (where, _describe(values))
        )
    out = []
    why = ""
    for i, row in enumerate(values):
        if not _is_sequence(row):
            if isinstance(row, (int, float)) and not isinstance(row, bool):
                raise ShapeError(
                    "%s must be a list of rows (a batch), but item %d is a single "
                    "number; wrap one example as [x]" % (where, i)
                )
            raise TypeError(
                "%s: row %d must be a list of numbers, got %s" % (where, i, _describe(row))
            )
        out.append(as_vector(row, "%s row %d" % (where, i), allow_nonfinite=allow_nonfinite))
        if columns is None:
            columns = len(out[0])
            why = " like row 0"
        elif len(out[i]) != columns:
            raise ShapeError(
                "%s: row %d has %d values, expected %d%s"
                % (where, i, len(out[i]), columns, why)
            )
    if rows is not None and len(out) != rows:
        raise ShapeError("%s: expected %d rows, got %d" % (where, rows, len(out)))
    return out


def as_count(value, where, minimum=1):
    """A whole number of at least ``minimum`` (a count of units, say)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("%s must be an int, got %s" % (where, _describe(value)))
    if value < minimum:
        raise NeuronError("%s must be at least %d, got %d" % (where, minimum, value))
    return value


def _is_sequence(value):
    if isinstance(value, _SEQUENCES):
        return True
    # array.array and other sequence types, but never text.
    if isinstance(value, (str, bytes, bytearray, dict)):
        return False
    if not (hasattr(value, "__len__") and hasattr(value, "__getitem__")):
        return False
    try:
        len(value)  # a NumPy 0-d array has __len__ but no length
    except TypeError:
        return False
    return True


def _short(value):
    text = str(value)
    return text if len(text) <= 30 else text[:12] + "..." + text[-12:]


def _describe(value):
    if isinstance(value, (str, bytes)):
        return "%s %r" % (type(value).__name__, value[:20])
    return type(value).__name__
