"""Worked solutions: a trace written out as plain text, Markdown or LaTeX.

Every rendering shows, for each Dense layer l and unit j, the dot product
expanded with its numbers and the activation applied to it, in the course's
notation::

    z[1]_2 = (0.29)(-0.4671) + (-7.34)(0.4159) + (-9.28) = -12.47
    a[1]_2 = sigmoid(-12.47) = 3.847e-06

and, for a layer that works feature by feature (Normalization), each
feature's formula with its numbers.  Any other layer shows its input and
output vectors.

* ``digits`` is the number of significant digits of every number shown
  (1 to 17; the values themselves are never rounded, only their display).
* ``max_terms`` limits how many products one dot product shows (and how many
  entries a vector, and how many features a per-feature layer): with 400
  inputs and ``max_terms=8`` a line shows the first 4 products, ``... (392
  more)`` and the last 4 (a marker always stands for at least 2).
  ``max_terms=None`` shows them all.  Every unit of every layer is always
  shown.
* NaN and infinities are shown as ``nan``, ``inf`` and ``-inf`` (LaTeX:
  NaN, the infinity sign), never hidden.

>>> from neuron import Dense, Sequential
>>> model = Sequential([Dense(1, "sigmoid", kernel=[[2.0], [-1.0]], bias=[0.0], name="out")])
>>> print(render(model.trace([1.0, 2.0]), "markdown"))
### Layer 1: Dense `out`, 1 unit, activation `sigmoid`
<BLANKLINE>
- `a[0] = [1, 2]`
- `z[1]_1 = (2)(1) + (-1)(2) + (0) = 0`
- `a[1]_1 = sigmoid(0) = 0.5`

:func:`document` writes a whole worked solution for a model and one input:
a title, the model's summary, the input, every layer and the output.

This module runs on MicroPython too (``trace.to_text()`` uses it), so it
sticks to plain string operations.
"""

from .errors import NeuronError
from .trace import DenseStep, FeatureStep, number

FORMATS = ("text", "markdown", "latex")


def render(trace, format="text", digits=4, max_terms=8, number_format=None):
    """Every step of ``trace`` written out in ``format``: "text", "markdown" or "latex".

    ``number_format``, when given, is a function from a value to its text
    and replaces the ``digits`` rounding (the exam's answer key prints exact
    fractions with it).  The LaTeX is a fragment for a document that loads
    the ``amsmath`` package; :func:`document` can wrap it in a whole one.

    Raises :class:`~neuron.NeuronError` for an unknown format, ``digits``
    outside 1..17 or ``max_terms`` below 1, :class:`TypeError` when they are
    not whole numbers.
    """
    style = _style(format, digits, max_terms, number_format)
    return style.join([style.step(step) for step in trace.steps])


def document(model, x, format="text", digits=4, max_terms=8, standalone=False, allow_nonfinite=False, title=None):
    """A whole worked solution of ``model`` on one example ``x``, in ``format``.

    The title, the model's summary, the input, every layer as :func:`render`
    writes it, and the output.  ``standalone=True`` with LaTeX gives a
    complete document (``\\documentclass`` to ``\\end{document}``) instead
    of a fragment.  ``x`` is checked exactly as ``model.forward`` checks it,
    with the same errors.
    """
    style = _style(format, digits, max_terms, None)
    trace = model.trace(x, allow_nonfinite=allow_nonfinite)
    if title is None:
        title = "Forward pass of %s" % model.name
    parts = [
        style.title(title),
        style.summary(model),
        style.labelled("Input", style.vector_equation("x", trace.inputs)),
        style.join([style.step(step) for step in trace.steps]),
        style.labelled("Output", style.vector_equation(_output_name(trace), trace.outputs)),
    ]
    text = style.join(parts)
    if standalone:
        text = style.standalone(text)
    return text


def _output_name(trace):
    steps = trace.dense_steps
    if steps and steps[-1] is trace.steps[-1]:
        return "a[%d]" % steps[-1].l
    return "output"


# --- checks ---------------------------------------------------------------


def _style(format, digits, max_terms, number_format):
    if format not in FORMATS:
        raise NeuronError(
            "explain: format must be one of %s; got %r" % (", ".join(FORMATS), format)
        )
    if isinstance(digits, bool) or not isinstance(digits, int):
        raise TypeError("explain: digits must be an int, got %s" % type(digits).__name__)
    if digits < 1 or digits > 17:
        raise NeuronError("explain: digits must be from 1 to 17, got %d" % digits)
    if max_terms is not None:
        if isinstance(max_terms, bool) or not isinstance(max_terms, int):
            raise TypeError("explain: max_terms must be an int or None, got %s" % type(max_terms).__name__)
        if max_terms < 1:
            raise NeuronError("explain: max_terms must be at least 1 (or None for all), got %d" % max_terms)
    if number_format is None:

        def number_format(value):
            return number(value, digits)

    if format == "text":
        return _Text(number_format, max_terms)
    if format == "markdown":
        return _Markdown(number_format, max_terms)
    return _Latex(number_format, max_terms)


def _cut(count, max_terms):
    """How many items to show at the start and at the end of ``count`` items."""
    # A marker "... (1 more)" would take the place of just one item: then
    # the item itself is shown.
    if max_terms is None or count <= max_terms + 1:
        return count, 0
    head = (max_terms + 1) // 2
    return head, max_terms - head


def _plural(count, word):
    return "%d %s%s" % (count, word, "" if count == 1 else "s")


def _activation_label(activation):
    # "sigmoid", or "leaky_relu (alpha=0.3)": parameters sorted by name,
    # since MicroPython's dicts keep no order.
    params = activation.changed_params() if hasattr(activation, "changed_params") else {}
    if not params:
        return activation.name, ""
    shown = []
    for key in sorted(params):
        value = params[key]
        if isinstance(value, float):
            value = "%.17g" % value
            value = _shortest(value)
        shown.append("%s=%s" % (key, value))
    return activation.name, " (%s)" % ", ".join(shown)


def _shortest(text):
    # repr() gives the shortest round-tripping text on CPython; MicroPython's
    # repr rounds, so start from %.17g and try fewer digits.
    value = float(text)
    for digits in range(1, 18):
        short = "%.*g" % (digits, value)
        if float(short) == value:
            return short
    return text


def _layer_name(layer):
    kind = getattr(layer, "kind", None) or type(layer).__name__
    return kind, getattr(layer, "name", None)


# --- formulas of per-feature steps -------------------------------------------


def _tokens(formula):
    """Split a short formula into names, numbers, spaces and single symbols."""
    out = []
    i = 0
    n = len(formula)
    while i < n:
        ch = formula[i]
        if _is_name_start(ch):
            k = i + 1
            while k < n and (_is_name_start(formula[k]) or formula[k].isdigit()):
                k += 1
            out.append(("name", formula[i:k]))
        elif ch.isdigit() or (ch == "." and i + 1 < n and formula[i + 1].isdigit()):
            k = i + 1
            while k < n and (formula[k].isdigit() or formula[k] == "."):
                k += 1
            # an exponent: 1e-7, 2.5E+03
            if k < n and formula[k] in "eE":
                m = k + 1
                if m < n and formula[m] in "+-":
                    m += 1
                if m < n and formula[m].isdigit():
                    while m < n and formula[m].isdigit():
                        m += 1
                    k = m
            out.append(("number", formula[i:k]))
        elif ch == " ":
            out.append(("space", ch))
            k = i + 1
        elif ch == "*" and i + 1 < n and formula[i + 1] == "*":
            out.append(("symbol", "**"))
            i += 2
            continue
        else:
            out.append(("symbol", ch))
            k = i + 1
        i = k
    return out


def _is_name_start(ch):
    return ch == "_" or ("a" <= ch <= "z") or ("A" <= ch <= "Z")


def _substitute(tokens, values):
    """Replace the names in ``values`` by ``("value", v, bracket)`` tokens.

    ``bracket`` says whether a negative number needs parentheses: it does
    unless it opens the formula or follows "(" or "," ("(-3 - 2)" reads
    well, "2 - -3" does not).
    """
    out = []
    before = None
    for token in tokens:
        kind, text = token
        if kind == "name" and text in values:
            bracket = before is not None and before not in ("(", ",", "[")
            out.append(("value", values[text], bracket))
        else:
            out.append(token)
        if kind != "space":
            before = text
    return out


# --- the three styles ----------------------------------------------------------


class _Style:
    """What the three renderings share: the walk over the steps."""

    def __init__(self, number_format, max_terms):
        self.show = number_format
        self.max_terms = max_terms

    def join(self, blocks):
        return "\n\n".join(b for b in blocks if b)

    # Each step becomes a heading and a list of lines.

    def step(self, step):
        if isinstance(step, DenseStep):
            return self.block(self.dense_heading(step), self.dense_lines(step))
        if isinstance(step, FeatureStep):
            return self.block(self.feature_heading(step), self.feature_lines(step))
        kind, name = _layer_name(step.layer)
        return self.block(
            self.layer_words(kind, name),
            [self.vector_equation("input", step.inputs), self.vector_equation("output", step.outputs)],
        )

    def dense_heading(self, step):
        kind, name = _layer_name(step.layer)
        g, params = _activation_label(step.activation)
        return "Layer %d: %s, %s, activation %s%s" % (
            step.l,
            self.layer_words(kind, name),
            _plural(len(step.units), "unit"),
            self.code(g),
            self.words(params),
        )

    def dense_lines(self, step):
        l = step.l
        g = step.activation.name
        lines = [self.vector_equation(self.var("a", l - 1), step.inputs)]
        for unit in step.units:
            lines.append(
                self.equation(
                    self.var("z", l, unit.j),
                    [self.dot(unit.weights, step.inputs, unit.bias), self.num(unit.z)],
                )
            )
            if unit.a is not None:
                lines.append(
                    self.equation(self.var("a", l, unit.j), [self.call(g, self.num(unit.z)), self.num(unit.a)])
                )
        if step.units and step.units[0].a is None:
            # A vector activation (softmax, ...): a[l] = g(z[l]) as a whole.
            lines.append(self.vector_equation(self.var("z", l), step.z))
            lines.append(
                self.equation(self.var("a", l), [self.call(g, self.var("z", l)), self.vector(step.outputs)])
            )
        return lines

    def feature_heading(self, step):
        kind, name = _layer_name(step.layer)
        text = "%s: each feature %s becomes %s" % (
            self.layer_words(kind, name),
            self.formula_heading("x"),
            self.formula_heading(step.formula),
        )
        if step.note:
            text += ", where %s" % self.formula_heading(step.note)
        return text

    def feature_lines(self, step):
        tokens = _tokens(step.formula)
        count = len(step.inputs)
        head, tail = _cut(count, self.max_terms)
        lines = []
        for i in range(count):
            if head <= i < count - tail:
                if i == head:
                    lines.append(self.more(count - head - tail, "feature"))
                continue
            values = {"x": step.inputs[i]}
            for key, value in step.parameters(i):
                values[key] = value
            lines.append(
                self.feature_line(i + 1, self.formula_values(_substitute(tokens, values)), self.num(step.outputs[i]))
            )
        return lines

    def terms(self, items, render):
        """``render`` of each item to show, with a "more" marker where items are left out."""
        count = len(items)
        head, tail = _cut(count, self.max_terms)
        shown = [render(items[i]) for i in range(head)]
        if head + tail < count:
            shown.append(self.more_inline(count - head - tail))
            shown.extend(render(items[i]) for i in range(count - tail, count))
        return shown

    def product_terms(self, weights, inputs, bias):
        pairs = [(weights[i], inputs[i]) for i in range(len(weights))]
        shown = self.terms(pairs, lambda p: self.product(p[0], p[1]))
        shown.append(self.paren(self.num(bias)))
        return shown


class _Text(_Style):
    """Plain text for the terminal."""

    def block(self, heading, lines):
        return "\n".join([heading] + ["  " + line for line in lines])

    def title(self, text):
        return "%s\n%s" % (text, "=" * len(text))

    def summary(self, model):
        return model.summary()

    def labelled(self, label, equation):
        return "%s: %s" % (label, equation)

    def standalone(self, text):
        return text

    def words(self, text):
        return text

    def code(self, text):
        return text

    def layer_words(self, kind, name):
        return kind if name is None else "%s %r" % (kind, name)

    def var(self, letter, l, j=None):
        if j is None:
            return "%s[%d]" % (letter, l)
        return "%s[%d]_%d" % (letter, l, j)

    def num(self, value):
        return self.show(value)

    def paren(self, text):
        return "(%s)" % text

    def product(self, w, x):
        return "(%s)(%s)" % (self.num(w), self.num(x))

    def more_inline(self, count):
        return "... (%d more)" % count

    def more(self, count, word):
        return "... (%d more %ss)" % (count, word)

    def vector(self, values):
        return "[%s]" % ", ".join(self.terms(values, self.num))

    def vector_equation(self, name, values):
        return "%s = %s" % (name, self.vector(values))

    def dot(self, weights, inputs, bias):
        return " + ".join(self.product_terms(weights, inputs, bias))

    def call(self, name, argument):
        return "%s(%s)" % (name, argument)

    def equation(self, lhs, parts):
        return " = ".join([lhs] + parts)

    def formula_heading(self, formula):
        return formula

    def formula_values(self, tokens):
        out = []
        for token in tokens:
            if token[0] == "value":
                text = self.num(token[1])
                out.append("(%s)" % text if token[2] and text.startswith("-") else text)
            else:
                out.append(token[1])
        return "".join(out)

    def feature_line(self, i, expression, result):
        return "feature %d: %s = %s" % (i, expression, result)


class _Markdown(_Text):
    """Markdown: a heading per layer, each equation a list item in code."""

    def block(self, heading, lines):
        return "\n".join(["### " + heading, ""] + ["- " + line for line in lines])

    def title(self, text):
        # A model's name may come from a file: one line, and no raw HTML.
        text = text.replace("\r", " ").replace("\n", " ")
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return "## " + text

    def summary(self, model):
        rows = model._summary_rows()
        out = ["| Layer (type) | Units | Activation | Params |", "|---|--:|---|--:|"]
        for name, kind, units, activation, params in rows:
            # A "|" would end the table cell even inside a code span.
            out.append(
                "| %s (%s) | %s | %s | %s |"
                % (
                    _md_code(name).replace("|", "\\|"),
                    kind,
                    units,
                    _md_code(activation).replace("|", "\\|") if activation != "-" else "-",
                    params,
                )
            )
        out.append("")
        out.append("Total params: " + model._total_params())
        return "\n".join(out)

    def labelled(self, label, equation):
        return "%s: %s" % (label, equation)

    def code(self, text):
        return _md_code(text)

    def layer_words(self, kind, name):
        return kind if name is None else "%s %s" % (kind, _md_code(name))

    def vector_equation(self, name, values):
        return _md_code(_Text.vector_equation(self, name, values))

    def equation(self, lhs, parts):
        return _md_code(_Text.equation(self, lhs, parts))

    def more(self, count, word):
        return "... (%d more %ss)" % (count, word)

    def formula_heading(self, formula):
        return _md_code(formula)

    def feature_line(self, i, expression, result):
        return "feature %d: %s" % (i, _md_code("%s = %s" % (expression, result)))


def _md_code(text):
    """``text`` as a Markdown code span, whatever backticks it holds."""
    text = text.replace("\r", " ").replace("\n", " ")
    fence = "`"
    while fence in text:
        fence += "`"
    if text.startswith("`") or text.endswith("`") or fence != "`":
        return "%s %s %s" % (fence, text, fence)
    return "%s%s%s" % (fence, text, fence)


# LaTeX: text-mode escapes for names, and numbers written as math.
_LATEX_TEXT = {
    "\\": "\\textbackslash{}",
    "{": "\\{",
    "}": "\\}",
    "#": "\\#",
    "$": "\\$",
    "%": "\\%",
    "&": "\\&",
    "_": "\\_",
    "~": "\\textasciitilde{}",
    "^": "\\textasciicircum{}",
    "<": "\\textless{}",
    ">": "\\textgreater{}",
    "|": "\\textbar{}",
    # \textquotedbl needs the T1 encoding; character 34 is a straight
    # quote in typewriter type under any encoding.
    '"': "\\char34{}",
    "\n": " ",
    "\r": " ",
}


def latex_escape(text):
    """``text`` safe inside a LaTeX text-mode argument such as ``\\texttt{...}``.

    >>> print(latex_escape("w_1 & 50% {x}"))
    w\\_1 \\& 50\\% \\{x\\}
    """
    return "".join(_LATEX_TEXT.get(ch, ch) for ch in text)


def latex_number(text):
    """A number's text (``"3.847e-06"``, ``"nan"``, ``"-1/3"``) as LaTeX math.

    >>> print(latex_number("3.847e-06"))
    3.847 \\times 10^{-6}
    >>> print(latex_number("-inf"), latex_number("nan"), latex_number("-1/3"))
    -\\infty \\mathrm{NaN} -\\frac{1}{3}
    """
    sign = ""
    if text.startswith("-"):
        sign, text = "-", text[1:]
    elif text.startswith("+"):
        text = text[1:]
    lower = text.lower()
    if lower == "nan":
        return "\\mathrm{NaN}"
    if lower in ("inf", "infinity"):
        return sign + "\\infty"
    if "/" in text:
        top, bottom = text.split("/", 1)
        return "%s\\frac{%s}{%s}" % (sign, top, bottom)
    cut = lower.find("e")
    if cut >= 0:
        return "%s%s \\times 10^{%d}" % (sign, text[:cut], int(text[cut + 1:]))
    return sign + text


class _Latex(_Style):
    """A LaTeX fragment: a starred subsection per layer, its equations in ``align*``."""

    PER_ROW = 4  # products on one row of a long dot product

    def block(self, heading, lines):
        rows = " \\\\\n".join(lines)
        return "\\subsection*{%s}\n\\begin{align*}\n%s\n\\end{align*}" % (heading, rows)

    def title(self, text):
        return "\\section*{%s}" % latex_escape(text)

    def summary(self, model):
        rows = model._summary_rows()
        out = [
            "\\noindent\\begin{tabular}{lrlr}",
            "Layer (type) & Units & Activation & Params \\\\",
            "\\hline",
        ]
        for name, kind, units, activation, params in rows:
            out.append(
                "\\texttt{%s} (%s) & %s & \\texttt{%s} & %s \\\\"
                % (latex_escape(name), latex_escape(kind), units, latex_escape(activation), params)
            )
        out.append("\\hline")
        out.append("\\end{tabular}")
        out.append("")
        out.append("\\noindent Total params: " + model._total_params())
        return "\n".join(out)

    def labelled(self, label, equation):
        # The equation comes aligned for align* ("x &= ..."); a display
        # on its own takes no "&".
        return "\\noindent %s:\n\\[ %s \\]" % (latex_escape(label), equation.replace(" &= ", " = ", 1))

    def standalone(self, text):
        return _latex_document(text)

    def words(self, text):
        return latex_escape(text)

    def code(self, text):
        return "\\texttt{%s}" % latex_escape(text)

    def layer_words(self, kind, name):
        kind = latex_escape(kind)
        return kind if name is None else "%s \\texttt{%s}" % (kind, latex_escape(name))

    def var(self, letter, l, j=None):
        if j is None:
            return "%s^{[%d]}" % (letter, l)
        return "%s^{[%d]}_{%d}" % (letter, l, j)

    def num(self, value):
        return latex_number(self.show(value))

    def paren(self, text):
        return "(%s)" % text

    def product(self, w, x):
        return "(%s)(%s)" % (self.num(w), self.num(x))

    def more_inline(self, count):
        return "\\cdots\\ (\\text{%d more})" % count

    def more(self, count, word):
        return "& \\quad\\vdots\\ \\text{(%d more %ss)}" % (count, word)

    def vector(self, values):
        return "\\left[%s\\right]" % ",\\ ".join(self.terms(values, self.num))

    def vector_equation(self, name, values):
        if name in ("x", "input", "output"):
            name = "\\text{%s}" % name if len(name) > 1 else name
        elif name.startswith("a["):
            name = self.var("a", int(name[2:-1]))
        return "%s &= %s" % (name, self.vector(values))

    def dot(self, weights, inputs, bias):
        terms = self.product_terms(weights, inputs, bias)
        rows = []
        for start in range(0, len(terms), self.PER_ROW):
            rows.append(" + ".join(terms[start:start + self.PER_ROW]))
        return " \\\\\n  &\\qquad + ".join(rows)

    def call(self, name, argument):
        return "%s(%s)" % (_latex_function(name), argument)

    def equation(self, lhs, parts):
        return "%s &= %s" % (lhs, " = ".join(parts))

    def formula_heading(self, formula):
        return "$%s$" % self.formula_values(_tokens(formula))

    def formula_values(self, tokens):
        out = []
        for i in range(len(tokens)):
            token = tokens[i]
            kind = token[0]
            if kind == "value":
                text = self.num(token[1])
                out.append("(%s)" % text if token[2] and text.startswith("-") else text)
            elif kind == "name":
                name = token[1]
                follows = tokens[i + 1][1] if i + 1 < len(tokens) else ""
                if follows == "(":
                    out.append(_latex_function(name))
                elif name in _LATEX_WORDS:
                    out.append("\\ \\text{%s}\\ " % name)
                elif len(name) == 1:
                    out.append(name)
                else:
                    out.append("\\mathrm{%s}" % latex_escape(name))
            elif kind == "number":
                try:
                    out.append(latex_number(token[1]))
                except ValueError:
                    out.append("\\text{%s}" % latex_escape(token[1]))
            elif kind == "space":
                out.append(" ")
            elif token[1] == "*":
                out.append("\\cdot")
            elif token[1] == "**":
                out.append("\\mathbin{\\ast\\ast}")
            elif token[1] in "+-=()[],./<>":
                out.append(token[1])
            else:
                out.append("\\text{%s}" % latex_escape(token[1]))
        return "".join(out)

    def feature_line(self, i, expression, result):
        return "\\text{feature %d:} &\\quad %s = %s" % (i, expression, result)


# Words of a formula such as "x if x > 0 else alpha * x", set as text.
_LATEX_WORDS = ("if", "else", "and", "or", "not", "for", "where")


def _latex_function(name):
    # \operatorname{sigmoid} for plain names; anything else (a custom
    # function called "<lambda>") as escaped typewriter text.
    plain = True
    for ch in name:
        if not (_is_name_start(ch) or ch.isdigit()):
            plain = False
    if plain and name:
        return "\\operatorname{%s}" % name.replace("_", "\\_")
    return "\\text{\\texttt{%s}}" % latex_escape(name)


def _latex_document(body):
    return "\n".join(
        [
            "\\documentclass{article}",
            "\\usepackage{amsmath}",
            "\\begin{document}",
            body,
            "\\end{document}",
            "",
        ]
    ).replace("\n\n\n", "\n\n")
