"""Worked examples, pinned values, bad input and the never-raises promise."""

import math

import pytest
from hypothesis import given

from neuron import activations
from neuron.activations import get, names, sigmoid
from neuron.errors import NeuronError, ShapeError
from test_activations_support import finite, ulps_apart

NAN = float("nan")
INF = float("inf")

KERAS_3 = [
    "relu", "leaky_relu", "relu6", "elu", "selu", "celu", "gelu", "sigmoid",
    "hard_sigmoid", "hard_silu", "hard_swish", "silu", "swish", "softplus",
    "softsign", "tanh", "tanh_shrink", "hard_tanh", "hard_shrink", "soft_shrink",
    "threshold", "squareplus", "sparse_plus", "sparse_sigmoid", "log_sigmoid",
    "exponential", "mish", "linear", "softmax", "log_softmax", "glu", "sparsemax",
]
VECTOR = {"softmax", "log_softmax", "sparsemax", "glu", "torch.softmax",
          "torch.log_softmax", "torch.glu", "sklearn.softmax"}
REQUIRED = {"threshold": {"threshold": 0.5, "default_value": -1.0},
            "torch.threshold": {"threshold": 0.5, "value": -1.0}}


def make(name):
    return get(name, **REQUIRED.get(name, {}))


EVERY = [make(name) for name in names()]
ELEMENTWISE = [g for g in EVERY if g.elementwise]


def test_every_keras_3_name_is_there():
    for name in KERAS_3:
        assert name in names()
    assert set(names()) >= set(KERAS_3)


def test_vector_ones_are_marked():
    assert set(g.name for g in EVERY if not g.elementwise) == VECTOR


# --- pinned values (the list), within 2 ulps --------------------------

PINS = [
    ("sigmoid", {}, -710.0, 4.47628622567513e-309),
    ("sigmoid", {}, -745.0, 5e-324),
    ("sigmoid", {}, 1000.0, 1.0),
    ("tanh", {}, 1000.0, 1.0),
    ("softplus", {}, 1e10, 1e10),
    ("softplus", {}, 20.0, 20.000000002061153),
    ("softplus", {}, -1e10, 0.0),
    ("gelu", {}, 1.0, 0.8413447460685429),
    ("gelu", {"approximate": True}, 1.0, 0.8411919906082767),
    ("gelu", {}, -3.0, -0.0040496940948902835),
    ("selu", {}, -1.0, -1.1113307378125628),
    ("hard_sigmoid", {}, 1.0, 2.0 / 3.0),
    ("keras2.hard_sigmoid", {}, 1.0, 0.7),
    ("torch.gelu", {"approximate": "tanh"}, 1.0, 0.8411919906082767),
]


@pytest.mark.parametrize("name, params, z, want", PINS)
def test_pinned_values(name, params, z, want):
    got = get(name, **params)(z)
    assert ulps_apart(got, want) <= 2, (got, want)


def test_softmax_pinned():
    got = get("softmax")([1000.0, 1001.0])
    want = [0.2689414213699951, 0.7310585786300049]
    assert all(ulps_apart(g, w) <= 2 for g, w in zip(got, want)), got


def test_sparsemax_where_keras_returns_zeros():
    # 121.2 - 120.5 is 0.7000000000000028 in floats, so the exact answer
    # for these float inputs is 0.15 and 0.85 shifted by 1.4e-15.
    got = get("sparsemax")([120.5, 121.2, -30.0, 5.0])
    assert got[2:] == [0.0, 0.0]
    assert abs(got[0] - 0.15) < 2e-15 and abs(got[1] - 0.85) < 2e-15
    assert got[0] + got[1] == 1.0


# --- worked examples with exactly representable values ------------------------

EXAMPLES = [
    ("linear", {}, [-2.5, 0.0, 3.0], [-2.5, 0.0, 3.0]),
    ("relu", {}, [-2.0, -0.0, 0.0, 3.5], [0.0, 0.0, 0.0, 3.5]),
    ("relu", {"negative_slope": 0.5}, [-10.0, -5.0, 0.0, 5.0, 10.0], [-5.0, -2.5, 0.0, 5.0, 10.0]),
    ("relu", {"max_value": 5.0}, [-10.0, -5.0, 0.0, 5.0, 10.0], [0.0, 0.0, 0.0, 5.0, 5.0]),
    ("relu", {"threshold": 5.0}, [-10.0, -5.0, 0.0, 5.0, 10.0], [0.0, 0.0, 0.0, 0.0, 10.0]),
    ("relu", {"negative_slope": 0.5, "max_value": 6.0, "threshold": 1.0},
     [-1.0, 1.0, 2.0, 8.0], [-1.0, 0.0, 2.0, 6.0]),
    ("relu", {"threshold": -1.0}, [-2.0, -0.5, 3.0], [0.0, -0.5, 3.0]),
    ("relu", {"max_value": 6.0}, [-1.0, 7.0], [0.0, 6.0]),
    ("leaky_relu", {}, [-1.0, 2.0], [-0.2, 2.0]),
    ("torch.leaky_relu", {}, [-1.0, 2.0], [-0.01, 2.0]),
    ("relu6", {}, [-1.0, 3.0, 7.0], [0.0, 3.0, 6.0]),
    ("elu", {"alpha": 2.0}, [0.0, 1.5], [0.0, 1.5]),
    ("hard_sigmoid", {}, [-4.0, -3.0, 0.0, 3.0, 4.0], [0.0, 0.0, 0.5, 1.0, 1.0]),
    ("keras2.hard_sigmoid", {}, [-3.0, -2.5, 0.0, 2.5, 3.0], [0.0, 0.0, 0.5, 1.0, 1.0]),
    ("hard_silu", {}, [-4.0, -3.0, 0.0, 1.0, 3.0, 4.0], [0.0, 0.0, 0.0, 4.0 / 6.0, 3.0, 4.0]),
    ("softsign", {}, [-1.0, 0.0, 3.0], [-0.5, 0.0, 0.75]),
    ("hard_tanh", {}, [-2.0, -0.5, 0.25, 2.0], [-1.0, -0.5, 0.25, 1.0]),
    ("hard_shrink", {}, [-0.5, 0.0, 0.5, 1.0, -0.75], [0.0, 0.0, 0.0, 1.0, -0.75]),
    ("soft_shrink", {}, [-1.0, -0.5, 0.25, 0.75], [-0.5, 0.0, 0.0, 0.25]),
    ("threshold", {"threshold": 1.0, "default_value": 0.0}, [-1.0, 0.0, 1.0, 2.0], [0.0, 0.0, 0.0, 2.0]),
    ("torch.threshold", {"threshold": 1.0, "value": 9.0}, [1.0, 2.0], [9.0, 2.0]),
    ("squareplus", {}, [0.0, 1.5], [1.0, 2.0]),
    ("squareplus", {"b": 0.0}, [-3.0, 2.0], [0.0, 2.0]),
    ("sparse_plus", {}, [-1.0, 0.0, 1.0, 2.0], [0.0, 0.25, 1.0, 2.0]),
    ("sparse_sigmoid", {}, [-6.0, -1.0, 0.0, 1.0, 6.0], [0.0, 0.0, 0.5, 1.0, 1.0]),
    ("sigmoid", {}, [0.0], [0.5]),
    ("exponential", {}, [0.0, 1e308], [1.0, INF]),
    ("torch.softplus", {}, [25.0], [25.0]),
    ("torch.softplus", {"beta": 2.0, "threshold": 1.0}, [1.0], [1.0]),
    ("torch.hardtanh", {"min_val": -2.0, "max_val": 3.0}, [-5.0, 0.5, 5.0], [-2.0, 0.5, 3.0]),
    ("softmax", {}, [0.0, 0.0, 0.0, 0.0], [0.25, 0.25, 0.25, 0.25]),
    ("softmax", {}, [5.0], [1.0]),
    ("log_softmax", {}, [0.0, 0.0], [-math.log(2.0)] * 2),
    ("sparsemax", {}, [-1.0, 0.0, 1.0], [0.0, 0.0, 1.0]),
    ("sparsemax", {}, [0.5, 0.0], [0.75, 0.25]),
    ("glu", {}, [-1.0, 0.0, 1.0, 1.0], [-sigmoid(1.0), 0.0]),
]


@pytest.mark.parametrize("name, params, zs, want", EXAMPLES)
def test_worked_examples(name, params, zs, want):
    assert get(name, **params)(zs) == want


def test_relu_zero_signs():
    # relu(-0.0) is +0.0, not -0.0.
    for z in (-0.0, 0.0):
        assert math.copysign(1.0, get("relu")(z)) == 1.0
        assert math.copysign(1.0, get("relu6")(z)) == 1.0


def test_one_number_and_a_list_agree():
    g = get("gelu")
    zs = [-3.0, -0.5, 0.0, 2.0]
    assert g(zs) == [g(z) for z in zs]
    with pytest.raises(TypeError):
        get("softmax")(1.0)


# --- never raises, NaN in gives NaN out ---------------------------------------

EXTREMES = [0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-300, -1e-300,
            1.0, -1.0, 709.8, -709.8, 710.0, -710.0, 745.2, -745.2, 1e154, -1e154,
            1e155, -1e155, 1e300, -1e300, 1.7976931348623157e308, -1.7976931348623157e308]


@pytest.mark.parametrize("g", EVERY, ids=lambda g: g.name)
def test_no_exception_at_the_extremes(g):
    for z in EXTREMES:
        if g.elementwise:
            out = g(z)
            assert isinstance(out, float)
        else:
            out = g([z, -z, 0.0, 1.0])
            assert len(out) == (2 if g.name.endswith("glu") else 4)


@pytest.mark.parametrize("g", ELEMENTWISE, ids=lambda g: g.name)
@given(z=finite)
def test_no_exception_for_any_finite_float(g, z):
    out = g(z)
    assert out == out, "%s(%r) gave NaN" % (g.name, z)
    # Finite wherever the true value is: only exponential and selu (scale
    # 1.0507 times z) can exceed the largest float.
    overflows = (g.name == "exponential" and z > 709.78) or (
        g.name.endswith("selu") and z > 1.7976931348623157e308 / 1.0507009873554805)
    if not overflows:
        assert out - out == 0.0, "%s(%r) = %r" % (g.name, z, out)


@pytest.mark.parametrize("g", [g for g in EVERY if not g.elementwise], ids=lambda g: g.name)
@given(a=finite, b=finite)
def test_vector_ones_never_raise(g, a, b):
    out = g([a, b, -a, 0.0])
    assert len(out) in (2, 4)
    if g.name.endswith("softmax") and "log" not in g.name:
        assert all(0.0 <= p <= 1.0 for p in out)


@pytest.mark.parametrize("g", EVERY, ids=lambda g: g.name)
def test_nan_in_nan_out(g):
    if g.elementwise:
        out = g(NAN)
        assert out != out, "%s(nan) = %r" % (g.name, out)
    else:
        out = g([NAN, 1.0, 2.0, 3.0])
        if g.name.endswith("glu"):
            out = out[:1]  # glu pairs z_i with z_(i + n/2): only the first sees NaN
        assert all(v != v for v in out), "%s: %r" % (g.name, out)


def test_infinity_does_not_raise():
    for g in EVERY:
        if g.elementwise:
            g(INF)
            g(-INF)
        else:
            g([INF, 1.0])
            g([-INF, 1.0])
    assert get("softmax")([INF, 0.0, INF, 1.0]) == [0.5, 0.0, 0.5, 0.0]
    assert get("exponential")(-INF) == 0.0
    assert get("relu")(INF) == INF


# --- bad input ------------------------------------------------------------------


def test_unknown_name_suggests_close_ones():
    with pytest.raises(NeuronError) as info:
        get("leaky_rel")
    assert "leaky_relu" in str(info.value)
    with pytest.raises(ValueError):
        get("no_such_thing_at_all")


def test_unknown_parameter_names_it():
    with pytest.raises(TypeError) as info:
        get("elu", alhpa=2.0)
    assert "alhpa" in str(info.value)
    with pytest.raises(TypeError):
        get("sigmoid", alpha=1.0)


def test_required_parameters():
    with pytest.raises(TypeError) as info:
        get("threshold", threshold=1.0)
    assert "default_value" in str(info.value)


def test_parameters_become_floats():
    g = get("elu", alpha=2)
    assert g.params == {"alpha": 2.0} and type(g.params["alpha"]) is float
    assert get("relu").params == {"negative_slope": 0.0, "max_value": None, "threshold": 0.0}
    assert get("gelu", approximate=True).params == {"approximate": True}


def test_parameter_types():
    with pytest.raises(TypeError):
        get("gelu", approximate=1)
    with pytest.raises(TypeError):
        get("torch.gelu", approximate=True)
    with pytest.raises(TypeError):
        get("elu", alpha="2")
    with pytest.raises(NeuronError):
        get("torch.gelu", approximate="fast")


@pytest.mark.parametrize("name, params", [
    ("celu", {"alpha": 0.0}), ("torch.softplus", {"beta": 0.0}),
    ("squareplus", {"b": -1.0}), ("torch.hardtanh", {"min_val": 2.0, "max_val": 1.0}),
])
def test_parameter_values_that_would_divide_by_zero_or_fail(name, params):
    with pytest.raises(NeuronError):
        get(name, **params)


def test_glu_needs_an_even_vector():
    with pytest.raises(ShapeError):
        get("glu")([1.0, 2.0, 3.0])


def test_registry_docs_say_the_formula():
    for name in names():
        assert activations._REGISTRY[name].doc.startswith("g(z) = ")


def test_nan_stays_nan_after_a_jit_warms_up():
    # PyPy 7.3's JIT, once a loop is hot, compiled `0.0 if z <= 0.0 else z`
    # after `if z > 0.0` into 0.0 for NaN.  Warm every element-wise
    # activation up on finite values the way a layer calls it, then feed NaN.
    xs = [i * 0.37 - 50.0 for i in range(300)]
    for name in names():
        try:
            g = get(name)
        except TypeError:
            continue  # needs parameters
        if not g.elementwise:
            continue
        for _ in range(100):
            g.apply(xs)
        assert math.isnan(g.apply([math.nan, -1.0])[0]), name
