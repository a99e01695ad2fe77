"""Floating-point helpers the activations need, portable to MicroPython.

CPython and PyPy have ``math.log1p``, ``math.fsum`` and ``math.erfc``;
MicroPython has none of ``log1p``, ``fsum`` or ``hypot``, and some builds
lack ``erf`` and ``erfc``.  Each helper here uses the ``math`` function where
it exists (feature-detected with ``hasattr``) and otherwise a pure-Python
fallback whose accuracy is stated beside it and measured in the tests
(``tests/test_activations_mathx.py``).  ``ulp`` means one unit in the last
place of the result; ``eps`` is 2**-52.

Nothing here raises for a finite argument: every ``exp`` is called on a
number <= 0 or inside ``try``.
"""

import math

INF = float("inf")
NAN = float("nan")

_exp = math.exp
_log = math.log
_sqrt = math.sqrt


# --- log1p -----------------------------------------------------------------


def _log1p_fallback(x):
    # log(1 + x) loses the low digits of x when 1 + x is rounded.  With
    # u = fl(1 + x), the exact log1p(x) = log(u) * x / (u - 1) up to
    # O(eps^2): the factor x / (u - 1) undoes the rounding of 1 + x, since
    # u - 1 is exact (Sterbenz) and log(u) / (u - 1) varies slowly.  With a
    # log that is within 1 ulp this is within about 4 ulps for every x > -1
    # (Goldberg, "What every computer scientist should know about
    # floating-point arithmetic", Theorem 4); the tests measure it.
    u = 1.0 + x
    if u == 1.0:
        return x  # |x| < eps/2: log1p(x) = x - x*x/2 rounds to x.
    if u == INF:
        return INF if x == INF else _log(x) + _log1p_fallback(1.0 / x)
    if u <= 0.0:
        return -INF if u == 0.0 else NAN
    return _log(u) * (x / (u - 1.0))


log1p = math.log1p if hasattr(math, "log1p") else _log1p_fallback


# --- sums --------------------------------------------------------------------


def _fsum_fallback(values):
    # Neumaier's compensated sum: the rounding error of each addition is
    # collected and added back once.  The error is at most about
    # 2 * eps * sum(|v|) + eps * |sum| (Higham, Accuracy and Stability,
    # section 4.3), which for the positive terms used here (softmax) means
    # within about 1 ulp of the exact sum, as math.fsum is.
    total = 0.0
    carry = 0.0
    for v in values:
        t = total + v
        if abs(total) >= abs(v):
            carry += (total - t) + v
        else:
            carry += (v - t) + total
        total = t
    return total + carry


fsum = math.fsum if hasattr(math, "fsum") else _fsum_fallback


# --- exact pieces ------------------------------------------------------------


def two_diff(a, b):
    """``(hi, lo)`` with ``hi = fl(a - b)`` and ``hi + lo == a - b`` exactly.

    Knuth's TwoSum of a and -b.  When ``a - b`` overflows, ``lo`` is 0.0.
    """
    hi = a - b
    if hi - hi != 0.0:  # inf or NaN: there is no finite remainder.
        return hi, 0.0
    a_part = hi + b  # the part of a that made it into hi
    b_part = a_part - hi  # and the part of b
    return hi, (a - a_part) + (b_part - b)


_TWO_600 = 2.0 ** 600


def sqrt_x2_plus(x, c):
    """``sqrt(x*x + c)`` for ``c >= 0`` without overflow for any finite x.

    Between 1e-150 and 1e150 the square neither overflows nor underflows
    and is used as it is (error within about 1 ulp); above,
    ``|x| * sqrt(1 + c/x/x)``, where ``c/x/x`` is tiny (or 0.0); below, x*x
    would underflow, so unless c swamps it both are scaled by 2**600.
    """
    a = abs(x)
    if a > 1e150:
        return a * _sqrt(1.0 + c / a / a)
    if a < 1e-150:
        if c > 1e-280:
            return _sqrt(c)  # x*x is below 1e-20 of c
        scale = _TWO_600
        a *= scale
        return _sqrt(a * a + c * scale * scale) / scale
    return _sqrt(a * a + c)


def exp_neg_square(x):
    """``exp(-x*x)`` without the rounding error of ``x*x``.

    ``exp(-fl(x*x))`` is off by up to ``x*x*eps/2`` relative (1.5e-13 at
    x = 26).  Splitting x = hi + lo with hi on 2**-20 steps makes ``hi*hi``
    exact (for |x| < 2**11), so the only rounding left is in the small
    ``lo*(x + hi)`` term.  Used by the erfc fallback.
    """
    a = abs(x)
    if a >= 40.0:
        return 0.0  # exp(-1600) underflows; a*a may be inf beyond 1e154.
    hi = math.floor(a * 1048576.0) / 1048576.0
    lo = a - hi
    return _exp(-hi * hi) * _exp(-lo * (a + hi))


# --- erf and erfc --------------------------------------------------------------

_TWO_OVER_SQRT_PI = 1.1283791670955126  # 2 / sqrt(pi), correctly rounded


def _erf_series(x):
    # erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_{n>=0} (2x^2)^n x / (1*3*...*(2n+1)):
    # every term is positive, so the sum has no cancellation (unlike the
    # alternating Taylor series).  Used for |x| < 0.75; at most 25 terms.
    x2 = x * x
    term = x
    total = x
    n = 0
    while True:
        n += 1
        term *= 2.0 * x2 / (2 * n + 1)
        new = total + term
        if new == total:
            break
        total = new
    return _TWO_OVER_SQRT_PI * exp_neg_square(x) * total


def _erfc_fraction(x):
    # erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))
    # for x > 0, evaluated bottom-up with a fixed depth.  It converges slowly
    # near 0: the depths below reach full precision from x = 0.75 (measured
    # against mpmath: 400 levels at 0.75, 160 at 1.5, 80 at 2).
    if x >= 2.0:
        depth = 80
    elif x >= 1.5:
        depth = 160
    else:
        depth = 400
    tail = x
    k = depth
    while k > 0:
        tail = x + (0.5 * k) / tail
        k -= 1
    return _TWO_OVER_SQRT_PI * 0.5 * exp_neg_square(x) / tail


def _erf_fallback(x):
    if x != x:
        return x
    if x < 0.0:
        return -_erf_fallback(-x)
    if x < 0.75:
        return _erf_series(x)
    if x >= 6.0:
        return 1.0
    return 1.0 - _erfc_fraction(x)


def _erfc_fallback(x):
    # erfc(x) >= 0.288 below 0.75, so 1 - erf(x) loses under 2 bits there;
    # above, the continued fraction never subtracts.
    if x != x:
        return x
    if x < 0.75:
        if x < -6.0:
            return 2.0
        return 1.0 - _erf_fallback(x)
    if x >= 27.3:
        return 0.0  # erfc(27.3) < 2**-1074: it underflows.
    return _erfc_fraction(x)


erf = math.erf if hasattr(math, "erf") else _erf_fallback
erfc = math.erfc if hasattr(math, "erfc") else _erfc_fallback


def exp_or_inf(x):
    """``exp(x)``, or inf where it overflows (CPython raises OverflowError,
    MicroPython ValueError)."""
    try:
        return _exp(x)
    except (OverflowError, ValueError):
        return INF
