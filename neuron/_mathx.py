"""Floating-point helpers the activations need, portable to MicroPython.

CPython and PyPy have ``math.log1p``, ``math.fsum`` and ``math.erfc``;
MicroPython has none of ``log1p``, ``fsum`` or ``hypot``, and some builds
lack ``erf`` and ``erfc``.  Each helper here except erf and erfc uses the
``math`` function where it exists (feature-detected with ``hasattr``) and otherwise a pure-Python
fallback whose accuracy is stated beside it and measured in the tests
(``tests/test_activations_mathx.py``).  ``ulp`` means one unit in the last
place of the result; ``eps`` is 2**-52.

erf and erfc are chosen by a fixed rule, never by timing: the
interpreter's ``math.erf``/``math.erfc`` where they return the correctly
rounded value at four probe points (1.0 for erf; 1.0, 2.5 and 4.0 for erfc),
as glibc's do (CPython calls the C library's, measured within 0.8 and 2.5
ulps); otherwise the pure-Python ``_erf_fallback``/``_erfc_fallback`` below,
within 0.5 and 1.4 ulps using nothing but IEEE ``+ - * /``, ``floor`` and
one ``exp``.  The rule uses ``math`` alone, so a model exported to one file
(``python -m neuron export``) carries it and chooses as neuron does.  PyPy has its own erfc, up to about 500 ulps off near x = 24
(13 ulps at 3, which moved gelu's pinned values); MicroPython's, where the
build has one, is within about 2.3 ulps, and some builds have none.  The
pure-Python ones give the same bits on all three interpreters with a
correctly rounded ``exp``.

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
        total, carry = neumaier_add(total, carry, v)
    return total + carry


def neumaier_add(total, carry, v):
    """One step of Neumaier's compensated sum: ``(fl(total + v), carry + its error)``.

    ``total + carry`` is the running sum, far more exact than ``total``.
    """
    t = total + v
    if abs(total) >= abs(v):
        carry += (total - t) + v
    else:
        carry += (v - t) + total
    return t, carry


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


def _exp_neg_square_parts(a):
    # exp(-a*a) = e * (1 + t) for 0 <= a < 40, with e = exp(-hi*hi) from the
    # libm and t = exp(-delta) - 1 a small correction.  a = hi + lo with hi on
    # 2**-20 steps: below 32 (all that erfc needs) hi has at most 25
    # significant bits, so hi*hi is exact and exp(-hi*hi) is the libm's
    # single rounding (glibc: within 0.51 ulp).  delta = a*a - hi*hi =
    # lo * (a + hi) is below 2**-20 * 80, so its own rounding (2 eps
    # relative) is below 2**-65 of the result, and four terms of the Taylor
    # series of exp(-delta) - 1 leave an error below delta**5 / 120 < 2**-60
    # (below 2**-83 for a < 32).  Keeping t apart
    # from e lets the caller add it in with no extra rounding.
    hi = math.floor(a * 1048576.0) / 1048576.0
    lo = a - hi
    delta = lo * (a + hi)
    t = -delta * (1.0 - delta * (0.5 - delta * (1.0 / 6.0 - delta * (1.0 / 24.0))))
    return _exp(-hi * hi), t


def exp_neg_square(x):
    """``exp(-x*x)`` without the rounding error of ``x*x``.

    ``exp(-fl(x*x))`` is off by up to ``x*x*eps/2`` relative (1.5e-13 at
    x = 26).  Splitting x = hi + lo with hi on 2**-20 steps makes ``hi*hi``
    exact (for |x| < 2**11), so the only rounding left is in the small
    ``lo*(x + hi)`` term, whose exponential is a short series.
    """
    a = abs(x)
    if a >= 40.0:
        return 0.0  # exp(-1600) underflows; a*a may be inf beyond 1e154.
    e, t = _exp_neg_square_parts(a)
    return e + e * t


# --- double-double arithmetic ------------------------------------------------
#
# A double-double (hi, lo) stands for the unevaluated sum hi + lo with
# |lo| <= ulp(hi)/2: about 106 bits.  erf and erfc need it where a sum
# cancels (the alternating series, 1 - erf) and to keep the last rounding
# of a product or quotient out of the result.  These are the classical
# error-free transformations (Knuth's TwoSum, Dekker's product with
# Veltkamp's split) and the double-double operations built on them
# (Dekker 1971; Hida, Li and Bailey's QD library); each operation is exact
# or within a few units of 2**-104 relative.  Only +, -, * and / of
# doubles are used, so they behave the same on every IEEE interpreter
# (MicroPython has no fused multiply-add to get in the way).

_SPLITTER = 134217729.0  # 2**27 + 1


def _two_sum(a, b):
    # s + err == a + b exactly (Knuth), for any order of magnitude.
    s = a + b
    b_part = s - a
    return s, (a - (s - b_part)) + (b - b_part)


def _two_prod(a, b):
    # p + err == a * b exactly (Dekker), for |a|, |b| below about 2**995
    # and a product that does not underflow (erf and erfc stay far inside).
    p = a * b
    t = _SPLITTER * a
    a_hi = t - (t - a)
    a_lo = a - a_hi
    t = _SPLITTER * b
    b_hi = t - (t - b)
    b_lo = b - b_hi
    return p, ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def _dd_add(a_hi, a_lo, b_hi, b_lo):
    # The "accurate" addition: both parts are summed exactly, so the result
    # is within 2 * 2**-106 relative even when a and b nearly cancel.
    s, e = _two_sum(a_hi, b_hi)
    t, f = _two_sum(a_lo, b_lo)
    s, e = _two_sum(s, e + t)
    return _two_sum(s, e + f)


def _dd_mul(a_hi, a_lo, b_hi, b_lo):
    p, e = _two_prod(a_hi, b_hi)
    return _two_sum(p, e + (a_hi * b_lo + a_lo * b_hi))


def _dd_div(a_hi, a_lo, b_hi, b_lo):
    # One long-division step: q1 = a/b rounded, then the remainder
    # a - q1*b (exact in its leading part) divided by b gives q2.
    q1 = a_hi / b_hi
    p, e = _two_prod(q1, b_hi)
    r = (((a_hi - p) - e) + a_lo) - q1 * b_lo
    return _two_sum(q1, r / b_hi)


# --- erf and erfc --------------------------------------------------------------
#
# Three pieces, each chosen so that no step loses the digits of the result:
#
# * |x| <= 2: the Taylor series erf(x) = 2/sqrt(pi) sum (-1)^n x^(2n+1) /
#   (n! (2n+1)) in double-double.  It alternates, and its largest term is
#   about exp(x^2) times the sum (55 at x = 2: 6 bits), and erfc = 1 - erf
#   cancels 8 more bits at x = 2 (erfc(2) = 0.0047); 106 - 14 bits is still
#   far more than 53, so the result is rounded once, within 0.5 ulp plus
#   about 2**-80 relative.  It needs no exp at all.  At most 50 terms.
# * x > 2: erfc(x) = exp(-x^2) * G(x) with the continued fraction
#   G(x) = 1/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), which
#   never subtracts.  Its depth (below) makes the truncation error below
#   2**-60 relative; the deep levels are done in plain doubles, since an
#   error in a level reaches the top damped by the factor (k/2)/tail^2
#   < 1 of every level above it, and the top level x + (1/2)/tail, whose
#   rounding would count in full, is kept in double-double.  exp(-x^2)
#   comes from _exp_neg_square_parts, with the libm's exp rounding the only
#   one that counts.  erfc then has three errors: that exp rounding
#   (0.5 ulp of exp's result with glibc, but up to 2**-53 relative, which
#   is up to 1 ulp of erfc's result when their significands differ), the
#   final rounding (0.5 ulp) and a few hundredths of an ulp from the rest:
#   1.5 ulps at worst with a correctly rounded exp, 2.5 with a 1-ulp one.
# * erf(x) = 1 - erfc(x) for 2 < x < 6, erfc(-x) = 2 - erfc(x), and the
#   saturated ends: erfc(x) < 2**-54 from x = 5.93, so erf rounds to 1.0
#   from x = 6; erfc(27.3) < 2**-1075 rounds to 0.0.
#
# Measured against 60-digit oracles (mpmath, and the Decimal oracle of
# tests/test_activations_mathx.py) at 15,000 points (a grid of step about
# 0.003 and as many random points) on CPython 3.11, PyPy 3.9 and
# MicroPython 1.27, which gave identical results:
#     erf   all x                                  within 0.50 ulp
#     erfc  x <= 2                                 within 0.50 ulp
#     erfc  2 < x < 26.5 (normal results)          within 1.33 ulps
#     erfc  x >= 26.5 (subnormal results)          within 1 * 2**-1074
# The tests allow 1 ulp (erf, and erfc below 2) and 2 ulps (erfc above).

_TWO_OVER_SQRT_PI = 1.1283791670955126  # 2 / sqrt(pi), correctly rounded
_TWO_OVER_SQRT_PI_LO = 1.533545961316588e-17  # 2 / sqrt(pi) - the above
_INV_SQRT_PI = 0.5641895835477563  # 1 / sqrt(pi), correctly rounded
_INV_SQRT_PI_LO = 7.66772980658294e-18  # 1 / sqrt(pi) - the above
_TWO_64 = 2.0 ** 64


def _erf_series_dd(x):
    # erf(x) for |x| <= 2 as a double-double (see above).  The loop stops
    # when a term is below 2**-110 of the partial sum: the terms then
    # shrink by a factor x^2/n < 1/10 each, so the rest is smaller still.
    x2_hi, x2_lo = _two_prod(x, x)
    p_hi, p_lo = x, 0.0  # p = (-1)^n x^(2n+1) / n!
    s_hi, s_lo = x, 0.0
    n = 0
    while True:
        n += 1
        p_hi, p_lo = _dd_mul(p_hi, p_lo, -x2_hi, -x2_lo)
        p_hi, p_lo = _dd_div(p_hi, p_lo, float(n), 0.0)
        t_hi, t_lo = _dd_div(p_hi, p_lo, float(2 * n + 1), 0.0)
        s_hi, s_lo = _dd_add(s_hi, s_lo, t_hi, t_lo)
        if abs(t_hi) <= abs(s_hi) * 7.7e-34:  # 2**-110
            break
    return _dd_mul(s_hi, s_lo, _TWO_OVER_SQRT_PI, _TWO_OVER_SQRT_PI_LO)


def _erfc_fraction(x):
    # erfc(x) for 2 < x < 27.3 (see above).  The depth 12 + 240/x^2 was
    # found by comparing with mpmath: the truncation error is below 2**-60
    # from x = 1.5 (118 levels) up; 72 levels at x = 2, 38 at 3, 15 at 10.
    depth = 12 + int(240.0 / (x * x))
    tail = x
    k = depth
    while k > 1:
        tail = x + (0.5 * k) / tail
        k -= 1
    # top level in double-double: T = x + (1/2)/tail exactly as a sum; the
    # quotient's own rounding counts only by (1/2)/tail/T < 1/8 of it.
    t_hi, t_lo = _two_sum(x, 0.5 / tail)
    g_hi, g_lo = _dd_div(_INV_SQRT_PI, _INV_SQRT_PI_LO, t_hi, t_lo)
    # erfc = e * (1 + t) * g, with e * g_hi exact (Dekker) so that the
    # result is rounded once.
    e, t = _exp_neg_square_parts(x)
    if x < 26.0:
        p, p_err = _two_prod(e, g_hi)
        return p + (p_err + e * (g_hi * t + g_lo))
    # From x = 26.5 erfc is subnormal, where Dekker's product is no longer
    # exact and the sum would be rounded twice: work 2**64 higher (exact,
    # e >= exp(-746) * 2**64 is normal) and scale down once at the end.
    e *= _TWO_64
    p, p_err = _two_prod(e, g_hi)
    return (p + (p_err + e * (g_hi * t + g_lo))) / _TWO_64


def _erf_fallback(x):
    if x != x:
        return x
    if x < 0.0:
        return -_erf_fallback(-x)
    if x <= 2.0:
        hi, lo = _erf_series_dd(x)
        return hi  # hi is lo-free: fl(hi + lo) == hi for a normalised pair
    if x >= 6.0:
        return 1.0
    return 1.0 - _erfc_fraction(x)


def _erfc_fallback(x):
    if x != x:
        return x
    if x > 2.0:
        if x >= 27.3:
            return 0.0  # erfc(27.3) < 2**-1075: it underflows to 0.
        return _erfc_fraction(x)
    if x >= -2.0:
        # 1 - erf in double-double, then one rounding.
        hi, lo = _erf_series_dd(x)
        hi, lo = _dd_add(1.0, 0.0, -hi, -lo)
        return hi
    if x <= -6.0:
        return 2.0  # erfc(6) < 2**-54 is below half an ulp of 2.
    return 2.0 - _erfc_fraction(-x)


# Which erf/erfc to use is a fixed rule, written with `math` alone so that an
# exported model file states the very same rule: the interpreter's own where
# they give the correctly rounded value at these probe points (glibc's do, as
# CPython calls them), neuron's pure-Python ones elsewhere (PyPy's own erfc is
# off by up to 500 ulps and misses 1.0 and 2.5; MicroPython may lack them).
_USE_LIBM_ERF = (hasattr(math, "erf") and hasattr(math, "erfc")
                 and math.erf(1.0) == 0.8427007929497149
                 and math.erfc(1.0) == 0.15729920705028513
                 and math.erfc(2.5) == 0.0004069520174449589
                 and math.erfc(4.0) == 1.541725790028002e-08)
erf = math.erf if _USE_LIBM_ERF else _erf_fallback
erfc = math.erfc if _USE_LIBM_ERF else _erfc_fallback


def exp_or_inf(x):
    """``exp(x)``, or inf where it overflows (CPython raises OverflowError,
    MicroPython ValueError)."""
    try:
        return _exp(x)
    except (OverflowError, ValueError):
        return INF
