"""The renderings of a trace (text, Markdown, LaTeX) and the explain command."""

import os
import shutil
import subprocess

import pytest

import neuron
from neuron import Dense, Layer, NeuronError, Normalization, Sequential
from neuron.cli import main
from neuron.explain import document, latex_escape, latex_number, render
from neuron.models import coffee
from neuron.trace import FeatureStep

from golden import check

ROAST = [200.0, 13.9]


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- golden files: the coffee roast (200 C, 13.9 min) ----------------------------


@pytest.mark.parametrize("fmt, ext", [("text", "txt"), ("markdown", "md"), ("latex", "tex")])
def test_explain_coffee_golden(capsys, fmt, ext):
    code, out, err = run_cli(capsys, "explain", "coffee", "--row", "200,13.9", "--format", fmt)
    assert code == 0 and err == ""
    check("explain/coffee_200_13.9.%s" % ext, out)


def test_explain_coffee_numpy_golden(capsys):
    code, out, _ = run_cli(capsys, "explain", "coffee-numpy", "--row", "200,13.9", "--digits", "6")
    assert code == 0
    check("explain/coffee_numpy_200_13.9_6digits.txt", out)


def test_issue_example_lines():
    # The two lines the issue quotes, in all three formats.
    trace = coffee().trace(ROAST)
    text = trace.to_text(4)
    assert "  z[1]_2 = (0.29)(-0.4671) + (-7.34)(0.4159) + (-9.28) = -12.47\n" in text
    assert "  a[1]_2 = sigmoid(-12.47) = 3.847e-06\n" in text
    assert "- `z[1]_2 = (0.29)(-0.4671) + (-7.34)(0.4159) + (-9.28) = -12.47`" in trace.to_markdown()
    latex = trace.to_latex()
    assert "z^{[1]}_{2} &= (0.29)(-0.4671) + (-7.34)(0.4159) + (-9.28) = -12.47" in latex
    assert "a^{[1]}_{2} &= \\operatorname{sigmoid}(-12.47) = 3.847 \\times 10^{-6}" in latex


def test_coffee_demo_uses_the_same_rendering(capsys):
    code, out, _ = run_cli(capsys, "coffee")
    assert code == 0
    assert coffee().trace(ROAST).to_text(4) in out


def test_digits_round_only_the_display():
    trace = coffee().trace(ROAST)
    assert "= -12.4682\n" in trace.to_text(6)
    assert "= -12\n" in trace.to_text(2)
    assert trace.outputs == coffee().forward(ROAST)


# --- wide layers ----------------------------------------------------------------


def wide_model(n=400):
    kernel = [[(i % 7) / 4.0 - 0.75] for i in range(n)]
    return Sequential([Dense(1, "relu", kernel=kernel, bias=[0.5])])


def test_wide_dot_product_is_summarised():
    model = wide_model()
    x = [float(i % 5) for i in range(400)]
    text = model.trace(x).to_text()
    z_line = [line for line in text.splitlines() if line.startswith("  z[1]_1")][0]
    assert z_line.count(")(") == 8
    assert "... (392 more)" in z_line
    assert "... (392 more)" in text.splitlines()[1]  # the vector a[0] too
    full = model.trace(x).to_text(max_terms=None)
    z_full = [line for line in full.splitlines() if line.startswith("  z[1]_1")][0]
    assert z_full.count(")(") == 400 and "more" not in full


def test_wide_layer_in_latex_breaks_rows():
    text = wide_model(12).trace([1.0] * 12).to_latex(max_terms=None)
    assert text.count("&\\qquad + ") == 3  # 12 products + bias on 4 rows


def test_all_terms_option(capsys):
    code, out, _ = run_cli(capsys, "explain", "coffee", "--row", "200,13.9", "--max-terms", "1")
    assert code == 0 and "z[2]_1 = (-31.38)(0.003127) + ... (2 more) + (15.54) = 3.246" in out
    # A marker never stands for a single product: 2 of them are both shown.
    assert "z[1]_1 = (-8.94)(-0.4671) + (-0.17)(0.4159) + (-9.87) = -5.764" in out
    code, out, _ = run_cli(capsys, "explain", "coffee", "--row", "200,13.9", "--all-terms")
    assert code == 0 and "more)" not in out


# --- non-finite values are shown ----------------------------------------------------


def overflow_model():
    # dot([1e308, 1e308], [2, -2]) overflows to inf - inf = nan.
    return Sequential([Dense(2, "linear", kernel=[[2.0, 2.0], [-2.0, 2.0]], bias=[0.0, 0.0])])


def test_nonfinite_intermediates_shown():
    trace = overflow_model().trace([1e308, 1e308])
    text = trace.to_text()
    assert "z[1]_1 = (2)(1e+308) + (-2)(1e+308) + (0) = nan" in text
    assert "z[1]_2 = (2)(1e+308) + (2)(1e+308) + (0) = inf" in text
    assert "= NaN" in trace.to_latex() or "\\mathrm{NaN}" in trace.to_latex()
    assert "\\infty" in trace.to_latex()
    assert "= nan`" in trace.to_markdown()


def test_nonfinite_input_needs_permission(capsys):
    code, _, err = run_cli(capsys, "explain", "coffee", "--row", "nan,13.9")
    assert code == 1 and "x[0] is nan" in err
    code, out, _ = run_cli(capsys, "explain", "coffee", "--row", "nan,13.9", "--allow-nonfinite")
    assert code == 0 and "Output: a[2] = [nan]" in out


# --- bad input: the errors forward gives --------------------------------------------


BAD_INPUTS = [
    [200.0],
    [200.0, 13.9, 1.0],
    ["200", 13.9],
    [True, 13.9],
    [[200.0, 13.9]],
    "200,13.9",
    None,
    [float("inf"), 13.9],
]


def error_of(function, x):
    try:
        function(x)
    except Exception as error:  # the class and message are what is compared
        return type(error), str(error).replace(".trace", ".forward")
    return None


@pytest.mark.parametrize("x", BAD_INPUTS)
def test_bad_input_same_errors_as_forward(x):
    model = coffee()
    expected = error_of(model.forward, x)
    assert expected is not None
    assert error_of(model.trace, x) == expected
    assert error_of(lambda v: document(model, v), x) == expected


def test_bad_options():
    trace = coffee().trace(ROAST)
    with pytest.raises(NeuronError, match="format must be one of"):
        render(trace, "html")
    with pytest.raises(NeuronError, match="digits must be from 1 to 17"):
        render(trace, "text", 0)
    with pytest.raises(TypeError, match="digits must be an int"):
        render(trace, "text", 4.0)
    with pytest.raises(NeuronError, match="max_terms must be at least 1"):
        render(trace, "text", 4, 0)


def test_command_errors(capsys):
    code, _, err = run_cli(capsys, "explain", "coffee", "--row", "200,abc")
    assert code == 2 and "--row must be numbers" in err
    code, _, err = run_cli(capsys, "explain", "coffee", "--row", "200")
    assert code == 1 and err == "error: coffee_tensorflow.trace: x: expected 2 inputs, got 1\n"
    code, _, err = run_cli(capsys, "explain", "cofee", "--row", "200,13.9")
    assert code == 1 and "neither a known model (coffee, coffee-numpy) nor a file" in err
    code, _, err = run_cli(capsys, "explain", "coffee", "--row", "200,13.9", "--digits", "30")
    assert code == 1 and "digits must be from 1 to 17" in err


# --- model files (neuron.load, from the load branch) -------------------------------


def test_file_goes_through_neuron_load(capsys, monkeypatch, tmp_path):
    # The wiring, whatever neuron.load is: explain hands it the path.
    path = tmp_path / "model.bin"
    path.write_bytes(b"")
    seen = []

    def fake_load(name):
        seen.append(name)
        return coffee("numpy")

    monkeypatch.setattr(neuron, "load", fake_load, raising=False)
    code, out, _ = run_cli(capsys, "explain", str(path), "--row", "200,13.9")
    assert code == 0 and seen == [str(path)]
    assert "z[1]_2 = (0.29)(-0.4671) + (-7.32)(0.4159) + (-9.28) = -12.46" in out


def test_file_without_neuron_load(capsys, monkeypatch, tmp_path):
    monkeypatch.delattr(neuron, "load", raising=False)
    path = tmp_path / "model.json"
    path.write_text("{}")
    code, _, err = run_cli(capsys, "explain", str(path), "--row", "200,13.9")
    assert code == 1 and "cannot load model files" in err


def test_saved_coffee_explains_like_the_named_one(capsys, tmp_path):
    if not hasattr(neuron, "load"):
        pytest.skip("neuron.load is not here yet (the load branch adds it)")
    native = pytest.importorskip("neuron.formats.native")
    path = tmp_path / "coffee.json"
    native.save(coffee(), str(path))
    code, from_file, _ = run_cli(capsys, "explain", str(path), "--row", "200,13.9")
    assert code == 0
    code, named, _ = run_cli(capsys, "explain", "coffee", "--row", "200,13.9")
    cut = named.index("Input:")
    assert from_file[from_file.index("Input:"):] == named[cut:]


def test_keras_mix_of_layers_explains():
    # Layers without a step class of their own fall back to input/output
    # vectors; the output is exactly forward's.
    if not hasattr(neuron, "load"):
        pytest.skip("neuron.load is not here yet (the load branch adds it)")
    path = os.path.join(os.path.dirname(__file__), "data", "explain", "layers_mix.keras")
    try:
        model = neuron.load(path)
    except NeuronError as error:
        pytest.skip("this neuron cannot read .keras files yet: %s" % error)
    x = [0.5, -1.0, 2.0, 0.25, -0.75, 1.5][: model.input_size]
    for fmt in ("text", "markdown", "latex"):
        assert document(model, x, fmt)
    assert model.trace(x).outputs == model.forward(x)


def test_keras_layers_from_the_converter():
    # The same mix built by neuron.convert (load branch) from the fixture's
    # config and weights: every layer kind is rendered, in every format.
    convert = pytest.importorskip("neuron.convert")
    import json

    with open(os.path.join(os.path.dirname(__file__), "data", "explain", "layers_mix.json")) as f:
        fixture = json.load(f)
    try:
        model = convert.from_keras(fixture["layers"], fixture["weights"])
    except NeuronError as error:
        pytest.skip("this neuron cannot build the mix yet: %s" % error)
    for x in fixture["inputs"]:
        for fmt in ("text", "markdown", "latex"):
            assert document(model, x, fmt, max_terms=None)
        assert model.trace(x).outputs == model.forward(x)


# --- layers of other kinds --------------------------------------------------------------


class Affine(Layer):
    """A test layer that works feature by feature: gamma * x + beta."""

    kind = "Affine"

    def __init__(self, gamma, beta, name=None):
        self.gamma, self.beta, self.name = gamma, beta, name

    def _forward(self, values):
        return [g * x + b for g, x, b in zip(self.gamma, values, self.beta)]

    def _trace(self, values):
        return FeatureStep(self, values, self._forward(values), "gamma * x + beta",
                           [("gamma", self.gamma), ("beta", self.beta)], "a test layer")


class Reverse(Layer):
    """A test layer with no step class of its own."""

    kind = "Reverse"

    def _forward(self, values):
        return values[::-1]


def mixed_model():
    return Sequential([
        Affine([2.0, -1.0], [0.5, -3.0], name="affine"),
        Reverse(),
        Dense(1, "linear", kernel=[[1.0], [1.0]], bias=[0.0], name="sum"),
    ])


def test_feature_step_rendering():
    trace = mixed_model().trace([1.0, -2.0])
    text = trace.to_text()
    assert "Affine 'affine': each feature x becomes gamma * x + beta, where a test layer" in text
    assert "  feature 1: 2 * 1 + 0.5 = 2.5" in text
    # A negative number is bracketed unless it opens the formula or a bracket.
    assert "  feature 2: -1 * (-2) + (-3) = -1" in text
    assert "Reverse 'reverse'\n  input = [2.5, -1]\n  output = [-1, 2.5]" in text
    latex = trace.to_latex()
    assert "-1 \\cdot (-2) + (-3) = -1" in latex
    assert "\\text{input} &= \\left[2.5,\\ -1\\right]" in latex
    assert "- feature 2: `-1 * (-2) + (-3) = -1`" in trace.to_markdown()


def test_wide_feature_step_is_summarised():
    n = 20
    model = Sequential([Normalization(mean=[0.0] * n, variance=[4.0] * n)])
    text = model.trace([1.0] * n).to_text(max_terms=4)
    assert text.count("feature ") == 5  # 4 features and the "... (16 more features)" line
    assert "  ... (16 more features)" in text


def test_summary_with_unknown_sizes():
    model = Sequential([Normalization(), Dense(2, "relu")], name="empty")
    assert model.summary().splitlines()[3:5] == [
        "normalization (Normalization)      ?  -                ?",
        "dense (Dense)                      2  relu             ?",
    ]
    assert model.summary().endswith("Total params: ?")


# --- LaTeX: escaped, balanced, and it compiles -----------------------------------------------


NASTY = "w_1 & {50%} #$~^\\ <x>|\""  # every LaTeX special (control characters are refused in names)


def nasty_model():
    g = neuron.activations.get(lambda z: z)  # named "<lambda>"
    return Sequential([
        Normalization(mean=[0.0, 1.0], variance=[1.0, 4.0], name="n" + NASTY),
        Dense(2, g, kernel=[[1.0, 2.0], [3.0, 4.0]], bias=[0.0, 1e-300], name=NASTY),
        Dense(1, "sigmoid", kernel=[[1e308], [1e308]], bias=[0.0], name="x_y"),
    ], name=NASTY)


def strip_escapes(latex):
    # Remove escaped specials so that what is left can be checked for raw ones.
    for escaped in ("\\\\", "\\{", "\\}", "\\#", "\\$", "\\%", "\\&", "\\_"):
        latex = latex.replace(escaped, "")
    return latex


def balanced(text, opening, closing):
    depth = 0
    for ch in text:
        depth += (ch == opening) - (ch == closing)
        if depth < 0:
            return False
    return depth == 0


def latex_documents():
    return [
        document(coffee(), ROAST, "latex", standalone=True),
        document(nasty_model(), [1.0, 2.0], "latex", standalone=True),
        document(wide_model(30), [1.0] * 30, "latex", standalone=True),
        document(overflow_model(), [1e308, 1e308], "latex", standalone=True),
        document(mixed_model(), [1.0, -2.0], "latex", standalone=True),
    ]


def test_latex_escaped_and_balanced():
    for tex in latex_documents():
        bare = strip_escapes(tex)
        assert balanced(bare, "{", "}"), tex
        assert bare.count("\\begin{") == bare.count("\\end{")
        assert bare.count("\\left") == bare.count("\\right")
        assert bare.count("\\[") == bare.count("\\]")
        # Outside math, no raw special survives; in the layer names they are escaped.
        for line in bare.splitlines():
            if line.startswith("\\subsection*{") or line.startswith("\\section*{"):
                assert "#" not in line and "%" not in line and "~" not in line
    nasty = document(nasty_model(), [1.0, 2.0], "latex")
    assert "\\texttt{w\\_1 \\& \\{50\\%\\} \\#\\$\\textasciitilde{}\\textasciicircum{}\\textbackslash{} " in nasty
    assert "\\text{\\texttt{\\textless{}lambda\\textgreater{}}}(" in nasty


def test_latex_helpers():
    assert latex_escape("a_b") == "a\\_b"
    assert latex_number("1.5e+20") == "1.5 \\times 10^{20}"
    assert latex_number("-0") == "-0"


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_latex_compiles(tmp_path):
    from neuron.exam import make_exam

    sources = latex_documents() + [
        make_exam(7).document("latex", "both", standalone=True),
        make_exam(3, [3, 4, 2], "sigmoid").document("latex", "both", standalone=True),
    ]
    for i, tex in enumerate(sources):
        path = tmp_path / ("doc%d.tex" % i)
        path.write_text(tex)
        result = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", path.name],
            cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            universal_newlines=True, timeout=120,
        )
        assert result.returncode == 0, "document %d:\n%s\n%s" % (i, tex, result.stdout[-3000:])
        assert (tmp_path / ("doc%d.pdf" % i)).exists()


# --- Markdown code spans ----------------------------------------------------------------------


def test_markdown_names_with_backticks():
    model = Sequential([Dense(1, "linear", kernel=[[1.0]], bias=[0.0], name="a`b")])
    text = model.trace([1.0]).to_markdown()
    assert "Dense `` a`b ``" in text


def test_markdown_title_has_no_raw_html():
    from neuron.models import coffee

    model = coffee()
    model.name = "mod <script>alert(1)</script>"
    text = document(model, [200.0, 13.9], "markdown")
    assert "<script>" not in text and "&lt;script&gt;" in text
