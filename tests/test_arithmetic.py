"""The arithmetic contract: dot, the kernel, sigmoid, dense, and the course's worked examples."""

import json
import math
import os
import struct
import sys
from decimal import Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

import neuron
from neuron import vector
from neuron.models import coffee, coffee_data

from bounds import U, assert_close, dot_bound, gamma, running_bound

DATA = os.path.join(os.path.dirname(__file__), "data")

with open(os.path.join(DATA, "coffee", "course_facts.json")) as f:
    FACTS = json.load(f)

# Values whose products and sums of up to 40 terms cannot overflow.
finite = st.floats(min_value=-1e150, max_value=1e150, allow_nan=False, allow_infinity=False)


def pairs(max_size=40):
    return st.integers(1, max_size).flatmap(
        lambda n: st.tuples(st.lists(finite, min_size=n, max_size=n), st.lists(finite, min_size=n, max_size=n))
    )


def bits(x):
    return struct.pack("<d", x)


def exact_dot(w, x):
    return sum((Fraction(a) * Fraction(b) for a, b in zip(w, x)), Fraction(0))


# --- dot and the kernel -------------------------------------------------------


def test_dot_worked_examples():
    assert neuron.dot([1.0, 2.0], [3.0, 4.0]) == 11.0
    assert neuron.dot([0.5, -1.0, 2.0], [2.0, 3.0, 0.25]) == -1.5
    assert neuron.dot([3], [4]) == 12.0 and type(neuron.dot([3], [4])) is float


def test_dot_overflow_propagates_as_ieee_says():
    assert math.isnan(neuron.dot([1e308, 1e308], [2.0, -2.0]))
    assert neuron.dot([1e308], [10.0]) == math.inf


@given(pairs())
def test_dot_is_within_the_rounding_bound_of_the_exact_sum(wx):
    w, x = wx
    got = neuron.dot(w, x)
    assert_close(Fraction(got), exact_dot(w, x), Fraction(dot_bound(w, x)), "dot")


@given(pairs())
def test_kernel_agrees_with_the_reference_loop(wx):
    w, x = wx
    reference = neuron.dot(w, x)
    fast = vector.kernel_dot(w, x)
    if vector.KERNEL == "math.sumprod":
        # Both are within the bound of the exact sum, so within twice it of each other.
        assert_close(Fraction(fast), Fraction(reference), 2 * Fraction(dot_bound(w, x)), "kernel")
    else:
        assert bits(fast) == bits(reference)


def test_kernel_rule_is_the_documented_one():
    if sys.implementation.name == "cpython" and sys.version_info >= (3, 12):
        assert vector.KERNEL == "math.sumprod"
    elif sys.implementation.name == "cpython":
        assert vector.KERNEL == "sum(map(mul, w, x))"
    else:
        assert vector.KERNEL == "loop"


def test_dot_errors():
    with pytest.raises(neuron.ShapeError, match="same length, got 2 and 3"):
        neuron.dot([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="must be a number, got str"):
        neuron.dot([1.0, "2"], [1.0, 2.0])
    with pytest.raises(TypeError, match="must be a number, got bool"):
        neuron.dot([True], [1.0])
    with pytest.raises(TypeError, match="list of numbers"):
        neuron.dot("12", [1.0, 2.0])
    with pytest.raises(neuron.NeuronError, match="too large"):
        neuron.dot([10 ** 400], [1.0])


# --- sigmoid ------------------------------------------------------------------


def test_sigmoid_pinned_values():
    assert neuron.sigmoid(0.0) == 0.5
    assert neuron.sigmoid(-0.0) == 0.5
    assert neuron.sigmoid(1000.0) == 1.0
    assert neuron.sigmoid(-1000.0) == 0.0
    assert neuron.sigmoid(-745.0) == 5e-324
    assert neuron.sigmoid(-710.0) == 4.47628622567513e-309
    assert math.isnan(neuron.sigmoid(math.nan))
    assert neuron.sigmoid(math.inf) == 1.0 and neuron.sigmoid(-math.inf) == 0.0


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_sigmoid_never_raises_and_stays_in_0_1(z):
    a = neuron.sigmoid(z)
    assert 0.0 <= a <= 1.0


@given(st.floats(min_value=-700, max_value=700))
def test_sigmoid_matches_the_closed_form(z):
    # 1 / (1 + e^-z) evaluated in 40-digit decimal arithmetic is the oracle;
    # the float formula makes at most an exp (LIBM) and two roundings.
    with localcontext() as ctx:
        ctx.prec = 40
        exact = 1 / (1 + (-Decimal(z)).exp())
    got = neuron.sigmoid(z)
    assert_close(Decimal(got), exact, Decimal(5 * U) * exact, "sigmoid(%r)" % z)


@given(st.floats(min_value=-700, max_value=700))
def test_sigmoid_symmetry(z):
    # sigmoid(-z) = 1 - sigmoid(z); each side is off by a few u (absolute,
    # the values are at most 1), 1 - s adds one rounding.
    assert_close(neuron.sigmoid(-z), 1.0 - neuron.sigmoid(z), 10 * U, "symmetry at %r" % z)


@given(st.floats(allow_nan=False), st.floats(allow_nan=False))
def test_sigmoid_is_monotone(z1, z2):
    lo, hi = min(z1, z2), max(z1, z2)
    assert neuron.sigmoid(lo) <= neuron.sigmoid(hi)


def test_sigmoid_type_errors():
    with pytest.raises(TypeError):
        neuron.sigmoid("1")
    with pytest.raises(TypeError):
        neuron.sigmoid(True)


# --- dense and Dense ----------------------------------------------------------


def g_3z(z):
    return 3 * z


def test_assignment_my_dense_checks():
    t = FACTS["assignment_tests_linear"]
    for case in t["cases"]:
        g = {"linear": "linear", "3*z": g_3z}[case["g"]]
        assert neuron.dense(t["x"], t["W"], case["b"], g) == case["expected"]
    for case in t["batch_cases"]:
        g = {"linear": "linear", "3*z": g_3z}[case["g"]]
        layer = neuron.Dense(3, g, kernel=t["batch_W"], bias=case["b"])
        assert neuron.Sequential([layer]).predict(t["batch_X"]) == case["expected"]


def test_assignment_my_dense_sigmoid():
    # The course printed 8 decimals: equal to within half a unit of the 8th.
    for facts, X in (
        (FACTS["assignment_my_dense"], [FACTS["assignment_my_dense"]["x"]]),
        (FACTS["assignment_my_dense_v"], FACTS["assignment_my_dense_v"]["X"]),
    ):
        printed = facts["printed"] if isinstance(facts["printed"][0], list) else [facts["printed"]]
        for x, want in zip(X, printed):
            got = neuron.dense(x, facts["W"], facts["b"], neuron.sigmoid)
            for a, p in zip(got, want):
                assert abs(a - p) <= 0.5e-8 + 1e-15


def test_neurons_lab():
    lin = FACTS["neurons_lab"]["linear_neuron"]
    layer = neuron.Dense(1, "linear", kernel=[[lin["w"]]], bias=[lin["b"]])
    assert [layer([x])[0] for x in lin["x"]] == lin["expected"]
    log = FACTS["neurons_lab"]["logistic_neuron"]
    layer = neuron.Dense(1, "sigmoid", kernel=[[log["w"]]], bias=[log["b"]])
    for x, want in zip(log["x"], log["expected"]):
        a = layer([x])[0]
        assert_close(a, want, sigmoid_error(a, x * log["w"] + log["b"]), "logistic neuron at %r" % x)
    assert neuron.decide([layer([x])[0] for x in log["x"]]) == log["decisions"]


def sigmoid_error(a, z):
    # Two float evaluations of the same sigmoid: each within (2 + LIBM) u.
    return 8 * U * a + a * (1 - a) * gamma(2) * abs(z)


matrices = st.integers(1, 6).flatmap(
    lambda n_in: st.integers(1, 5).flatmap(
        lambda units: st.tuples(
            st.lists(st.lists(finite.map(lambda v: v / 1e140), min_size=units, max_size=units),
                     min_size=n_in, max_size=n_in),
            st.lists(finite.map(lambda v: v / 1e140), min_size=units, max_size=units),
            st.lists(finite.map(lambda v: v / 1e140), min_size=n_in, max_size=n_in),
        )
    )
)


@given(matrices, st.sampled_from(["linear", "relu", "sigmoid"]))
def test_dense_equals_the_neuron_by_neuron_computation(case, g):
    W, b, x = case
    got = neuron.dense(x, W, b, g)
    act = neuron.activations.get(g)
    by_hand = []
    for j in range(len(b)):
        w_j = [row[j] for row in W]
        by_hand.append(act(vector.kernel_dot(w_j, x) + b[j]))
    assert [bits(v) for v in got] == [bits(v) for v in by_hand]
    layer = neuron.Dense(len(b), g, kernel=W, bias=b)
    from_neurons = neuron.Dense.from_neurons([[row[j] for row in W] for j in range(len(b))], b, g)
    assert [bits(v) for v in layer(x)] == [bits(v) for v in got]
    assert [bits(v) for v in from_neurons(x)] == [bits(v) for v in got]


@given(matrices, st.floats(-1e3, 1e3), st.floats(-1e3, 1e3))
def test_a_linear_layer_is_linear(case, s, t):
    # L(s x + t y) = s L(x) + t L(y) - (s + t - 1) b, up to rounding.
    W, b, x = case
    y = [v * 0.5 + 1.0 for v in x]
    layer = neuron.Dense(len(b), "linear", kernel=W, bias=b)
    combined = layer([s * xi + t * yi for xi, yi in zip(x, y)])
    lx, ly = layer(x), layer(y)
    for j in range(len(b)):
        want = s * lx[j] + t * ly[j] - (s + t - 1) * b[j]
        col = [row[j] for row in W]
        scale = (abs(s) + abs(t) + 1) * (
            sum(abs(w) * (abs(xi) + abs(yi)) for w, xi, yi in zip(col, x, y)) + 3 * abs(b[j])
        ) + sum(abs(w) for w in col) * (abs(s) + abs(t)) * max([abs(v) for v in x + y] + [0])
        assert_close(combined[j], want, gamma(len(col) + 8) * scale + 1e-300, "linearity")


# --- models: predict, trace ----------------------------------------------------


models = st.integers(1, 4).flatmap(
    lambda n_in: st.tuples(
        st.just(n_in),
        st.lists(st.tuples(st.integers(1, 4), st.sampled_from(["linear", "relu", "sigmoid"])), min_size=1, max_size=3),
        st.randoms(use_true_random=False),
    )
)


def build(spec):
    n_in, layer_specs, rnd = spec
    layers = []
    size = n_in
    for units, g in layer_specs:
        kernel = [[rnd.uniform(-3, 3) for _ in range(units)] for _ in range(size)]
        layers.append(neuron.Dense(units, g, kernel=kernel, bias=[rnd.uniform(-1, 1) for _ in range(units)]))
        size = units
    return neuron.Sequential(layers), n_in


rows = st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=4)


@given(models, st.lists(st.lists(st.floats(-1e6, 1e6), min_size=4, max_size=4), min_size=1, max_size=5))
def test_predict_equals_forward_row_by_row_bit_for_bit(spec, X):
    model, n_in = build(spec)
    X = [row[:n_in] for row in X]
    batch = model.predict(X)
    for row, out in zip(X, batch):
        assert [bits(v) for v in out] == [bits(v) for v in model.forward(row)]


@given(models, st.lists(st.floats(-1e6, 1e6), min_size=4, max_size=4))
def test_trace_ends_with_forwards_values_bit_for_bit(spec, x):
    model, n_in = build(spec)
    x = x[:n_in]
    trace = model.trace(x)
    assert [bits(v) for v in trace.outputs] == [bits(v) for v in model(x)]
    assert [s.l for s in trace.dense_steps] == list(range(1, len(model.layers) + 1))
    for step in trace.dense_steps:
        for unit in step.units:
            exact = exact_dot(unit.weights, step.inputs) + Fraction(unit.bias)
            bound = gamma(len(unit.weights) + 1) * (
                sum(abs(Fraction(w) * Fraction(v)) for w, v in zip(unit.weights, step.inputs)) + abs(Fraction(unit.bias))
            )
            assert_close(Fraction(unit.z), exact, bound + Fraction(TINY_N(len(unit.weights))), "trace z")


def TINY_N(n):
    return n * 2.0 ** -1074


# --- the course's coffee numbers ----------------------------------------------


def test_coffee_statistics_match_the_course():
    X, y = coffee_data()
    assert len(X) == FACTS["data"]["rows"] and sum(y) == FACTS["data"]["positives"]
    norm = coffee().layers[0]
    n = len(X)
    for got, want, col in zip(norm.mean, FACTS["data"]["mean_float64"], zip(*X)):
        # fsum is correctly rounded; NumPy's pairwise sum is within gamma(n).
        assert_close(got, want, gamma(n + 1) * sum(abs(v) for v in col) / n, "mean")
    for got, want in zip(norm.variance, FACTS["data"]["population_variance_float64"]):
        assert_close(got, want, 2 * gamma(n + 4) * want, "variance")
    printed = FACTS["data"]["printed"]
    assert [round(max(c), 2) for c in zip(*X)] == [printed["temperature_max_min"][0], printed["duration_max_min"][0]]
    assert [round(min(c), 2) for c in zip(*X)] == [printed["temperature_max_min"][1], printed["duration_max_min"][1]]
    normalized = [norm(row) for row in X]
    assert [round(max(c), 2) for c in zip(*normalized)] == [
        printed["normalized_temperature_max_min"][0], printed["normalized_duration_max_min"][0]]
    assert [round(min(c), 2) for c in zip(*normalized)] == [
        printed["normalized_temperature_max_min"][1], printed["normalized_duration_max_min"][1]]


@pytest.mark.parametrize("weights,key,predictions", [
    ("tensorflow", "tf_lab_saved_weights", "float64_predictions"),
    ("numpy", "numpy_lab_weights", "float64_predictions"),
])
def test_coffee_predictions_match_the_course(weights, key, predictions):
    # The course's float64 values come from NumPy's sums and its own
    # statistics: both it and neuron are within the running error bound of
    # the exact forward pass, so within twice that bound of each other.
    model = coffee(weights)
    tests = [[200.0, 13.9], [200.0, 17.0]]
    for x, want in zip(tests, FACTS[key][predictions]):
        got = model(x)[0]
        bound = running_bound(model, x)[0]
        assert_close(got, want, 2 * bound, "coffee %s %r" % (weights, x))
    assert neuron.decide(model.predict(tests)) == [[1], [0]]
    X, y = coffee_data()
    predicted = neuron.decide(model.predict(X))
    assert neuron.accuracy(y, predicted) == 1.0
    assert neuron.confusion_matrix(y, predicted) == [[157, 0], [0, 43]]


def test_coffee_layer1_activations_match_the_numpy_lab():
    model = coffee("numpy")
    for x, want in zip([[200.0, 13.9], [200.0, 17.0]], FACTS["numpy_lab_weights"]["float64_layer1_activations"]):
        trace = model.trace(x)
        got = trace.dense_steps[0].outputs
        sub = neuron.Sequential(model.layers[:2])
        bounds = running_bound(sub, x)
        for g, w, b in zip(got, want, bounds):
            assert_close(g, w, 2 * b, "layer 1 activation")
