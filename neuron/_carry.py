"""Carry neuron's own functions into an exported file, as their own source text.

The one-file export (:func:`neuron.compile.module_source`) must compute with
the very formulas of :mod:`neuron.activations`, down to the last bit.  Rather
than keep a second copy of each formula (which could drift), it copies the
functions themselves: their source, read with ``inspect.getsource``, and
everything they refer to, found by walking that source.  A
:class:`Carrier` collects the pieces and writes them out in an order that
runs (what a statement uses comes before it).

What a carried function may refer to, looked up in its own module:

* a function defined there (``def``): its source, carried in turn;
* a constant (a number, bool, None, string, or a tuple of them): ``name = repr``;
* ``name = math.X``, ``name = math.X if hasattr(math, "X") else fallback``,
  ``name = other.Y`` or ``name = Y``: the statement itself, so that the
  exported file chooses between ``math``'s function and neuron's fallback on
  each interpreter exactly as :mod:`neuron._mathx` does (MicroPython has no
  ``math.log1p`` or ``math.fsum``);
* ``_mathx.name`` (an attribute of another carried module): written ``name``;
* an error class of :mod:`neuron.errors`: a ``ValueError`` of the same name;
* ``math`` and the builtins: nothing to carry.

Anything else (another module, an object) is refused with a
:class:`~neuron.NeuronError`, so the exported file can never need more than
``import math``.  Only functions of :data:`MODULES` are carried: a function
of the user's own is refused, since nothing says what it needs.

A closure, such as the function ``_make_elu(alpha=2.0)`` returns, becomes a
small factory that binds its free variables to their values::

    def _make_G2():
        alpha = 2.0

        def elu(z):
            ...

        return elu

This module runs where the export is generated (CPython or PyPy: it needs
``ast`` and ``inspect``), never in the exported file.
"""

import ast
import builtins
import inspect
import math
import sys
import textwrap
import types

from .errors import NeuronError

# The modules whose functions may be carried.
MODULES = ("neuron.activations", "neuron._mathx", "neuron.layers")


class Carrier:
    """The definitions an exported file needs, in an order that runs.

    ``defined`` maps a name the file defines itself to its statement text
    (e.g. ``{"_exp": "_exp = math.exp"}``): a carried statement with the
    same name must be that very statement.  ``reserved`` holds the other
    names of the file, which nothing carried may take.
    """

    def __init__(self, defined=None, reserved=()):
        self.blocks = []  # source text, one block per definition
        self._texts = dict(defined or {})  # name -> its definition's text
        self._reserved = set(reserved)
        self._seen = set()  # (module name, name) carried or being carried
        self._closures = {}  # (code, cell values) -> the name bound to the closure

    def text(self):
        """The definitions, two blank lines apart."""
        return "\n\n\n".join(self.blocks) + "\n"

    # -- what the generator asks for ---------------------------------------

    def function(self, function, name):
        """Define ``name`` as ``function`` (one of neuron's); returns the name to call.

        A module-level function is carried under its own name and ``name`` is
        not used; a closure is rebuilt under ``name`` (the same closure asked
        for twice is built once).
        """
        module = _module_of(function)
        if function.__closure__ is None:
            if getattr(sys.modules[module], function.__name__, None) is not function:
                raise NeuronError("export: %s.%s cannot be found by its name" % (module, function.__name__))
            self.global_name(module, function.__name__)
            return function.__name__
        cells = tuple(cell.cell_contents for cell in function.__closure__)
        key = (function.__code__, tuple(_literal_text(v, "export") if _is_literal(v) else id(v) for v in cells))
        if key in self._closures:
            return self._closures[key]
        source = textwrap.dedent(inspect.getsource(function))
        for dependency in _references(source, module):
            self._reference(module, dependency)
        source = _rewrite_attributes(source, module)
        lines = ["def _make_%s():" % name]
        for variable, value in zip(function.__code__.co_freevars, cells):
            if not _is_literal(value):
                raise NeuronError(
                    "export: %s's free variable %r holds %r, which cannot be written out"
                    % (function.__qualname__, variable, value)
                )
            lines.append("    %s = %s" % (variable, _literal_text(value, variable)))
        lines.append("")
        lines.extend(("    " + line) if line.strip() else "" for line in source.rstrip().split("\n"))
        lines.append("")
        lines.append("    return %s" % function.__name__)
        self._add(name="_make_" + name, text="\n".join(lines))
        self._add(name=name, text="%s = _make_%s()" % (name, name))
        self._closures[key] = name
        return name

    def global_name(self, module, name):
        """Carry ``module``'s global ``name`` (with what it needs)."""
        key = (module, name)
        if key in self._seen:
            return
        self._seen.add(key)
        namespace = sys.modules[module].__dict__
        value = namespace[name]
        statement = _assignment(module, name)
        if statement is not None and _is_math_rule(statement.value):
            # A rule computed from `math` alone (which erf to use): the
            # statement itself, so the file decides on its own interpreter.
            self._add(name, ast.get_source_segment(_module_source(module), statement))
            return
        if statement is not None and _is_alias(statement.value, namespace):
            text = self._alias(module, name, statement)
            if text is not None:
                self._add(name, text)
            return
        if isinstance(value, types.FunctionType) and value.__name__ == name and value.__closure__ is None:
            if value.__module__ != module:
                raise NeuronError("export: %s.%s comes from %s" % (module, name, value.__module__))
            source = inspect.getsource(value)
            for dependency in _references(source, module):
                self._reference(module, dependency)
            self._add(name, _rewrite_attributes(source, module).rstrip())
            return
        if isinstance(value, type) and issubclass(value, ValueError) and value.__module__ == "neuron.errors":
            # The exported file's own error of that name: a ValueError, as neuron's is.
            self._add(name, 'class %s(ValueError):\n    """%s"""' % (name, _first_line(value.__doc__)))
            return
        if _is_literal(value):
            self._add(name, "%s = %s" % (name, _literal_text(value, name)))
            return
        raise NeuronError(
            "export: %s.%s (a %s) cannot be written out with only `import math`"
            % (module, name, type(value).__name__)
        )

    # -- helpers -------------------------------------------------------------

    def _reference(self, module, name):
        # `name` as a carried function uses it: a global of `module`, or a
        # pair (other module, attribute) for `_mathx.two_diff`.
        if isinstance(name, tuple):
            self.global_name(*name)
        else:
            self.global_name(module, name)

    def _alias(self, module, name, statement):
        # name = math.X / math.X if hasattr(math, "X") else Y / other.Y / Y
        value = statement.value
        source = _module_source(module)
        if isinstance(value, ast.IfExp):
            if isinstance(value.test, ast.Name):
                self.global_name(module, value.test.id)  # the rule it depends on
            self.global_name(module, value.orelse.id)
            return ast.get_source_segment(source, statement)
        if isinstance(value, ast.Attribute) and value.value.id == "math":
            return "%s = math.%s" % (name, value.attr)
        if isinstance(value, ast.Attribute):
            other = sys.modules[module].__dict__[value.value.id].__name__
            target = value.attr
            self.global_name(other, target)
        else:
            target = value.id
            self.global_name(module, target)
        return None if target == name else "%s = %s" % (name, target)

    def _add(self, name, text):
        if name in self._reserved or name in ("math", "forward", "predict"):
            raise NeuronError("export: a carried definition would take the name %r" % name)
        known = self._texts.get(name)
        if known is not None:
            if known != text:
                raise NeuronError("export: two different definitions of %r:\n%s\n%s" % (name, known, text))
            return
        self._texts[name] = text
        self.blocks.append(text)


# --- reading neuron's source ------------------------------------------------

_TREES = {}


def _module_source(module):
    return inspect.getsource(sys.modules[module])


def _module_tree(module):
    tree = _TREES.get(module)
    if tree is None:
        tree = _TREES[module] = ast.parse(_module_source(module))
    return tree


def _assignment(module, name):
    """The last top-level ``name = ...`` statement of ``module``, or None."""
    found = None
    for node in _module_tree(module).body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == name):
            found = node
    return found


def _is_alias(value, namespace):
    # math.X; math.X if hasattr(math, "X") else Y; other_module.Y; Y
    if isinstance(value, ast.Name):
        return value.id in namespace and not _is_literal(namespace[value.id])
    if isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name):
        owner = namespace.get(value.value.id)
        return owner is math or _carried_module(owner)
    if isinstance(value, ast.IfExp):
        test = value.test
        rule = isinstance(test, ast.Name) and _is_math_rule(
            getattr(_assignment(namespace["__name__"], test.id), "value", None))
        return ((rule or _is_math_rule(test))
                and isinstance(value.body, ast.Attribute) and isinstance(value.body.value, ast.Name)
                and value.body.value.id == "math" and isinstance(value.orelse, ast.Name))
    return False


def _is_math_rule(node):
    """True for a test built from ``hasattr(math, ...)``, ``math.f(constant)``,
    constants, comparisons and ``and``/``or``/``not``: it means the same
    thing wherever ``math`` is imported, so it can be copied as it is."""
    if isinstance(node, ast.BoolOp):
        return all(_is_math_rule(v) for v in node.values)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return _is_math_rule(node.operand)
    if isinstance(node, ast.Compare):
        return _is_math_rule(node.left) and all(_is_math_rule(c) for c in node.comparators)
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float, str, bool))
    if isinstance(node, ast.Call):
        function = node.func
        math_call = (isinstance(function, ast.Attribute) and isinstance(function.value, ast.Name)
                     and function.value.id == "math")
        has = isinstance(function, ast.Name) and function.id == "hasattr"
        if has:
            return (len(node.args) == 2 and isinstance(node.args[0], ast.Name) and node.args[0].id == "math"
                    and isinstance(node.args[1], ast.Constant))
        return math_call and not node.keywords and all(isinstance(a, ast.Constant) for a in node.args)
    return False


def _carried_module(value):
    return isinstance(value, types.ModuleType) and value.__name__ in MODULES


def _module_of(function):
    module = getattr(function, "__module__", None)
    if not isinstance(function, types.FunctionType) or module not in MODULES:
        raise NeuronError(
            "export: %r is not one of neuron's own functions, so it cannot be written out "
            "without neuron" % (function,)
        )
    return module


def _references(source, module):
    """The globals of ``module`` that ``source`` names (``(other, name)`` for ``other.name``)."""
    namespace = sys.modules[module].__dict__
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            owner = namespace.get(node.value.id)
            if _carried_module(owner):
                found.append((owner.__name__, node.attr))
            elif isinstance(owner, types.ModuleType) and owner is not math:
                raise NeuronError("export: %s uses the module %s" % (module, owner.__name__))
        elif isinstance(node, ast.Name) and node.id in namespace:
            value = namespace[node.id]
            if value is math or _carried_module(value):
                continue  # math is imported; other.name was found above
            if node.id in vars(builtins) and value is vars(builtins)[node.id]:
                continue
            found.append(node.id)
    out = []
    for name in found:  # in order of appearance, once each
        if name not in out:
            out.append(name)
    return out


def _rewrite_attributes(source, module):
    """``source`` with ``_mathx.name`` (another carried module's attribute) written ``name``."""
    namespace = sys.modules[module].__dict__
    spans = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and _carried_module(namespace.get(node.value.id))):
            spans.append((node.lineno, node.col_offset, node.end_col_offset, node.attr))
    if not spans:
        return source
    lines = source.split("\n")
    # Right to left, so that earlier columns stay valid.  Column offsets
    # count UTF-8 bytes; neuron's source is ASCII.
    for lineno, start, end, attr in sorted(spans, reverse=True):
        line = lines[lineno - 1]
        lines[lineno - 1] = line[:start] + attr + line[end:]
    return "\n".join(lines)


# --- values as source ------------------------------------------------------------


def _is_literal(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    return isinstance(value, tuple) and all(_is_literal(v) for v in value)


def _literal_text(value, where):
    if isinstance(value, float):
        if value != value:
            return 'float("nan")'
        if value in (math.inf, -math.inf):
            return 'float("inf")' if value > 0 else '-float("inf")'
        return repr(value)
    if isinstance(value, tuple):
        items = [_literal_text(v, where) for v in value]
        if len(items) == 1:
            return "(%s,)" % items[0]
        one_line = "(%s)" % ", ".join(items)
        if len(one_line) <= 80:
            return one_line
        return "(\n%s\n)" % "\n".join("    %s," % item for item in items)
    return repr(value)


def _first_line(doc):
    return (doc or "").strip().split("\n")[0].replace('"""', "'''")
