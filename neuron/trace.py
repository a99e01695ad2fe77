"""A record of one forward pass, step by step, in the course's notation.

``model.trace(x)`` runs one example through the model and keeps, for every
layer, what went in and what came out; for a Dense layer also every unit's
inputs ``a[l-1]``, weights ``w[l]_j``, bias ``b[l]_j``, pre-activation
``z[l]_j = w[l]_j . a[l-1] + b[l]_j``, activation ``g`` (its name and
parameters) and output ``a[l]_j = g(z[l]_j)``; for a layer that works
feature by feature (Normalization, and later BatchNormalization or an
activation-only layer) the formula and its parameters for each feature.
``l`` counts the layers with units (Dense layers) from 1 and ``j`` the units
from 1, as the course does; ``a[0]`` is the input to the first Dense layer.

The trace is computed by the same functions as ``forward``, so its final
values are exactly the values ``forward`` returns.  Nothing is recorded
during ``forward`` or ``predict``: tracing costs nothing unless asked for.

>>> from neuron import Dense, Sequential
>>> model = Sequential([Dense(1, "relu", kernel=[[0.5], [2.0]], bias=[-1.0])])
>>> trace = model.trace([2.0, 0.25])
>>> unit = trace.steps[0].units[0]
>>> unit.l, unit.j, unit.inputs, unit.weights, unit.bias, unit.z, unit.a
(1, 1, [2.0, 0.25], [0.5, 2.0], -1.0, 0.5, 0.5)
>>> print(trace.to_text())
Layer 1: Dense 'dense', 1 unit, activation relu
  a[0] = [2, 0.25]
  z[1]_1 = (0.5)(2) + (2)(0.25) + (-1) = 0.5
  a[1]_1 = relu(0.5) = 0.5

The renderings (plain text, Markdown, LaTeX) live in :mod:`neuron.explain`.
"""


class Trace:
    """The steps of one forward pass: ``inputs``, ``steps`` (one per layer), ``outputs``.

    ``outputs`` is the last step's outputs: the very list ``forward`` would
    have computed.  Each :class:`DenseStep` gets its layer number ``l`` (1,
    2, ...), and so does each of its units.
    """

    def __init__(self, inputs, steps):
        self.inputs = inputs
        self.steps = steps
        self.outputs = steps[-1].outputs if steps else list(inputs)
        number = 0
        for step in steps:
            if isinstance(step, DenseStep):
                number += 1
                step.l = number
                for unit in step.units:
                    unit.l = number

    @property
    def dense_steps(self):
        """The Dense layers' steps, in order (``l`` = 1, 2, ...)."""
        return [s for s in self.steps if isinstance(s, DenseStep)]

    def render(self, format="text", digits=4, max_terms=8):
        """The pass written out in ``format`` ("text", "markdown" or "latex"); see :mod:`neuron.explain`."""
        from .explain import render

        return render(self, format, digits, max_terms)

    def to_text(self, digits=4, max_terms=8):
        """The pass written out line by line, numbers to ``digits`` significant digits."""
        return self.render("text", digits, max_terms)

    def to_markdown(self, digits=4, max_terms=8):
        """The pass as Markdown: a heading per layer, one equation per list item."""
        return self.render("markdown", digits, max_terms)

    def to_latex(self, digits=4, max_terms=8):
        """The pass as a LaTeX fragment (needs the amsmath package)."""
        return self.render("latex", digits, max_terms)

    def __str__(self):
        return self.to_text()


class LayerStep:
    """What one layer did to one example: its ``inputs`` and ``outputs``.

    Layers that have no step class of their own produce this one; the
    renderings then show the two vectors.
    """

    def __init__(self, layer, inputs, outputs):
        self.layer = layer
        self.inputs = inputs
        self.outputs = outputs


class UnitStep:
    """One unit j of Dense layer l: ``z = weights . inputs + bias`` and ``a = g(z)``.

    ``inputs`` is the layer's input vector a[l-1] (the same list for every
    unit), ``weights`` is w[l]_j, ``bias`` b[l]_j, ``activation`` the
    layer's :class:`~neuron.activations.Activation` (its ``name`` and
    ``params``).  ``a`` is None when the activation works on the whole
    vector and changes its length, so that no unit has an a of its own.
    ``l`` is set when the step becomes part of a :class:`Trace`.
    """

    l = None

    def __init__(self, j, weights, bias, z, a, inputs=None, activation=None):
        self.j = j
        self.weights = weights
        self.bias = bias
        self.z = z
        self.a = a
        self.inputs = inputs
        self.activation = activation

    def __repr__(self):
        return "UnitStep(j=%d, z=%r, a=%r)" % (self.j, self.z, self.a)


class DenseStep(LayerStep):
    """A Dense layer's step: one :class:`UnitStep` per unit, j counted from 1.

    ``z`` holds the pre-activations and ``outputs`` the activations, exactly
    as the layer computed them.  ``rows`` and ``bias`` default to the layer's
    own weights (one row per unit); the exam generator passes exact
    (Fraction) copies instead, so that the same renderers print its key.
    """

    l = None

    def __init__(self, layer, inputs, z, outputs, rows=None, bias=None, activation=None):
        LayerStep.__init__(self, layer, inputs, outputs)
        self.activation = layer.activation if activation is None else activation
        self.z = z
        if rows is None:
            rows = layer._rows
        if bias is None:
            bias = layer._bias
        # A vector activation that changes the length (glu halves it) has
        # no a for each unit on its own.
        same = len(outputs) == len(z)
        self.units = [
            UnitStep(j + 1, rows[j], bias[j], z[j], outputs[j] if same else None, inputs, self.activation)
            for j in range(len(rows))
        ]


class FeatureStep(LayerStep):
    """A layer that works feature by feature: ``outputs[i] = formula(inputs[i])``.

    ``formula`` is a short expression in ``x`` (the feature's input) and the
    names in ``params``, such as ``"gamma * (x - mean) / sqrt(var + eps) +
    beta"``; ``params`` is a list of ``(name, values)`` pairs, where
    ``values`` is a list with one entry per feature or a single number shared
    by all features (``("eps", 0.001)``).  ``note`` is an optional remark
    printed after the formula.  The renderers write, for each feature i, the
    formula with the numbers put in and ``= outputs[i]``.

    A layer produces it from its ``_trace``, computing ``outputs`` with its
    own ``_forward`` so that the values are the ones ``forward`` returns:

        def _trace(self, values):
            return FeatureStep(self, values, self._forward(values),
                               "x if x > 0 else alpha * x", [("alpha", self.alpha)])
    """

    def __init__(self, layer, inputs, outputs, formula, params=(), note=None):
        LayerStep.__init__(self, layer, inputs, outputs)
        self.formula = formula
        self.params = list(params)
        self.note = note

    def parameters(self, i):
        """The ``(name, value)`` pairs for feature ``i`` (counted from 0)."""
        out = []
        for name, values in self.params:
            if isinstance(values, (list, tuple)):
                out.append((name, values[i]))
            else:
                out.append((name, values))
        return out


class NormalizationStep(FeatureStep):
    """A Normalization step: for each feature, ``(x - mean) / std``, ``std = max(sqrt(variance), 1e-7)``."""

    def __init__(self, layer, inputs, outputs):
        FeatureStep.__init__(
            self,
            layer,
            inputs,
            outputs,
            "(x - mean) / std",
            [("mean", layer.mean), ("std", layer._scale)],
            "std = max(sqrt(variance), 1e-7)",
        )
        self.mean = layer.mean
        self.scale = layer._scale


def number(value, digits=4):
    """``value`` to ``digits`` significant digits, as a short string.

    >>> number(-12.4708), number(3.8467e-06), number(0.29)
    ('-12.47', '3.847e-06', '0.29')

    NaN and infinities show as themselves, never hidden:

    >>> number(float("nan")), number(float("-inf"))
    ('nan', '-inf')
    """
    return "%.*g" % (digits, value)


def render_text(trace, digits=4, max_terms=8):
    """Plain text for the terminal: every z and a, with the dot product expanded."""
    return trace.render("text", digits, max_terms)
