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
from .errors import NeuronError

_exp = math.exp


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
            return self.function(float(z))
        if isinstance(z, (list, tuple)):
            return self.apply(as_vector(z, self.name, allow_nonfinite=True))
        return self.function(as_float(z, self.name))

    def apply(self, zs):
        """g on a list of floats already checked (the layers' fast path)."""
        if self.elementwise:
            f = self.function
            return [f(z) for z in zs]
        return self.function(zs)

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
        for key in sorted(self.params):
            parts.append("%s=%r" % (key, self.params[key]))
        return "Activation(%s)" % ", ".join(parts)


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

    >>> get("relu")
    Activation('relu')

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
        values[key] = _parameter(name, key, values[key])
    return Activation(name, values, recipe.elementwise, recipe.make(**values))


def _merged(first, second):
    out = dict(first)
    out.update(second)
    return out


def _parameter(name, key, value):
    # Parameters are numbers (None where a default means "off", like
    # relu's max_value) or a bool flag (gelu's approximate).
    if value is None or isinstance(value, bool):
        return value
    return as_float(value, "activation %r: %s" % (name, key))


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
    # `z > 0` alone would turn NaN into 0.0; `z <= 0` keeps NaN as NaN and
    # makes -0.0 into +0.0.
    if z > 0.0:
        return z
    return 0.0 if z <= 0.0 else z


register("linear", lambda: _linear, doc="g(z) = z")
register("sigmoid", lambda: _sigmoid, doc="g(z) = 1 / (1 + exp(-z))")
register("relu", lambda: _relu, doc="g(z) = max(0, z)")
