"""The floating-point helpers and the MicroPython fallbacks, measured.

The fallbacks run on CPython here so that their accuracy can be checked
against oracles; docs/activations.md quotes the bounds tested below.
"""

import math
from decimal import Decimal, localcontext
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from neuron import _mathx
from neuron.activations import _TANH_SHRINK_SERIES
from test_activations_support import EPS, assert_close, dncdf, finite


def _d_log1p(x):
    with localcontext() as ctx:
        ctx.prec = 80
        x = Decimal(x)
        if abs(x) < Decimal("1e-30"):
            return x - x * x / 2
        return (1 + x).ln()


@given(x=st.floats(min_value=-0.999999, max_value=1e300))
def test_log1p_fallback_within_2_ulps(x):
    # Goldberg's theorem 4 bounds log(u) * x / (u - 1) by a few eps with an
    # accurate log; measured worst here about 1.3 eps.
    assert_close(_mathx._log1p_fallback(x), _d_log1p(x), rel=2 * EPS, abs_=2.0 ** -1074,
                 what="log1p(%r)" % x)


def test_log1p_fallback_edges():
    f = _mathx._log1p_fallback
    assert f(0.0) == 0.0 and f(1e-300) == 1e-300
    assert f(-1.0) == -math.inf
    assert f(math.inf) == math.inf
    assert f(-2.0) != f(-2.0)
    assert f(1.7976931348623157e308) == math.log(1.7976931348623157e308)


@given(xs=st.lists(st.floats(min_value=0.0, max_value=1e10), max_size=30))
def test_fsum_fallback_on_positive_terms(xs):
    # Positive terms (softmax's): within 1 ulp of the exact sum.
    exact = sum(Fraction(x) for x in xs)
    assert_close(_mathx._fsum_fallback(xs), exact, rel=EPS, what="fsum")


# The pure-Python erf and erfc are what PyPy and MicroPython use (see the
# rule in neuron/_mathx.py), so they are tested here on every interpreter,
# directly rather than through whatever _mathx.erfc resolves to.  Bounds:
# erf everywhere and erfc for x <= 2 are rounded once from a double-double
# (measured within 0.50 ulp; allowed 1); erfc above 2 carries the libm
# exp's rounding as well (measured within 1.33 ulps; at most 1.5 with a
# correctly rounded exp; allowed 2).  Subnormal results: an absolute
# 2 * 2**-1074 (measured 1).


def _d_erfc(x):
    return 2 * dncdf(-Decimal(x) * Decimal(2).sqrt())  # erfc(x) = 2 Phi(-x sqrt 2)


def _d_erf(x):
    # The Taylor series for small |x| (2 Phi - 1 would cancel), else
    # 1 - erfc(|x|) with erfc from the oracle's tail.
    with localcontext() as ctx:
        ctx.prec = 60
        xd = Decimal(x)
        if abs(x) < 0.5:
            term = xd
            total = xd
            n = 0
            while abs(term) > abs(total) * Decimal(10) ** -40:
                n += 1
                term = -term * xd * xd / n
                total += term / (2 * n + 1)
            return total * 2 / Decimal("3.14159265358979323846264338327950288419716939937510").sqrt()
        erfc = 2 * dncdf(-abs(xd) * Decimal(2).sqrt())
        return (1 - erfc) if x > 0 else (erfc - 1)


def _erfc_ulps(x):
    return 1 if x <= 2.0 else 2


@given(x=st.floats(min_value=-7.0, max_value=28.0))
def test_erfc_fallback_within_2_ulps(x):
    assert_close(_mathx._erfc_fallback(x), _d_erfc(x), ulps=_erfc_ulps(x),
                 what="erfc(%r)" % x)


@given(x=st.floats(min_value=-7.0, max_value=7.0))
def test_erf_fallback_within_1_ulp(x):
    assert_close(_mathx._erf_fallback(x), _d_erf(x), ulps=1, what="erf(%r)" % x)


# A fixed grid as well, denser where the method changes (x = 2, the
# continued fraction's deepest end) and across the subnormal range.
_GRID = sorted(set(
    [i / 64.0 for i in range(-6 * 64, 28 * 64, 5)]
    + [2.0 + i * 2.0 ** -40 for i in range(-4, 5)]
    + [1.9 + i / 500.0 for i in range(100)]
    + [26.3 + i / 100.0 for i in range(101)]
    + [0.0, -0.0, 5e-324, 1e-300, 2.0 ** -28, 0.5, 1.0, 3.0, 27.29]))


def test_erfc_and_erf_fallbacks_on_a_grid():
    for x in _GRID:
        assert_close(_mathx._erfc_fallback(x), _d_erfc(x), ulps=_erfc_ulps(x),
                     what="erfc(%r)" % x)
        if abs(x) <= 7.0:
            assert_close(_mathx._erf_fallback(x), _d_erf(x), ulps=1, what="erf(%r)" % x)


def test_erfc_fallback_known_values():
    # The values whose PyPy math.erfc errors broke gelu's pinned values.
    for x, want in ((3.0, "2.2090496998585441372776129582e-5"),
                    (1.44, "0.041703430399435233")):
        assert_close(_mathx._erfc_fallback(x), _d_erfc(x), ulps=2, what="erfc(%r)" % x)
        assert abs(_mathx._erfc_fallback(x) / float(want) - 1.0) < 4 * EPS


def test_erf_choice_follows_the_interpreter():
    import sys
    if sys.implementation.name == "cpython" and hasattr(math, "erfc"):
        assert _mathx.erfc is math.erfc and _mathx.erf is math.erf
    else:
        assert _mathx.erfc is _mathx._erfc_fallback and _mathx.erf is _mathx._erf_fallback


def test_erf_fallbacks_never_raise():
    for x in (0.0, -0.0, 5e-324, 1e-300, 30.0, -30.0, 1e308, -1e308, math.inf, -math.inf):
        _mathx._erf_fallback(x)
        _mathx._erfc_fallback(x)
    assert _mathx._erfc_fallback(1e308) == 0.0
    assert _mathx._erfc_fallback(-1e308) == 2.0


@given(a=finite, b=finite)
def test_two_diff_is_exact(a, b):
    hi, lo = _mathx.two_diff(a, b)
    if hi - hi == 0.0:
        assert Fraction(hi) + Fraction(lo) == Fraction(a) - Fraction(b)


@given(x=finite, c=st.floats(min_value=0.0, max_value=1e6))
def test_sqrt_x2_plus_never_overflows(x, c):
    with localcontext() as ctx:
        ctx.prec = 60
        want = (Decimal(x) ** 2 + Decimal(c)).sqrt()
    assert_close(_mathx.sqrt_x2_plus(x, c), want, rel=2 * EPS, what="sqrt(%r^2 + %r)" % (x, c))


@given(x=st.floats(min_value=-40.0, max_value=40.0))
def test_exp_neg_square(x):
    with localcontext() as ctx:
        ctx.prec = 60
        want = (-(Decimal(x) ** 2)).exp()
    assert_close(_mathx.exp_neg_square(x), want, rel=2 * EPS, abs_=2.0 ** -1070,
                 what="exp(-%r^2)" % x)


def test_exp_or_inf():
    assert _mathx.exp_or_inf(1e308) == math.inf
    assert _mathx.exp_or_inf(0.0) == 1.0


def test_tanh_shrink_coefficients():
    # -2^(2n) (2^(2n) - 1) B_2n / (2n)!, recomputed from exact Bernoulli numbers.
    count = len(_TANH_SHRINK_SERIES)
    bern = [Fraction(1)]
    for m in range(1, 2 * count + 3):
        bern.append(-sum(_comb(m + 1, k) * bern[k] for k in range(m)) / (m + 1))
    for i, c in enumerate(_TANH_SHRINK_SERIES):
        n = i + 2
        exact = -Fraction(2 ** (2 * n) * (2 ** (2 * n) - 1)) * bern[2 * n] / math.factorial(2 * n)
        assert c == float(exact), n


def _comb(n, k):
    return math.factorial(n) // (math.factorial(k) * math.factorial(n - k))
