"""Activation functions ``a = g(z)``, by name.

An :class:`Activation` is a function ``g`` together with its name and
parameters.  Element-wise activations (sigmoid, relu, ...) map each unit's
``z`` to its ``a`` on its own; vector activations (softmax, ...) map one
example's whole vector of ``z`` values at once.  Either kind is called on one
number or on a layer's list and returns the same shape.

>>> g = get("sigmoid")
>>> g(0.0)
0.5
>>> get("relu")([-2.0, 0.0, 3.5])
[0.0, 0.0, 3.5]
>>> "linear" in names()
True

The registry is a plain dict from name to a recipe: :func:`register` adds
one.  Unknown names and parameters raise errors that say what exists.
"""

import math

from .checks import as_float, as_vector
from . import _mathx
from .errors import NeuronError, ShapeError


class Activation:
    """A named activation function with fixed parameters.

    ``name`` is the registry name, ``params`` a dict of the parameters it was
    made with (defaults filled in), ``elementwise`` whether it works unit by
    unit.  Call it on one number or on a list of numbers.
    """

    __slots__ = ("name", "params", "elementwise", "function")

    def __init__(self, name, params, elementwise, function):
        self.name = name
        self.params = params
        self.elementwise = elementwise
        # For an element-wise activation `function` maps a float to a float;
        # for a vector activation it maps a list of floats to a list.
        self.function = function

    def __call__(self, z):
        """g(z) for one number or for a list of numbers (NaN and inf allowed)."""
        if isinstance(z, (int, float)) and not isinstance(z, bool):
            if not self.elementwise:
                raise TypeError(
                    "%s works on a layer's whole vector; pass a list, got one number"
                    % self.name
                )
            return self.function(as_float(z, self.name))
        if isinstance(z, (list, tuple)):
            return self.apply(as_vector(z, self.name, allow_nonfinite=True))
        return self.function(as_float(z, self.name))

    def apply(self, zs):
        """g on a list of floats already checked (the layers' fast path)."""
        if self.elementwise:
            f = self.function
            return [f(z) for z in zs]
        return self.function(zs)

    def output_size(self, n):
        """How many values g returns for ``n``: ``n``, or half of it for glu."""
        return n // 2 if self.name in _HALVING else n

    def changed_params(self):
        """The parameters that differ from the registry's defaults (all, for a custom one).

        >>> get("relu", max_value=6.0).changed_params()
        {'max_value': 6.0}
        >>> get("relu").changed_params()
        {}
        """
        recipe = _REGISTRY.get(self.name)
        defaults = recipe.defaults if recipe is not None else {}
        out = {}
        for key, value in self.params.items():
            default = defaults.get(key, _MISSING)
            if default is _MISSING or default != value or type(default) is not type(value):
                out[key] = value
        return out

    def __eq__(self, other):
        return (
            isinstance(other, Activation)
            and self.name == other.name
            and self.params == other.params
        )

    def __hash__(self):
        return hash(self.name)

    def __repr__(self):
        parts = [repr(self.name)]
        changed = self.changed_params()
        for key in sorted(changed):
            parts.append("%s=%r" % (key, changed[key]))
        return "Activation(%s)" % ", ".join(parts)


_MISSING = object()

# Activations that return half as many values as they take (a * sigmoid(b)
# for the two halves a, b).
_HALVING = ("glu", "torch.glu")


class _Recipe:
    # How to make one registered activation: `make(**params)` returns the
    # function; `defaults` holds every optional parameter, `required` the
    # names that have no default.
    __slots__ = ("make", "elementwise", "defaults", "required", "doc")

    def __init__(self, make, elementwise, defaults, required, doc):
        self.make = make
        self.elementwise = elementwise
        self.defaults = defaults
        self.required = required
        self.doc = doc


_REGISTRY = {}


def register(name, make, elementwise=True, defaults=None, required=(), doc=""):
    """Add an activation: ``make(**params)`` returns the function for those params."""
    _REGISTRY[name] = _Recipe(make, elementwise, dict(defaults or {}), tuple(required), doc)


def names():
    """The supported activation names, sorted."""
    return sorted(_REGISTRY)


def get(name, **params):
    """The activation called ``name``, made with ``params`` (defaults for the rest).

    ``name`` may also be an :class:`Activation` (returned as it is when no
    params are given) or a plain callable ``g(z) -> a``, wrapped as an
    element-wise activation named after it.

    >>> get("sigmoid")
    Activation('sigmoid')
    >>> get("elu", alpha=2)
    Activation('elu', alpha=2.0)

    Raises :class:`~neuron.NeuronError` for an unknown name (listing the
    closest known ones) and :class:`TypeError` for a parameter the activation
    does not take or a required one left out.
    """
    if isinstance(name, Activation):
        if params:
            return get(name.name, **_merged(name.params, params))
        return name
    if not isinstance(name, str):
        if callable(name):
            if params:
                raise TypeError("activations.get: a plain function takes no parameters")
            return Activation(getattr(name, "__name__", "custom"), {}, True, name)
        raise TypeError(
            "activation must be a name, an Activation or a function, got %s"
            % type(name).__name__
        )
    recipe = _REGISTRY.get(name)
    if recipe is None:
        raise NeuronError(
            "unknown activation %r; %s" % (name, _suggest(name))
        )
    values = dict(recipe.defaults)
    for key in params:
        if key not in recipe.defaults and key not in recipe.required:
            raise TypeError(
                "activation %r takes no parameter %r (it takes: %s)"
                % (name, key, ", ".join(sorted(recipe.defaults) + sorted(recipe.required)) or "none")
            )
        values[key] = params[key]
    for key in recipe.required:
        if key not in values:
            raise TypeError("activation %r needs the parameter %r" % (name, key))
    for key in values:
        values[key] = _parameter(name, key, values[key], recipe.defaults.get(key, _MISSING))
    return Activation(name, values, recipe.elementwise, recipe.make(**values))


def _merged(first, second):
    out = dict(first)
    out.update(second)
    return out


def _parameter(name, key, value, default):
    # Parameters are numbers (None where a default means "off", like
    # relu's max_value), a bool flag (gelu's approximate) or a word
    # (torch.gelu's approximate='tanh'): the default says which.
    where = "activation %r: %s" % (name, key)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise TypeError("%s must be True or False, got %r" % (where, value))
        return value
    if isinstance(default, str):
        if not isinstance(value, str):
            raise TypeError("%s must be a string, got %r" % (where, value))
        return value
    if value is None and default is None:
        return None  # "off", where the default is off (relu's max_value)
    if value is None or isinstance(value, bool):
        raise TypeError("%s must be a number, got %r" % (where, value))
    number = as_float(value, where)
    if number - number != 0.0:
        raise NeuronError("%s must be a finite number, got %r" % (where, number))
    return number


def _suggest(name):
    known = names()
    try:
        import difflib
    except ImportError:  # MicroPython has no difflib: list every name.
        return "known activations: " + ", ".join(known)
    close = difflib.get_close_matches(name, known, n=5, cutoff=0.5)
    if close:
        return "did you mean %s? (see activations.names())" % " or ".join(repr(c) for c in close)
    return "known activations: " + ", ".join(known)


# --- the activations ------------------------------------------------------
#
# Conventions for every function below: it takes one float and returns one
# float (the vector ones take and return a list); it never raises for a
# finite input, and NaN in gives NaN out.  Comparisons with NaN are all
# False, so each piecewise function tests the ranges with `<`/`>` and lets
# NaN fall through to a branch that returns it (Python's max(0.0, nan) is
# 0.0, which is why max/min are not used for clipping).

_exp = math.exp
_expm1 = math.expm1
_log = math.log
_tanh = math.tanh
_log1p = _mathx.log1p
_erfc = _mathx.erfc
_INF = _mathx.INF
_NAN = _mathx.NAN

# SELU's constants (Klambauer et al. 2017) as Keras writes them, and their
# product rounded once (1.7580993408473768599...), so that
# selu(z < 0) = (scale*alpha) * expm1(z) has two roundings, not three.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
_SELU_SCALE_ALPHA = 1.7580993408473768

# 1/sqrt(2) split in two: _INV_SQRT2 is the double nearest to it and
# _INV_SQRT2_LO the remainder, for gelu's corrected argument.
_INV_SQRT2 = 0.7071067811865476
_INV_SQRT2_LO = -4.833646656726457e-17
_TWO_OVER_SQRT_PI = 1.1283791670955126
_SQRT_2_OVER_PI = 0.7978845608028654  # sqrt(2/pi), correctly rounded
_SPLITTER = 134217729.0  # 2**27 + 1, Veltkamp's constant for doubles
_INV_SQRT2_HI_HI = 0.7071067839860916  # _INV_SQRT2 split into halves of
_INV_SQRT2_HI_LO = -2.7995440410322203e-09  # 26 bits by Veltkamp's method


def sigmoid(z):
    """The logistic function ``1 / (1 + e**-z)``, never raising for a finite z.

    It computes ``1 / (1 + exp(-z))`` itself wherever ``exp(-z)`` is finite
    (z >= -709): every step of that formula is monotone, so the result never
    decreases as z grows, and its relative error stays within a few ulps even
    for small results.  Below -709, ``exp(-z)`` would overflow
    (``math.exp(710)`` raises ``OverflowError``), but there ``1 + e**-z`` is
    ``e**-z`` to far more than double precision, so sigmoid(z) is ``exp(z)``.

    >>> sigmoid(0.0)
    0.5
    >>> sigmoid(-1000.0)
    0.0

    Raises :class:`TypeError` for something that is not a number.
    """
    if type(z) is not float:
        z = as_float(z, "sigmoid: z")
    return _sigmoid(z)


# exp(709) is the largest exp of a whole number that is finite.
_SIGMOID_CUT = -709.0
_SIGMOID_AT_CUT = 1.0 / (1.0 + _exp(709.0))


def _sigmoid(z):
    if z >= _SIGMOID_CUT:
        return 1.0 / (1.0 + _exp(-z))
    if z != z:
        return z  # NaN in, NaN out
    # exp(z) and the formula above may round apart by an ulp at the cut:
    # never let this side exceed the other, so the function stays monotone.
    e = _exp(z)
    return e if e < _SIGMOID_AT_CUT else _SIGMOID_AT_CUT


def _linear(z):
    return z


def _relu(z):
    # max(0.0, z) would turn NaN into 0.0; here NaN stays NaN and -0.0
    # becomes +0.0.  The NaN test is written out (z != z) rather than left to
    # `0.0 if z <= 0.0 else z`: PyPy 7.3's JIT, once warm, assumes that a z
    # which is not > 0 is <= 0 and returns 0.0 for NaN.
    if z > 0.0:
        return z
    return z if z != z else 0.0


def _make_relu(negative_slope, max_value, threshold):
    # Keras's relu(x, negative_slope, max_value, threshold):
    #   x > threshold:  x, clipped to max_value when one is given
    #   x <= threshold: negative_slope * (x - threshold)
    # except that with threshold != 0 and no max_value Keras does not clip
    # at 0: a negative threshold lets values in (threshold, 0] through.
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return _relu
    if negative_slope == 0.0 and max_value == 6.0 and threshold == 0.0:
        return _relu6

    def relu(z):
        if z != z:
            return z
        if z > threshold:
            a = z
            if threshold == 0.0 or max_value is not None:
                a = _relu(a)
            if max_value is not None and a > max_value:
                a = max_value
            return a
        if negative_slope == 0.0:
            return 0.0
        return negative_slope * (z - threshold)

    return relu


def _make_leaky_relu(negative_slope):
    def leaky_relu(z):
        # z for z > 0, slope * z below; NaN * slope is NaN.
        return z if z > 0.0 else negative_slope * z

    return leaky_relu


def _relu6(z):
    if z > 0.0:
        return 6.0 if z > 6.0 else z
    return z if z != z else 0.0  # NaN stays NaN (see _relu)


def _make_elu(alpha):
    def elu(z):
        # expm1, not exp(z) - 1: near 0 the subtraction loses the digits.
        return z if z > 0.0 else alpha * _expm1(z)

    return elu


def _selu(z):
    if z > 0.0:
        return SELU_SCALE * z
    return _SELU_SCALE_ALPHA * _expm1(z)


def _make_celu(alpha):
    if alpha == 0.0:
        raise NeuronError("activation 'celu': alpha must not be 0 (it divides z)")

    def celu(z):
        # z / alpha may overflow to -inf for a tiny alpha: expm1(-inf) = -1.
        if z > 0.0:
            return z
        t = z / alpha
        if t > 709.0:
            # Only with a negative alpha: e^t overflows, and so does the true
            # value alpha * (e^t - 1), which is -inf in floats.
            return alpha * _mathx.exp_or_inf(t)
        return alpha * _expm1(t)

    return celu


def _gelu(z):
    # z * Phi(z) with Phi(z) = erfc(-z / sqrt(2)) / 2.  For z < 0 erfc keeps
    # every digit where 1 + erf(z / sqrt(2)) would cancel (all of them below
    # about -6).  The rounding of u = fl(-z / sqrt(2)) alone would cost up to
    # 2u^2 ulps (800 ulps near -38), so the first-order correction
    # erfc(u + d) = erfc(u) - 2/sqrt(pi) exp(-u^2) d is applied, with d, the
    # part of -z/sqrt(2) that u lost, found exactly by Dekker's product.
    if z > 0.0:
        if z > 40.0:
            return z  # Phi(z) rounds to 1.0 from z = 8.3
        # Phi(z) = 1 - erfc(z / sqrt(2)) / 2 for z > 0 (within 1.2 ulps).
        u, d = _scaled_inv_sqrt2(z)
        return z * (1.0 - 0.5 * (_erfc(u) - _TWO_OVER_SQRT_PI * _exp(-u * u) * d))
    if z < -40.0:
        return -0.0  # erfc(28.3) underflows: z * Phi(z) is -0.0
    if z != z:
        return z
    u, d = _scaled_inv_sqrt2(-z)
    return 0.5 * z * (_erfc(u) - _TWO_OVER_SQRT_PI * _exp(-u * u) * d)


def _scaled_inv_sqrt2(x):
    # (u, d): u = fl(x / sqrt(2)) and u + d = x / sqrt(2) to about 2**-104
    # relative, for |x| <= 40 (so that the Veltkamp split cannot overflow).
    u = x * _INV_SQRT2
    t = _SPLITTER * x
    x_hi = t - (t - x)
    x_lo = x - x_hi
    err = ((x_hi * _INV_SQRT2_HI_HI - u) + x_hi * _INV_SQRT2_HI_LO
           + x_lo * _INV_SQRT2_HI_HI) + x_lo * _INV_SQRT2_HI_LO
    return u, err + x * _INV_SQRT2_LO


def _gelu_tanh(z):
    # 0.5 z (1 + tanh(t)), t = sqrt(2/pi) (z + 0.044715 z^3), written as
    # z * sigmoid(2t): the same number (1 + tanh(t) = 2 sigmoid(2t)) without
    # the cancellation of 1 + tanh(t) for z < 0.  z^3 overflows to inf
    # beyond 5.6e102, where sigmoid(+-inf) gives the right limit.
    if z != z:
        return z
    t = _SQRT_2_OVER_PI * (z + 0.044715 * (z * z * z))
    return z * _sigmoid(2.0 * t)


def _make_gelu(approximate):
    return _gelu_tanh if approximate else _gelu


def _make_torch_gelu(approximate):
    if approximate == "none":
        return _gelu
    if approximate == "tanh":
        return _gelu_tanh
    raise NeuronError(
        "activation 'torch.gelu': approximate must be 'none' or 'tanh', got %r" % (approximate,)
    )


def _hard_sigmoid(z):
    # Keras 3 and PyTorch: relu6(z + 3) / 6.  z + 3 is exact near -3
    # (Sterbenz), where z/6 + 0.5 would cancel.
    if z <= -3.0:
        return 0.0
    if z >= 3.0:
        return 1.0
    return (z + 3.0) / 6.0


def _hard_sigmoid_keras2(z):
    # Keras 2 (and TensorFlow 2.x before Keras 3): clip(0.2 z + 0.5, 0, 1).
    if z < -2.5:
        return 0.0
    if z > 2.5:
        return 1.0
    return 0.2 * z + 0.5


def _hard_silu(z):
    # z * relu6(z + 3) / 6, the same in Keras 3 (hard_silu, hard_swish) and
    # PyTorch (Hardswish).
    if z <= -3.0:
        return 0.0
    if z >= 3.0:
        return z
    return z * (z + 3.0) / 6.0


def _silu(z):
    return z * _sigmoid(z)


def _softplus(z):
    # log(1 + e^z) = max(z, 0) + log1p(exp(-|z|)): exp never sees a positive
    # argument, and log1p keeps the digits of a tiny exp(-|z|).
    if z > 0.0:
        return z + _log1p(_exp(-z))
    if z <= 0.0:
        return _log1p(_exp(z))
    return z


def _make_torch_softplus(beta, threshold):
    # PyTorch: log(1 + exp(beta z)) / beta, and z itself where beta z >
    # threshold (a shortcut PyTorch takes; it is off by about exp(-20) / beta
    # at the default threshold 20, and we follow it).
    if beta == 0.0:
        raise NeuronError("activation 'torch.softplus': beta must not be 0 (it divides)")

    def softplus(z):
        bz = beta * z
        if bz > threshold:
            return z
        return _softplus(bz) / beta

    return softplus


def _log_sigmoid(z):
    # log(sigmoid(z)) = -softplus(-z).
    if z >= 0.0:
        return -_log1p(_exp(-z))
    if z < 0.0:
        return z - _log1p(_exp(z))
    return z


def _softsign(z):
    return z / (1.0 + abs(z))


def _tanh_fn(z):
    return _tanh(z)


# x - tanh(x) = sum over n >= 2 of c_n x^(2n-1), c_n from the Bernoulli
# numbers: -2^(2n) (2^(2n) - 1) B_2n / (2n)!  (exact fractions rounded to
# float; tests/test_activations_mathx.py recomputes them).  The terms shrink
# by (2/pi)^2 per step at |x| = 1; the 48 here reach 2**-60 of the first.
_TANH_SHRINK_SERIES = (
    0.3333333333333333,
    -0.13333333333333333,
    0.05396825396825397,
    -0.021869488536155203,
    0.008863235529902197,
    -0.003592128036572481,
    0.0014558343870513183,
    -0.000590027440945586,
    0.00023912911424355248,
    -9.691537956929451e-05,
    3.927832388331683e-05,
    -1.5918905069328964e-05,
    6.451689215655431e-06,
    -2.6147711512907546e-06,
    1.0597268320104654e-06,
    -4.294911078273806e-07,
    1.7406618963571648e-07,
    -7.054636946400968e-08,
    2.859136662305254e-08,
    -1.1587644432798853e-08,
    4.6962953982309016e-09,
    -1.903336833931276e-09,
    7.713933635359062e-10,
    -3.126339545892087e-10,
    1.26705769303054e-10,
    -5.135191408039368e-11,
    2.0812146867700473e-11,
    -8.434845419094337e-12,
    3.4185140868111557e-12,
    -1.385471574294847e-12,
    5.61510479241468e-13,
    -2.2757162553728747e-13,
    9.223130585139532e-14,
    -3.737994031096739e-14,
    1.5149519187148606e-14,
    -6.139868862616814e-15,
    2.488395122276279e-15,
    -1.0085085566354096e-15,
    4.087331226869014e-16,
    -1.6565329513786285e-16,
    6.713675175048712e-17,
    -2.7209500613044588e-17,
    1.102759523372237e-17,
    -4.4693160072374125e-18,
    1.8113455516997665e-18,
    -7.3411070113401475e-19,
    2.975238606536194e-19,
    -1.2058187889305074e-19,
)


def _tanh_shrink(z):
    # z - tanh(z).  Below |z| = 1 the subtraction would lose up to
    # log2(3 / z^2) bits, so the Taylor series is summed instead (Horner in
    # z^2).  From 1 on the subtraction is exact up to z = 1.9 (Sterbenz) and
    # only tanh's own error is left, magnified by tanh(z) / (z - tanh(z)):
    # with libm's tanh within 2 ulps, 7 ulps at z = 1, falling fast.
    if -1.0 < z < 1.0:
        z2 = z * z
        acc = 0.0
        for c in reversed(_TANH_SHRINK_SERIES):
            acc = acc * z2 + c
        return acc * z2 * z
    return z - _tanh(z)


def _hard_tanh(z):
    if z < -1.0:
        return -1.0
    if z > 1.0:
        return 1.0
    return z


def _make_hard_tanh_torch(min_val, max_val):
    if min_val > max_val:
        raise NeuronError(
            "activation 'torch.hardtanh': min_val %r is above max_val %r" % (min_val, max_val)
        )

    def hardtanh(z):
        if z < min_val:
            return min_val
        if z > max_val:
            return max_val
        return z

    return hardtanh


def _make_hard_shrink(threshold):
    def hard_shrink(z):
        if z > threshold or z < -threshold:
            return z
        return 0.0 if z == z else z

    return hard_shrink


def _make_soft_shrink(threshold):
    def soft_shrink(z):
        if z > threshold:
            return z - threshold
        if z < -threshold:
            return z + threshold
        return 0.0 if z == z else z

    return soft_shrink


def _make_threshold(threshold, default_value):
    # Keras 3 threshold(x, threshold, default_value) and PyTorch's
    # Threshold(threshold, value): x where x > threshold, else the value.
    def threshold_fn(z):
        if z > threshold:
            return z
        return default_value if z == z else z

    return threshold_fn


def _make_squareplus(b):
    if b < 0.0:
        raise NeuronError("activation 'squareplus': b must be >= 0, got %r" % (b,))
    half_b = 0.5 * b

    def squareplus(z):
        # (z + sqrt(z^2 + b)) / 2.  For z >= 0, halving each term first
        # keeps z + r from overflowing.  For z < 0 the sum cancels (to b/4|z|
        # for large |z|), so it is rewritten by the conjugate as
        # (b/2) / (r - z), and for z < -1 as (b/2)/|z| / (r/|z| + 1), so that
        # neither r - z overflows nor (b/2)/|z| does for a tiny |z|.
        if z != z:
            return z
        r = _mathx.sqrt_x2_plus(z, b)
        if z >= 0.0:
            return 0.5 * z + 0.5 * r
        if z > -1.0:
            return half_b / (r - z)
        a = -z
        return half_b / a / (r / a + 1.0)

    return squareplus


def _sparse_plus(z):
    if z <= -1.0:
        return 0.0
    if z >= 1.0:
        return z
    w = z + 1.0
    return 0.25 * (w * w)


def _sparse_sigmoid(z):
    if z <= -1.0:
        return 0.0
    if z >= 1.0:
        return 1.0
    return 0.5 * (z + 1.0)


def _exponential(z):
    return _mathx.exp_or_inf(z)


def _mish(z):
    # z * tanh(softplus(z)); the stable softplus makes the product stable:
    # for z << 0 both factors are small and accurate, for z >> 0 tanh is 1.
    return z * _tanh(_softplus(z))


# --- vector activations: one example's whole vector -----------------------


def _nan_in(zs):
    for z in zs:
        if z != z:
            return True
    return False


def _infinite_top(zs, m):
    # The +inf entries share the whole mass (the limit of softmax and of
    # sparsemax as those logits grow together); the rest get 0.
    count = 0
    for z in zs:
        if z == m:
            count += 1
    share = 1.0 / count
    return [share if z == m else 0.0 for z in zs]


def _special(zs):
    """``(answer, m)``: the answer for an empty vector, one holding NaN, or one
    whose largest entry is +inf (those entries share the mass), else
    ``(None, max(zs))`` for the finite computation.  Shared by softmax,
    log_softmax and sparsemax."""
    if not zs:
        return [], None
    if _nan_in(zs):
        return [_NAN] * len(zs), None
    m = _max(zs)
    if m == _INF:
        return _infinite_top(zs, m), m
    return None, m


def _softmax(zs):
    # exp(z_i - m) / sum_j exp(z_j - m) with m = max(z): every exp argument
    # is <= 0, so nothing overflows and the largest term is exactly 1.
    # z_i - m is rounded when z_i and m are far apart; two_diff gives the
    # lost part lo, and exp(hi + lo) = exp(hi) * (1 + lo) to first order.
    # On one unit this is [1.0] whatever z is: a binary classifier needs
    # sigmoid there, not softmax.
    answer, m = _special(zs)
    if answer is not None:
        return answer
    es = []
    for z in zs:
        # _mathx.two_diff(z, m) written out, as this loop runs for every
        # example of a classifier: hi = fl(z - m) and lo = what it lost.
        hi = z - m
        if hi - hi == 0.0:
            a_part = hi + m
            lo = (z - a_part) + ((a_part - hi) - m)
        else:
            lo = 0.0  # z is -inf, and exp(hi) is 0
        e = _exp(hi)
        es.append(e + e * lo)
    total = _mathx.fsum(es)
    return [e / total for e in es]


def _log_softmax(zs):
    # z_i - m - log(sum_j exp(z_j - m)).  The largest term of the sum is
    # exactly 1, so the log is taken as log1p(rest): log(1 + rest) would
    # round 1 + rest and lose the digits of the entries near 0 (the
    # probabilities near 1).
    answer, m = _special(zs)
    if answer is not None:
        if m == _INF:
            return [_log(p) if p > 0.0 else -_INF for p in answer]
        return answer
    top = -1
    parts = []
    rest = []
    for i, z in enumerate(zs):
        hi, lo = _mathx.two_diff(z, m)
        parts.append((hi, lo))
        if top < 0 and z == m:
            top = i
        else:
            e = _exp(hi)
            rest.append(e + e * lo)
    lse = _log1p(_mathx.fsum(rest))
    return [(hi - lse) + lo for hi, lo in parts]


def _sparsemax(zs):
    # Martins & Astudillo (2016): the Euclidean projection of z onto the
    # probability simplex, max(z_i - tau, 0) with tau chosen so the outputs
    # sum to 1.  It is shift-invariant, so z is first shifted by its maximum
    # (as softmax is): the running sums then stay small, where the large
    # logits of rows like [120.5, 121.2, -30, 5] made Keras 3.15 return
    # all zeros.  The running sums are compensated (Neumaier).
    answer, m = _special(zs)
    if answer is not None:
        return answer
    shifted = [z - m for z in zs]
    ordered = sorted(shifted, reverse=True)
    total = 0.0
    carry = 0.0
    best_sum = 0.0
    best_k = 1
    k = 0
    for v in ordered:
        k += 1
        total, carry = _mathx.neumaier_add(total, carry, v)
        running = total + carry
        if 1.0 + k * v > running:
            best_k = k
            best_sum = running
        else:
            break
    tau = (best_sum - 1.0) / best_k
    out = []
    for v in shifted:
        d = v - tau
        out.append(d if d > 0.0 else 0.0)
    return out


def _glu(zs):
    # Keras 3 glu (and PyTorch GLU on the last dimension): split the vector
    # into a first half a and a second half b; the output is a * sigmoid(b),
    # half as long as the input.
    n = len(zs)
    if n % 2:
        raise ShapeError("glu: needs an even number of units to halve, got %d" % n)
    half = n // 2
    return [zs[i] * _sigmoid(zs[half + i]) for i in range(half)]


def _max(zs):
    # max() over floats without NaN (the callers check for NaN first).
    m = zs[0]
    for z in zs:
        if z > m:
            m = z
    return m


def _fixed(function):
    # The recipe for an activation without parameters.
    return lambda: function


# --- the registry ------------------------------------------------------------
#
# Names: Keras 3's own names, bare (the names Dense(activation=...) takes in
# Keras).  Other frameworks' functions are "<framework>.<its name>", with
# their own parameter names and defaults: "torch." for PyTorch's
# torch.nn.functional names, "sklearn." for scikit-learn's MLP activation
# strings, "keras2." for Keras 2 definitions that Keras 3 changed.
# These are activation functions, not layer classes: Keras's LeakyReLU
# *layer* (slope 0.3) is for a loader to translate into
# get("leaky_relu", negative_slope=0.3).

_KERAS = (
    # name, make, defaults, required, formula
    ("linear", _fixed(_linear), None, (), "z"),
    ("relu", _make_relu, {"negative_slope": 0.0, "max_value": None, "threshold": 0.0}, (),
     "max(z, 0); with parameters: min(z, max_value) for z > threshold, "
     "negative_slope * (z - threshold) otherwise"),
    ("leaky_relu", _make_leaky_relu, {"negative_slope": 0.2}, (),
     "z for z > 0, negative_slope * z otherwise"),
    ("relu6", _fixed(_relu6), None, (), "min(max(z, 0), 6)"),
    ("elu", _make_elu, {"alpha": 1.0}, (), "z for z > 0, alpha * (exp(z) - 1) otherwise"),
    ("selu", _fixed(_selu), None, (),
     "scale * z for z > 0, scale * alpha * (exp(z) - 1) otherwise"),
    ("celu", _make_celu, {"alpha": 1.0}, (),
     "z for z > 0, alpha * (exp(z / alpha) - 1) otherwise"),
    ("gelu", _make_gelu, {"approximate": False}, (),
     "z * Phi(z) = z/2 * (1 + erf(z / sqrt(2))); approximate=True: "
     "z/2 * (1 + tanh(sqrt(2/pi) * (z + 0.044715 z^3)))"),
    ("sigmoid", _fixed(_sigmoid), None, (), "1 / (1 + exp(-z))"),
    ("hard_sigmoid", _fixed(_hard_sigmoid), None, (), "relu6(z + 3) / 6"),
    ("hard_silu", _fixed(_hard_silu), None, (), "z * relu6(z + 3) / 6"),
    ("hard_swish", _fixed(_hard_silu), None, (), "z * relu6(z + 3) / 6 (= hard_silu)"),
    ("silu", _fixed(_silu), None, (), "z * sigmoid(z)"),
    ("swish", _fixed(_silu), None, (), "z * sigmoid(z) (= silu)"),
    ("softplus", _fixed(_softplus), None, (), "log(1 + exp(z))"),
    ("softsign", _fixed(_softsign), None, (), "z / (1 + |z|)"),
    ("tanh", _fixed(_tanh_fn), None, (), "tanh(z)"),
    ("tanh_shrink", _fixed(_tanh_shrink), None, (), "z - tanh(z)"),
    ("hard_tanh", _fixed(_hard_tanh), None, (), "min(max(z, -1), 1)"),
    ("hard_shrink", _make_hard_shrink, {"threshold": 0.5}, (),
     "z for |z| > threshold, 0 otherwise"),
    ("soft_shrink", _make_soft_shrink, {"threshold": 0.5}, (),
     "z - threshold above threshold, z + threshold below -threshold, 0 between"),
    ("threshold", _make_threshold, None, ("threshold", "default_value"),
     "z for z > threshold, default_value otherwise"),
    ("squareplus", _make_squareplus, {"b": 4.0}, (), "(z + sqrt(z^2 + b)) / 2"),
    ("sparse_plus", _fixed(_sparse_plus), None, (),
     "0 for z <= -1, (z + 1)^2 / 4 for -1 < z < 1, z for z >= 1"),
    ("sparse_sigmoid", _fixed(_sparse_sigmoid), None, (),
     "0 for z <= -1, (z + 1) / 2 for -1 < z < 1, 1 for z >= 1"),
    ("log_sigmoid", _fixed(_log_sigmoid), None, (), "log(sigmoid(z)) = -softplus(-z)"),
    ("exponential", _fixed(_exponential), None, (), "exp(z)"),
    ("mish", _fixed(_mish), None, (), "z * tanh(softplus(z))"),
)

_VECTOR = (
    ("softmax", _softmax, "exp(z_i) / sum_j exp(z_j)"),
    ("log_softmax", _log_softmax, "z_i - log(sum_j exp(z_j))"),
    ("sparsemax", _sparsemax, "max(z_i - tau, 0), tau such that the outputs sum to 1"),
    ("glu", _glu, "a * sigmoid(b) for z = a + b (two halves); half as many outputs"),
)

_OTHERS = (
    ("keras2.hard_sigmoid", _fixed(_hard_sigmoid_keras2), None, (), "clip(0.2 z + 0.5, 0, 1)"),
    ("torch.leaky_relu", _make_leaky_relu, {"negative_slope": 0.01}, (),
     "z for z > 0, negative_slope * z otherwise"),
    ("torch.softplus", _make_torch_softplus, {"beta": 1.0, "threshold": 20.0}, (),
     "log(1 + exp(beta z)) / beta; z where beta z > threshold"),
    ("torch.hardsigmoid", _fixed(_hard_sigmoid), None, (), "relu6(z + 3) / 6"),
    ("torch.hardswish", _fixed(_hard_silu), None, (), "z * relu6(z + 3) / 6"),
    ("torch.gelu", _make_torch_gelu, {"approximate": "none"}, (),
     "as gelu; approximate='tanh' for the tanh form"),
    ("torch.relu", _fixed(_relu), None, (), "max(z, 0)"),
    ("torch.relu6", _fixed(_relu6), None, (), "min(max(z, 0), 6)"),
    ("torch.sigmoid", _fixed(_sigmoid), None, (), "1 / (1 + exp(-z))"),
    ("torch.tanh", _fixed(_tanh_fn), None, (), "tanh(z)"),
    ("torch.silu", _fixed(_silu), None, (), "z * sigmoid(z)"),
    ("torch.elu", _make_elu, {"alpha": 1.0}, (), "z for z > 0, alpha * (exp(z) - 1) otherwise"),
    ("torch.selu", _fixed(_selu), None, (), "as selu"),
    ("torch.celu", _make_celu, {"alpha": 1.0}, (), "as celu"),
    ("torch.mish", _fixed(_mish), None, (), "z * tanh(softplus(z))"),
    ("torch.softsign", _fixed(_softsign), None, (), "z / (1 + |z|)"),
    ("torch.logsigmoid", _fixed(_log_sigmoid), None, (), "log(sigmoid(z))"),
    ("torch.tanhshrink", _fixed(_tanh_shrink), None, (), "z - tanh(z)"),
    ("torch.hardtanh", _make_hard_tanh_torch, {"min_val": -1.0, "max_val": 1.0}, (),
     "min(max(z, min_val), max_val)"),
    ("torch.hardshrink", lambda lambd: _make_hard_shrink(lambd), {"lambd": 0.5}, (),
     "z for |z| > lambd, 0 otherwise"),
    ("torch.softshrink", lambda lambd: _make_soft_shrink(lambd), {"lambd": 0.5}, (),
     "z - lambd above lambd, z + lambd below -lambd, 0 between"),
    ("torch.threshold", lambda threshold, value: _make_threshold(threshold, value), None,
     ("threshold", "value"), "z for z > threshold, value otherwise"),
    ("sklearn.identity", _fixed(_linear), None, (), "z"),
    ("sklearn.logistic", _fixed(_sigmoid), None, (), "1 / (1 + exp(-z))"),
    ("sklearn.tanh", _fixed(_tanh_fn), None, (), "tanh(z)"),
    ("sklearn.relu", _fixed(_relu), None, (), "max(z, 0)"),
)

_OTHER_VECTOR = (
    ("torch.softmax", _softmax, "as softmax (dim=-1)"),
    ("torch.log_softmax", _log_softmax, "as log_softmax (dim=-1)"),
    ("torch.glu", _glu, "as glu (dim=-1)"),
    ("sklearn.softmax", _softmax, "as softmax"),
)

for _name, _make, _defaults, _required, _formula in _KERAS + _OTHERS:
    register(_name, _make, True, _defaults, _required, "g(z) = " + _formula)
for _name, _function, _formula in _VECTOR + _OTHER_VECTOR:
    register(_name, _fixed(_function), False, None, (), "g(z) = " + _formula)
del _name, _make, _defaults, _required, _formula, _function
