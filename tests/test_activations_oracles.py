"""Each activation against a high-precision oracle, and their identities.

The oracle computes the closed form in 60-digit Decimal on the exact float
input, so the only error measured is neuron's.  Each tolerance is the
error bound of neuron's formula from the analysis in the comment beside it,
counted in "ulps" meaning eps = 2**-52 relative to the true result: one
correctly rounded operation costs at most 0.5, a libm function at most 1.
The oracle's own rounding to a float adds 0.5.  Subnormal results carry an
absolute error of a few 2**-1074 whatever the formula, hence the floors.
"""

import math
from decimal import Decimal, localcontext

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from neuron.activations import SELU_ALPHA, SELU_SCALE, get
from test_activations_support import (
    EPS, assert_close, dec, dexp, dexpm1, dln, dncdf, dtanh, finite, moderate, ulp)

SUB = 2.0 ** -1074  # absolute floor: results that are subnormal or 0


def d_sigmoid(z):
    return 1 / (1 + dexp(-dec(z)))


def d_softplus(z):
    with localcontext() as ctx:
        ctx.prec = 80
        z = dec(z)
        if z > 0:
            return z + _d_log1p(dexp(-z))
        return _d_log1p(dexp(z))


def _d_log1p(t):
    # log(1 + t) for 0 <= t <= 1, keeping a tiny t (the Decimal ln of 1 + t
    # would round 1 + t to 60 digits).
    if t < Decimal("1e-30"):
        return t - t * t / 2
    return dln(1 + t)


# name, params, oracle, bound in ulps (formula error + 0.5 for the oracle)
CASES = [
    # sigmoid: exp (<= 1 ulp), 1 + e (0.5), division (0.5)
    ("sigmoid", {}, d_sigmoid, 2.5),
    # softplus: exp and log1p (1 ulp each), the final sum (0.5)
    ("softplus", {}, d_softplus, 3.0),
    ("log_sigmoid", {}, lambda z: -d_softplus(-z), 3.0),
    # tanh: libm (glibc documents up to 2 ulps; 1.6 seen at 0.53125)
    ("tanh", {}, lambda z: dtanh(dec(z)), 2.5),
    # silu: sigmoid (2 ulps) times z (0.5)
    ("silu", {}, lambda z: dec(z) * d_sigmoid(z), 3.0),
    # elu: expm1 (1 ulp), times alpha (0.5)
    ("elu", {"alpha": 1.5}, lambda z: dec(z) if z > 0 else Decimal("1.5") * dexpm1(z), 2.0),
    # selu: as elu, plus 0.5 for the rounded constant
    ("selu", {}, lambda z: Decimal(str(SELU_SCALE)) * (
        dec(z) if z > 0 else Decimal(str(SELU_ALPHA)) * dexpm1(z)), 2.5),
    # celu with alpha = 2: z/2 exact, expm1 (1), times alpha (exact)
    ("celu", {"alpha": 2.0}, lambda z: dec(z) if z > 0 else 2 * dexpm1(dec(z) / 2), 1.5),
    # gelu: erfc (libm: 2.5 ulps measured), the argument corrected to
    # 2**-104, 1 - e/2 or z/2 * e (1 ulp)
    ("gelu", {}, lambda z: dec(z) * dncdf(z), 4.0),
    # softsign: 1 + |z| and the division
    ("softsign", {}, lambda z: dec(z) / (1 + abs(dec(z))), 1.5),
    # mish: softplus (3), tanh of it (condition <= 1, plus 2), times z (0.5)
    ("mish", {}, lambda z: dec(z) * dtanh(d_softplus(z)), 6.0),
    # exponential: libm exp, within 1 ulp
    ("exponential", {}, lambda z: dexp(dec(z)), 1.5),
    # squareplus: sqrt(z^2 + b) (1.5 ulps), one sum or quotient chain (2)
    ("squareplus", {}, lambda z: d_squareplus(z, 4), 4.0),
    ("squareplus", {"b": 0.5}, lambda z: d_squareplus(z, 0.5), 4.0),
    # hard_sigmoid: z + 3 and / 6
    ("hard_sigmoid", {}, lambda z: min(max((dec(z) + 3) / 6, Decimal(0)), Decimal(1)), 1.5),
    ("hard_silu", {}, lambda z: dec(z) * min(max((dec(z) + 3) / 6, Decimal(0)), Decimal(1)), 2.0),
    ("sparse_plus", {}, lambda z: Decimal(0) if z <= -1 else (
        dec(z) if z >= 1 else (dec(z) + 1) ** 2 / 4), 2.0),
    ("sparse_sigmoid", {}, lambda z: min(max((dec(z) + 1) / 2, Decimal(0)), Decimal(1)), 1.0),
    # leaky_relu: the slope 0.2 is rounded (0.5) and the product (0.5)
    ("leaky_relu", {}, lambda z: dec(z) if z > 0 else Decimal("0.2") * dec(z), 1.5),
    ("soft_shrink", {}, lambda z: dec(z) - Decimal("0.5") if z > 0.5 else (
        dec(z) + Decimal("0.5") if z < -0.5 else Decimal(0)), 0.5),
    # torch.softplus(beta=2): beta z exact, softplus (3), / beta exact
    ("torch.softplus", {"beta": 2.0}, lambda z: dec(z) if 2 * z > 20 else d_softplus(2 * z) / 2, 3.0),
]


@pytest.mark.parametrize("name, params, oracle, bound", CASES, ids=lambda c: str(c) if isinstance(c, str) else "")
@given(z=moderate)
def test_against_oracle(name, params, oracle, bound, z):
    got = get(name, **params)(z)
    # gelu multiplies a subnormal erfc by z/2: its floor scales with z.
    floor = SUB * (2.0 + abs(z))
    assert_close(got, oracle(z), rel=bound * EPS, abs_=floor, what="%s(%r)" % (name, z))


@pytest.mark.parametrize("name, oracle, bound", [
    ("sigmoid", d_sigmoid, 2.5),
    ("softplus", d_softplus, 3.0),
    ("log_sigmoid", lambda z: -d_softplus(-z), 3.0),
    ("gelu", lambda z: dec(z) * dncdf(z), 4.0),
])
@given(z=st.floats(min_value=-745.0, max_value=745.0))
def test_against_oracle_far_out(name, oracle, bound, z):
    # Out where naive formulas overflow or cancel: sigmoid's tail down to
    # the subnormals, gelu where 1 + erf(z/sqrt 2) would be all rounding.
    got = get(name)(z)
    want = oracle(z)
    assert_close(got, want, rel=bound * EPS, abs_=SUB * (2.0 + abs(z)), what="%s(%r)" % (name, z))


@given(z=st.floats(min_value=-1e4, max_value=1e4))
def test_gelu_tanh_form(z):
    # Decimal's exponent reaches 10**999999, so exp(2t) is fine to |z| = 1e4.
    # t = sqrt(2/pi) (z + 0.044715 z^3) is off by up to 4 eps |t| (two
    # rounded constants, z^3, the sum, the product); sigmoid(2t) has
    # relative sensitivity <= 1 to its argument, so the error is about
    # 8 |t| eps (1 - sigmoid(2t)) relative, plus 3 ulps of arithmetic.
    with localcontext() as ctx:
        ctx.prec = 60
        zd = dec(z)
        t = (2 / (Decimal("3.14159265358979323846264338327950288419716939937510"))).sqrt() * (
            zd + Decimal("0.044715") * zd ** 3)
        # z (1 + tanh t) / 2 = z sigmoid(2t), written so that it neither
        # cancels nor overflows the Decimal exponent range
        want = zd / (1 + (-2 * t).exp()) if t >= 0 else zd * (2 * t).exp() / (1 + (2 * t).exp())
    tf = float(t)
    tail = 1.0 if tf < 0 else 1.0 / (1.0 + math.exp(min(2 * tf, 700.0)))
    rel = (8 * abs(tf) * tail + 3.5) * EPS
    assert_close(get("gelu", approximate=True)(z), want, rel=rel, abs_=SUB * 4,
                 what="gelu_tanh(%r)" % z)


def d_tanh_shrink(z):
    # z - tanh(z); below 0.01 from its series (the subtraction would need
    # more digits than the context has for tiny z).
    with localcontext() as ctx:
        ctx.prec = 70
        zd = dec(z)
        if abs(z) >= 0.01:
            return zd - dtanh(zd)
        z2 = zd * zd
        # z^3/3 - 2z^5/15 + 17z^7/315 - 62z^9/2835: the next term is below
        # 1e-17 of the first
        return zd * z2 * (Decimal(1) / 3 - z2 * (Decimal(2) / 15 - z2 * (
            Decimal(17) / 315 - z2 * Decimal(62) / 2835)))


@given(z=st.floats(min_value=-10.0, max_value=10.0))
def test_tanh_shrink(z):
    # Below |z| = 1 the series (about 2 ulps); above, z - tanh(z) is an
    # exact subtraction up to 1.9, so only tanh's own error (glibc: up to
    # 2 ulps of tanh(z)) remains, which is large relative to the result.
    want = d_tanh_shrink(z)
    got = get("tanh_shrink")(z)
    allowed = 2.5 * ulp(float(want)) + (2 * ulp(math.tanh(z)) if abs(z) >= 1.0 else 0.0)
    assert_close(got, want, abs_=allowed, what="tanh_shrink(%r)" % z)


@given(z=st.floats(min_value=-1e-3, max_value=1e-3))
def test_tanh_shrink_near_zero_keeps_its_digits(z):
    # z - tanh(z) ~ z^3/3: the plain subtraction would lose every digit.
    want = d_tanh_shrink(z)
    assert_close(get("tanh_shrink")(z), want, rel=2.5 * EPS, abs_=SUB, what="tanh_shrink(%r)" % z)


@given(z=finite)
def test_squareplus_everywhere(z):
    # Overflow above 1e154 and cancellation for z << 0 are both avoided.
    assert_close(get("squareplus")(z), d_squareplus(z, 4), rel=4.0 * EPS, abs_=SUB * 4,
                 what="squareplus(%r)" % z)


def d_squareplus(z, b):
    # For z < 0, (z + r)/2 = (b/2) / (r - z) exactly; the direct form would
    # cancel away up to 600 of the context's digits.
    with localcontext() as ctx:
        ctx.prec = 60
        zd = dec(z)
        r = (zd * zd + Decimal(b)).sqrt()
        return (zd + r) / 2 if z >= 0 else Decimal(b) / 2 / (r - zd)


@given(z=moderate)
def test_keras2_hard_sigmoid(z):
    # 0.2 is rounded: 0.2 z carries up to |0.2 z| eps/2 <= eps/4 absolute,
    # which a result near 0 (z near -2.5) cannot hide: an absolute bound.
    want = min(max(Decimal("0.2") * dec(z) + Decimal("0.5"), Decimal(0)), Decimal(1))
    assert_close(get("keras2.hard_sigmoid")(z), want, abs_=EPS, what="keras2(%r)" % z)


# --- vector activations ---------------------------------------------------------

logits = st.lists(st.floats(min_value=-800.0, max_value=800.0), min_size=1, max_size=8)


def d_softmax(zs):
    with localcontext() as ctx:
        ctx.prec = 60
        m = max(zs)
        es = [dexp(dec(z) - dec(m)) for z in zs]
        total = sum(es)
        others = list(es)
        others.remove(Decimal(1))  # the largest term, exp(0), exactly 1
        rest = sum(others) if others else Decimal(0)  # not total - 1: rounded
        return [e / total for e in es], _d_log1p(rest) if rest <= 1 else total.ln()


@given(zs=logits)
def test_softmax_against_oracle(zs):
    # Each exp (1 ulp, with the rounding of z - m recovered), the sum
    # (fsum: 0.5), the division (0.5): within 2.5 ulps with the oracle.
    want, _ = d_softmax(zs)
    got = get("softmax")(zs)
    for g, w in zip(got, want):
        assert_close(g, w, rel=3.0 * EPS, abs_=SUB * 2, what="softmax(%r)" % zs)


@given(zs=logits)
def test_log_softmax_against_oracle(zs):
    # (z_i - m) - log1p(rest): the log (1 ulp of lse), the sum of two
    # numbers of one sign (0.5): a few ulps of the result, including the
    # entries near 0 that log(1 + rest) would lose.
    # Where the rest is subnormal, each of its n - 1 exps is rounded to the
    # subnormal grid (half a step each), so the floor is n - 1 steps.
    want_p, lse = d_softmax(zs)
    got = get("log_softmax")(zs)
    m = max(zs)
    floor = SUB * max(1, len(zs) - 1)
    for z, g in zip(zs, got):
        want = dec(z) - dec(m) - lse
        assert_close(g, want, rel=3.0 * EPS, abs_=floor, what="log_softmax(%r)" % zs)


@given(zs=logits)
def test_softmax_sums_to_one(zs):
    # n quotients each within 3 ulps of values <= 1, summed: n * 4 eps.
    assert abs(math.fsum(get("softmax")(zs)) - 1.0) <= 4 * len(zs) * EPS


dyadic = st.lists(st.integers(min_value=-2 ** 20, max_value=2 ** 20), min_size=1, max_size=8)


@given(ks=dyadic, shift=st.integers(min_value=-1000, max_value=1000))
def test_softmax_and_sparsemax_are_shift_invariant(ks, shift):
    # z = k / 1024 and z + shift are exact, and so is every z_i - max: the
    # outputs must be identical, not merely close.
    zs = [k / 1024.0 for k in ks]
    moved = [z + shift for z in zs]
    for name in ("softmax", "log_softmax", "sparsemax"):
        assert get(name)(zs) == get(name)(moved), name


@given(zs=logits)
def test_log_softmax_is_log_of_softmax(zs):
    # Where p is a normal number: log(p) differs from log_softmax by p's
    # relative error (3 ulps) plus the rounding of both logs.
    p = get("softmax")(zs)
    lp = get("log_softmax")(zs)
    for a, b in zip(p, lp):
        if a > 1e-300:
            assert abs(math.log(a) - b) <= 4 * EPS + 2 * ulp(b), (a, b)


def exact_sparsemax(zs):
    # The projection onto the simplex in exact rational arithmetic.
    from fractions import Fraction
    fs = sorted((Fraction(z) for z in zs), reverse=True)
    total = Fraction(0)
    tau = None
    for k, v in enumerate(fs, 1):
        total += v
        if 1 + k * v > total:
            tau = (total - 1) / k
    return [max(Fraction(z) - tau, Fraction(0)) for z in zs]


@given(zs=st.lists(st.floats(min_value=-1e3, max_value=1e3), min_size=1, max_size=8))
def test_sparsemax_against_exact(zs):
    # tau from a compensated running sum of the shifted values (about
    # 2 eps of their magnitude), then z_i - m - tau: an absolute error of a
    # few eps times the spread of the support, at most 2 in absolute terms
    # near the output scale of 1.
    want = exact_sparsemax(zs)
    got = get("sparsemax")(zs)
    m = max(zs)
    spread = max([1.0] + [abs(z - m) for z, w in zip(zs, want) if w > 0])
    for g, w in zip(got, want):
        assert_close(g, w, abs_=8 * EPS * spread, what="sparsemax(%r)" % zs)
    assert abs(math.fsum(got) - 1.0) <= 8 * len(zs) * EPS * spread
    assert all(v >= 0.0 for v in got)


@given(a=st.lists(st.floats(min_value=-50, max_value=50), min_size=1, max_size=4),
       b=st.lists(st.floats(min_value=-50, max_value=50), min_size=4, max_size=4))
def test_glu_is_a_times_sigmoid_b(a, b):
    b = b[:len(a)]
    assert get("glu")(a + b) == [x * get("sigmoid")(y) for x, y in zip(a, b)]


# --- identities -------------------------------------------------------------------


@given(z=finite)
def test_sigmoid_symmetry(z):
    # Each side within 2.5 ulps of a number <= 1, and 1 - s rounded once.
    s = get("sigmoid")
    assert abs(s(-z) - (1.0 - s(z))) <= 4 * EPS


@given(z=st.floats(min_value=-700, max_value=700))
def test_softplus_difference_is_z(z):
    # softplus(z) - softplus(-z) = z; each side 3 ulps of itself.
    f = get("softplus")
    a, b = f(z), f(-z)
    assert abs((a - b) - z) <= 3.5 * (ulp(a) + ulp(b))


@given(z=moderate)
def test_silu_log_sigmoid_and_the_aliases(z):
    assert get("silu")(z) == z * get("sigmoid")(z)
    assert get("swish")(z) == get("silu")(z)
    assert get("hard_swish")(z) == get("hard_silu")(z) == get("torch.hardswish")(z)
    assert get("torch.hardsigmoid")(z) == get("hard_sigmoid")(z)
    assert get("sklearn.logistic")(z) == get("sigmoid")(z)
    ls = get("log_sigmoid")(z)
    assert abs(ls + get("softplus")(-z)) <= 3 * (ulp(ls) + ulp(ls))


@given(z=st.floats(min_value=-30, max_value=30))
def test_gelu_odd_part(z):
    # gelu(z) - gelu(-z) = z Phi(z) + z Phi(-z) = z.
    g = get("gelu")
    a, b = g(z), g(-z)
    assert abs((a - b) - z) <= 4.5 * (ulp(a) + ulp(b)) + ulp(z)


@given(z=finite)
def test_odd_functions(z):
    for name in ("tanh", "softsign", "hard_tanh", "tanh_shrink", "soft_shrink", "hard_shrink"):
        g = get(name)
        assert g(-z) == -g(z) or (g(z) == 0.0 and g(-z) == 0.0), name


@given(z=moderate, w=moderate)
def test_monotone(z, w):
    assume(z < w)
    for name in ("sigmoid", "softplus", "tanh", "elu", "selu", "hard_sigmoid", "relu",
                 "leaky_relu", "softsign", "exponential", "squareplus", "sparse_plus",
                 "log_sigmoid", "keras2.hard_sigmoid", "celu"):
        g = get(name)
        assert g(z) <= g(w), name


@given(z=finite)
def test_relu_family_matches_keras_relu_definition(z):
    # Keras relu(x, negative_slope, max_value, threshold), written out.
    for slope, top, thr in ((0.0, None, 0.0), (0.1, None, 0.0), (0.0, 6.0, 0.0),
                            (0.3, 4.0, 1.0), (0.0, None, 2.0), (0.5, None, -1.0)):
        g = get("relu", negative_slope=slope, max_value=top, threshold=thr)
        if z > thr:
            want = z if (thr != 0.0 and top is None) else max(z, 0.0)
            if top is not None:
                want = min(want, top)
        else:
            want = slope * (z - thr)
        assert g(z) == want, (slope, top, thr, z)
