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

from .activations import _SIGMOID_AT_CUT
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

    Raises :class:`~neuron.NeuronError` for a layer or activation that cannot
    be written out without neuron (see :data:`EXPORTABLE`).
    """
    title = name or _model_name(model)
    fast = _Program("math.sumprod", True, standalone=True)
    fast.function(model, "_forward", indent="    ")
    loop = _Program("loop", True, standalone=True, constants=fast.constants)
    loop.function(model, "_forward", indent="    ")
    n_in = _input_size(model)
    n_out = fast.outputs
    lines = [
        '"""%s: a neural network exported by neuron (neuron-forward), stand-alone.' % title,
        "",
        "    forward(x)      one example: a list of %d numbers -> a list of %d float%s"
        % (n_in, n_out, "" if n_out == 1 else "s"),
        "    predict(rows)   a batch: a list of rows -> a list of output rows",
        "",
        "It needs only the standard library's math module, and gives the same floats",
        "as neuron on the same interpreter: the dot products use math.sumprod where",
        "math has it (CPython 3.12+), else the products added left to right from 0.0.",
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
            "def forward(x):",
            '    """The outputs for one example x, a list of %d numbers."""' % n_in,
            "    if len(x) != %d:" % n_in,
            '        raise ValueError("forward: expected %d inputs, got %%d" %% len(x))' % n_in,
            "    return _forward([float(v) for v in x])",
            "",
            "",
            "def predict(rows):",
            '    """The outputs for each row of a batch: a list of rows in, a list of rows out."""',
            "    return [forward(row) for row in rows]",
            "",
        ]
    )
    return "\n".join(lines)


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

# What a stand-alone export can write out (every other activation needs
# neuron's own function at run time).
EXPORTABLE = "layers Dense and Normalization; activations " + ", ".join(sorted(_TEMPLATES))

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

    def __init__(self, kernel, exact, standalone, constants=None):
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
            raise NeuronError(
                "export: %s cannot be written out without neuron (export handles %s)"
                % (layer._where(), EXPORTABLE)
            )
        # Any other layer: call its own unchecked forward.
        vector = self.as_vector(values)
        self.emit("# %s: %s, run by the layer itself" % (layer.name, kind.__name__))
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
        n = len(layer.mean)
        self.emit("# %s: Normalization, (x - mean) / max(sqrt(variance), 1e-7)" % layer.name)
        if n <= UNROLL_INPUTS:
            inputs = self.as_scalars(values, _prefix(k))
            out = []
            for i in range(n):
                name = "n%d_%d" % (k, i)
                self.emit(
                    "%s = (%s - %s) / %s"
                    % (name, inputs[i], _literal(layer.mean[i]), _literal(layer._scale[i]))
                )
                out.append(name)
            return _Values(scalars=out, size=n)
        vector = self.as_vector(values)
        mean = tuple(layer.mean)
        scale = tuple(layer._scale)
        self.constant("M%d" % k, mean, lambda: _tuple_text(mean))
        self.constant("S%d" % k, scale, lambda: _tuple_text(scale))
        self.emit("v%d = [(a - m) / s for a, m, s in zip(%s, M%d, S%d)]" % (k, vector, k, k))
        return _Values(vector="v%d" % k, size=n)

    # -- Dense ---------------------------------------------------------------

    def dense(self, k, layer, values):
        rows, bias = layer._rows, layer._bias
        n_in, units = len(rows[0]), len(rows)
        activation = layer.activation
        self.emit(
            "# %s: Dense, %d input%s -> %d unit%s, %s"
            % (layer.name, n_in, "" if n_in == 1 else "s", units, "" if units == 1 else "s",
               activation.name)
        )
        template = _template(activation)
        if template is None:
            if self.standalone:
                raise NeuronError(
                    "export: %s has activation %r, which cannot be written out without neuron "
                    "(export handles %s)" % (layer._where(), activation.name, EXPORTABLE)
                )
            self.constant("G%d" % k, activation.function, None)
        small = n_in <= UNROLL_INPUTS and n_in * units <= UNROLL_WEIGHTS
        if small:
            return self.dense_unrolled(k, layer, values, template)
        return self.dense_loop(k, layer, values, template)

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

    def dense_unrolled(self, k, layer, values, template):
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
                self.emit("%s = G%d(%s)" % (name, k, self.unit_sum(row, bias[j], values)))
            else:
                self.emit("%s = %s" % (name, self.unit_sum(row, bias[j], values)))
            out.append(name)
        if elementwise:
            return _Values(scalars=out, size=len(out))
        self.emit("v%d = G%d([%s])" % (k, k, ", ".join(out)))
        return _Values(vector="v%d" % k, size=layer.output_size(values.size))

    def dense_loop(self, k, layer, values, template):
        rows, bias = layer._rows, layer._bias
        vector = self.as_vector(values)
        if vector.startswith("["):
            self.emit("v%d_in = %s" % (k, vector))
            vector = "v%d_in" % k
        pairs = tuple(zip(rows, bias))
        self.constant("P%d" % k, pairs, lambda: _pairs_text(rows, bias))
        elementwise = layer.activation.elementwise
        out = "v%d" % k
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
            body.append("%s.append(G%d(z))" % (out, k))
        else:
            body.append("%s.append(z)" % out)
        for line in body:
            self.emit("    " + line)
        if not elementwise:
            self.emit("%s = G%d(%s)" % (out, k, out))
        return _Values(vector=out, size=layer.output_size(values.size))


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


def _model_name(model):
    return getattr(model, "name", None) or "model"


def _describe(layer):
    if type(layer) is Dense:
        return "Dense(%d, %s)" % (layer.units, layer.activation.name)
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
