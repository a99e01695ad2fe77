"""A record of one forward pass, step by step, in the course's notation.

``model.trace(x)`` runs one example through the model and keeps, for every
layer, what went in and what came out; for a Dense layer also every unit's
weights ``w[l]_j``, bias ``b[l]_j``, pre-activation
``z[l]_j = w[l]_j . a[l-1] + b[l]_j`` and activation ``a[l]_j = g(z[l]_j)``.
``l`` counts the layers with units (Dense layers) from 1 and ``j`` the units
from 1, as the course does; ``a[0]`` is the input to the first Dense layer.

The trace is computed by the same functions as ``forward``, so its final
values are exactly the values ``forward`` returns.  Nothing is recorded
during ``forward`` or ``predict``: tracing costs nothing unless asked for.
"""


class Trace:
    """The steps of one forward pass: ``inputs``, ``steps`` (one per layer), ``outputs``."""

    def __init__(self, inputs, steps):
        self.inputs = inputs
        self.steps = steps
        self.outputs = steps[-1].outputs if steps else list(inputs)
        number = 0
        for step in steps:
            if isinstance(step, DenseStep):
                number += 1
                step.l = number

    @property
    def dense_steps(self):
        """The Dense layers' steps, in order (``l`` = 1, 2, ...)."""
        return [s for s in self.steps if isinstance(s, DenseStep)]

    def to_text(self, digits=4):
        """The pass written out line by line, numbers to ``digits`` significant digits."""
        return render_text(self, digits)

    def __str__(self):
        return self.to_text()



class LayerStep:
    """What one layer did to one example: its ``inputs`` and ``outputs``."""

    def __init__(self, layer, inputs, outputs):
        self.layer = layer
        self.inputs = inputs
        self.outputs = outputs


class UnitStep:
    """One unit j of a Dense layer: ``z = weights . inputs + bias`` and ``a = g(z)``."""

    def __init__(self, j, weights, bias, z, a):
        self.j = j
        self.weights = weights
        self.bias = bias
        self.z = z
        self.a = a

    def __repr__(self):
        return "UnitStep(j=%d, z=%r, a=%r)" % (self.j, self.z, self.a)


class DenseStep(LayerStep):
    """A Dense layer's step: one :class:`UnitStep` per unit, j counted from 1."""

    def __init__(self, layer, inputs, z, outputs):
        LayerStep.__init__(self, layer, inputs, outputs)
        self.activation = layer.activation
        self.z = z
        rows, bias = layer._rows, layer._bias
        # A vector activation that changes the length (glu halves it) has
        # no a for each unit on its own.
        same = len(outputs) == len(z)
        self.units = [
            UnitStep(j + 1, rows[j], bias[j], z[j], outputs[j] if same else None)
            for j in range(len(rows))
        ]


class NormalizationStep(LayerStep):
    """A Normalization step: for each feature, ``(x - mean) / standard deviation``."""

    def __init__(self, layer, inputs, outputs):
        LayerStep.__init__(self, layer, inputs, outputs)
        self.mean = layer.mean
        self.scale = layer._scale



# --- plain-text rendering ---------------------------------------------------


def number(value, digits=4):
    """``value`` to ``digits`` significant digits, as a short string.

    >>> number(-12.4708), number(3.8467e-06), number(0.29)
    ('-12.47', '3.847e-06', '0.29')
    """
    return "%.*g" % (digits, value)


def render_text(trace, digits=4):
    """Plain text for the terminal: every z and a, with the dot product expanded."""
    lines = []
    for step in trace.steps:
        if isinstance(step, DenseStep):
            lines.extend(_dense_text(step, digits))
        elif isinstance(step, NormalizationStep):
            lines.extend(_normalization_text(step, digits))
        else:
            lines.append(
                "%s: [%s] -> [%s]"
                % (step.layer._where(), _vector(step.inputs, digits), _vector(step.outputs, digits))
            )
    return "\n".join(lines)


def _vector(values, digits):
    return ", ".join(number(v, digits) for v in values)


def _normalization_text(step, digits):
    lines = ["%s: x_norm = (x - mean) / standard deviation" % step.layer._where()]
    for i in range(len(step.inputs)):
        lines.append(
            "  feature %d: (%s - %s) / %s = %s"
            % (
                i + 1,
                number(step.inputs[i], digits),
                number(step.mean[i], digits),
                number(step.scale[i], digits),
                number(step.outputs[i], digits),
            )
        )
    return lines


def _dense_text(step, digits):
    l = step.l
    g = step.activation.name
    lines = [
        "Layer %d: %s, %d unit%s, activation %s"
        % (l, step.layer._where(), len(step.units), "" if len(step.units) == 1 else "s", g),
        "  a[%d] = [%s]" % (l - 1, _vector(step.inputs, digits)),
    ]
    for unit in step.units:
        products = " + ".join(
            "(%s)(%s)" % (number(w, digits), number(x, digits))
            for w, x in zip(unit.weights, step.inputs)
        )
        lines.append(
            "  z[%d]_%d = %s + (%s) = %s"
            % (l, unit.j, products, number(unit.bias, digits), number(unit.z, digits))
        )
        if unit.a is not None:
            lines.append(
                "  a[%d]_%d = %s(%s) = %s" % (l, unit.j, g, number(unit.z, digits), number(unit.a, digits))
            )
    if step.units and step.units[0].a is None:
        lines.append("  a[%d] = %s(z[%d]) = [%s]" % (l, g, l, _vector(step.outputs, digits)))
    return lines
