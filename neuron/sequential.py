"""Sequential: layers applied one after another, the output of each the input of the next.

``model.forward(x)`` (or ``model(x)``) takes one example, a flat list of
numbers, and returns the last layer's outputs as a flat list;
``model.predict(X)`` takes a batch, a list of rows, and returns a list of
rows, as Keras does.

>>> from neuron.layers import Dense
>>> model = Sequential([
...     Dense(2, "relu", kernel=[[1.0, -1.0], [1.0, 1.0]], bias=[0.0, 0.0]),
...     Dense(1, "linear", kernel=[[1.0], [2.0]], bias=[0.5]),
... ])
>>> model([1.0, 2.0])
[5.5]
>>> model.predict([[1.0, 2.0], [2.0, 1.0]])
[[5.5], [3.5]]
"""

from .checks import _is_sequence, as_matrix, as_vector, fast_vector
from .errors import ShapeError
from .layers import Layer, check_name_text
from .trace import Trace


class Sequential:
    """A stack of layers run in order.

    Layers left without a name are named as Keras names them: the first
    Dense ``dense``, the next ``dense_1``, and so on.  ``metadata`` is an
    optional dict a model file carries along (source framework, input names,
    class labels); :meth:`save` writes it.

    ``forward`` and ``predict`` run the model's compiled function
    (:mod:`neuron.compile`), built on the first call after the weights are
    set and rebuilt after any layer's weights or activation change, with
    exactly the floats of running the layers one by one.  Set
    ``model.compiled = False`` to run the layers one by one instead.
    """

    metadata = None

    # What forward/predict run: the compiled function (or None for the
    # layers one by one), the input size it takes, and the layer-change count
    # and layer versions it was built for.
    _run = None
    _run_inputs = -1
    _stamp = -1
    _versions = None
    _compiled = True

    def __init__(self, layers, name=None):
        if not isinstance(layers, (list, tuple)):
            raise TypeError("Sequential: layers must be a list of layers, got %s" % type(layers).__name__)
        if not layers:
            raise ShapeError("Sequential: layers must hold at least one layer")
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(
                    "Sequential: layers[%d] must be a layer (Dense, Normalization, ...), got %s"
                    % (i, type(layer).__name__)
                )
        if name is not None and not isinstance(name, str):
            raise TypeError("Sequential: name must be a string, got %s" % type(name).__name__)
        if name is not None:
            check_name_text(name, "Sequential")
        self.name = name or "sequential"
        self._layers = tuple(layers)
        _name_layers(self.layers)
        self._check_chain()

    @property
    def layers(self):
        """The layers, in order (a tuple: a model's layers are fixed when it is made)."""
        return self._layers

    # -- shapes ----------------------------------------------------------

    @property
    def built(self):
        """True once every layer has its weights."""
        for layer in self.layers:
            if not layer.built:
                return False
        return True

    @property
    def input_size(self):
        """The number of input values one example has (None until known)."""
        for layer in self.layers:
            if layer.input_size is not None:
                return layer.input_size
            if layer.output_size(2) != 2:
                return None  # e.g. glu halves: the size before it is not the one after
        return None

    @property
    def output_size(self):
        """The number of values forward() returns (None until known)."""
        size = self.input_size
        for layer in self.layers:
            size = layer.output_size(size)
        return size

    def _check_chain(self):
        # Each layer with a fixed input size must receive exactly that many
        # values from the layer before it.
        size = None
        for i, layer in enumerate(self.layers):
            wanted = layer.input_size
            if wanted is not None and size is not None and wanted != size:
                raise ShapeError(
                    "Sequential: layer %d %s expects %d inputs, but the layer before it gives %d"
                    % (i, layer._where(), wanted, size)
                )
            if wanted is not None:
                size = wanted
            if size is not None:
                size = layer.output_size(size)

    # -- the compiled path -----------------------------------------------

    @property
    def compiled(self):
        """Whether forward and predict run the compiled function (default True)."""
        return self._compiled

    @compiled.setter
    def compiled(self, value):
        if not isinstance(value, bool):
            raise TypeError("%s.compiled must be True or False, got %s" % (self.name, type(value).__name__))
        self._compiled = value
        self._versions = None  # rebuild (or drop) the compiled function on the next call
        self._stamp = -1

    def compile(self, exact=True):
        """This model as one generated function ``f(x)``; see :mod:`neuron.compile`.

        ``f`` takes a list of floats of the input size, unchecked, and with
        ``exact=True`` returns exactly what ``forward`` returns.  It is a
        snapshot: it keeps the weights it was built with.
        """
        from .compile import compile_model

        return compile_model(self, exact)

    def _refresh(self):
        # Called when some layer changed since the last call (or never ran).
        self._stamp = Layer._changes
        # Which layers, and which version of each: a layer swapped for
        # another (same version number, other weights) must rebuild too.
        versions = [(id(layer), layer._version) for layer in self.layers]
        if versions == self._versions:
            return
        self._versions = versions
        self._run = None
        if self._compiled and self.built:
            try:
                self._run = self.compile()
                self._run_inputs = self.input_size
            except Exception:  # e.g. an interpreter without exec: run the layers
                self._run = None

    # -- the forward pass ------------------------------------------------

    def forward(self, x, allow_nonfinite=False):
        """The outputs for one example ``x`` (a flat list of numbers).

        Raises :class:`~neuron.ShapeError` for a wrong length or a batch
        passed as one example, :class:`TypeError` for non-numbers and
        :class:`~neuron.NeuronError` for NaN or infinity unless
        ``allow_nonfinite`` is true.
        """
        if self._stamp != Layer._changes:
            self._refresh()
        run = self._run
        # The compiled function only reads its input: no copy needed.
        values = fast_vector(x, allow_nonfinite, False)
        if run is not None and values is not None and len(values) == self._run_inputs:
            return run(values)
        values = self._example(x, "forward", allow_nonfinite)
        # The layers one by one (also how a wrong length gets its error).
        for layer in self.layers:
            values = layer._forward(values)
        return values

    __call__ = forward

    def _example(self, x, method, allow_nonfinite):
        # One example, checked: the length first (so a huge or endless
        # sequence is refused before it is read), then every value.
        where = "%s.%s: x" % (self.name, method)
        size = self.input_size
        if size is not None and _is_sequence(x) and len(x) != size:
            if x and _is_sequence(x[0]):
                as_vector(x, where, None, allow_nonfinite, batch_hint=True)  # names the nesting
            raise ShapeError("%s: expected %d inputs, got %d" % (where, size, len(x)))
        return as_vector(x, where, size, allow_nonfinite, batch_hint=True)

    def predict(self, X, allow_nonfinite=False):
        """The outputs for each row of the batch ``X``: a list of rows in, a list of rows out.

        Exactly ``[forward(row) for row in X]``, bit for bit.  A flat list of
        numbers (one example) or a ragged batch raises
        :class:`~neuron.ShapeError`.
        """
        if self._stamp != Layer._changes:
            self._refresh()
        run = self._run
        kind = type(X)
        if run is not None and (kind is list or kind is tuple):
            # Check and compute row by row (no copy of the whole batch); at
            # the first row that is not a plain list of floats of the right
            # length, start again on the general path, which converts or
            # names the problem.
            n = self._run_inputs
            out = []
            for row in X:
                values = fast_vector(row, allow_nonfinite, False)
                if values is None or len(values) != n:
                    break
                out.append(run(values))
            else:
                return out
        rows = as_matrix(X, "%s.predict: X" % self.name, allow_nonfinite=allow_nonfinite)
        if run is not None and rows and len(rows[0]) == self._run_inputs:
            return [run(values) for values in rows]
        layers = [layer._forward for layer in self.layers]
        out = []
        for values in rows:
            for forward in layers:
                values = forward(values)
            out.append(values)
        return out

    def trace(self, x, allow_nonfinite=False):
        """A :class:`~neuron.trace.Trace` of one example: every layer's inputs, z and a."""
        values = self._example(x, "trace", allow_nonfinite)
        inputs = values
        steps = []
        for layer in self.layers:
            step = layer._trace(values)
            steps.append(step)
            values = step.outputs
        return Trace(inputs, steps)

    # -- weights ---------------------------------------------------------

    def get_weights(self):
        """Every layer's weights, in order, in Keras's order and shapes."""
        weights = []
        for layer in self.layers:
            weights.extend(layer.get_weights())
        return weights

    def set_weights(self, weights):
        """Set every layer's weights from one flat list in Keras's ``get_weights()`` order.

        Each layer takes as many arrays as its ``get_weights()`` returns
        (Dense: kernel and bias; Normalization: mean, variance and count).
        When any array does not fit, nothing changes.
        """
        if not isinstance(weights, (list, tuple)):
            raise TypeError("%s.set_weights: expected a list of arrays, got %s" % (self.name, type(weights).__name__))
        counts = [layer.weight_count for layer in self.layers]
        if sum(counts) != len(weights):
            raise ShapeError(
                "%s.set_weights: expected %d arrays (%s), got %d"
                % (self.name, sum(counts), _count_detail(self.layers, counts), len(weights))
            )
        # All or nothing: a bad array in the last layer must not leave the
        # first ones changed.  Each layer's state is kept (set_weights
        # replaces its lists, never edits them) and put back on any error.
        saved = [dict(layer.__dict__) for layer in self.layers]
        try:
            start = 0
            for layer, count in zip(self.layers, counts):
                layer.set_weights(list(weights[start:start + count]))
                start += count
            self._check_chain()
        except Exception:
            for layer, state in zip(self.layers, saved):
                layer.__dict__.clear()
                layer.__dict__.update(state)
                layer._changed()  # whatever ran compiled before is rebuilt
            raise

    def load_weights(self, source):
        """Set the weights from a Keras weights file, as Keras's ``model.load_weights`` does.

        ``source`` (a path, ``bytes`` or a binary file object) is a
        ``.weights.h5`` from ``model.save_weights``, a ``.keras`` archive or
        a legacy ``.h5``; the model must have the architecture that wrote
        it.  Keras 3 files are matched layer by layer by Keras's naming
        rule (the second Dense reads ``layers/dense_1/vars``).  Nothing is
        set unless every array fits: a mismatch raises
        :class:`~neuron.FormatError` naming the layer and the dataset.
        See :func:`neuron.formats.keras.load_weights`.
        """
        from .formats.keras import load_weights

        load_weights(self, source)

    def save(self, path):
        """Write the model to ``path`` as neuron's JSON format, atomically.

        Every float is written exactly (``neuron.load(path)`` gives back the
        same bits); the format is described in ``docs/formats.md``.  The
        file appears complete or not at all: it is written to a temporary
        file in the same folder, then renamed into place.
        """
        from .formats.native import save

        save(self, path)

    def count_params(self):
        """How many numbers the model's weights hold."""
        total = 0
        for layer in self.layers:
            total += layer.count_params()
        return total

    def summary(self):
        """A table of the layers, like Keras's ``model.summary()``, as a string.

        One row per layer: its name and kind, its number of outputs ("units";
        "?" while unknown), its activation and how many numbers its weights
        hold; then the total.

        >>> from neuron.layers import Dense
        >>> model = Sequential([
        ...     Dense(3, "relu", kernel=[[1.0, 2.0, 3.0]]),
        ...     Dense(1, "sigmoid", kernel=[[1.0], [1.0], [1.0]]),
        ... ], name="tiny")
        >>> print(model.summary())
        Model: "tiny"
        Layer (type)     Units  Activation  Params
        ------------------------------------------
        dense (Dense)        3  relu             6
        dense_1 (Dense)      1  sigmoid          4
        ------------------------------------------
        Total params: 10

        A layer without weights yet shows "?" for its parameters and makes
        the total "?" too.
        """
        rows = [("Layer (type)", "Units", "Activation", "Params")]
        for name, kind, units, activation, params in self._summary_rows():
            rows.append(("%s (%s)" % (name, kind), units, activation, params))
        widths = [0, 0, 0, 0]
        for row in rows:
            for i in range(4):
                widths[i] = max(widths[i], len(row[i]))
        lines = []
        for row in rows:
            lines.append(
                "%-*s  %*s  %-*s  %*s"
                % (widths[0], row[0], widths[1], row[1], widths[2], row[2], widths[3], row[3])
            )
        rule = "-" * len(lines[0])
        return "\n".join(
            ['Model: "%s"' % self.name, lines[0], rule] + lines[1:] + [rule, "Total params: " + self._total_params()]
        )

    def _total_params(self):
        return "%d" % self.count_params() if self.built else "?"

    def _summary_rows(self):
        # (name, kind, units, activation, params) as strings, one per layer;
        # the renderers in neuron.explain lay them out as tables.
        rows = []
        size = self.input_size
        for layer in self.layers:
            size = layer.output_size(size) if size is not None else _known_output(layer)
            activation = getattr(layer, "activation", None)
            name = getattr(activation, "name", None) or "-"
            params = "%d" % layer.count_params() if layer.built else "?"
            rows.append((str(layer.name), layer.kind, "?" if size is None else "%d" % size, name, params))
        return rows

    def __repr__(self):
        return "<Sequential %r: %s>" % (self.name, ", ".join(repr(layer) for layer in self.layers))


def _known_output(layer):
    # Before the input size is known only layers with a fixed number of
    # outputs (Dense: its units) can say how many they give.
    try:
        return layer.output_size(None)
    except TypeError:
        return None


def _count_detail(layers, counts):
    return ", ".join("%s: %d" % (layer._where(), n) for layer, n in zip(layers, counts))


def _name_layers(layers):
    # Keras's scheme: the first layer of a kind gets the kind's snake_case
    # name, later ones _1, _2, ...
    seen = {}
    taken = set(layer.name for layer in layers if layer.name)
    for layer in layers:
        if layer.name:
            continue
        base = snake_case(layer.kind)
        n = seen.get(base, 0)
        name = base if n == 0 else "%s_%d" % (base, n)
        while name in taken:
            n += 1
            name = "%s_%d" % (base, n)
        seen[base] = n + 1
        taken.add(name)
        layer.name = name


def snake_case(kind):
    """A class name the way Keras names layers and saves them: ``"PReLU"`` -> ``"p_re_lu"``.

    Keras's rule (``keras.src.utils.naming.to_snake_case``): keep letters,
    digits and ``_``; put ``_`` before each capital that starts a lower-case
    word, and between a lower-case letter and a capital; then lower the case.
    Written without ``re`` so it runs on MicroPython.

    >>> [snake_case(k) for k in ("Dense", "PReLU", "LeakyReLU", "BatchNormalization", "ELU", "Conv2D")]
    ['dense', 'p_re_lu', 'leaky_re_lu', 'batch_normalization', 'elu', 'conv2d']
    """
    kind = "".join(ch for ch in kind if ch.isalpha() or ch.isdigit() or ch == "_")
    out = []
    for i, ch in enumerate(kind):
        if i and ch.isupper():
            starts_word = i + 1 < len(kind) and kind[i + 1].islower()
            if starts_word or kind[i - 1].islower():
                out.append("_")
        out.append(ch.lower())
    return "".join(out)
