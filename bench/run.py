"""neuron's benchmark: one process, one run, a table of ratios against NumPy, PyTorch, Keras and the floor.

    python bench/run.py            # everything (PyTorch and Keras when installed)
    python bench/run.py --quick    # a quick pass for CI: fewer repeats, no PyTorch/Keras

Every figure is the median of repeated timings.  Run it from a virtual
environment (python -m venv): the cold-start figures start fresh processes
of this interpreter, and a base pyenv interpreter loads extra start-up files.
Optional comparisons come from bench/requirements.txt; each is skipped when
missing, and the run exits 0 either way (speed is reported, not asserted).

Sections:
 1. coffee, one example (inputs already normalized, as the lab's my_sequential
    takes them): forward, the compiled function, the course's NumPy code,
    PyTorch, Keras, and the floor (a hand-unrolled function in the same
    arithmetic order);
 2. a batch of 1000 rows through 400-25-15-1 (sigmoid) and through the digits
    model (64-32-16-10): predict in ns per multiply-add against the
    interpreter's fastest allowed kernel on the same weights in lists;
 3. cold start: import neuron, and a fresh process predicting one roast;
 4. memory: bytes per weight, default and compact, and peak memory of
    predicting the digits test set.
"""

import gc
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

import neuron  # noqa: E402
from neuron import Dense, Sequential, activations  # noqa: E402
from neuron.models import COFFEE_WEIGHTS, coffee  # noqa: E402
from neuron.storage import bytes_per_parameter, compact  # noqa: E402
from neuron.vector import KERNEL, kernel_dot  # noqa: E402

if "-h" in sys.argv or "--help" in sys.argv:
    sys.stdout.write(__doc__.split("\n\nSections:")[0] + "\n")
    sys.exit(0)
QUICK = "--quick" in sys.argv
RESULTS = []  # (section, what, value text, ratio text, target text)


# --- timing -------------------------------------------------------------------


def per_call(function, repeat=None, budget=None):
    """Median seconds per call of function(), over `repeat` timings of an auto-sized loop."""
    repeat = repeat or (5 if QUICK else 15)
    budget = budget or (0.01 if QUICK else 0.05)
    number = 1
    while True:
        start = time.perf_counter()
        for _ in range(number):
            function()
        spent = time.perf_counter() - start
        if spent >= budget or number >= 1 << 24:
            break
        number *= 2 if spent == 0 else max(2, min(10, int(budget / max(spent, 1e-9)) + 1))
    times = []
    gc.disable()
    try:
        for _ in range(repeat):
            start = time.perf_counter()
            for _ in range(number):
                function()
            times.append((time.perf_counter() - start) / number)
    finally:
        gc.enable()
    return statistics.median(times)


SAMPLES = {}  # name -> per-round times of the last interleaved() run


def interleaved(functions, rounds=None):
    """Median seconds per call for each function, timed in alternation (fair on a noisy machine)."""
    rounds = rounds or (3 if QUICK else 9)
    samples = {name: [] for name in functions}
    for _ in range(rounds):
        for name, function in functions.items():
            samples[name].append(per_call(function, repeat=3))
    SAMPLES.clear()
    SAMPLES.update(samples)
    return {name: statistics.median(values) for name, values in samples.items()}


def ratio(a, b):
    """Median over rounds of time(a) / time(b), each pair timed back to back: drifts in
    the machine's load cancel out of each pair."""
    return statistics.median(x / y for x, y in zip(SAMPLES[a], SAMPLES[b]))


def us(seconds):
    return "%.3g us" % (seconds * 1e6)


def add(section, what, value, ratio="", target=""):
    RESULTS.append((section, what, value, ratio, target))


def verdict(ok):
    return "met" if ok else "NOT met"


# --- the machine ------------------------------------------------------------


def machine():
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, universal_newlines=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               universal_newlines=True).stdout.strip()
        commit = (commit or "?") + (" (with uncommitted changes)" if dirty else "")
    except OSError:
        commit = "?"
    return {
        "interpreter": "%s %s" % (platform.python_implementation(), platform.python_version()),
        "kernel": KERNEL,
        "machine": "%s, %d CPUs (nproc), %s" % (cpu, os.cpu_count() or 0, platform.machine()),
        "commit": commit,
        "date": time.strftime("%Y-%m-%d"),
    }


def optional(name):
    try:
        return __import__(name)
    except Exception:  # ImportError, or a broken install
        return None


# --- 1. coffee, one example -----------------------------------------------------


def floor_loop_order(W1, b1, W2, b2):
    """The hand-unrolled coffee network: products left to right, sigmoid written in."""
    (w00, w01, w02), (w10, w11, w12) = W1
    (c0, c1, c2) = b1
    (v0,), (v1,), (v2,) = W2
    (d0,) = b2
    exp = math.exp
    # Literals are what a person would type; the generated code writes them too.
    src = """
def floor(x):
    x0, x1 = x
    z = {w00!r} * x0 + {w10!r} * x1 + {c0!r}
    if z >= 0.0:
        a0 = 1.0 / (1.0 + exp(-z))
    else:
        e = exp(z)
        a0 = e / (1.0 + e)
    z = {w01!r} * x0 + {w11!r} * x1 + {c1!r}
    if z >= 0.0:
        a1 = 1.0 / (1.0 + exp(-z))
    else:
        e = exp(z)
        a1 = e / (1.0 + e)
    z = {w02!r} * x0 + {w12!r} * x1 + {c2!r}
    if z >= 0.0:
        a2 = 1.0 / (1.0 + exp(-z))
    else:
        e = exp(z)
        a2 = e / (1.0 + e)
    z = {v0!r} * a0 + {v1!r} * a1 + {v2!r} * a2 + {d0!r}
    if z >= 0.0:
        return [1.0 / (1.0 + exp(-z))]
    e = exp(z)
    return [e / (1.0 + e)]
""".format(**locals())
    namespace = {"exp": exp}
    exec(src, namespace)
    return namespace["floor"]


def floor_sumprod(W1, b1, W2, b2):
    """The same by hand with math.sumprod, the contract's arithmetic on CPython 3.12+."""
    rows1 = [tuple(col) for col in zip(*W1)]
    row2 = tuple(r[0] for r in W2)
    src = """
def floor(x):
    z = sumprod({r0!r}, x) + {c0!r}
    if z >= 0.0:
        a0 = 1.0 / (1.0 + exp(-z))
    else:
        e = exp(z)
        a0 = e / (1.0 + e)
    z = sumprod({r1!r}, x) + {c1!r}
    if z >= 0.0:
        a1 = 1.0 / (1.0 + exp(-z))
    else:
        e = exp(z)
        a1 = e / (1.0 + e)
    z = sumprod({r2!r}, x) + {c2!r}
    if z >= 0.0:
        a2 = 1.0 / (1.0 + exp(-z))
    else:
        e = exp(z)
        a2 = e / (1.0 + e)
    z = sumprod({v!r}, (a0, a1, a2)) + {d0!r}
    if z >= 0.0:
        return [1.0 / (1.0 + exp(-z))]
    e = exp(z)
    return [e / (1.0 + e)]
""".format(r0=rows1[0], r1=rows1[1], r2=rows1[2], c0=b1[0], c1=b1[1], c2=b1[2], v=row2, d0=b2[0])
    namespace = {"exp": math.exp, "sumprod": math.sumprod}
    exec(src, namespace)
    return namespace["floor"]


def section_coffee():
    w = COFFEE_WEIGHTS["tensorflow"]
    W1, b1, W2, b2 = w["W1"], w["b1"], w["W2"], w["b2"]
    full = coffee()
    x = full.layers[0]([200.0, 13.9])  # normalized, as my_sequential takes it
    model = Sequential([Dense(3, "sigmoid", kernel=W1, bias=b1), Dense(1, "sigmoid", kernel=W2, bias=b2)])
    compiled = model.compile()
    inexact = model.compile(exact=False)
    floor = floor_loop_order(W1, b1, W2, b2)
    layers = Sequential([Dense(3, "sigmoid", kernel=W1, bias=b1), Dense(1, "sigmoid", kernel=W2, bias=b2)])
    layers.compiled = False
    assert compiled(x) == model(x) == layers(x)

    functions = {
        "neuron forward (checked, compiled inside)": lambda: model(x),
        "neuron compiled function": lambda: compiled(x),
        "neuron layers one by one (compiled=False)": lambda: layers(x),
        "floor: hand-unrolled, loop order": lambda: floor(x),
    }
    if KERNEL == "math.sumprod":
        sp_floor = floor_sumprod(W1, b1, W2, b2)
        functions["floor: hand-unrolled with math.sumprod"] = lambda: sp_floor(x)
        functions["neuron compiled, exact=False"] = lambda: inexact(x)

    np = optional("numpy")
    if np is not None:
        def g(z):
            return 1 / (1 + np.exp(-z))

        def my_dense(a_in, W, b, g):
            units = W.shape[1]
            a_out = np.zeros(units)
            for j in range(units):
                w = W[:, j]
                z = np.dot(w, a_in) + b[j]
                a_out[j] = g(z)
            return a_out

        def my_sequential(x, W1, b1, W2, b2):
            a1 = my_dense(x, W1, b1, g)
            a2 = my_dense(a1, W2, b2, g)
            return a2

        nW1, nb1, nW2, nb2, nx = np.array(W1), np.array(b1), np.array(W2), np.array(b2), np.array(x)
        functions["NumPy: the lab's my_sequential"] = lambda: my_sequential(nx, nW1, nb1, nW2, nb2)

    torch = None if QUICK else optional("torch")
    if torch is not None:
        torch.set_num_threads(1)
        net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Sigmoid(), torch.nn.Linear(3, 1), torch.nn.Sigmoid())
        with torch.no_grad():
            net[0].weight.copy_(torch.tensor(W1).T)
            net[0].bias.copy_(torch.tensor(b1))
            net[2].weight.copy_(torch.tensor(W2).T)
            net[2].bias.copy_(torch.tensor(b2))
        tx = torch.tensor([x], dtype=torch.float32)

        def torch_call():
            with torch.no_grad():
                return net(tx)

        functions["PyTorch model(x), no_grad"] = torch_call

    keras = None if QUICK else optional_keras()
    times = interleaved(functions)
    if keras is not None:
        kmodel = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, "sigmoid"), keras.layers.Dense(1, "sigmoid")])
        kmodel.set_weights([np_array(W1), np_array(b1), np_array(W2), np_array(b2)])
        kx = np_array([x])
        kmodel(kx)
        times["Keras model(x), eager"] = per_call(lambda: kmodel(kx), repeat=5, budget=0.2)

    NUMPY, FLOOR = "NumPy: the lab's my_sequential", "floor: hand-unrolled, loop order"
    FORWARD, COMPILED = "neuron forward (checked, compiled inside)", "neuron compiled function"
    has_numpy = NUMPY in SAMPLES
    for name, t in times.items():
        text = []
        if has_numpy and name in SAMPLES:
            r = ratio(NUMPY, name)
            text.append("%.1fx faster than NumPy" % r if r >= 1 else "%.1fx NumPy's time" % (1 / r))
        if name in SAMPLES:
            text.append("%.2fx the floor" % ratio(name, FLOOR))
        add("1. coffee, one example", name, us(t), "; ".join(text))

    if has_numpy:
        r = ratio(NUMPY, FORWARD)
        add("1. coffee, one example", "target: forward >= 3x faster than NumPy", "%.1fx" % r, "", verdict(r >= 3))
        r = ratio(NUMPY, COMPILED)
        add("1. coffee, one example", "target: compiled >= 5x faster than NumPy", "%.1fx" % r, "", verdict(r >= 5))
    if "PyTorch model(x), no_grad" in SAMPLES:
        r = ratio("PyTorch model(x), no_grad", FORWARD)
        add("1. coffee, one example", "target: forward >= 10x faster than PyTorch", "%.1fx" % r, "", verdict(r >= 10))
    r = ratio(COMPILED, FLOOR)
    add("1. coffee, one example", "target: compiled within 1.2x of the floor (loop order)", "%.2fx" % r,
        "", verdict(r <= 1.2))
    if KERNEL == "math.sumprod":
        r = ratio(COMPILED, "floor: hand-unrolled with math.sumprod")
        add("1. coffee, one example", "  same, against the floor with math.sumprod", "%.2fx" % r, "", verdict(r <= 1.2))
    forward = times[FORWARD]
    if platform.python_implementation() == "PyPy":
        add("1. coffee, one example", "target: PyPy forward under 0.5 us", us(forward), "", verdict(forward < 0.5e-6))


def np_array(values):
    import numpy

    return numpy.array(values, dtype="float32")


def optional_keras():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return optional("keras")


# --- 2. batches ------------------------------------------------------------------


def random_model(sizes, activation, seed=1):
    rnd = random.Random(seed)
    layers = []
    for n_in, units in zip(sizes, sizes[1:]):
        rows = [[rnd.uniform(-0.3, 0.3) for _ in range(n_in)] for _ in range(units)]
        layers.append(Dense.from_neurons(rows, [rnd.uniform(-0.5, 0.5) for _ in range(units)], activation))
    return Sequential(layers)


def digits_model():
    with open(os.path.join(ROOT, "tests", "data", "digits", "digits.json")) as f:
        weights = json.load(f)["weights"]
    if "softmax" in activations.names():
        last, note = "softmax", ""
    else:  # this version of neuron has no softmax: a vector activation of the same cost
        last, note = activations.Activation("softmax", {}, False, _softmax), " (softmax from bench/run.py)"
    model = Sequential([Dense(32, "relu"), Dense(16, "relu"), Dense(10, last)])
    model.set_weights(weights)
    return model, note


def _softmax(zs):
    top = max(zs)
    exps = [math.exp(z - top) for z in zs]
    total = sum(exps)
    return [e / total for e in exps]


def digits_rows():
    X, y = [], []
    with open(os.path.join(ROOT, "tests", "data", "digits", "digits_test.csv")) as f:
        f.readline()
        for line in f:
            values = line.strip().split(",")
            X.append([float(v) for v in values[:-1]])
            y.append(int(values[-1]))
    return X, y


def kernel_floor(model, X):
    """The fastest allowed kernel alone, on the same weights in lists: every unit's dot product."""
    layers = [layer._rows for layer in model.layers]
    inputs = []  # each layer's real inputs for each row, computed beforehand
    for x in X:
        per_layer = []
        values = x
        for layer in model.layers:
            per_layer.append(values)
            values = layer._forward(values)
        inputs.append(per_layer)
    dot = kernel_dot

    def run():
        for per_layer in inputs:
            for rows, a in zip(layers, per_layer):
                [dot(w, a) for w in rows]

    return run


def macs(model):
    return sum(len(layer._rows) * len(layer._rows[0]) for layer in model.layers)


def section_batches():
    rows = 100 if QUICK else 1000
    rnd = random.Random(5)
    cases = []
    big = random_model([400, 25, 15, 1], "sigmoid")
    cases.append(("400-25-15-1 sigmoid", big, [[rnd.random() for _ in range(400)] for _ in range(rows)]))
    digits, note = digits_model()
    test_X, _ = digits_rows()
    cases.append(("digits 64-32-16-10" + note, digits, [test_X[i % len(test_X)] for i in range(rows)]))
    np = optional("numpy")
    for name, model, X in cases:
        n = len(X) * macs(model)
        floor = kernel_floor(model, X)
        slim = Sequential([Dense.from_neurons(l.neurons, l.bias, l.activation) for l in model.layers])
        compact(slim)
        funcs = {"predict": lambda: model.predict(X), "kernel": floor, "compact": lambda: slim.predict(X)}
        if np is not None:
            weights = [(np.array(l.kernel), np.array(l.bias)) for l in model.layers]
            nX = np.array(X)

            def numpy_batch():
                a = nX
                for W, b in weights:
                    a = 1 / (1 + np.exp(-(a @ W + b)))
                return a

            funcs["numpy"] = numpy_batch
        times = interleaved(funcs, rounds=3 if QUICK else 9)
        predict, kernel = times["predict"], times["kernel"]
        section = "2. batch of %d rows" % len(X)
        r = ratio("predict", "kernel")
        add(section, name + ": predict", "%.1f ns/MAC" % (predict / n * 1e9),
            "%.2fx the kernel alone" % r, verdict(r <= 1.15) + " (<= 1.15x)")
        add(section, name + ": kernel alone (%s)" % KERNEL, "%.1f ns/MAC" % (kernel / n * 1e9))
        add(section, name + ": predict, compact storage", "%.1f ns/MAC" % (times["compact"] / n * 1e9),
            "%.2fx default predict" % ratio("compact", "predict"))
        if "numpy" in times:
            add(section, name + ": NumPy X @ W (float64, whole batch; sigmoid everywhere)",
                "%.2f ns/MAC" % (times["numpy"] / n * 1e9), "%.3g us per row" % (times["numpy"] / len(X) * 1e6))


# --- 3. cold start ----------------------------------------------------------------


def venv_python():
    """This interpreter if it runs in a virtual environment, else a fresh venv made from it."""
    if sys.prefix != getattr(sys, "base_prefix", sys.prefix):
        return sys.executable, "this virtual environment"
    target = os.path.join(tempfile.gettempdir(), "neuron-bench-venv-%s" % platform.python_version())
    python = os.path.join(target, "bin", "python")
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", target], check=True)
    return python, "a fresh venv without the optional packages (%s)" % target


def child_env():
    # As an installed package runs: with its bytecode cached (pip compiles it
    # at install), so a PYTHONDONTWRITEBYTECODE in this shell must not leak
    # into the children.
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def start_time(python, code, runs):
    times = []
    env = child_env()
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([python, "-c", code], cwd=ROOT, check=True, stdout=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def section_cold_start():
    python, where = venv_python()
    runs = 5 if QUICK else 21
    subprocess.run([python, "-m", "compileall", "-q", os.path.join(ROOT, "neuron")], check=True,
                   stdout=subprocess.DEVNULL, env=child_env())
    predict = "import neuron\nfrom neuron.models import coffee\ncoffee().predict([[200.0, 13.9]])"
    model_file = None
    if hasattr(neuron, "load") and hasattr(Sequential, "save"):
        model_file = os.path.join(tempfile.gettempdir(), "neuron-bench-coffee.json")
        coffee().save(model_file)
        predict = "import neuron\nneuron.load(%r).predict([[200.0, 13.9]])" % model_file
    cases = [
        ("bare `python -c pass`", "pass"),
        ("import neuron", "import neuron"),
        ("import neuron, build coffee%s, predict one roast" % (" from its JSON file" if model_file else " (reads the CSV, adapts)"),
         predict),
        ("import json", "import json"),
    ]
    check = subprocess.run([python, "-c", "import numpy"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if check.returncode == 0:
        cases.append(("import numpy", "import numpy"))
    if not QUICK:
        for module in ("torch", "keras"):
            ok = subprocess.run([python, "-c", "import " + module], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL).returncode == 0
            if ok:
                cases.append(("import " + module, "import " + module))
    bare = None
    section = "3. cold start (%s)" % where
    # Round robin over the light cases, so load changes hit them all alike.
    light = [(name, code) for name, code in cases if not any(m in code for m in ("torch", "keras"))]
    samples = {name: [] for name, _ in cases}
    for _ in range(runs):
        for name, code in light:
            samples[name].append(start_time(python, code, 1))
    for name, code in cases:
        if not samples[name]:
            samples[name].append(start_time(python, code, 3))
    for name, code in cases:
        t = statistics.median(samples[name])
        if bare is None:
            bare = t
            add(section, name, "%.1f ms" % (t * 1e3))
            continue
        target = ""
        if name == "import neuron":
            target = verdict(t - bare <= 0.010) + " (adds <= 10 ms)"
        elif name.startswith("import neuron, build"):
            target = verdict(t / bare <= 2.5) + " (<= 2.5x bare)"
        add(section, name, "%.1f ms" % (t * 1e3), "adds %.1f ms; %.2fx bare" % ((t - bare) * 1e3, t / bare), target)


# --- 4. memory ----------------------------------------------------------------------


def section_memory():
    try:
        import tracemalloc
    except ImportError:
        tracemalloc = None

    digits, _ = digits_model()
    big = random_model([400, 25, 15, 1], "sigmoid")
    for name, model in (("digits 64-32-16-10", digits), ("400-25-15-1", big)):
        try:
            default = bytes_per_parameter(model)
        except (TypeError, ValueError):  # PyPy cannot size an object (neuron says so)
            add("4. memory", name + ": bytes per weight", "not measured: no sys.getsizeof on this interpreter")
            continue
        slim = Sequential([Dense.from_neurons(l.neurons, l.bias, l.activation) for l in model.layers])
        compact(slim)
        add("4. memory", name + ": bytes per weight", "%.1f default" % default,
            "%.1f compact (array('d'))" % bytes_per_parameter(slim))
    X, _ = digits_rows()
    digits.predict(X[:2])  # compile outside the measurement
    if not hasattr(tracemalloc, "start") or platform.python_implementation() != "CPython":
        add("4. memory", "peak of predict", "not measured: no tracemalloc on this interpreter")
        return
    tracemalloc.start()
    digits.predict(X)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    add("4. memory", "digits test set (%d rows): peak of predict (tracemalloc)" % len(X), "%.1f KiB" % (peak / 1024),
        "%.0f bytes per row" % (peak / len(X)))


# --- the table ------------------------------------------------------------------


def table(info):
    lines = [
        "neuron benchmark%s" % (" (--quick)" if QUICK else ""),
        "",
        "- interpreter: %s (kernel: %s)" % (info["interpreter"], info["kernel"]),
        "- machine: %s" % info["machine"],
        "- commit: %s, %s" % (info["commit"], info["date"]),
        "",
        "| section | what | time / size | ratio | target |",
        "|---|---|---|---|---|",
    ]
    for row in RESULTS:
        lines.append("| %s |" % " | ".join(row))
    return "\n".join(lines)


def main():
    info = machine()
    sys.stderr.write("neuron bench on %s%s\n" % (info["interpreter"], " --quick" if QUICK else ""))
    for section in (section_coffee, section_batches, section_cold_start, section_memory):
        start = time.perf_counter()
        try:
            section()
        except Exception as error:  # report and carry on: the table is the product
            add(section.__name__, "failed: %s: %s" % (type(error).__name__, error), "")
        sys.stderr.write("  %s: %.1f s\n" % (section.__name__, time.perf_counter() - start))
    print(table(info))
    return 0


if __name__ == "__main__":
    sys.exit(main())
