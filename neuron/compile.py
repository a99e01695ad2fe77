"""The compiled path: a model written out as one Python function, with the same floats.

:func:`compile_model` (also ``model.compile()``) turns a
:class:`~neuron.Sequential` into Python source and compiles it: a small
network becomes straight-line code, one line per neuron with its weights
written in as literals (the course's ``z1_1 = w1_1 . x + b1_1``, generated
instead of typed); a wide layer becomes a loop over its units that calls the
interpreter's kernel on the layer's own weight lists, so a 400-input layer
never turns into a 400-term expression.

>>> from neuron import Dense, Sequential
>>> model = Sequential([Dense(1, "sigmoid", kernel=[[2.0], [-1.0]], bias=[0.0])])
>>> f = compile_model(model)
>>> f([1.0, 2.0])
[0.5]

**Same floats as forward.**  The generated code does exactly the arithmetic
of ``forward`` on the interpreter it runs on (see :mod:`neuron.vector`):

* each unit's ``z`` is the kernel's sum plus the bias.  Where the kernel is
  the left-to-right loop (CPython before 3.12, PyPy, MicroPython), a small
  unit is written ``z = w0*x0 + w1*x1 + b``.  The loop starts from ``0.0``,
  and ``0.0 + p`` differs from ``p`` only when ``p`` is ``-0.0``; such a
  difference in the sign of a zero disappears as soon as a nonzero number is
  added, so the leading ``0.0 +`` is kept only for a unit whose bias is zero.
  Where the kernel is ``math.sumprod`` (CPython 3.12+), every unit calls
  ``math.sumprod``, as ``forward`` does;
* activations: linear, sigmoid and relu are written in with the very formula
  of :mod:`neuron.activations` (checked once per process against the
  function on probe values, including -0.0, huge values, inf and NaN; on any
  difference the function itself is called); every other activation, and
  every vector activation such as softmax, is the Activation's own function,
  called from the generated code;
* Normalization: ``(x - mean) / s`` with the layer's own ``s =
  max(sqrt(variance), 1e-7)``;
* any other kind of layer is run by calling the layer itself, so layers
  added later work without this module knowing them.

``exact=False`` asks for the fastest code that is only *within the rounding
bound* of ``forward``: small units are written out in loop order even where
the kernel is ``math.sumprod`` (saving its call), and the leading ``0.0 +``
is always dropped (so a zero may come out as ``-0.0``).  Nothing uses it
unless asked.

The generated code needs only ``math``; :func:`source` shows it, and
``python -m neuron export`` writes it to a stand-alone file
(:func:`module_source`).
"""

import math

from . import layers as _layers
from . import activations
from .activations import _SIGMOID_AT_CUT, _glu
from .errors import NeuronError
from .layers import Dense, Normalization
from .vector import KERNEL

# Small layers are written out neuron by neuron.  The limits keep the source
# short and every expression shallow (a 400-term sum would nest 400 deep in
# the parser); beyond them the kernel call costs the same per multiply-add
# and the loop over units costs nothing that matters.
UNROLL_INPUTS = 16
UNROLL_WEIGHTS = 256

KERNELS = ("math.sumprod", "sum(map(mul, w, x))", "loop")


def compile_model(model, exact=True, kernel=None):
    """``model`` as one generated Python function ``f(x) -> list of floats``.

    ``f`` takes one example as a list of floats of the model's input size
    and does no checking of its own (``model.forward`` checks, then calls it).
    With ``exact=True`` (the default) its results are bit for bit those of
    ``model.forward``; see the module docstring for ``exact=False``.

    ``kernel`` (one of :data:`KERNELS`; default: this interpreter's, the
    only one that matches ``forward``) is there for tests and for writing
    code meant for another interpreter.

    Raises :class:`~neuron.NeuronError` when a layer has no weights yet.
    """
    program = _Program(kernel or KERNEL, exact, standalone=False)
    program.function(model, "forward")
    namespace = program.namespace()
    code = compile(program.text(), "<neuron.compile %s>" % _model_name(model), "exec")
    exec(code, namespace)
    return namespace["forward"]


def source(model, exact=True, kernel=None):
    """The source of the function :func:`compile_model` would build (for reading).

    Names such as ``P2`` (a layer's (weights, bias) pairs) or ``G3`` (an
    activation function) are bound when the code is compiled.

    >>> from neuron import Dense, Sequential
    >>> model = Sequential([Dense(1, "linear", kernel=[[2.0], [-1.0]], bias=[0.5])])
    >>> print(source(model, kernel="loop"))
    def forward(x):
        # dense: Dense, 2 inputs -> 1 unit, linear
        x0, x1 = x
        a1_0 = 2.0 * x0 + -1.0 * x1 + 0.5
        return [a1_0]
    <BLANKLINE>
    """
    program = _Program(kernel or KERNEL, exact, standalone=False)
    program.function(model, "forward")
    return program.text()


def module_source(model, name=None):
    """A stand-alone Python module computing ``model``: needs only ``import math``.

    The module holds the weights (every float written with ``repr``, so it
    reads back exactly), a ``forward(x)`` for one example and a
    ``predict(rows)`` for a batch.  When it is imported it picks its kernel
    by the rule of :mod:`neuron.vector` (``math.sumprod`` where ``math`` has
    it, else the left-to-right loop), so on each interpreter it gives the same
    floats as neuron does there.

    Activations other than linear, sigmoid and relu are neuron's own
    functions, copied in as source with what they use (:mod:`neuron._carry`);
    layers other than Dense and Normalization are written as their
    ``_forward`` computes.  For a :class:`~neuron.Classifier`, ``forward``
    and ``predict`` give its model's outputs (``classifier.model.predict``),
    and the module adds ``CLASSES``, ``KIND``, ``predict_proba(rows)`` and
    ``predict_classes(rows)``, which answer as the Classifier's
    ``predict_proba`` and ``predict`` do.

    Raises :class:`~neuron.NeuronError` for a layer or activation that cannot
    be written out without neuron (see :data:`EXPORTABLE`), such as a plain
    function of the user's own used as an activation.
    """
    from ._carry import Carrier
    from .classifier import Classifier

    classifier = None
    if isinstance(model, Classifier):
        classifier, model = model, model.model
    title = name or _model_name(model)
    carrier = Carrier(defined={"_exp": "_exp = math.exp"}, reserved=_MODULE_NAMES)
    fast = _Program("math.sumprod", True, standalone=True, carrier=carrier)
    fast.function(model, "_forward", indent="    ")
    loop = _Program("loop", True, standalone=True, constants=fast.constants, carrier=carrier)
    loop.function(model, "_forward", indent="    ")
    n_in = _input_size(model)
    n_out = fast.outputs
    lines = [
        '"""%s: a neural network exported by neuron (neuron-forward), stand-alone.'
        % _safe(title).replace('"', "\\x22"),
        "",
        "    forward(x)      one example: a list of %d numbers -> a list of %d float%s"
        % (n_in, n_out, "" if n_out == 1 else "s"),
        "    predict(rows)   a batch: a list of rows -> a list of output rows",
    ]
    if classifier is not None:
        lines += [
            "    predict_proba(rows)    class probabilities, one per class in CLASSES",
            "    predict_classes(rows)  the predicted label of each row (%s)" % classifier.kind,
        ]
    lines += [
        "",
        "It needs only the standard library's math module, and gives the same floats",
        "as neuron on the same interpreter: the dot products use math.sumprod where",
        "math has it (CPython 3.12+), else the products added left to right from 0.0.",
        "The functions below the weights are neuron's own, copied from its source.",
        "",
        "Layers: %s" % "; ".join(_describe(layer) for layer in model.layers),
        '"""',
        "",
        "import math",
        "",
        "_exp = math.exp",
        "INPUTS = %d" % n_in,
        "OUTPUTS = %d" % n_out,
        "",
    ]
    for constant, value in fast.constants.items():
        lines.append("%s = %s" % (constant, value))
    if fast.constants:
        lines.append("")
    if carrier.blocks:
        lines.append("# --- from neuron's source (neuron.activations, neuron._mathx, neuron.layers)")
        lines.append("")
        lines.append("")
        lines.append(carrier.text().rstrip("\n"))
        lines.append("")
        lines.append("")
        lines.append("# --- the network")
        lines.append("")
    lines.append('if hasattr(math, "sumprod"):')
    lines.append('    KERNEL = "math.sumprod"')
    lines.append("    _dot = math.sumprod")
    lines.append("")
    lines.extend(fast.lines)
    lines.append("else:")
    lines.append('    KERNEL = "loop"')
    lines.append("")
    lines.extend(loop.lines)
    lines.extend(
        [
            "",
            "def forward(x, allow_nonfinite=False):",
            '    """The outputs for one example x, a list of %d numbers (ints or floats).' % n_in,
            "",
            "    NaN and infinity are refused unless allow_nonfinite is true, as in neuron.",
            '    """',
            "    if not isinstance(x, (list, tuple)):",
            '        raise TypeError("forward: x must be a list of %d numbers, got %%s" %% type(x).__name__)'
            % n_in,
            "    if len(x) != %d:" % n_in,
            '        raise ValueError("forward: expected %d inputs, got %%d" %% len(x))' % n_in,
            "    values = []",
            "    for i in range(%d):" % n_in,
            "        v = x[i]",
            "        if type(v) is not float:",
            "            v = _number(v, i)",
            "        if v - v != 0.0 and not allow_nonfinite:",
            '            raise ValueError("forward: x[%d] is %r; inputs must be finite" % (i, v))',
            "        values.append(v)",
            "    return _forward(values)",
            "",
            "",
            "def _number(v, i):",
            "    # bool and text are not numbers; an int too large for a float is an error.",
            "    if isinstance(v, bool) or not isinstance(v, (int, float)):",
            '        raise TypeError("forward: x[%d] must be a number, got %s" % (i, type(v).__name__))',
            "    try:",
            "        return float(v)",
            "    except OverflowError:",
            '        raise ValueError("forward: x[%d] is too large for a float" % i)',
            "",
            "",
            "def predict(rows, allow_nonfinite=False):",
            '    """The outputs for each row of a batch: a list of rows in, a list of rows out."""',
            "    return [forward(row, allow_nonfinite) for row in rows]",
            "",
        ]
    )
    if classifier is not None:
        lines.extend(_classifier_lines(classifier))
    return "\n".join(lines)


# Names of an exported module that carried definitions must not take.
_MODULE_NAMES = ("INPUTS", "OUTPUTS", "KERNEL", "CLASSES", "KIND", "_dot", "_forward", "forward",
                 "predict", "predict_proba", "predict_classes", "_first_max")


def _classifier_lines(classifier):
    # Classifier.predict_proba and Classifier.predict (neuron.classifier), written out.
    from ._carry import _is_literal

    classes = tuple(classifier.classes)
    if not _is_literal(classes):
        raise NeuronError("export: the classes %r cannot be written out" % (classes,))
    lines = [
        "",
        "# The classifier: scikit-learn's answers from the outputs above.",
        "CLASSES = %r" % (list(classes),),
        "KIND = %r" % classifier.kind,
        "",
        "",
        "def predict_proba(rows):",
        '    """Class probabilities for each row, one per class in CLASSES."""',
        "    out = predict(rows)",
    ]
    if classifier.kind == "binary":
        lines.append("    return [[1.0 - row[0], row[0]] for row in out]")
    else:
        lines.append("    return out")
    lines += [
        "",
        "",
        "def predict_classes(rows):",
        '    """The predicted label of each row (a 0/1 row per example for multilabel)."""',
        "    out = predict(rows)",
    ]
    if classifier.kind == "binary":
        lines.append("    return [CLASSES[1] if _decided(row[0]) else CLASSES[0] for row in out]")
    elif classifier.kind == "multilabel":
        lines.append("    return [[1 if _decided(p) else 0 for p in row] for row in out]")
    if classifier.kind in ("binary", "multilabel"):
        lines += [
            "",
            "",
            "def _decided(p):",
            "    # scikit-learn's rule, p > 0.5; NaN decides nothing.",
            "    if p != p:",
            '        raise ValueError("predict_classes: a probability is NaN")',
            "    return p > 0.5",
        ]
    else:
        lines += [
            "    return [CLASSES[_first_max(row)] for row in out]",
            "",
            "",
            "def _first_max(row):",
            "    best = 0",
            "    for i in range(1, len(row)):",
            "        if row[i] > row[best]:",
            "            best = i",
            "    if row[best] != row[best]:",
            '        raise ValueError("predict_classes: a row of probabilities holds NaN")',
            "    return best",
        ]
    lines.append("")
    return lines


# --- activations written into the code ---------------------------------------
#
# Each template is the body of the function in neuron.activations, with `z`
# the unit's pre-activation and `t` the name to assign.  They are used only
# after _inline_ok() has found them equal to the function on every probe.

_TEMPLATES = {
    "linear": [],  # a = z: the unit's expression is assigned directly
    "sigmoid": [
        "if z >= -709.0:",
        "    {t} = 1.0 / (1.0 + _exp(-z))",
        "elif z != z:",
        "    {t} = z",
        "else:",
        "    e = _exp(z)",
        "    {t} = e if e < %r else %r" % (_SIGMOID_AT_CUT, _SIGMOID_AT_CUT),
    ],
    # relu as neuron.activations defines it (NaN stays NaN, -0.0 becomes
    # 0.0), written with `z != z` rather than `z <= 0.0`: PyPy 7.3.11's JIT,
    # once warm, turns `0.0 if z <= 0.0 else z` into 0.0 for a NaN z.
    "relu": ["{t} = z if z > 0.0 else (z if z != z else 0.0)"],
}

# What a stand-alone export can write out: every layer of neuron.layers and
# every activation of the registry (linear, sigmoid and relu by the templates
# above, the others as neuron's own source, carried by neuron._carry).
EXPORTABLE = ("layers Dense, Normalization, Activation, Dropout, Flatten, BatchNormalization, "
              "LeakyReLU, ReLU, ELU, PReLU and Softmax; every activation of neuron.activations")

_PROBES = (
    0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.5, -2.5, 6.0, 7.0, -7.0, 20.0, -20.0, 36.0, -36.0,
    40.0, -40.0, 100.0, -100.0, 709.0, -709.0, 710.0, -710.0, 745.0, -746.0, 1e300,
    -1e300, 5e-324, -5e-324, 1e-300, -1e-300, math.inf, -math.inf, math.nan,
)
_checked = {}


def _template(activation):
    """The template for ``activation``, or None to call its function."""
    lines = _TEMPLATES.get(activation.name)
    if lines is None or not activation.elementwise:
        return None
    # Only the registry's own function: a user's function that happens to be
    # named "relu" is called, whatever it agrees with on the probes.
    try:
        own = activations.get(activation.name, **activation.params).function
    except (TypeError, ValueError):
        return None
    if own is not activation.function:
        return None
    for value in activation.params.values():
        if value not in (None, 0.0, False):
            return None  # e.g. relu with a max_value: call the function
    key = (activation.name, activation.function)
    ok = _checked.get(key)
    if ok is None:
        ok = _inline_ok(lines, activation.function)
        _checked[key] = ok
    return lines if ok else None


def _inline_ok(lines, function):
    # The template must give the function's own floats, sign of zero
    # included, on every probe; otherwise the function is called instead.
    lines = lines or ["{t} = z"]
    body = ["def _probe(z):"] + ["    " + line.format(t="t") for line in lines] + ["    return t"]
    namespace = {"_exp": math.exp}
    exec("\n".join(body), namespace)
    probe = namespace["_probe"]
    for z in _PROBES:
        try:
            want = function(z)
        except (ArithmeticError, ValueError):
            want = "error"
        try:
            got = probe(z)
        except (ArithmeticError, ValueError):
            got = "error"
        if not same_float(got, want):
            return False
    return True


def same_float(a, b):
    """True when ``a`` and ``b`` are the same float, sign of zero included (NaN equals NaN)."""
    if isinstance(a, float) and isinstance(b, float):
        if a != a or b != b:
            return a != a and b != b
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    return a == b


# --- the generator --------------------------------------------------------------


def _literal(value):
    # repr() of a float reads back as exactly that float; -0.0 reads back as
    # -0.0 (the parser folds the minus into the constant).
    if value != value:
        return "math.nan"
    if value in (math.inf, -math.inf):
        return "math.inf" if value > 0 else "-math.inf"
    return repr(float(value))


class _Program:
    """Lines of one generated function and the constants it refers to."""

    def __init__(self, kernel, exact, standalone, constants=None, carrier=None):
        if kernel not in KERNELS:
            raise ValueError("compile: kernel must be one of %s, got %r" % (", ".join(KERNELS), kernel))
        self.kernel = kernel
        self.exact = exact
        self.standalone = standalone
        self.lines = []
        # Constants shared by name: live objects for the compiled path,
        # source text for a stand-alone module.
        self.constants = {} if constants is None else constants
        self.objects = {}
        self.outputs = None
        # A stand-alone module carries the source of neuron's functions it
        # calls (neuron._carry); the compiled path binds the objects.
        self.carrier = carrier

    def namespace(self):
        namespace = {"math": math, "_exp": math.exp}
        if self.kernel == "math.sumprod":
            namespace["_dot"] = math.sumprod
        elif self.kernel == "sum(map(mul, w, x))":
            from operator import mul

            namespace["_mul"] = mul
        namespace.update(self.objects)
        return namespace

    def text(self):
        return "\n".join(self.lines) + "\n"

    def emit(self, line):
        self.lines.append(self.indent + line)

    def constant(self, name, value, text):
        """Bind ``name`` to ``value`` (live) or to the source ``text`` (stand-alone)."""
        if self.standalone:
            self.constants[name] = text()
        else:
            self.objects[name] = value
        return name

    # -- the function ---------------------------------------------------

    def function(self, model, name, indent=""):
        self.indent = indent
        for layer in model.layers:
            if not layer.built:
                raise NeuronError("compile: %s has no weights yet" % layer._where())
        n_in = _input_size(model)
        self.emit("def %s(x):" % name)
        self.indent = indent + "    "
        # The values flowing between layers are held either as separate
        # local variables (`scalars`, for small layers) or as one list.
        values = _Values(vector="x", size=n_in)
        for k, layer in enumerate(model.layers, 1):
            values = self.layer(k, layer, values)
        if values.scalars is not None:
            self.emit("return [%s]" % ", ".join(values.scalars))
            self.outputs = len(values.scalars)
        else:
            self.emit("return %s" % values.vector)
            self.outputs = values.size
        self.indent = indent

    def layer(self, k, layer, values):
        # Exactly these classes: a subclass may compute something else.
        kind = type(layer)
        if kind is Dense:
            return self.dense(k, layer, values)
        if kind is Normalization:
            return self.normalization(k, layer, values)
        if self.standalone:
            writer = _LAYER_WRITERS.get(kind)
            if writer is None:
                raise NeuronError(
                    "export: %s cannot be written out without neuron (export handles %s)"
                    % (layer._where(), EXPORTABLE)
                )
            return writer(self, k, layer, values)
        # Any other layer: call its own unchecked forward.
        vector = self.as_vector(values)
        self.emit("# %s: %s, run by the layer itself" % (_safe(layer.name), kind.__name__))
        self.constant("L%d" % k, layer._forward, None)
        self.emit("v%d = L%d(%s)" % (k, k, vector))
        return _Values(vector="v%d" % k, size=layer.output_size(values.size))

    def as_vector(self, values):
        if values.vector is None:
            values.vector = "[%s]" % ", ".join(values.scalars)
            if len(values.scalars) == 1:
                values.vector = "[%s]" % values.scalars[0]
        return values.vector

    def as_scalars(self, values, prefix):
        if values.scalars is None:
            names = ["%s%d" % (prefix, i) for i in range(values.size)]
            self.emit("%s, = %s" % (", ".join(names), values.vector) if len(names) == 1
                      else "%s = %s" % (", ".join(names), values.vector))
            values.scalars = names
        return values.scalars

    # -- Normalization -----------------------------------------------------

    def normalization(self, k, layer, values):
        mean = layer.mean  # a copy: read it once
        n = len(mean)
        self.emit("# %s: Normalization, (x - mean) / max(sqrt(variance), 1e-7)" % _safe(layer.name))
        if n <= UNROLL_INPUTS:
            inputs = self.as_scalars(values, _prefix(k))
            out = []
            for i in range(n):
                name = "n%d_%d" % (k, i)
                self.emit(
                    "%s = (%s - %s) / %s"
                    % (name, inputs[i], _literal(mean[i]), _literal(layer._scale[i]))
                )
                out.append(name)
            return _Values(scalars=out, size=n)
        vector = self.as_vector(values)
        mean = tuple(mean)
        scale = tuple(layer._scale)
        self.constant("M%d" % k, mean, lambda: _tuple_text(mean))
        self.constant("S%d" % k, scale, lambda: _tuple_text(scale))
        self.emit("v%d = [(a - m) / s for a, m, s in zip(%s, M%d, S%d)]" % (k, vector, k, k))
        return _Values(vector="v%d" % k, size=n)

    # -- Dense ---------------------------------------------------------------

    def dense(self, k, layer, values):
        rows = layer._rows
        n_in, units = len(rows[0]), len(rows)
        activation = layer.activation
        self.emit(
            "# %s: Dense, %d input%s -> %d unit%s, %s"
            % (_safe(layer.name), n_in, "" if n_in == 1 else "s", units, "" if units == 1 else "s",
               activation.name)
        )
        template = _template(activation)
        g = None if template is not None else self.function_name(k, layer, activation)
        small = n_in <= UNROLL_INPUTS and n_in * units <= UNROLL_WEIGHTS
        if small:
            return self.dense_unrolled(k, layer, values, template, g)
        return self.dense_loop(k, layer, values, template, g)

    def function_name(self, k, layer, activation):
        """The name the generated code calls ``activation.function`` by."""
        if not self.standalone:
            return self.constant("G%d" % k, activation.function, None)
        try:
            return self.carrier.function(activation.function, "G%d" % k)
        except NeuronError as error:
            raise NeuronError(
                "export: %s has activation %r, which cannot be written out without neuron (%s)"
                % (layer._where(), activation.name, error)
            ) from None

    def unit_sum(self, row, bias, values):
        """The expression for one unit's z = kernel(w, x) + b, written out."""
        if self.kernel == "math.sumprod" and self.exact:
            vector = self.as_vector(values)
            return "_dot(%s, %s) + %s" % (_tuple_text(row), vector, _literal(bias))
        inputs = values.scalars
        terms = ["%s * %s" % (_literal(w), x) for w, x in zip(row, inputs)]
        if self.exact and bias == 0.0:
            # The loop starts from 0.0; with a zero bias that start decides
            # the sign of a zero result (see the module docstring).
            terms.insert(0, "0.0")
        terms.append(_literal(bias))
        return " + ".join(terms)

    def dense_unrolled(self, k, layer, values, template, g):
        rows, bias = layer._rows, layer._bias
        if not (self.kernel == "math.sumprod" and self.exact):
            self.as_scalars(values, _prefix(k))
        else:
            # sumprod takes the inputs as one sequence: pack them once.
            if values.vector is None:
                self.emit("v%d = (%s)" % (k, _names_tuple(values.scalars)))
                values.vector = "v%d" % k
        elementwise = layer.activation.elementwise
        out = []
        for j, row in enumerate(rows):
            name = "a%d_%d" % (k, j) if elementwise else "z%d_%d" % (k, j)
            if elementwise and template == []:
                self.emit("%s = %s" % (name, self.unit_sum(row, bias[j], values)))
            elif elementwise and template is not None:
                self.emit("z = %s" % self.unit_sum(row, bias[j], values))
                for line in template:
                    self.emit(line.format(t=name))
            elif elementwise:
                self.emit("%s = %s(%s)" % (name, g, self.unit_sum(row, bias[j], values)))
            else:
                self.emit("%s = %s" % (name, self.unit_sum(row, bias[j], values)))
            out.append(name)
        if elementwise:
            return _Values(scalars=out, size=len(out))
        self.emit("v%d = %s([%s])" % (k, g, ", ".join(out)))
        return _Values(vector="v%d" % k, size=layer.output_size(values.size))

    def dense_loop(self, k, layer, values, template, g):
        rows, bias = layer._rows, layer._bias
        vector = self.as_vector(values)
        if vector.startswith("["):
            self.emit("v%d_in = %s" % (k, vector))
            vector = "v%d_in" % k
        pairs = tuple(zip(rows, bias))
        self.constant("P%d" % k, pairs, lambda: _pairs_text(rows, bias))
        elementwise = layer.activation.elementwise
        out = "v%d" % k
        one_line = template is not None and len(template) == 1 and template[0].startswith("{t} = ")
        if self.kernel != "loop" and (template == [] or one_line or template is None):
            # Comprehensions instead of a loop with append: the same
            # operations in the same order, with less interpreter work per
            # unit (it shows on CPython 3.12, where sumprod is fast and a
            # narrow layer's per-unit overhead is a large part of the time).
            if self.kernel == "math.sumprod":
                dot = "_dot(r, %s)" % vector
            else:
                dot = "sum(map(_mul, r, %s))" % vector
            self.emit("%s = [%s + b for r, b in P%d]" % (out, dot, k))
            if not elementwise:
                self.emit("%s = %s(%s)" % (out, g, out))
            elif one_line:
                self.emit("%s = [%s for z in %s]" % (out, template[0][len("{t} = "):], out))
            elif template is None:
                self.emit("%s = [%s(z) for z in %s]" % (out, g, out))
            return _Values(vector=out, size=layer.output_size(values.size))
        self.emit("%s = []" % out)
        self.emit("for r, b in P%d:" % k)
        body = []
        if self.kernel == "math.sumprod":
            body.append("z = _dot(r, %s) + b" % vector)
        elif self.kernel == "sum(map(mul, w, x))":
            body.append("z = sum(map(_mul, r, %s)) + b" % vector)
        else:
            # The reference loop, indexed as neuron.vector writes it (PyPy's
            # JIT runs it faster than a zip).
            body.extend(["z = 0.0", "for i in range(%d):" % len(rows[0]), "    z += r[i] * %s[i]" % vector,
                         "z = z + b"])
        if elementwise and template == []:
            body.append("%s.append(z)" % out)
        elif elementwise and template is not None:
            body.extend(line.format(t="t") for line in template)
            body.append("%s.append(t)" % out)
        elif elementwise:
            body.append("%s.append(%s(z))" % (out, g))
        else:
            body.append("%s.append(z)" % out)
        for line in body:
            self.emit("    " + line)
        if not elementwise:
            self.emit("%s = %s(%s)" % (out, g, out))
        return _Values(vector=out, size=layer.output_size(values.size))


    # -- the other layers, stand-alone ------------------------------------------
    #
    # Each writes its layer's _forward (neuron.layers) with the weights and
    # settings as literals: the same operations in the same order, so the
    # same floats (tests/test_export.py checks every kind on edge values).
    # The compiled path calls _forward itself instead.

    def activation_layer(self, k, layer, values):
        activation = layer.activation
        g = self.function_name(k, layer, activation)
        vector = self.as_vector(values)
        self.emit("# %s: Activation, %s" % (_safe(layer.name), activation.name))
        size = values.size
        if activation.elementwise:
            self.emit("v%d = [%s(u) for u in %s]" % (k, g, vector))
        else:
            self.emit("v%d = %s(%s)" % (k, g, vector))
            if activation.function is _glu:
                size //= 2
        return _Values(vector="v%d" % k, size=size)

    def identity_layer(self, k, layer, values):
        # Dropout at inference and Flatten of a flat example: the values go on unchanged.
        self.emit("# %s: %s, the identity at inference" % (_safe(layer.name), type(layer).__name__))
        return values

    def batch_normalization(self, k, layer, values):
        vector = self.as_vector(values)
        self.emit("# %s: BatchNormalization, gamma * ((x - mean) / sqrt(variance + epsilon)) + beta"
                  % _safe(layer.name))
        names = []
        for prefix, numbers in (("BM", layer.moving_mean), ("BD", layer._deviation),
                                ("BG", layer.gamma), ("BB", layer.beta)):
            numbers = tuple(numbers)
            names.append(self.constant("%s%d" % (prefix, k), numbers, lambda n=numbers: _tuple_text(n)))
        self.emit("v%d = [g * ((u - m) / d) + b for u, m, d, g, b in zip(%s, %s)]"
                  % (k, vector, ", ".join(names)))
        return _Values(vector="v%d" % k, size=values.size)

    def leaky_relu_layer(self, k, layer, values):
        vector = self.as_vector(values)
        self.emit("# %s: LeakyReLU, x if x > 0 else slope * x" % _safe(layer.name))
        self.emit("v%d = [u if u > 0.0 else %s * u for u in %s]"
                  % (k, _literal(layer.negative_slope), vector))
        return _Values(vector="v%d" % k, size=values.size)

    def relu_layer(self, k, layer, values):
        # ReLU._forward's steps, with the branches its settings leave out
        # dropped (its two first branches are one formula with threshold 0).
        vector = self.as_vector(values)
        top, slope, threshold = layer.max_value, layer.negative_slope, layer.threshold
        self.emit("# %s: ReLU, max_value %r, negative_slope %r, threshold %r"
                  % (_safe(layer.name), top, slope, threshold))
        self.emit("v%d = []" % k)
        self.emit("for u in %s:" % vector)
        t = _literal(threshold) if threshold != 0.0 else "0.0"
        self.emit("    y = u if u > %s else (u if u != u else 0.0)" % t)
        if top is not None:
            self.emit("    if y == y:")
            self.emit("        y = 0.0 if y < 0.0 else (%s if y > %s else y)" % (_literal(top), _literal(top)))
        if slope != 0.0:
            self.emit("    below = %s - u" % _literal(threshold))
            self.emit("    if below > 0.0:")
            self.emit("        y = y - %s * below" % _literal(slope))
        self.emit("    v%d.append(y)" % k)
        return _Values(vector="v%d" % k, size=values.size)

    def elu_layer(self, k, layer, values):
        vector = self.as_vector(values)
        self.emit("# %s: ELU, x if x > 0 else alpha * expm1(x)" % _safe(layer.name))
        self.emit("v%d = [u if u > 0.0 else %s * math.expm1(u) for u in %s]"
                  % (k, _literal(layer.alpha), vector))
        return _Values(vector="v%d" % k, size=values.size)

    def prelu_layer(self, k, layer, values):
        vector = self.as_vector(values)
        alpha = tuple(layer.alpha)
        name = self.constant("PA%d" % k, alpha, lambda: _tuple_text(alpha))
        self.emit("# %s: PReLU, x if x > 0 else alpha_i * x" % _safe(layer.name))
        self.emit("v%d = [u if u > 0.0 else a * u for u, a in zip(%s, %s)]" % (k, vector, name))
        return _Values(vector="v%d" % k, size=values.size)

    def softmax_layer(self, k, layer, values):
        # Softmax._forward: exp(x - max) over their sum, the sum by
        # neuron.layers._sum (math.fsum, or left to right without it).
        vector = self.as_vector(values)
        self.carrier.global_name("neuron.layers", "_sum")
        self.emit("# %s: Softmax, exp(x_i - max) / sum_j exp(x_j - max)" % _safe(layer.name))
        self.emit("top = max(%s)" % vector)
        self.emit("e = [math.exp(u - top) for u in %s]" % vector)
        self.emit("total = _sum(e)")
        self.emit("v%d = [u / total for u in e]" % k)
        return _Values(vector="v%d" % k, size=values.size)


_LAYER_WRITERS = {
    _layers.Activation: _Program.activation_layer,
    _layers.Dropout: _Program.identity_layer,
    _layers.Flatten: _Program.identity_layer,
    _layers.BatchNormalization: _Program.batch_normalization,
    _layers.LeakyReLU: _Program.leaky_relu_layer,
    _layers.ReLU: _Program.relu_layer,
    _layers.ELU: _Program.elu_layer,
    _layers.PReLU: _Program.prelu_layer,
    _layers.Softmax: _Program.softmax_layer,
}


class _Values:
    """Where the generated code holds the current values: local names or a list."""

    def __init__(self, scalars=None, vector=None, size=None):
        self.scalars = scalars
        self.vector = vector
        self.size = size


def _prefix(k):
    # Names for values unpacked from a list: the inputs x0, x1, ... for the
    # first layer, h<k>_0, h<k>_1, ... before layer k otherwise.
    return "x" if k == 1 else "h%d_" % k


def _input_size(model):
    size = model.input_size
    if size is None:
        raise NeuronError("compile: the model's input size is not known yet (no layer has weights)")
    return size


def _safe(text):
    """A name as it may stand in a comment or docstring of generated code.

    Names come from model files, so they are never pasted as they are: every
    character outside printable ASCII (line breaks, control characters,
    non-ASCII) and the backslash are written as escapes, so nothing in a
    name can end the comment or start a line of code.  (MicroPython has no
    ascii(), so this is spelled out.)
    """
    out = []
    for ch in str(text):
        code = ord(ch)
        if 32 <= code < 127 and ch != "\\":
            out.append(ch)
        elif code < 256:
            out.append("\\x%02x" % code)
        elif code < 65536:
            out.append("\\u%04x" % code)
        else:
            out.append("\\U%08x" % code)
    return "".join(out)


def _model_name(model):
    return getattr(model, "name", None) or "model"


def _describe(layer):
    if type(layer) is Dense:
        return "Dense(%d, %s)" % (layer.units, layer.activation.name)
    if type(layer) is _layers.Activation:
        return "Activation(%s)" % layer.activation.name
    return type(layer).__name__


def _names_tuple(names):
    return names[0] + "," if len(names) == 1 else ", ".join(names)


def _tuple_text(values):
    if len(values) == 1:
        return "(%s,)" % _literal(values[0])
    return "(%s)" % ", ".join(_literal(v) for v in values)


def _pairs_text(rows, bias):
    # One line per unit: ((w_1, ..., w_n), b),
    lines = ["("]
    for row, b in zip(rows, bias):
        lines.append("    (%s, %s)," % (_tuple_text(row), _literal(b)))
    lines.append(")")
    return "\n".join(lines)
