"""Exam questions on forward propagation, with answer keys that show every step.

:func:`make_exam` draws a small network with hand-friendly numbers from a
seed: weights that are small integers (-3 to 3) or have one decimal place
(-0.9 to 0.9), integer biases (-2 to 2) and an input of the same kinds.
``sizes`` follows Nielsen's convention: ``[2, 3, 1]`` means 2 inputs, a
Dense layer of 3 units, then a Dense layer of 1 unit; every layer uses the
one ``activation``.

>>> exam = make_exam(7)
>>> exam.sizes, exam.activation, exam.exact
([2, 3, 1], 'relu', True)
>>> exam.outputs == make_exam(7).outputs        # the same seed, the same exam
True

**The same seed gives the same exam on every Python version.**  All
randomness comes from ``random.Random(seed).random()``, whose stream of
floats has not changed since Python 3.2; the other methods
(``randint``, ``choice``, ``shuffle``, ...) have changed how they use that
stream between versions, so they are not used.

**Exact answers.**  With ``linear`` or ``relu`` the key is exact: every
number is a :class:`fractions.Fraction` built from the decimal text the
question prints (``Fraction("0.3")``, never ``Fraction(0.3)``, which is
0.299999999999999988897769753748...), and only multiplication, addition
and max(0, z) follow, so every value is a terminating decimal and is printed
in full.  With ``sigmoid`` the key gives each value to ``digits``
significant digits, computed by the model's own float arithmetic with the
intermediate values carried unrounded.

Not part of the MicroPython core (it needs :mod:`fractions`).
"""

import random
from fractions import Fraction

from .checks import as_count
from .errors import NeuronError
from .explain import _md_code, _style, latex_escape, latex_number, render
from .layers import Dense
from .sequential import Sequential
from .trace import DenseStep, Trace

ACTIVATIONS = ("relu", "sigmoid", "linear")
FORMATS = ("markdown", "latex")
PARTS = ("question", "answers", "both")
MAX_WIDTH = 8  # inputs or units per layer: more is not done by hand
# Dense layers: more is not done by hand either, and each layer adds a
# decimal place and a digit or two to the exact answers (six layers of 8
# give values of up to 14 characters; 400 gave hundreds of digits).
MAX_LAYERS = 6
# Redraws of a relu network with a silent layer: bounds the time (about 2
# seconds at the largest size if every draw failed; in practice a few).
MAX_DRAWS = 1000

# How each activation is stated in the question.
_RULES = {
    "relu": ("g(z) = max(0, z)", "g(z) = \\max(0, z)"),
    "sigmoid": ("g(z) = 1 / (1 + e^(-z))", "g(z) = \\dfrac{1}{1 + e^{-z}}"),
    "linear": ("g(z) = z", "g(z) = z"),
}


class _Draw:
    """Hand-friendly numbers from ``random.Random(seed).random()`` and nothing else."""

    def __init__(self, seed):
        self._random = random.Random(seed).random

    def integer(self, low, high):
        """A whole number from ``low`` to ``high``, both included."""
        # random() is uniform on [0, 1) in steps of 2**-53, so the bias of
        # int(r * k) for k <= 20 is below 2**-48: irrelevant here.
        return low + int(self._random() * (high - low + 1))

    def weight(self):
        """A weight or input value as decimal text: "-3" to "3" or "-0.9" to "0.9", never zero."""
        if self.integer(0, 1) == 0:
            value = self.integer(1, 3)
            text = "%d" % value
        else:
            value = self.integer(1, 9)
            text = "0.%d" % value
        return "-" + text if self.integer(0, 1) == 0 else text

    def bias(self):
        """A bias as decimal text: "-2" to "2"."""
        return "%d" % self.integer(-2, 2)


class Exam:
    """One exam question: a network, an input, and the answers.

    ``inputs`` is the input as decimal texts, ``layers`` a list of
    ``(rows, biases)`` per Dense layer, ``rows[j]`` unit j's weights as
    decimal texts and ``biases[j]`` its bias; ``model`` is the same network
    as a :class:`~neuron.Sequential` of floats; ``outputs`` the answer (exact
    Fractions for linear and relu, floats for sigmoid).
    """

    def __init__(self, seed, sizes, activation, inputs, layers):
        self.seed = seed
        self.sizes = list(sizes)
        self.activation = activation
        self.inputs = inputs
        self.layers = layers
        self.exact = activation in ("linear", "relu")
        self.model = Sequential(
            [
                Dense.from_neurons(
                    [[float(w) for w in row] for row in rows],
                    [float(b) for b in biases],
                    activation,
                    name="layer%d" % (l + 1),
                )
                for l, (rows, biases) in enumerate(layers)
            ],
            name="exam_%d" % seed,
        )
        self.trace = self._exact_trace() if self.exact else self.model.trace([float(v) for v in inputs])
        self.outputs = self.trace.outputs

    def _exact_trace(self):
        # The forward pass again in Fractions made from the decimal texts.
        values = [Fraction(v) for v in self.inputs]
        inputs = values
        steps = []
        for layer, (rows, biases) in zip(self.model.layers, self.layers):
            exact_rows = [[Fraction(w) for w in row] for row in rows]
            exact_bias = [Fraction(b) for b in biases]
            z = []
            for row, b in zip(exact_rows, exact_bias):
                total = Fraction(0)
                for w, x in zip(row, values):
                    total += w * x
                z.append(total + b)
            if self.activation == "relu":
                a = [v if v > 0 else Fraction(0) for v in z]
            else:
                a = list(z)
            steps.append(DenseStep(layer, values, z, a, rows=exact_rows, bias=exact_bias))
            values = a
        return Trace(inputs, steps)

    def question(self, format="markdown"):
        """The question sheet: the network, its weights, the input and what to compute."""
        _check_format(format)
        if format == "markdown":
            return _question_markdown(self)
        return _question_latex(self)

    def answers(self, format="markdown", digits=4):
        """The answer key: every a[l-1], z[l]_j and a[l]_j, with the dot products expanded."""
        _check_format(format)
        number_format = exact_decimal if self.exact else None
        style = _style(format, digits, None, number_format)
        steps = render(self.trace, format, digits, None, number_format)
        output = style.vector_equation("a[%d]" % len(self.layers), self.outputs)
        if self.exact:
            note = "Every value is exact."
        else:
            note = (
                "Values to %d significant digits; each step uses the unrounded values of the "
                "step before, so recomputing from the rounded ones can differ in the last digit." % digits
            )
        title = "Answer key (seed %d)" % self.seed
        if format == "markdown":
            return "\n\n".join(["## " + title, note, steps, "Output: " + output])
        return "\n\n".join(
            ["\\section*{%s}" % title, note, steps, "\\noindent Output:\n\\[ %s \\]" % output.replace(" &= ", " = ", 1)]
        )

    def document(self, format="markdown", part="both", digits=4, standalone=False):
        """The question, the answers, or both (the key after a rule or a page break)."""
        if part not in PARTS:
            raise NeuronError("exam: part must be one of %s; got %r" % (", ".join(PARTS), part))
        pieces = []
        if part in ("question", "both"):
            pieces.append(self.question(format))
        if part in ("answers", "both"):
            pieces.append(self.answers(format, digits))
        if format == "markdown":
            return "\n\n---\n\n".join(pieces)
        text = "\n\n\\newpage\n\n".join(pieces)
        if standalone:
            from .explain import _latex_document

            text = _latex_document(text)
        return text


def make_exam(seed, sizes=(2, 3, 1), activation="relu"):
    """A network of ``sizes`` with hand-friendly weights and an input, drawn from ``seed``.

    With relu, networks in which a layer has no unit with z > 0 are drawn
    again (from the same stream, so still determined by the seed): an
    answer of all zeros teaches little.

    After ``MAX_DRAWS`` (1000) draws without such a network, the last one
    is returned.

    Raises :class:`~neuron.NeuronError` for a negative seed, fewer than two
    sizes, more than ``MAX_LAYERS`` (6) layers, a size outside 1..8 or an
    unknown activation; :class:`TypeError` for a seed or size that is not an
    int.
    """
    seed = as_count(seed, "exam: seed", minimum=0)
    if not isinstance(sizes, (list, tuple)) or len(sizes) < 2:
        raise NeuronError("exam: sizes must list the inputs and at least one layer, such as [2, 3, 1]; got %r" % (sizes,))
    if len(sizes) > MAX_LAYERS + 1:
        raise NeuronError("exam: sizes lists the inputs and %d layers; at most %d layers for a question "
                          "done by hand" % (len(sizes) - 1, MAX_LAYERS))
    sizes = [as_count(n, "exam: sizes[%d]" % i) for i, n in enumerate(sizes)]
    for i, n in enumerate(sizes):
        if n > MAX_WIDTH:
            raise NeuronError("exam: sizes[%d] is %d; at most %d for a question done by hand" % (i, n, MAX_WIDTH))
    if activation not in ACTIVATIONS:
        raise NeuronError("exam: activation must be one of %s; got %r" % (", ".join(ACTIVATIONS), activation))
    draw = _Draw(seed)
    for attempt in range(MAX_DRAWS):
        inputs = [draw.weight() for _ in range(sizes[0])]
        layers = []
        for l in range(1, len(sizes)):
            rows = [[draw.weight() for _ in range(sizes[l - 1])] for _ in range(sizes[l])]
            layers.append((rows, [draw.bias() for _ in range(sizes[l])]))
        exam = Exam(seed, sizes, activation, inputs, layers)
        if activation != "relu" or _every_layer_active(exam.trace):
            return exam
    return exam


def _every_layer_active(trace):
    for step in trace.steps:
        if not [a for a in step.outputs if a > 0]:
            return False
    return True


def exact_decimal(value):
    """A Fraction as its exact decimal text when it has one, else as "p/q".

    >>> exact_decimal(Fraction("0.3") * Fraction("-0.25")), exact_decimal(Fraction(6)), exact_decimal(Fraction(1, 3))
    ('-0.075', '6', '1/3')
    """
    value = Fraction(value)
    denominator = value.denominator
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator != 1:
        return "%d/%d" % (value.numerator, value.denominator)
    places = max(twos, fives)
    scaled = abs(value.numerator) * 10 ** places // value.denominator
    sign = "-" if value < 0 else ""
    if places == 0:
        return "%s%d" % (sign, scaled)
    digits = "%0*d" % (places + 1, scaled)
    return "%s%s.%s" % (sign, digits[:-places], digits[-places:])


def _check_format(format):
    if format not in FORMATS:
        raise NeuronError("exam: format must be one of %s; got %r" % (", ".join(FORMATS), format))


def _describe(exam):
    layers = len(exam.layers)
    parts = [
        "layer %d has %s" % (l + 1, _units(exam.sizes[l + 1])) for l in range(layers)
    ]
    return "A neural network takes %d input%s and has %d Dense layer%s: %s." % (
        exam.sizes[0],
        "" if exam.sizes[0] == 1 else "s",
        layers,
        "" if layers == 1 else "s",
        ", ".join(parts),
    )


def _units(n):
    return "%d unit%s" % (n, "" if n == 1 else "s")


def _task(exam, math):
    last = len(exam.layers)
    return (
        "Compute, for every layer %s and unit %s, the pre-activation %s and the activation %s, "
        "and give the network's output %s."
        % (
            math("l"),
            math("j"),
            math("z[l]_j = w[l]_j . a[l-1] + b[l]_j"),
            math("a[l]_j = g(z[l]_j)"),
            math("a[%d]" % last),
        )
    )


def _question_markdown(exam):
    rule = _RULES[exam.activation][0]
    out = [
        "## Question (seed %d)" % exam.seed,
        _describe(exam)
        + " Every unit uses the %s activation, %s." % (_md_code(exam.activation), _md_code(rule)),
        "Input: %s" % _md_code("x = a[0] = [%s]" % ", ".join(exam.inputs)),
    ]
    for l, (rows, biases) in enumerate(exam.layers):
        table = [
            "Layer %d (%s units):" % (l + 1, exam.activation),
            "",
            "| unit j | weights w[%d]_j | bias b[%d]_j |" % (l + 1, l + 1),
            "|--:|---|--:|",
        ]
        for j, (row, b) in enumerate(zip(rows, biases)):
            table.append("| %d | %s | %s |" % (j + 1, _md_code("[%s]" % ", ".join(row)), _md_code(b)))
        out.append("\n".join(table))
    out.append(_task(exam, _md_code))
    return "\n\n".join(out)


def _latex_vector(texts):
    return "\\left[%s\\right]" % ",\\ ".join(latex_number(t) for t in texts)


def _question_latex(exam):
    rule = _RULES[exam.activation][1]

    def math(text):
        # The task's formulas in the course's notation.
        if len(text) == 1:
            return "$%s$" % text
        text = text.replace(" . ", " \\cdot ")
        for letter in "zawb":
            for l in ("l-1", "l", "%d" % len(exam.layers)):
                text = text.replace("%s[%s]" % (letter, l), "%s^{[%s]}" % (letter, l))
        return "$%s$" % text.replace("_j", "_{j}")

    out = [
        "\\section*{Question (seed %d)}" % exam.seed,
        latex_escape(_describe(exam))
        + " Every unit uses the \\texttt{%s} activation, $%s$." % (latex_escape(exam.activation), rule),
        "\\noindent Input:\n\\[ x = a^{[0]} = %s \\]" % _latex_vector(exam.inputs),
    ]
    for l, (rows, biases) in enumerate(exam.layers):
        table = [
            "\\subsection*{Layer %d (%s units)}" % (l + 1, latex_escape(exam.activation)),
            "\\begin{tabular}{rlr}",
            "unit $j$ & weights $w^{[%d]}_{j}$ & bias $b^{[%d]}_{j}$ \\\\" % (l + 1, l + 1),
            "\\hline",
        ]
        for j, (row, b) in enumerate(zip(rows, biases)):
            table.append("%d & $%s$ & $%s$ \\\\" % (j + 1, _latex_vector(row), latex_number(b)))
        table.append("\\end{tabular}")
        out.append("\n".join(table))
    out.append(_task(exam, math))
    return "\n\n".join(out)
