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
from .checks import as_count, as_float, as_matrix, as_vector
from .errors import NeuronError, ShapeError
from .trace import DenseStep, FeatureStep, LayerStep, NormalizationStep
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
        self._units = as_count(units, "Dense: units")
        self._activation = activations.get(activation)
        if not isinstance(use_bias, bool):
            raise TypeError("Dense: use_bias must be True or False, got %s" % type(use_bias).__name__)
        self._use_bias = use_bias
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
        rows = as_matrix(weights, "Dense.from_neurons: weights", allow_nonfinite=True)
        if not rows:
            raise ShapeError("Dense.from_neurons: weights must have at least one row (one per unit)")
        layer = cls(len(rows), activation, name=name, use_bias=True)
        layer._store(rows, biases)
        return layer

    # units and use_bias are fixed when the layer is made (a layer with
    # other ones is another layer); the weights change through set_weights.

    @property
    def units(self):
        """The number of units (neurons), each with its weights and bias."""
        return self._units

    @property
    def use_bias(self):
        """Whether the units add a bias b_j (fixed when the layer is made)."""
        return self._use_bias

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
        return self.activation.output_size(self.units)

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
        columns = as_matrix(kernel, where + ": kernel", allow_nonfinite=True)
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
        if not rows[0]:
            raise ShapeError("%s: each unit needs at least one weight (one per input), got none" % where)
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
            bias_values = as_vector(bias, where + ": bias", allow_nonfinite=True)
            _require_finite(bias_values, where + ": bias")
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
        self._mean = None
        self._variance = None
        self._count = 0
        self._scale = None
        if (mean is None) != (variance is None):
            raise NeuronError("Normalization: give both mean and variance, or neither")
        if mean is not None:
            self._set_statistics(mean, variance)

    @property
    def built(self):
        return self._mean is not None

    @property
    def input_size(self):
        return None if self._mean is None else len(self._mean)

    # The statistics are read as copies and set through these properties,
    # which check them and recompute the scale, so a layer never divides by
    # a standard deviation that no longer matches its variance.

    @property
    def mean(self):
        """Each feature's mean (a copy; None before adapt or set_weights)."""
        return None if self._mean is None else list(self._mean)

    @mean.setter
    def mean(self, mean):
        if self._variance is None:
            raise NeuronError("%s: set mean and variance together with set_weights()" % self._where())
        self._set_statistics(mean, self._variance)

    @property
    def variance(self):
        """Each feature's population variance (a copy; None before adapt or set_weights)."""
        return None if self._variance is None else list(self._variance)

    @variance.setter
    def variance(self, variance):
        if self._mean is None:
            raise NeuronError("%s: set mean and variance together with set_weights()" % self._where())
        self._set_statistics(self._mean, variance)

    @property
    def count(self):
        """How many rows the statistics came from (Keras keeps it; 0 when set by hand)."""
        return self._count

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
        if self._mean is not None and len(data[0]) != len(self._mean):
            raise ShapeError(
                "Normalization.adapt: rows have %d features, the layer has %d"
                % (len(data[0]), len(self._mean))
            )
        n = len(data)
        means = []
        variances = []
        for i, column in enumerate(zip(*data)):
            mean = _mean_of(column)
            variance = _sum([(v - mean) * (v - mean) for v in column]) / n
            if variance - variance != 0.0:
                raise NeuronError(
                    "Normalization.adapt: the variance of feature %d overflows a float "
                    "(its values spread over more than 1e154); scale that feature down"
                    % i
                )
            means.append(mean)
            variances.append(variance)
        self._set_statistics(means, variances)
        self._count = n

    def get_weights(self):
        """``[mean, variance, count]``, Keras's order."""
        if self._mean is None:
            raise NeuronError("%s has no statistics yet: call adapt() or set_weights()" % self._where())
        return [list(self._mean), list(self._variance), self._count]

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
        self._count = count

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
        self._mean = mean
        self._variance = variance
        self._changed()

    def _forward(self, values):
        mean = self._mean
        if mean is None or len(values) != len(mean):
            self._check_input(values)
        return [(x - m) / s for x, m, s in zip(values, mean, self._scale)]

    def _check_input(self, values):
        if self._mean is None:
            raise NeuronError("%s has no statistics yet: call adapt() or set_weights()" % self._where())
        raise ShapeError(
            "%s: expected %d inputs, got %d" % (self._where(), len(self._mean), len(values))
        )

    def _trace(self, values):
        return NormalizationStep(self, values, self._forward(values))

    def count_params(self):
        # Keras counts mean, variance and the scalar count.
        return 0 if self._mean is None else 2 * len(self._mean) + 1


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


def _mean_of(column):
    # fsum is exact until its running sum overflows (two values near 1e308):
    # then the mean of the values scaled down by the largest one, scaled back.
    try:
        return _sum(column) / len(column)
    except OverflowError:
        top = max(abs(v) for v in column)
        return _sum([v / top for v in column]) / len(column) * top


def _flat_statistic(values, where):
    # Keras sometimes stores statistics with a leading axis of 1 ([[m1, m2]]).
    if isinstance(values, (list, tuple)) and len(values) == 1 and isinstance(values[0], (list, tuple)):
        values = values[0]
    values = as_vector(values, where, allow_nonfinite=True)
    if not values:
        raise ShapeError("%s must have at least one feature" % where)
    _require_finite(values, where, "statistics")
    return values


def _scalar_count(value, where):
    # Keras's count arrives as an int, a float, a NumPy integer or a 0-d array.
    if isinstance(value, (list, tuple)):
        raise ShapeError("%s: count must be a single number, got a list" % where)
    count = as_float(value, where + ": count")
    if count - count != 0.0 or count < 0.0:
        raise NeuronError("%s: count must be a finite number >= 0, got %r" % (where, count))
    return int(count) if count == int(count) else count


def _require_finite(values, where, what="weights"):
    for i, v in enumerate(values):
        if v - v != 0.0:
            raise NeuronError("%s: entry %d is %r; %s must be finite" % (where, i, v, what))


def _read_only(attribute):
    # A property that reads a layer's parameter (a copy, for a list) and
    # cannot be set: the parameter changes through set_weights or not at all.
    def read(self):
        value = getattr(self, attribute)
        return list(value) if isinstance(value, list) else value

    return property(read)


def _check_name(name, kind):
    if name is not None and not isinstance(name, str):
        raise TypeError("%s: name must be a string, got %s" % (kind, type(name).__name__))
    if name is not None:
        check_name_text(name, kind)
    return name


def check_name_text(name, kind):
    """Refuse line breaks and other control characters in a name.

    Names come from model files and end up in traces, documents and
    generated code; no real model needs a control character in one.
    """
    for ch in name:
        if ord(ch) < 32 or ord(ch) == 127:
            raise NeuronError("%s: name %r holds a control character (%r), which names may not"
                              % (kind, name, ch))


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


# --- layers brought in from Keras models ------------------------------------
#
# Keras keeps some steps of a network as layers of their own: an activation
# after a Dense layer with no activation, dropout, batch normalization.  Each
# class below computes what its Keras namesake computes at inference time,
# and takes and returns its weights in Keras's get_weights() order, so a
# model copied layer by layer from Keras keeps its shape.


class Activation(Layer):
    """Apply an activation to every value (or, for softmax, the whole vector): ``a = g(x)``.

    Keras's ``Activation`` layer: the same as giving the activation to the
    Dense layer before it.  Exported at the top level as
    ``neuron.ActivationLayer``, since ``neuron.Activation`` is the
    activation function itself.

    >>> Activation("relu")([-1.0, 2.0])
    [0.0, 2.0]
    """

    kind = "Activation"

    def __init__(self, activation, name=None):
        self.activation = activations.get(activation)
        self.name = _check_name(name, "Activation")

    def output_size(self, input_size):
        return None if input_size is None else self.activation.output_size(input_size)

    def _forward(self, values):
        return self.activation.apply(values)

    def _trace(self, values):
        if not self.activation.elementwise:
            return LayerStep(self, values, self._forward(values))
        return FeatureStep(self, values, self._forward(values), "%s(x)" % self.activation.name)

    def __repr__(self):
        return "<Activation %r: %s>" % (self.name, self.activation.name)


class Dropout(Layer):
    """Dropout: the identity at inference time (``rate`` matters only in training).

    >>> Dropout(0.5)([1.0, -2.0])
    [1.0, -2.0]
    """

    kind = "Dropout"

    def __init__(self, rate=0.5, name=None):
        rate = _finite_parameter(rate, "Dropout: rate")
        if not 0.0 <= rate < 1.0:
            raise NeuronError("Dropout: rate must be from 0 up to (not including) 1, got %r" % rate)
        self.rate = rate
        self.name = _check_name(name, "Dropout")

    def _forward(self, values):
        return list(values)


class Flatten(Layer):
    """Flatten: the identity on one example, which is already a flat list of numbers.

    >>> Flatten()([1.0, 2.0])
    [1.0, 2.0]
    """

    kind = "Flatten"

    def __init__(self, name=None):
        self.name = _check_name(name, "Flatten")

    def _forward(self, values):
        return list(values)


class BatchNormalization(Layer):
    """Batch normalization at inference: ``gamma * (x - mean) / sqrt(variance + epsilon) + beta``.

    ``mean`` and ``variance`` are the moving statistics Keras keeps from
    training, one per feature; ``gamma`` (the scale) and ``beta`` (the
    offset) are learned.  ``scale=False`` drops gamma (it is 1) and
    ``center=False`` drops beta (it is 0), as in Keras, and then
    :meth:`get_weights` leaves them out.  ``epsilon`` defaults to Keras's
    1e-3.

    >>> bn = BatchNormalization(epsilon=0.0, gamma=[2.0], beta=[1.0],
    ...                         moving_mean=[3.0], moving_variance=[4.0])
    >>> bn([5.0])
    [3.0]
    >>> bn.get_weights()
    [[2.0], [1.0], [3.0], [4.0]]

    The order of operations follows the formula: ``x - mean`` first, then
    the division by ``sqrt(variance + epsilon)``, then gamma and beta.
    """

    kind = "BatchNormalization"
    scale = _read_only("_scale_on")

    # Fixed once set: read-only, so the compiled path can never hold stale values.
    epsilon = _read_only('_epsilon')
    center = _read_only('_center')
    gamma = _read_only('_gamma')
    beta = _read_only('_beta')
    moving_mean = _read_only('_moving_mean')
    moving_variance = _read_only('_moving_variance')

    def __init__(self, epsilon=1e-3, center=True, scale=True, *, gamma=None, beta=None,
                 moving_mean=None, moving_variance=None, name=None):
        self.name = _check_name(name, "BatchNormalization")
        epsilon = _finite_parameter(epsilon, "BatchNormalization: epsilon")
        if epsilon < 0.0:
            raise NeuronError("BatchNormalization: epsilon must not be negative, got %r" % epsilon)
        for flag, text in ((center, "center"), (scale, "scale")):
            if not isinstance(flag, bool):
                raise TypeError("BatchNormalization: %s must be True or False, got %s"
                                % (text, type(flag).__name__))
        self._epsilon = epsilon
        self._center = center
        self._scale_on = scale
        self._gamma = self._beta = self._moving_mean = self._moving_variance = None
        self._deviation = None
        given = [w for w in (gamma, beta, moving_mean, moving_variance) if w is not None]
        if given:
            weights = []
            if scale:
                weights.append(gamma)
            if center:
                weights.append(beta)
            weights += [moving_mean, moving_variance]
            if any(w is None for w in weights) or len(given) != len(weights):
                raise NeuronError(
                    "%s: give all of %s, or none" % (self._where(), ", ".join(self._weight_names()))
                )
            self.set_weights(weights)

    def _weight_names(self):
        names = []
        if self._scale_on:
            names.append("gamma")
        if self._center:
            names.append("beta")
        return names + ["moving_mean", "moving_variance"]

    @property
    def weight_count(self):
        return len(self._weight_names())

    @property
    def built(self):
        return self._moving_mean is not None

    @property
    def input_size(self):
        return None if self._moving_mean is None else len(self._moving_mean)

    def get_weights(self):
        """``[gamma, beta, moving_mean, moving_variance]`` (without gamma or beta when off)."""
        if self._moving_mean is None:
            raise NeuronError("%s has no weights yet: call set_weights()" % self._where())
        out = []
        if self._scale_on:
            out.append(list(self._gamma))
        if self._center:
            out.append(list(self._beta))
        return out + [list(self._moving_mean), list(self._moving_variance)]

    def set_weights(self, weights):
        """Set the weights in Keras's order: ``[gamma, beta, moving_mean, moving_variance]``."""
        names = self._weight_names()
        _expect_count(self, weights, len(names))
        where = self._where()
        values = {}
        for key, array in zip(names, weights):
            values[key] = as_vector(array, "%s: %s" % (where, key))
            _require_finite(values[key], "%s: %s" % (where, key))
        size = len(values["moving_mean"])
        if size == 0:
            raise ShapeError("%s: moving_mean must have at least one feature" % where)
        for key in names:
            if len(values[key]) != size:
                raise ShapeError("%s: %s has %d features, moving_mean has %d"
                                 % (where, key, len(values[key]), size))
        for i, v in enumerate(values["moving_variance"]):
            if v < 0.0:
                raise NeuronError("%s: moving_variance[%d] = %r is negative" % (where, i, v))
        deviation = [math.sqrt(v + self._epsilon) for v in values["moving_variance"]]
        for i, d in enumerate(deviation):
            if d == 0.0:
                raise NeuronError("%s: moving_variance[%d] + epsilon is 0, which divides by zero"
                                  % (where, i))
        self._gamma = values.get("gamma", [1.0] * size)
        self._beta = values.get("beta", [0.0] * size)
        self._moving_mean = values["moving_mean"]
        self._moving_variance = values["moving_variance"]
        self._deviation = deviation

    def _forward(self, values):
        mean = self._moving_mean
        if mean is None or len(values) != len(mean):
            _check_features(self, values, mean)
        return [g * ((x - m) / d) + b
                for x, m, d, g, b in zip(values, mean, self._deviation, self._gamma, self._beta)]

    def _trace(self, values):
        return FeatureStep(
            self, values, self._forward(values),
            "gamma * (x - mean) / sqrt(variance + epsilon) + beta",
            [("gamma", self._gamma), ("mean", self._moving_mean),
             ("variance", self._moving_variance), ("epsilon", self._epsilon), ("beta", self._beta)],
        )


class LeakyReLU(Layer):
    """Keras's LeakyReLU layer: ``x`` for ``x > 0``, else ``negative_slope * x`` (default 0.3).

    Keras 2 configurations call the slope ``alpha``; the converter reads both.

    >>> LeakyReLU(0.5)([-2.0, 3.0])
    [-1.0, 3.0]
    """

    kind = "LeakyReLU"

    # Fixed once set: read-only, so the compiled path can never hold stale values.
    negative_slope = _read_only('_negative_slope')

    def __init__(self, negative_slope=0.3, name=None):
        self._negative_slope = _finite_parameter(negative_slope, "LeakyReLU: negative_slope")
        self.name = _check_name(name, "LeakyReLU")

    def _forward(self, values):
        s = self._negative_slope
        # x > 0 is False for NaN, and s * NaN keeps it NaN.
        return [x if x > 0.0 else s * x for x in values]

    def _trace(self, values):
        return FeatureStep(self, values, self._forward(values), "x if x > 0 else slope * x",
                           [("slope", self._negative_slope)])


class ReLU(Layer):
    """Keras's ReLU layer: ``min(x, max_value)`` above ``threshold``, ``negative_slope * (x - threshold)`` below.

    With the defaults it is ``max(x, 0)``.  The steps are Keras's own
    (``keras.activations.relu``): keep x where ``x > threshold`` (0
    elsewhere), clip to ``[0, max_value]`` when a max_value is given, then
    subtract ``negative_slope * max(threshold - x, 0)``.

    >>> ReLU()([-1.0, 2.0])
    [0.0, 2.0]
    >>> ReLU(max_value=6.0, negative_slope=0.5, threshold=1.0)([0.0, 2.0, 8.0])
    [-0.5, 2.0, 6.0]
    """

    kind = "ReLU"

    # Fixed once set: read-only, so the compiled path can never hold stale values.
    max_value = _read_only('_max_value')
    negative_slope = _read_only('_negative_slope')
    threshold = _read_only('_threshold')

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, name=None):
        if max_value is not None:
            max_value = _finite_parameter(max_value, "ReLU: max_value")
            if max_value < 0.0:
                raise NeuronError("ReLU: max_value must not be negative, got %r" % max_value)
        self._max_value = max_value
        self._negative_slope = _finite_parameter(negative_slope, "ReLU: negative_slope")
        if self._negative_slope < 0.0:
            raise NeuronError("ReLU: negative_slope must not be negative, got %r" % self._negative_slope)
        self._threshold = _finite_parameter(threshold, "ReLU: threshold")
        self.name = _check_name(name, "ReLU")

    def _forward(self, values):
        top, slope, threshold = self._max_value, self._negative_slope, self._threshold
        out = []
        for x in values:
            if threshold != 0.0:
                y = x if x > threshold else (x if x != x else 0.0)
            else:
                y = x if x > 0.0 else (x if x != x else 0.0)
            if top is not None and y == y:
                y = 0.0 if y < 0.0 else (top if y > top else y)
            if slope != 0.0:
                below = threshold - x
                if below > 0.0:
                    y = y - slope * below
            out.append(y)
        return out

    def _trace(self, values):
        return FeatureStep(
            self, values, self._forward(values),
            "min(x if x > threshold else 0, max_value) - slope * max(threshold - x, 0)",
            [("threshold", self._threshold), ("max_value", self._max_value if self._max_value is not None else float("inf")),
             ("slope", self._negative_slope)],
        )


class ELU(Layer):
    """Keras's ELU layer: ``x`` for ``x > 0``, else ``alpha * (exp(x) - 1)``.

    ``exp(x) - 1`` is computed as ``math.expm1(x)``, which keeps its digits
    for x near 0 where ``exp(x) - 1`` would cancel them away.

    >>> ELU(alpha=2.0)([0.0, 3.0])
    [0.0, 3.0]
    """

    kind = "ELU"

    # Fixed once set: read-only, so the compiled path can never hold stale values.
    alpha = _read_only('_alpha')

    def __init__(self, alpha=1.0, name=None):
        self._alpha = _finite_parameter(alpha, "ELU: alpha")
        self.name = _check_name(name, "ELU")

    def _forward(self, values):
        alpha = self._alpha
        expm1 = math.expm1
        return [x if x > 0.0 else alpha * expm1(x) for x in values]

    def _trace(self, values):
        return FeatureStep(self, values, self._forward(values), "x if x > 0 else alpha * (exp(x) - 1)",
                           [("alpha", self._alpha)])


class PReLU(Layer):
    """A leaky ReLU with a learned slope per feature: ``x`` for ``x > 0``, else ``alpha_i * x``.

    ``alpha`` has one value per feature (Keras's PReLU with
    ``shared_axes=None`` on a flat input); :meth:`get_weights` returns
    ``[alpha]``.

    >>> PReLU(alpha=[0.5, 0.25])([-2.0, -2.0])
    [-1.0, -0.5]
    """

    kind = "PReLU"

    # Fixed once set: read-only, so the compiled path can never hold stale values.
    alpha = _read_only('_alpha')
    weight_count = 1

    def __init__(self, alpha=None, name=None):
        self.name = _check_name(name, "PReLU")
        self._alpha = None
        if alpha is not None:
            self.set_weights([alpha])

    @property
    def built(self):
        return self._alpha is not None

    @property
    def input_size(self):
        return None if self._alpha is None else len(self._alpha)

    def get_weights(self):
        """``[alpha]``, one slope per feature."""
        if self._alpha is None:
            raise NeuronError("%s has no weights yet: call set_weights()" % self._where())
        return [list(self._alpha)]

    def set_weights(self, weights):
        """Set ``[alpha]``, one slope per feature."""
        _expect_count(self, weights, 1)
        where = self._where() + ": alpha"
        alpha = _flat_statistic(weights[0], where)
        _require_finite(alpha, where)
        if self._alpha is not None and len(alpha) != len(self._alpha):
            raise ShapeError("%s: has %d features, the layer has %d" % (where, len(alpha), len(self._alpha)))
        self._alpha = alpha

    def _forward(self, values):
        alpha = self._alpha
        if alpha is None or len(values) != len(alpha):
            _check_features(self, values, alpha)
        return [x if x > 0.0 else a * x for x, a in zip(values, alpha)]

    def _trace(self, values):
        return FeatureStep(self, values, self._forward(values), "x if x > 0 else alpha * x",
                           [("alpha", self._alpha)])


class Softmax(Layer):
    """Softmax over one example's values: ``exp(x_i - m) / sum_j exp(x_j - m)``, m = max(x).

    Subtracting the largest value first changes nothing mathematically and
    keeps every ``exp`` at or below 1, so it cannot overflow.  The sum is
    ``math.fsum`` (correctly rounded) where the interpreter has it.

    >>> Softmax()([0.0, 0.0])
    [0.5, 0.5]
    """

    kind = "Softmax"

    def __init__(self, name=None):
        self.name = _check_name(name, "Softmax")

    def _forward(self, values):
        if not values:
            return []
        # With NaN or an infinite value among them every output is NaN, as
        # in Keras (inf - inf is NaN); max() alone could miss a NaN.
        top = max(values)
        exp = math.exp
        e = [exp(x - top) for x in values]
        total = _sum(e)
        return [v / total for v in e]


def _finite_parameter(value, where):
    from .checks import as_float

    value = as_float(value, where)
    if value - value != 0.0:
        raise NeuronError("%s must be finite, got %r" % (where, value))
    return value


def _check_features(layer, values, reference):
    if reference is None:
        raise NeuronError("%s has no weights yet: call set_weights()" % layer._where())
    raise ShapeError("%s: expected %d inputs, got %d" % (layer._where(), len(reference), len(values)))
