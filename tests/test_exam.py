"""Exam mode: the same seed gives the same exam; the key is exact for linear and relu."""

import random
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import neuron.exam as exam_module
from neuron import NeuronError
from neuron.cli import main
from neuron.exam import exact_decimal, make_exam

from golden import check


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("fmt, ext", [("markdown", "md"), ("latex", "tex")])
def test_exam_seed_7_golden(capsys, fmt, ext):
    code, out, err = run_cli(capsys, "exam", "--seed", "7", "--format", fmt)
    assert code == 0 and err == ""
    check("exam/seed7_2-3-1_relu.%s" % ext, out)


def test_exam_sigmoid_golden(capsys):
    code, out, _ = run_cli(capsys, "exam", "--seed", "7", "--activation", "sigmoid", "--layers", "3,2,2")
    assert code == 0
    check("exam/seed7_3-2-2_sigmoid.md", out)


def test_parts_and_answers_file(capsys, tmp_path):
    _, both, _ = run_cli(capsys, "exam", "--seed", "7")
    _, question, _ = run_cli(capsys, "exam", "--seed", "7", "--part", "question")
    _, answers, _ = run_cli(capsys, "exam", "--seed", "7", "--part", "answers")
    assert both == question.rstrip("\n") + "\n\n---\n\n" + answers
    assert "Answer key" not in question and "z[1]_1 =" not in question
    key = tmp_path / "key.md"
    code, out, _ = run_cli(capsys, "exam", "--seed", "7", "--answers", str(key))
    assert code == 0 and out == question and key.read_text() == answers
    _, latex, _ = run_cli(capsys, "exam", "--seed", "7", "--format", "latex")
    assert "\\newpage" in latex


def test_command_errors(capsys):
    code, _, err = run_cli(capsys, "exam", "--seed", "7", "--layers", "2,x")
    assert code == 2 and "--layers must be whole numbers" in err
    code, _, err = run_cli(capsys, "exam", "--seed", "7", "--layers", "2,30,1")
    assert code == 1 and "sizes[1] is 30; at most 8" in err
    # Thousands of layers once hung; 400 printed numbers of hundreds of digits.
    code, _, err = run_cli(capsys, "exam", "--seed", "7", "--layers", ",".join(["2"] * 5000))
    assert code == 1 and "4999 layers; at most 6 layers" in err
    code, _, err = run_cli(capsys, "exam", "--seed", "7", "--layers", ",".join(["8"] * 8))
    assert code == 1 and "7 layers; at most 6" in err
    code, out, _ = run_cli(capsys, "exam", "--seed", "7", "--layers", ",".join(["8"] * 7))
    assert code == 0 and "layer 6 has 8 units" in out
    code, _, err = run_cli(capsys, "exam", "--seed", "-1")
    assert code == 1 and "seed must be at least 0" in err
    with pytest.raises(NeuronError, match="activation must be one of"):
        make_exam(1, [2, 1], "tanh")
    with pytest.raises(TypeError, match="seed must be an int"):
        make_exam("7")
    with pytest.raises(NeuronError, match="part must be one of"):
        make_exam(1).document("markdown", "key")


_Random = random.Random


class OnlyRandom:
    """random.Random with nothing but random(): any other method would fail."""

    def __init__(self, seed):
        self.random = _Random(seed).random


def test_draws_only_through_random(monkeypatch):
    expected = make_exam(11, [3, 3, 2], "relu").document()
    monkeypatch.setattr(exam_module.random, "Random", OnlyRandom)
    assert make_exam(11, [3, 3, 2], "relu").document() == expected


SEEDS = st.integers(0, 2 ** 64)
SIZES = st.lists(st.integers(1, 4), min_size=2, max_size=4)


@settings(deadline=None, max_examples=40)
@given(SEEDS, SIZES, st.sampled_from(["relu", "linear"]))
def test_exact_key_agrees_with_the_float_model(seed, sizes, activation):
    exam = make_exam(seed, sizes, activation)
    assert exam.exact
    inputs = [float(v) for v in exam.inputs]
    floats = exam.model.forward(inputs)
    for exact, got in zip(exam.outputs, floats):
        assert isinstance(exact, Fraction)
        # A few roundings per layer on values of a few units: 1e-9 is loose
        # but still catches a wrong sign, weight or layer.
        assert abs(Fraction(got) - exact) <= Fraction(1, 10 ** 9) * (1 + abs(exact))
    # Every value of the key is a terminating decimal, printed in full.
    for step in exam.trace.steps:
        for unit in step.units:
            assert "/" not in exact_decimal(unit.z)
            assert Fraction(exact_decimal(unit.z)) == unit.z


@settings(deadline=None, max_examples=40)
@given(SEEDS, SIZES, st.sampled_from(["relu", "sigmoid", "linear"]))
def test_hand_friendly_and_repeatable(seed, sizes, activation):
    exam = make_exam(seed, sizes, activation)
    assert exam.document("latex") == make_exam(seed, sizes, activation).document("latex")
    values = list(exam.inputs)
    for rows, biases in exam.layers:
        for row in rows:
            values.extend(row)
        for b in biases:
            assert -2 <= int(b) <= 2
    for text in values:
        number = Decimal(text)
        assert number != 0
        assert number == number.to_integral_value() and abs(number) <= 3 or (
            abs(number) < 1 and number * 10 == (number * 10).to_integral_value()
        )
    if activation == "relu":
        for step in exam.trace.steps:
            assert any(a > 0 for a in step.outputs)


def test_relu_redraws_are_bounded(monkeypatch):
    # Even when no draw has an active unit in every layer, make_exam returns.
    import neuron.exam

    calls = []
    monkeypatch.setattr(neuron.exam, "_every_layer_active", lambda trace: calls.append(1) and False)
    assert make_exam(3, [2, 1]).sizes == [2, 1]
    assert len(calls) == neuron.exam.MAX_DRAWS


def test_relu_exam_has_an_active_unit_in_every_layer():
    for seed in range(30):
        exam = make_exam(seed)
        for step in exam.trace.steps:
            assert any(a > 0 for a in step.outputs)


@given(st.integers(-10 ** 12, 10 ** 12), st.integers(0, 12), st.integers(0, 12))
def test_exact_decimal_round_trips(numerator, twos, fives):
    value = Fraction(numerator, 2 ** twos * 5 ** fives)
    text = exact_decimal(value)
    assert Fraction(text) == value
    assert Decimal(text) == Decimal(value.numerator) / Decimal(value.denominator)


def test_exact_decimal_examples():
    assert exact_decimal(Fraction("-0.05")) == "-0.05"
    assert exact_decimal(Fraction("12.5")) == "12.5"
    assert exact_decimal(Fraction(0)) == "0"
    assert exact_decimal(Fraction(-2, 3)) == "-2/3"
