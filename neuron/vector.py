"""The dot product at the heart of every neuron, and the kernel that computes it.

A neuron's pre-activation is ``z = w . x + b``.  :func:`dot` is the readable
definition of ``w . x``: the products ``w[i] * x[i]`` added left to right,
starting from ``0.0``.  That is the reference every other path is measured
against.

The layers compute the same sum through a *kernel* chosen once, when this
module is imported, by a fixed rule on the interpreter (never by timing):

============================  =====================  =========================
interpreter                   kernel                 result
============================  =====================  =========================
CPython 3.12 and newer        ``math.sumprod``       within the rounding bound
CPython 3.8 - 3.11            ``sum(map(mul, w, x))``  bit for bit the reference
PyPy, MicroPython, others     the plain loop         bit for bit the reference
============================  =====================  =========================

``math.sumprod`` accumulates in extended precision, so on 3.12+ it is at
least as accurate as the loop, and the two agree within the standard bound
``|error| <= gamma_n * sum(|w_i * x_i|) + n * 2**-1074`` with
``gamma_n = n*u / (1 - n*u)`` and ``u = 2**-53``.  Before 3.12, ``sum()``
adds floats one by one from 0, exactly as the loop does.  Every path of
neuron (``forward``, ``predict``, ``trace``, the compiled path) uses the same
kernel, so on one interpreter they all give identical floats.

>>> dot([1.0, 2.0], [3.0, 4.0])
11.0
"""

import math
import sys

from .checks import as_vector
from .errors import ShapeError


def dot(w, x):
    """The dot product ``w[0]*x[0] + w[1]*x[1] + ...``, added left to right from 0.0.

    This loop is the arithmetic neuron promises; see the module docstring for
    the kernel the layers use.  Non-finite values are not an error here: they
    propagate as IEEE arithmetic says (``inf - inf`` is ``nan``).

    >>> dot([0.5, -1.0, 2.0], [2.0, 3.0, 0.25])
    -1.5

    Raises :class:`~neuron.ShapeError` when the lengths differ and
    :class:`TypeError` when an entry is not a number.
    """
    w = as_vector(w, "dot: w", allow_nonfinite=True)
    x = as_vector(x, "dot: x", allow_nonfinite=True)
    if len(w) != len(x):
        raise ShapeError(
            "dot: w and x must have the same length, got %d and %d" % (len(w), len(x))
        )
    total = 0.0
    for i in range(len(w)):
        total += w[i] * x[i]
    return total


# --- the kernel -------------------------------------------------------------
#
# `preactivations(rows, bias, x)` is the one place a layer's z values are
# computed; `kernel_dot(w, x)` is the same arithmetic for a single unit.  Both
# take lists of floats that have already been checked.

_IMPLEMENTATION = sys.implementation.name

if _IMPLEMENTATION == "cpython" and hasattr(math, "sumprod"):
    KERNEL = "math.sumprod"
    kernel_dot = math.sumprod

    def preactivations(rows, bias, x):
        """z_j = row_j . x + bias_j for every unit j of a layer."""
        sumprod = math.sumprod
        return [sumprod(row, x) + b for row, b in zip(rows, bias)]

elif _IMPLEMENTATION == "cpython":
    from operator import mul as _mul

    KERNEL = "sum(map(mul, w, x))"

    def kernel_dot(w, x):
        """w . x with the kernel of this interpreter."""
        return sum(map(_mul, w, x))

    def preactivations(rows, bias, x):
        """z_j = row_j . x + bias_j for every unit j of a layer."""
        mul = _mul
        return [sum(map(mul, row, x)) + b for row, b in zip(rows, bias)]

else:
    KERNEL = "loop"

    def kernel_dot(w, x):
        """w . x with the kernel of this interpreter."""
        total = 0.0
        for i in range(len(w)):
            total += w[i] * x[i]
        return total

    def preactivations(rows, bias, x):
        """z_j = row_j . x + bias_j for every unit j of a layer."""
        n = len(x)
        out = []
        for j in range(len(rows)):
            row = rows[j]
            total = 0.0
            for i in range(n):
                total += row[i] * x[i]
            out.append(total + bias[j])
        return out
