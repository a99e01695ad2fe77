"""The portable suite: results that must agree between CPython and MicroPython or Pyodide.

Run on any of them, it prints one line per check, ``name<TAB>kind<TAB>value``
(value is JSON; every float is written as ``f`` + the 16 hex digits of its
IEEE bits, so NaN, infinities, -0.0 and the last bit survive the trip).
tools/check_portable.py runs it on this CPython and on the other interpreter
and compares line by line, according to ``kind``:

``exact``
    bit for bit (NaN matches any NaN).  Used where every operation is a
    correctly rounded IEEE operation (+ - * / sqrt) done in the same order on
    both sides, for decisions, counts, texts and error class names.
``rel:TOL``
    numbers within a relative TOL (the coffee network; TOL derived in
    tools/check_portable.py).
``bound``
    value is ``[results, bounds]``: each result within the absolute bound
    that the *CPython* run computed beside it.  The bounds are derived below.

Rows named ``full:...`` use what only full CPython has (the command line's
argparse) and are compared on Pyodide, not on MicroPython.

Where the bounds come from (u = 2**-53; one ulp of x is at most 2u|x|):

* **Activations.**  Two libms that are each within 1 ulp of the true
  ``exp``, ``expm1``, ``log``, ``tanh``, ``erf`` differ by less than 2 ulps;
  MicroPython also computes ``log1p``, ``fsum`` and ``erfc`` with pure-Python
  fallbacks (neuron/_mathx.py, within 4 ulps).  Such a difference reaches
  g(z) in one of two ways: as a relative error of an outer factor
  (``exp`` in softmax, ``tanh`` in mish), which is a relative error of
  g(z); or as a relative error eps of ``exp(+-z)``, which is the same as
  perturbing z by an absolute eps, and so moves g by ``|g'(z)| * eps``
  (the condition number of g with respect to that libm call).  Allowing
  K = 8 units of u on both, ``bound = K*u*(|g(z)| + |g'(z)|) + K*2**-1074``,
  covers up to 4 ulps from each source; g' is estimated on the running
  interpreter by central differences (step 2**-20 * max(1, |z|)), which is
  only needed to the right order of magnitude.  Non-finite results and
  non-finite z must match exactly.
* **Dot products in a layer.**  CPython 3.12+ uses ``math.sumprod``, the
  others the left-to-right loop; each is within ``gamma_n * sum|w_i x_i|``
  of the exact sum (gamma_n = n*u/(1 - n*u)), so they differ by at most
  twice that, plus ``2u|z|`` for the bias addition.  ``neuron.dot`` itself
  is the loop everywhere, so it is compared exactly.
* **Models.**  A difference ``dz`` in a unit's z moves ``a = g(z)`` by
  ``|g'(z)| dz``; the bound is carried layer by layer through the trace:
  ``dz_j = sum_i |w_ji| da_i + 2 gamma_n sum_i |w_ji a_i| + 2u|z_j|`` and
  ``da_j = |g'(z_j)| dz_j + (the activation bound above)``.

MicroPython frees garbage only when control returns to JavaScript, so the
suite is cut into pieces at the ``# ---8<---`` lines; tools/micropython.mjs
runs each piece in its own ``runPython`` call (one namespace for all).
"""

import struct
import sys

import neuron
from neuron import activations
from neuron.models import coffee, coffee_data

U = 2.0 ** -53
TINY = 2.0 ** -1074
K = 8.0
INF = float("inf")
NAN = float("nan")
ON = sys.implementation.name


def enc(value):
    if type(value) is float:
        return "f%016x" % int.from_bytes(struct.pack(">d", value), "big")
    if isinstance(value, (list, tuple)):
        return [enc(v) for v in value]
    return value


def _json(value):
    # MicroPython's json writes nan/inf as bare words; the values here are
    # only lists, ints, bools, None and strings, so plain text will do.
    if isinstance(value, list):
        return "[" + ", ".join(_json(v) for v in value) + "]"
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return str(value)


def show(name, kind, value):
    print("%s\t%s\t%s" % (name, kind, _json(enc(value))))


def finite(x):
    return x - x == 0.0


def error_name(function, *args, **kwargs):
    try:
        function(*args, **kwargs)
    except Exception as error:  # the class name is what is compared
        return type(error).__name__
    return "no error"


def attempt(function, *args):
    """function(*args), or the name of the error it raises."""
    try:
        return function(*args)
    except Exception as error:
        return "error:" + type(error).__name__


class Lcg:
    """A tiny seeded generator, identical on every interpreter (MicroPython has no random.Random)."""

    def __init__(self, seed):
        self.state = seed

    def uniform(self, low, high):
        self.state = (1103515245 * self.state + 12345) % 2147483648
        return low + (high - low) * (self.state / 2147483648.0)

    def vector(self, n, low=-2.0, high=2.0):
        return [self.uniform(low, high) for _ in range(n)]


def slope(g, z):
    """|g'(z)| by finite differences (one-sided where a neighbour overflows), 0.0 if unknown."""
    h = 2.0 ** -20 * max(1.0, abs(z))
    up, mid, down = g(z + h), g(z), g(z - h)
    for d in ((up - down) / (2.0 * h), (up - mid) / h, (mid - down) / h):
        if finite(d):
            return abs(d)
    return 0.0


def act_bound(g, z, a):
    if not (finite(z) and finite(a)):
        return 0.0
    return K * U * (abs(a) + slope(g, z)) + K * TINY


def jacobian(g, zs):
    """|d a_i / d z_j| for a vector activation, by central differences."""
    base = g(zs)
    columns = []
    for j in range(len(zs)):
        h = 2.0 ** -20 * max(1.0, abs(zs[j]))
        up = list(zs)
        down = list(zs)
        up[j] += h
        down[j] -= h
        a_up, a_down = g(up), g(down)
        column = []
        for i in range(len(base)):
            d = (a_up[i] - a_down[i]) / (2.0 * h)
            column.append(abs(d) if finite(d) else 0.0)
        columns.append(column)
    return base, columns


def vector_bounds(g, zs, dz):
    """Bounds on a vector activation's outputs for inputs off by dz (a list)."""
    a, columns = jacobian(g, zs)
    out = []
    for i in range(len(a)):
        if not finite(a[i]):
            out.append(0.0)
            continue
        spread = 0.0
        carried = 0.0
        for j in range(len(zs)):
            spread += columns[j][i]
            carried += columns[j][i] * dz[j]
        out.append(carried + K * U * (abs(a[i]) + spread) + K * TINY)
    return out


def gamma(n):
    return n * U / (1.0 - n * U)


def model_bound(model, x):
    """Outputs of model.forward(x) and how far another interpreter may be from them."""
    trace = model.trace(x)
    da = [0.0] * len(trace.inputs)
    for step in trace.steps:
        if hasattr(step, "units"):  # a Dense step
            n = len(step.inputs)
            dz = []
            for unit in step.units:
                carried = 0.0
                size = 0.0
                for w, v, d in zip(unit.weights, step.inputs, da):
                    carried += abs(w) * d
                    size += abs(w * v)
                dz.append(carried + 2.0 * gamma(n) * size + 2.0 * U * abs(unit.z))
            g = step.activation
            if g.elementwise:
                da = [slope(g.function, z) * d + act_bound(g.function, z, a)
                      for z, d, a in zip(step.z, dz, step.outputs)]
            else:
                da = vector_bounds(g.function, step.z, dz)
        elif hasattr(step, "scale"):  # Normalization: (x - mean) / scale, exact IEEE ops
            da = [d / s + 2.0 * U * abs(v) for d, s, v in zip(da, step.scale, step.outputs)]
        else:  # a layer this suite does not know: no bound, only exact
            da = [0.0] * len(step.outputs)
    return trace.outputs, da


# ---8<--- the dot product

show("dot", "exact", neuron.dot([0.5, -1.0, 2.0], [2.0, 3.0, 0.25]))
show("dot_overflow", "exact", neuron.dot([1e308, 1e308], [2.0, -2.0]))
show("dot_empty", "exact", neuron.dot([], []))
show("dot_signed_zero", "exact", neuron.dot([-0.0], [1.0]))
show("dot_subnormal", "exact", neuron.dot([5e-324, 1e-310], [0.5, 3.0]))
rng = Lcg(8)
w, x = rng.vector(400), rng.vector(400)
show("dot_400", "exact", neuron.dot(w, x))  # the reference loop on every interpreter
from neuron.vector import kernel_dot  # noqa: E402

size = 0.0
for a, b in zip(w, x):
    size += abs(a * b)
show("kernel_dot_400", "bound", [[kernel_dot(w, x)], [2.0 * gamma(400) * size]])
show("dot_errors", "exact", [error_name(neuron.dot, [1.0], [1.0, 2.0]),
                             error_name(neuron.dot, [1.0], ["a"]),
                             error_name(neuron.dot, [True], [1.0]),
                             error_name(neuron.dot, 1.0, [1.0])])

# ---8<--- every activation on a grid of numbers

GRID = [-INF, -1e308, -1000.0, -745.0, -710.0, -100.0, -40.0, -20.0, -5.0, -1.5, -1.0, -0.5,
        -1e-8, -1e-300, -5e-324, -0.0, 0.0, 5e-324, 1e-300, 1e-8, 0.5, 1.0, 1.5, 2.5, 5.0, 20.0,
        40.0, 100.0, 709.0, 710.0, 1000.0, 1e308, INF, NAN]
VECTORS = [[0.0, 0.0, 0.0, 0.0], [1.0, 2.0, 3.0, 4.0], [-1000.0, 0.0, 1000.0, 5.0],
           [-20.0, -0.0, 0.5, 20.0], [1e308, -1e308, 0.0, 1.0], [-1e-8, 1e-8, 2.5, -2.5],
           [NAN, 1.0, 2.0, 3.0]]
show("grid", "exact", GRID)
show("activation_names", "exact", activations.names())


def activation_rows(name):
    try:
        g = activations.get(name)
    except TypeError:  # a parameter without a default: nothing to try it with
        return None
    if g.elementwise:
        values, bounds = [], []
        for z in GRID:
            a = attempt(g, z)
            values.append(a)
            bounds.append(act_bound(g.function, z, a) if type(a) is float else 0.0)
        return values, bounds
    values, bounds = [], []
    for zs in VECTORS:
        a = attempt(g, zs)
        if isinstance(a, list):
            values.extend(a)
            bounds.extend(vector_bounds(g.function, zs, [0.0] * len(zs)))
        else:
            values.append(a)
            bounds.append(0.0)
    return values, bounds


for _name in activations.names():
    _rows = activation_rows(_name)
    if _rows is None:
        show("act:" + _name, "exact", "needs parameters")
    else:
        show("act:" + _name, "bound", [_rows[0], _rows[1]])

# ---8<--- Dense, one layer per activation

rng = Lcg(2)
X3 = [rng.vector(3, -3.0, 3.0) for _ in range(4)]
for _name in activations.names():
    try:
        _g = activations.get(_name)
    except TypeError:
        continue
    rng = Lcg(len(_name))
    kernel = [rng.vector(4) for _ in range(3)]
    bias = rng.vector(4, -1.0, 1.0)
    layer = neuron.Dense(4, _g, kernel=kernel, bias=bias)
    model = neuron.Sequential([layer])
    outputs, bounds = [], []
    for row in X3:
        out, b = model_bound(model, row)
        outputs.extend(out)
        bounds.extend(b)
    show("dense:" + _name, "bound", [outputs, bounds])
    # Within one interpreter, every path gives the same floats.
    same = (model.predict(X3) == [layer(row) for row in X3]
            and neuron.dense(X3[0], kernel, bias, _g) == layer(X3[0]))
    show("dense_paths_agree:" + _name, "exact", same)

show("dense_course", "bound",
     model_bound(neuron.Sequential([neuron.Dense(3, "sigmoid", kernel=[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]],
                                                 bias=[0.1, 0.2, 0.3])]), [0.1, 0.2]))
show("from_neurons", "exact",
     neuron.Dense.from_neurons([[1.0, 3.0], [2.0, 4.0]], [0.5, -0.5])([1.0, 1.0]))
show("dense_weights", "exact", neuron.Dense(2, kernel=[[1.0, 2.0]], bias=[3.0, 4.0]).get_weights())

# ---8<--- Normalization and Sequential

norm = neuron.Normalization(mean=[1.0, -2.0, 0.5], variance=[4.0, 0.25, 0.0])
show("normalization", "exact", norm([3.0, -2.5, 0.5]))
norm.adapt([[1.0, 10.0, 0.0], [3.0, 10.0, 0.0], [2.0, 10.0, 3.0]])
show("normalization_adapt", "rel:1e-15", [norm.mean, norm.variance, norm.count])

rng = Lcg(5)
deep = neuron.Sequential([
    neuron.Normalization(mean=[0.5, -1.0, 2.0, 0.0], variance=[2.0, 0.5, 9.0, 1.0]),
    neuron.Dense(8, "relu", kernel=[rng.vector(8) for _ in range(4)], bias=rng.vector(8)),
    neuron.Dense(6, "sigmoid", kernel=[rng.vector(6) for _ in range(8)], bias=rng.vector(6)),
    neuron.Dense(3, "linear", kernel=[rng.vector(3) for _ in range(6)], bias=rng.vector(3)),
])
rows = [rng.vector(4, -5.0, 5.0) for _ in range(6)]
outputs, bounds = [], []
for row in rows:
    out, b = model_bound(deep, row)
    outputs.extend(out)
    bounds.extend(b)
show("sequential_forward", "bound", [outputs, bounds])
show("sequential_paths_agree", "exact",
     deep.predict(rows) == [deep.forward(r) for r in rows] == [deep.trace(r).outputs for r in rows])
show("sequential_weights_roundtrip", "exact",
     [deep.count_params(), len(deep.get_weights()), [layer.name for layer in deep.layers]])
copy = neuron.Sequential([
    neuron.Normalization(), neuron.Dense(8, "relu"), neuron.Dense(6, "sigmoid"), neuron.Dense(3),
])
copy.set_weights(deep.get_weights())
show("set_weights_copy", "exact", copy.predict(rows) == deep.predict(rows))
show("argmax", "exact", neuron.argmax(deep.predict(rows)))

# ---8<--- the coffee network with both sets of course weights

X, y = coffee_data()
for weights in ("tensorflow", "numpy"):
    model = coffee(weights)
    show("coffee_%s_stats" % weights, "rel:1e-13",
         [model.layers[0].mean, model.layers[0].variance])
    show("coffee_%s_predictions" % weights, "rel:1e-10",
         model.predict([[200.0, 13.9], [200.0, 17.0]]))
    decisions = neuron.decide(model.predict(X))
    show("coffee_%s_accuracy" % weights, "exact", neuron.accuracy(y, decisions))
    show("coffee_%s_confusion" % weights, "exact", neuron.confusion_matrix(y, decisions))
    X = y = decisions = None  # let MicroPython reclaim the batch
    X, y = coffee_data()
show("coffee_trace_text", "exact", coffee().trace([200.0, 13.9]).to_text(4))
show("coffee_trace_markdown", "exact", coffee().trace([200.0, 13.9]).to_markdown(4))
show("coffee_trace_latex", "exact", coffee().trace([200.0, 13.9]).to_latex(4))
show("coffee_summary", "exact", coffee().summary())
# The compiled path must really compile here (forward falls back silently).
_model = coffee()
show("coffee_compiled_equals_forward", "exact",
     _model.compile()([200.0, 13.9]) == _model.forward([200.0, 13.9]))
# The course's printed figures, to 5 significant digits, on every interpreter.
model = coffee()
show("coffee_course_figures", "exact", [
    ["%.5g" % row[0] for row in model.predict([[200.0, 13.9], [200.0, 17.0]])],
    neuron.decide(model.predict([[200.0, 13.9], [200.0, 17.0]])),
    "%d/%d" % (sum(1 for t, d in zip(y, neuron.decide(model.predict(X))) if t == d[0]), len(y)),
])

# ---8<--- what needs full CPython (argparse, io): not on MicroPython

if ON != "micropython":
    import io

    from neuron.cli import main as cli_main

    captured, sys.stdout = sys.stdout, io.StringIO()
    try:
        code = cli_main(["coffee"])
        text = sys.stdout.getvalue()
    finally:
        sys.stdout = captured
    show("full:cli_coffee", "exact", [code, text])

# ---8<--- bad input raises the same errors

model = coffee()
show("errors_forward", "exact", [
    error_name(model.forward, [1.0, 2.0, 3.0]),
    error_name(model.forward, [NAN, 2.0]),
    error_name(model.forward, [INF, 2.0]),
    error_name(model.forward, ["200", 13.9]),
    error_name(model.forward, [True, 13.9]),
    error_name(model.forward, [[200.0, 13.9]]),
    error_name(model.forward, 200.0),
])
show("errors_predict", "exact", [
    error_name(model.predict, [[200.0, 13.9], [200.0]]),
    error_name(model.predict, [200.0, 13.9]),
    error_name(model.predict, [[200.0, NAN]]),
    error_name(model.predict, "rows"),
])
show("errors_layers", "exact", [
    error_name(neuron.Dense, 0),
    error_name(neuron.Dense, -1),
    error_name(neuron.Dense, 1.5),
    error_name(neuron.Dense, True),
    error_name(neuron.Dense, 2, kernel=[[1.0, 2.0]], bias=[1.0]),
    error_name(neuron.Dense, 2, kernel=[[1.0, 2.0, 3.0]]),
    error_name(neuron.Dense, 1, kernel=[[NAN]]),
    error_name(neuron.Dense(2), [1.0]),
    error_name(neuron.Dense, 1, "no_such_activation"),
    error_name(neuron.Normalization, [1.0], [-1.0]),
    error_name(neuron.Normalization, [1.0]),
    error_name(neuron.Sequential, []),
    error_name(neuron.Sequential, [1]),
    error_name(neuron.dense, [1.0, 2.0], [[1.0]], [0.0], "linear"),
    error_name(model.set_weights, [[1.0]]),
    error_name(neuron.decide, NAN),
])
show("nonfinite_allowed", "exact", [
    model.forward([NAN, 13.9], allow_nonfinite=True),
    neuron.Dense(1, kernel=[[1.0], [1.0]])([1e308, 1e308]),
])

# ---8<--- neuron's JSON format, when this build has it

# Arguments: ``--save DIR`` (the CPython run: write the models a user would
# copy to a board, DIR/deep.json and DIR/coffee.json) or ``--load DIR`` (the
# other run: read them).  Loading must work everywhere; saving only where
# the standard library is full (it writes through a temporary file).
ARGS = list(ARGV[1:] if "ARGV" in globals() else sys.argv[1:])  # noqa: F821 (MicroPython has no sys.argv to set)

if hasattr(neuron, "load"):
    if ON != "micropython" and hasattr(deep, "save"):
        import os
        import tempfile

        folder = tempfile.mkdtemp()
        deep.save(os.path.join(folder, "m.json"))
        show("full:json_roundtrip", "exact",
             neuron.load(os.path.join(folder, "m.json")).predict(rows) == deep.predict(rows))
        if len(ARGS) == 2 and ARGS[0] == "--save":
            deep.save(ARGS[1] + "/deep.json")
            coffee().save(ARGS[1] + "/coffee.json")
    if len(ARGS) == 2 and ARGS[0] in ("--save", "--load"):
        other = neuron.load(ARGS[1] + "/deep.json")
        outputs, bounds = [], []
        for row in rows:
            out, b = model_bound(other, row)
            outputs.extend(out)
            bounds.extend(b)
        show("json_from_cpython", "bound", [outputs, bounds])
        with open(ARGS[1] + "/deep.json", "rb") as f:
            show("json_from_bytes", "exact", neuron.load(f.read()).predict(rows) == other.predict(rows))
        other = neuron.load(ARGS[1] + "/coffee.json")
        show("json_coffee", "rel:1e-10", other.predict([[200.0, 13.9], [200.0, 17.0]]))
        show("json_coffee_paths_agree", "exact",
             other.predict(rows[:1] and [[200.0, 13.9]]) == [other.forward([200.0, 13.9])])
    show("json_errors", "exact", [error_name(neuron.load, b"{"), error_name(neuron.load, b"[]"),
                                  error_name(neuron.load, b'{"format": "something else"}')])
else:
    show("json_format", "exact", "not in this build")
