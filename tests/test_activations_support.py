"""Shared helpers for the activation tests: tolerances, oracles, strategies.

Kept in one place so that every tolerance is derived the same way: an error
bound in ulps of the result (one ulp = the gap between the result and the
next float), or the fixtures' error measure for whole output rows.
"""

import math
import struct
from decimal import Decimal, localcontext

from hypothesis import strategies as st

EPS = 2.0 ** -52
TINY = 2.0 ** -1022  # smallest normal double


def ulp(x):
    """The gap from |x| to the next larger float (for 0 and subnormals: 2**-1074)."""
    x = abs(x)
    if x == 0.0 or x < TINY:
        return 2.0 ** -1074
    m, e = math.frexp(x)
    return 2.0 ** (e - 53)


def ulps_apart(a, b):
    """How many floats lie between a and b (0 when equal; inf when one is NaN)."""
    if a != a or b != b:
        return 0 if (a != a and b != b) else math.inf
    return abs(_ordinal(a) - _ordinal(b))


def _ordinal(x):
    n = struct.unpack("<q", struct.pack("<d", x))[0]
    return n if n >= 0 else -(n & 0x7FFFFFFFFFFFFFFF)


def assert_close(got, want, ulps=None, rel=None, abs_=0.0, what=""):
    """Check got against an oracle within `ulps` ulps of the oracle, or
    relative error `rel`, plus an absolute floor `abs_` (for results that are
    0 or subnormal); the failure message shows all three errors."""
    want = float(want) if not isinstance(want, float) else want
    if want != want:
        assert got != got, "%s: got %r, want NaN" % (what, got)
        return
    if math.isinf(want) or math.isinf(got):
        assert got == want, "%s: got %r, want %r" % (what, got, want)
        return
    err = abs(got - want)
    allowed = abs_
    if ulps is not None:
        allowed = max(allowed, ulps * ulp(want))
    if rel is not None:
        allowed = max(allowed, rel * abs(want))
    assert err <= allowed, (
        "%s: got %r, want %r: abs error %.3g, rel error %.3g, %s ulps apart (allowed %.3g abs)"
        % (what, got, want, err, err / abs(want) if want else math.inf,
           ulps_apart(got, want), allowed)
    )


# --- high-precision oracles (decimal, 60 digits) ------------------------------

DIGITS = 60
PI = Decimal("3.14159265358979323846264338327950288419716939937510582097494459")


def dec(x):
    return Decimal(x)  # exact: every float is a finite binary fraction


def dexp(x):
    with localcontext() as ctx:
        ctx.prec = DIGITS
        return Decimal(x).exp()


def dln(x):
    with localcontext() as ctx:
        ctx.prec = DIGITS
        return Decimal(x).ln()


def dtanh(x):
    with localcontext() as ctx:
        ctx.prec = DIGITS + 10
        x = Decimal(x)
        if x < 0:
            return -dtanh(-x)
        if x < Decimal("1e-25"):
            return x - x * x * x / 3  # (1 - e)/(1 + e) would cancel to 0
        e = (-2 * x).exp()
        return (1 - e) / (1 + e)


def dexpm1(x):
    with localcontext() as ctx:
        ctx.prec = DIGITS + 10
        x = Decimal(x)
        if abs(x) < Decimal("1e-25"):
            return x + x * x / 2  # exp(x) - 1 would cancel
        return x.exp() - 1


def dsqrt(x):
    with localcontext() as ctx:
        ctx.prec = DIGITS
        return Decimal(x).sqrt()


def dncdf(x):
    """Phi(x), the standard normal distribution function, to about 50 digits."""
    with localcontext() as ctx:
        ctx.prec = DIGITS + 40
        x = Decimal(x)
        u = abs(x) / Decimal(2).sqrt()
        if u == 0:
            return Decimal("0.5")
        if u < 3:
            # erf(u) = 2/sqrt(pi) exp(-u^2) sum (2u^2)^n u / (2n+1)!!
            term = u
            total = u
            n = 0
            while True:
                n += 1
                term = term * 2 * u * u / (2 * n + 1)
                if term < total * Decimal(10) ** -(DIGITS + 20):
                    break
                total += term
            erf = 2 / PI.sqrt() * (-u * u).exp() * total
            erfc = 1 - erf
        else:
            # continued fraction, converging fast for u >= 3
            tail = u
            for k in range(400, 0, -1):
                tail = u + Decimal(k) / 2 / tail
            erfc = (-u * u).exp() / PI.sqrt() / tail
        return erfc / 2 if x < 0 else 1 - erfc / 2


# --- strategies ------------------------------------------------------------------

# Every finite float, the range the "never raises" promise covers.
finite = st.floats(allow_nan=False, allow_infinity=False)
# Values where the closed forms are interesting (not saturated).
moderate = st.floats(min_value=-50.0, max_value=50.0, allow_nan=False)
vectors = st.lists(st.floats(min_value=-1e3, max_value=1e3), min_size=1, max_size=8)
