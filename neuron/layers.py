"""Layers: Dense (the course's layer of neurons) and Normalization.

A Dense layer with ``units`` neurons computes, for one example ``a_in``,

    z_j = w_j . a_in + b_j        (the pre-activation of unit j)
    a_j = g(z_j)                  (its activation)

and returns ``[a_1, ..., a_units]``.

**Weight layouts.**  The course and TensorFlow/Keras keep a layer's weights
as a *kernel* ``W`` with one row per input and one column per unit, so
``W[i][j]`` connects input ``i`` to unit ``j`` and column ``j`` is unit
``j``'s weight vector.  PyTorch, and the course's "one neuron at a time"
view, keep one row per unit instead.  ``Dense(kernel=...)`` takes the first
layout and :meth:`Dense.from_neurons` the second; neuron never guesses the
layout from a shape, because a square matrix cannot tell.

>>> layer = Dense(2, "linear", kernel=[[1.0, 2.0], [3.0, 4.0]], bias=[0.5, -0.5])
>>> layer([1.0, 1.0])
[4.5, 5.5]
>>> Dense.from_neurons([[1.0, 3.0], [2.0, 4.0]], [0.5, -0.5])([1.0, 1.0])
[4.5, 5.5]

Every layer also has ``get_weights()`` / ``set_weights()`` in Keras's order
and shapes, so weights copied out of a Keras model drop straight in.
"""

import math

from . import activations
from .checks import as_count, as_matrix, as_vector
from .errors import NeuronError, ShapeError
from .trace import DenseStep, LayerStep, NormalizationStep
from .vector import kernel_dot, preactivations


def dense(a_in, W, b, g):
    """The course's dense layer for one example: ``a_out[j] = g(W[:, j] . a_in + b[j])``.

    ``a_in`` holds the layer's inputs, ``W`` the weights as (inputs x units),
    column j for unit j, ``b`` one bias per unit and ``g`` the activation: a
    name such as ``"sigmoid"``, an Activation, or a function applied to each
    unit's z.  Returns the list of the units' activations.

    >>> dense([1.0, 2.0], [[1.0, 0.5], [-1.0, 0.25]], [0.5, 0.0], "linear")
    [-0.5, 1.0]

    Same arithmetic as :class:`Dense`, so the results are identical.
    """
    where = "dense"
    x = as_vector(a_in, where + ": a_in", batch_hint=True)
    b = as_vector(b, where + ": b")
    W = as_matrix(W, where + ": W", rows=len(x), columns=len(b))
    g = activations.get(g)
    z = []
    for j in range(len(b)):
        w_j = [row[j] for row in W]  # column j: unit j's weights
        z.append(kernel_dot(w_j, x) + b[j])
    return g.apply(z)


class Layer:
    """What every layer has.

    ``input_size`` is the number of values the layer takes (None while it
    has no weights, or for layers that take any size); ``output_size(n)`` the
    number it returns for ``n`` inputs.  ``layer(x)`` checks ``x`` and runs
    the layer on one example; models call the unchecked ``_forward`` instead,
    after checking the input once.
    """

    kind = "Layer"
    name = None

    # Compiled models (neuron.compile) hold copies of their layers' weights.
    # A layer bumps its _version, and the count of changes to any layer, each
    # time its weights or activation change; a model compares the count (one
    # integer) on each call and, when it moved, the versions of its layers.
    _version = 0
    _changes = 0

    def _changed(self):
        self._version += 1
        Layer._changes += 1

    @property
    def built(self):
        return True

    @property
    def input_size(self):
        return None

    def output_size(self, input_size):
        return input_size

    def __call__(self, x, allow_nonfinite=False):
        values = as_vector(x, self._where(), self.input_size, allow_nonfinite, batch_hint=True)
        return self._forward(values)

    weight_count = 0  # how many arrays get_weights() returns

    def get_weights(self):
        return []

    def set_weights(self, weights):
        _expect_count(self, weights, 0)

    def count_params(self):
        total = 0
        for w in self.get_weights():
            total += _size(w)
        return total

    def _where(self):
        if self.name:
            return "%s %r" % (self.kind, self.name)
        return self.kind

    def _forward(self, values):
        raise NotImplementedError

    def _trace(self, values):
        """The step record for the trace; its ``outputs`` equal ``_forward(values)``."""
        return LayerStep(self, values, self._forward(values))

    def __repr__(self):
        return "<%s>" % self._where()


class Dense(Layer):
    """A fully connected layer: ``a_j = g(w_j . a_in + b_j)`` for each of ``units`` units.

    ``kernel`` is (inputs x units), column j holding unit j's weights, as in
    the course and Keras; ``bias`` has one entry per unit (zeros when left
    out).  ``activation`` is a registry name (``"sigmoid"``), an
    :class:`~neuron.activations.Activation`, or a plain function applied to
    each unit's z.  Made without a kernel, the layer has no weights until
    :meth:`set_weights` gives it some.

    >>> Dense(1, "sigmoid", kernel=[[2.0], [-1.0]], bias=[0.0])([1.0, 2.0])
    [0.5]

    Raises :class:`~neuron.ShapeError` for a kernel or bias of the wrong
    shape, :class:`~neuron.NeuronError` for non-finite weights or ``units``
    below 1, :class:`TypeError` for values that are not numbers.
    """

    kind = "Dense"

    def __init__(self, units, activation="linear", *, kernel=None, bias=None, use_bias=True, name=None):
        self.units = as_count(units, "Dense: units")
        self._activation = activations.get(activation)
        if not isinstance(use_bias, bool):
            raise TypeError("Dense: use_bias must be True or False, got %s" % type(use_bias).__name__)
        self.use_bias = use_bias
        self.name = _check_name(name, "Dense")
        self._rows = None  # one list of weights per unit: (units x inputs)
        self._bias = None
        if kernel is not None:
            self._set_kernel(kernel, bias)
        elif bias is not None:
            raise NeuronError("%s: a bias needs a kernel to go with it" % self._where())

    @classmethod
    def from_neurons(cls, weights, biases=None, activation="linear", *, name=None):
        """A Dense layer from one weight row per neuron (units x inputs), PyTorch's layout.

        ``weights[j]`` is unit j's weight vector w_j and ``biases[j]`` its
        bias b_j (zeros when left out).

        >>> Dense.from_neurons([[2.0, -1.0]], [0.0], "sigmoid")([1.0, 2.0])
        [0.5]
        """
        rows = as_matrix(weights, "Dense.from_neurons: weights")
        if not rows:
            raise ShapeError("Dense.from_neurons: weights must have at least one row (one per unit)")
        layer = cls(len(rows), activation, name=name, use_bias=True)
        layer._store(rows, biases)
        return layer

    @property
    def activation(self):
        """The :class:`~neuron.activations.Activation` g applied to each unit's z."""
        return self._activation

    @activation.setter
    def activation(self, activation):
        self._activation = activations.get(activation)
        self._changed()

    # -- weights ---------------------------------------------------------

    @property
    def built(self):
        return self._rows is not None

    @property
    def weight_count(self):
        return 2 if self.use_bias else 1

    @property
    def input_size(self):
        return None if self._rows is None else len(self._rows[0])

    def output_size(self, input_size):
        return self.units

    @property
    def kernel(self):
        """The weights as (inputs x units), column j for unit j; None before they are set."""
        if self._rows is None:
            return None
        return [list(column) for column in zip(*self._rows)]

    @property
    def bias(self):
        """The biases b_j, one per unit; None before the weights are set."""
        return None if self._bias is None else list(self._bias)

    @property
    def neurons(self):
        """The weights as one row per unit (units x inputs): ``neurons[j]`` is w_j."""
        return None if self._rows is None else [list(row) for row in self._rows]

    def get_weights(self):
        """``[kernel, bias]`` (or ``[kernel]`` without a bias), as Keras orders them."""
        self._require_built()
        if self.use_bias:
            return [self.kernel, self.bias]
        return [self.kernel]

    def set_weights(self, weights):
        """Set ``[kernel, bias]`` (``[kernel]`` when ``use_bias=False``) in Keras's shapes."""
        _expect_count(self, weights, 2 if self.use_bias else 1)
        self._set_kernel(weights[0], weights[1] if self.use_bias else None)

    def _set_kernel(self, kernel, bias):
        where = self._where()
        columns = as_matrix(kernel, where + ": kernel")
        if not columns:
            raise ShapeError("%s: kernel must have at least one row (one per input)" % where)
        if len(columns[0]) != self.units:
            raise ShapeError(
                "%s: kernel must be (inputs x units) with %d columns, one per unit; got %d "
                "columns (for one row per unit use Dense.from_neurons)"
                % (where, self.units, len(columns[0]))
            )
        self._store([list(row) for row in zip(*columns)], bias)

    def _store(self, rows, bias):
        where = self._where()
        if self._rows is not None and len(rows[0]) != len(self._rows[0]):
            raise ShapeError(
                "%s: the new kernel has %d inputs, the layer has %d"
                % (where, len(rows[0]), len(self._rows[0]))
            )
        for j, row in enumerate(rows):
            _require_finite(row, "%s: weights of unit %d" % (where, j + 1))
        if bias is None:
            bias_values = [0.0] * self.units
        else:
            if not self.use_bias:
                raise NeuronError("%s: use_bias=False, but a bias was given" % where)
            bias_values = as_vector(bias, where + ": bias")
            if len(bias_values) != self.units:
                raise ShapeError(
                    "%s: bias must have %d values, one per unit; got %d"
                    % (where, self.units, len(bias_values))
                )
        # Without a bias, z = w . x + 0.0, which differs from w . x only in
        # the sign of a zero; no activation's output depends on that.
        self._rows = rows
        self._bias = bias_values
        self._changed()

    def _require_built(self):
        if self._rows is None:
            raise NeuronError(
                "%s has no weights yet: pass kernel= or call set_weights()" % self._where()
            )

    # -- the forward pass ------------------------------------------------

    def _forward(self, values):
        rows = self._rows
        if rows is None or len(values) != len(rows[0]):
            self._check_input(values)
        return self._activation.apply(preactivations(rows, self._bias, values))

    def _check_input(self, values):
        self._require_built()
        raise ShapeError(
            "%s: expected %d inputs, got %d" % (self._where(), len(self._rows[0]), len(values))
        )

    def _trace(self, values):
        if self._rows is None or len(values) != len(self._rows[0]):
            self._check_input(values)
        z = preactivations(self._rows, self._bias, values)
        return DenseStep(self, values, z, self._activation.apply(z))

    def __repr__(self):
        return "<Dense %r: %d units, %s, %s>" % (
            self.name,
            self.units,
            self.activation.name,
            "%d inputs" % self.input_size if self.built else "no weights yet",
        )


class Normalization(Layer):
    """Standardise each feature: ``(x - mean) / max(sqrt(variance), 1e-7)``, as Keras does.

    Give ``mean`` and ``variance`` (one value per feature), or call
    :meth:`adapt` on training rows to compute them.  ``variance`` is the
    *population* variance (divided by n, not n - 1).  The floor of 1e-7 on
    the standard deviation is Keras's, so a constant feature is not divided
    by zero.

    >>> norm = Normalization()
    >>> norm.adapt([[1.0, 10.0], [3.0, 10.0]])
    >>> norm.mean, norm.variance
    ([2.0, 10.0], [1.0, 0.0])
    >>> norm([3.0, 10.0])
    [1.0, 0.0]
    """

    kind = "Normalization"
    EPSILON = 1e-7  # Keras's backend.epsilon()
    weight_count = 3  # mean, variance, count

    def __init__(self, mean=None, variance=None, name=None):
        self.name = _check_name(name, "Normalization")
        self.mean = None
        self.variance = None
        self.count = 0
        self._scale = None
        if (mean is None) != (variance is None):
            raise NeuronError("Normalization: give both mean and variance, or neither")
        if mean is not None:
            self._set_statistics(mean, variance)

    @property
    def built(self):
        return self.mean is not None

    @property
    def input_size(self):
        return None if self.mean is None else len(self.mean)

    @property
    def standard_deviation(self):
        """``max(sqrt(variance), 1e-7)`` per feature: what each feature is divided by."""
        return None if self._scale is None else list(self._scale)

    def adapt(self, rows):
        """Compute each feature's mean and population variance from ``rows``.

        Two passes: the mean first, then the mean squared deviation from it,
        each summed with ``math.fsum`` (correctly rounded) where the
        interpreter has it, so the statistics are as exact as float allows.
        """
        data = as_matrix(rows, "Normalization.adapt: rows")
        if not data:
            raise ShapeError("Normalization.adapt: rows must hold at least one row")
        if self.mean is not None and len(data[0]) != len(self.mean):
            raise ShapeError(
                "Normalization.adapt: rows have %d features, the layer has %d"
                % (len(data[0]), len(self.mean))
            )
        n = len(data)
        means = []
        variances = []
        for column in zip(*data):
            mean = _sum(column) / n
            means.append(mean)
            variances.append(_sum([(v - mean) * (v - mean) for v in column]) / n)
        self._set_statistics(means, variances)
        self.count = n

    def get_weights(self):
        """``[mean, variance, count]``, Keras's order."""
        if self.mean is None:
            raise NeuronError("%s has no statistics yet: call adapt() or set_weights()" % self._where())
        return [list(self.mean), list(self.variance), self.count]

    def set_weights(self, weights):
        """Set ``[mean, variance, count]`` or ``[mean, variance]`` (Keras's forms)."""
        if not isinstance(weights, (list, tuple)) or len(weights) not in (2, 3):
            raise ShapeError(
                "%s: set_weights takes [mean, variance, count] or [mean, variance], got %s"
                % (self._where(), _count_text(weights))
            )
        count = 0
        if len(weights) == 3:
            count = _scalar_count(weights[2], self._where())
        self._set_statistics(weights[0], weights[1])
        self.count = count

    def _set_statistics(self, mean, variance):
        where = self._where()
        mean = _flat_statistic(mean, where + ": mean")
        variance = _flat_statistic(variance, where + ": variance")
        if len(variance) != len(mean):
            raise ShapeError(
                "%s: mean has %d features but variance has %d" % (where, len(mean), len(variance))
            )
        for i, v in enumerate(variance):
            if v < 0.0:
                raise NeuronError("%s: variance[%d] = %r is negative" % (where, i, v))
        epsilon = self.EPSILON
        self._scale = [max(math.sqrt(v), epsilon) for v in variance]
        self.mean = mean
        self.variance = variance
        self._changed()

    def _forward(self, values):
        mean = self.mean
        if mean is None or len(values) != len(mean):
            self._check_input(values)
        return [(x - m) / s for x, m, s in zip(values, mean, self._scale)]

    def _check_input(self, values):
        if self.mean is None:
            raise NeuronError("%s has no statistics yet: call adapt() or set_weights()" % self._where())
        raise ShapeError(
            "%s: expected %d inputs, got %d" % (self._where(), len(self.mean), len(values))
        )

    def _trace(self, values):
        return NormalizationStep(self, values, self._forward(values))

    def count_params(self):
        # Keras counts mean, variance and the scalar count.
        return 0 if self.mean is None else 2 * len(self.mean) + 1


# --- helpers ----------------------------------------------------------------


def _sum(values):
    # math.fsum is correctly rounded; MicroPython has no fsum, and there the
    # plain left-to-right sum is the documented fallback.
    fsum = getattr(math, "fsum", None)
    if fsum is not None:
        return fsum(values)
    total = 0.0
    for v in values:
        total += v
    return total


def _flat_statistic(values, where):
    # Keras sometimes stores statistics with a leading axis of 1 ([[m1, m2]]).
    if isinstance(values, (list, tuple)) and len(values) == 1 and isinstance(values[0], (list, tuple)):
        values = values[0]
    values = as_vector(values, where)
    if not values:
        raise ShapeError("%s must have at least one feature" % where)
    return values


def _scalar_count(value, where):
    if isinstance(value, (list, tuple)):
        raise ShapeError("%s: count must be a single number, got a list" % where)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError("%s: count must be a number, got %s" % (where, type(value).__name__))
    return value


def _require_finite(values, where):
    for i, v in enumerate(values):
        if v - v != 0.0:
            raise NeuronError("%s: entry %d is %r; weights must be finite" % (where, i, v))


def _check_name(name, kind):
    if name is not None and not isinstance(name, str):
        raise TypeError("%s: name must be a string, got %s" % (kind, type(name).__name__))
    return name


def _expect_count(layer, weights, count):
    if not isinstance(weights, (list, tuple)) or len(weights) != count:
        raise ShapeError(
            "%s: set_weights expects a list of %d arrays, got %s"
            % (layer._where(), count, _count_text(weights))
        )


def _count_text(weights):
    if isinstance(weights, (list, tuple)):
        return "%d" % len(weights)
    return "a %s" % type(weights).__name__


def _size(value):
    if isinstance(value, (list, tuple)):
        total = 0
        for v in value:
            total += _size(v)
        return total
    return 1
