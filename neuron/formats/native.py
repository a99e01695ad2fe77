"""neuron's own model file: JSON a person can read, diff and check by hand.

The format is specified in ``docs/formats.md``.  In short: one JSON object
with ``"format": "neuron"``, an integer ``"version"`` (this module writes and
reads version 1), and ``"layers"``, a JSON *array* of layer objects in the
order the model runs them (an array, because MicroPython's dicts do not keep
their order).  Each layer has a ``"type"`` (the layer class, Keras's name)
and the fields that type needs; a Dense layer names its weight layout::

    {"type": "Dense", "name": "layer1", "units": 3, "activation": "sigmoid",
     "use_bias": true, "kernel_layout": "inputs x units",
     "kernel": [[-8.94, 0.29, 12.89], [-0.17, -7.34, 10.79]],
     "bias": [-9.87, -9.28, 1.01]}

Floats are written with ``repr``, the shortest text that reads back as the
same float, so saving and loading keeps every bit.  NaN and infinity cannot
occur: layers refuse them as weights.

>>> import neuron
>>> model = neuron.Sequential([neuron.Dense(1, "sigmoid", kernel=[[0.1], [-0.2]], bias=[0.3])])
>>> text = dumps(model)
>>> again = loads(text)
>>> again([1.0, 2.0]) == model([1.0, 2.0])
True

Reading uses only ``json`` and works on MicroPython; :func:`save` (an
atomic write through a temporary file) needs CPython's ``os`` and
``tempfile``.
"""

from .. import activations
from ..errors import FormatError, NeuronError

FORMAT_NAME = "neuron"
VERSION = 1

INPUTS_X_UNITS = "inputs x units"
UNITS_X_INPUTS = "units x inputs"


# --- writing ----------------------------------------------------------------


def to_dict(model):
    """The model as the plain dict the JSON file holds (a Sequential or a Classifier)."""
    from ..sequential import Sequential

    classifier = None
    if not isinstance(model, Sequential):
        inner = getattr(model, "model", None)
        if not isinstance(inner, Sequential) or not hasattr(model, "classes"):
            raise TypeError("save: expected a Sequential or a Classifier, got %s" % type(model).__name__)
        classifier = {"classes": list(model.classes), "kind": model.kind}
        model = inner
    doc = {"format": FORMAT_NAME, "version": VERSION, "name": model.name}
    metadata = getattr(model, "metadata", None)
    if metadata is not None:
        _check_metadata_to_save(metadata, model)
    if metadata:
        doc["metadata"] = dict(metadata)
    if classifier is not None:
        doc["classifier"] = classifier
    doc["layers"] = [_layer_dict(layer, i) for i, layer in enumerate(model.layers)]
    return doc


def _check_metadata_to_save(metadata, model):
    # A dict of JSON values with string keys (JSON would turn a key 1 into
    # "1", so the file would not give back what was saved), which load
    # reads back: the same checks as reading, with save's words.
    if not isinstance(metadata, dict):
        raise TypeError("save: metadata must be a dict of JSON values (str, number, bool, None, "
                        "list, dict), got %s" % type(metadata).__name__)
    _check_json_value(metadata, "metadata", 0)
    try:
        _read_metadata(metadata, model, None)
    except FormatError as error:
        raise NeuronError("save: %s" % error)


def _check_json_value(value, where, depth):
    if depth > 100:
        raise NeuronError("save: %s is nested more than 100 deep (or holds itself)" % where)
    if isinstance(value, dict):
        for key in value:
            if not isinstance(key, str):
                raise TypeError("save: %s has the key %r (%s); JSON keys are strings"
                                % (where, key, type(key).__name__))
            _check_json_value(value[key], "%s.%s" % (where, key), depth + 1)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_json_value(item, "%s[%d]" % (where, i), depth + 1)
    elif isinstance(value, float):
        if value - value != 0.0:
            raise NeuronError("save: %s is %r; the neuron format holds finite numbers only" % (where, value))
    elif not (value is None or isinstance(value, (bool, int, str))):
        raise TypeError("save: %s is a %s, which JSON cannot hold" % (where, type(value).__name__))


def dumps(model):
    """The model as the text of a neuron JSON file (one row of a matrix per line)."""
    lines = []
    _write(to_dict(model), lines, "", "model")
    return "".join(lines) + "\n"


def save(model, path):
    """Write the model to ``path`` atomically: a crash never leaves a half-written file.

    The text goes to a temporary file in the same folder, is flushed to
    disk, and is then renamed over ``path`` (``os.replace``, atomic on POSIX
    and Windows).  An existing file keeps its permissions.

    ``path`` is a ``str`` or an ``os.PathLike`` (``pathlib.Path``); anything
    else, bytes paths included, raises :class:`TypeError`.  The model's
    ``metadata`` must be ``None`` or a dict with string keys and JSON values
    (str, finite number, bool, None, list, dict): :class:`TypeError` for
    other types, :class:`~neuron.NeuronError` for NaN or for what ``load``
    would refuse (``input_names`` or ``class_labels`` of the wrong length).
    """
    import os
    import tempfile

    if not isinstance(path, str):
        if not hasattr(path, "__fspath__"):
            raise TypeError("save: path must be a str or an os.PathLike, got %s" % type(path).__name__)
        path = os.fspath(path)
        if not isinstance(path, str):
            raise TypeError("save: path must name the file as text (str), got a path of %s"
                            % type(path).__name__)
    text = dumps(model)  # fails before any file is touched
    folder = os.path.dirname(os.path.abspath(path))
    try:
        mode = os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    handle, temporary = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _layer_dict(layer, index):
    kind = layer.kind
    writer = _WRITERS.get(kind)
    if writer is None or type(layer).__name__ != kind:
        raise NeuronError(
            "save: layer %d %s is a %s, which the neuron format cannot hold"
            % (index, layer._where(), type(layer).__name__)
        )
    if not layer.built:
        raise NeuronError("save: layer %d %s has no weights yet" % (index, layer._where()))
    out = {"type": kind}
    if layer.name:
        out["name"] = layer.name
    writer(layer, out)
    return out


def _activation_fields(activation, out, where):
    # Only registry activations can be written: a plain function has no name
    # a file could bring back.
    try:
        same = activations.get(activation.name, **activation.params)
    except (NeuronError, TypeError):
        same = None
    if same is None or same != activation:
        raise NeuronError(
            "save: %s uses the activation %r, which is not in the activation registry, "
            "so a file cannot name it" % (where, activation.name)
        )
    out["activation"] = activation.name
    # Only the parameters that differ from the activation's defaults, so a
    # plain relu stays "relu" in the file.
    params = activation.changed_params()
    if params:
        out["activation_params"] = params


def _write_dense(layer, out):
    out["units"] = layer.units
    _activation_fields(layer.activation, out, layer._where())
    out["use_bias"] = layer.use_bias
    out["kernel_layout"] = INPUTS_X_UNITS
    out["kernel"] = layer.kernel
    if layer.use_bias:
        out["bias"] = layer.bias


def _write_normalization(layer, out):
    out["mean"] = list(layer.mean)
    out["variance"] = list(layer.variance)
    out["count"] = layer.count


def _write_activation(layer, out):
    _activation_fields(layer.activation, out, layer._where())


def _write_batch_normalization(layer, out):
    out["epsilon"] = layer.epsilon
    out["center"] = layer.center
    out["scale"] = layer.scale
    if layer.scale:
        out["gamma"] = list(layer.gamma)
    if layer.center:
        out["beta"] = list(layer.beta)
    out["moving_mean"] = list(layer.moving_mean)
    out["moving_variance"] = list(layer.moving_variance)


def _write_fields(*names):
    def write(layer, out):
        for name in names:
            value = getattr(layer, name)
            out[name] = list(value) if isinstance(value, list) else value

    return write


_WRITERS = {
    "Dense": _write_dense,
    "Normalization": _write_normalization,
    "Activation": _write_activation,
    "Dropout": _write_fields("rate"),
    "Flatten": _write_fields(),
    "BatchNormalization": _write_batch_normalization,
    "LeakyReLU": _write_fields("negative_slope"),
    "ReLU": _write_fields("max_value", "negative_slope", "threshold"),
    "ELU": _write_fields("alpha"),
    "PReLU": _write_fields("alpha"),
    "Softmax": _write_fields(),
}


def _write(value, lines, indent, where):
    # A small JSON writer: objects one key per line, a list of numbers on
    # one line, a matrix one row per line, so a file reads like the maths.
    # Floats go through repr(), exact and valid JSON for every finite float.
    import json

    if isinstance(value, dict):
        if not value:
            lines.append("{}")
            return
        lines.append("{\n")
        inner = indent + "  "
        keys = list(value)
        for n, key in enumerate(keys):
            lines.append(inner + json.dumps(str(key)) + ": ")
            _write(value[key], lines, inner, "%s.%s" % (where, key))
            lines.append(",\n" if n + 1 < len(keys) else "\n")
        lines.append(indent + "}")
    elif isinstance(value, (list, tuple)):
        if value and all(isinstance(v, (list, tuple, dict)) for v in value):
            lines.append("[\n")
            inner = indent + "  "
            for n, item in enumerate(value):
                lines.append(inner)
                _write(item, lines, inner, "%s[%d]" % (where, n))
                lines.append(",\n" if n + 1 < len(value) else "\n")
            lines.append(indent + "]")
        else:
            lines.append("[" + ", ".join(_scalar(v, "%s[%d]" % (where, n)) for n, v in enumerate(value)) + "]")
    else:
        lines.append(_scalar(value, where))


def _scalar(value, where):
    import json

    if value is None or isinstance(value, (bool, str)):
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value - value != 0.0:
            raise NeuronError("save: %s is %r; the neuron format holds finite numbers only" % (where, value))
        return repr(value)
    if isinstance(value, (list, tuple, dict)):
        lines = []
        _write(value, lines, "", where)
        return "".join(lines)
    raise TypeError("save: %s is a %s, which JSON cannot hold" % (where, type(value).__name__))


# --- reading ----------------------------------------------------------------


def loads(data, source=None):
    """The model a neuron JSON text (``str`` or UTF-8 ``bytes``) describes.

    Returns a :class:`~neuron.Sequential`, or a :class:`~neuron.Classifier`
    when the file has a ``"classifier"`` section.  Raises
    :class:`~neuron.FormatError` naming ``source``, the entry and what was
    expected for anything that is not a valid version-1 file, including (on
    CPython; MicroPython's ``json`` cannot tell) a key that appears twice in
    one object and the non-JSON constants ``NaN``, ``Infinity`` and
    ``-Infinity`` anywhere in the file.
    """
    import json

    if isinstance(data, (bytes, bytearray, memoryview)):
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeError:
            raise FormatError("not UTF-8 text; a neuron model is a JSON file", source)
    if not isinstance(data, str):
        raise TypeError("loads: expected str or bytes, got %s" % type(data).__name__)
    try:
        doc = _parse_json(json, data, source)
    except FormatError:
        raise
    except RuntimeError:
        # CPython's RecursionError is a RuntimeError, and MicroPython, which
        # has no RecursionError, raises a plain RuntimeError.
        raise FormatError("JSON nested too deeply", source)
    except ValueError as error:
        raise FormatError("not valid JSON (%s)" % error, source)
    return from_dict(doc, source)


class _NonFinite:
    # What parse_constant returns for NaN, Infinity and -Infinity, so that
    # the object holding one can name its key.
    def __init__(self, name):
        self.name = name


def _parse_json(json, text, source):
    # CPython: a key twice in one object (json keeps the last silently) and
    # the constants NaN, Infinity and -Infinity (not JSON; the format holds
    # finite numbers only) are refused, naming the key.  MicroPython's
    # json.loads takes no keyword arguments, and there these checks are
    # skipped: a duplicate key keeps its last value (NaN is not read by
    # MicroPython's json at all).
    found = []

    def constant(name):
        found.append(name)
        return _NonFinite(name)

    def pairs(items):
        out = {}
        for key, value in items:
            if key in out:
                raise FormatError("the key %r appears twice in one object" % key, source, key)
            if found and _holds_non_finite(value):
                raise FormatError("%s is not JSON, and the neuron format holds finite numbers only"
                                  % _holds_non_finite(value), source, key)
            out[key] = value
        return out

    try:
        doc = json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except TypeError:
        return json.loads(text)
    if found and _holds_non_finite(doc):
        raise FormatError("%s is not JSON, and the neuron format holds finite numbers only"
                          % found[0], source)
    return doc


def _holds_non_finite(value):
    # The constant's name when value is one or a list holding one (objects
    # inside were checked when they were built), else None.
    if isinstance(value, _NonFinite):
        return value.name
    if isinstance(value, list):
        for item in value:
            name = _holds_non_finite(item)
            if name:
                return name
    return None


def from_dict(doc, source=None):
    """Build the model from the parsed JSON document (see :func:`loads`)."""
    from ..sequential import Sequential

    if not isinstance(doc, dict):
        raise FormatError("expected a JSON object at the top, got %s" % _json_type(doc), source)
    if doc.get("format") != FORMAT_NAME:
        hint = ""
        if "class_name" in doc or "module" in doc:
            hint = "; this looks like a Keras config: use neuron.convert.from_keras(config, weights)"
        raise FormatError('expected "format": "neuron", got %s%s' % (_short(doc.get("format")), hint),
                          source, "format")
    version = doc.get("version")
    if not _is_int(version):
        raise FormatError("expected an integer version, got %s" % _short(version), source, "version")
    if version != VERSION:
        raise FormatError(
            "version %d is not one this neuron reads (it reads version %d)%s"
            % (version, VERSION, "; upgrade neuron" if version > VERSION else ""),
            source, "version")
    name = doc.get("name", "sequential")
    if not isinstance(name, str):
        raise FormatError("expected a string, got %s" % _short(name), source, "name")
    entries = doc.get("layers")
    if not isinstance(entries, list) or not entries:
        raise FormatError("expected a non-empty JSON array of layers, got %s" % _short(entries),
                          source, "layers")
    layers = [_read_layer(entry, i, source) for i, entry in enumerate(entries)]
    try:
        model = Sequential(layers, name=name)
    except (NeuronError, TypeError) as error:
        raise FormatError(str(error), source, "layers")
    metadata = doc.get("metadata")
    if metadata is not None:
        model.metadata = _read_metadata(metadata, model, source)
    section = doc.get("classifier")
    if section is None:
        return model
    return _read_classifier(section, model, source)


def _read_metadata(metadata, model, source):
    if not isinstance(metadata, dict):
        raise FormatError("expected a JSON object, got %s" % _short(metadata), source, "metadata")
    sizes = {"input_names": model.input_size, "class_labels": model.output_size}
    for key in ("input_names", "class_labels"):
        if key in metadata:
            value = metadata[key]
            if not isinstance(value, list):
                raise FormatError("expected a list, got %s" % _short(value), source, "metadata." + key)
            if sizes[key] is not None and len(value) != sizes[key]:
                raise FormatError("expected %d entries (the model's %s), got %d"
                                  % (sizes[key], "inputs" if key == "input_names" else "outputs", len(value)),
                                  source, "metadata." + key)
    if "source" in metadata and not isinstance(metadata["source"], str):
        raise FormatError("expected a string, got %s" % _short(metadata["source"]), source, "metadata.source")
    return metadata


def _read_classifier(section, model, source):
    from ..classifier import Classifier

    if not isinstance(section, dict):
        raise FormatError("expected a JSON object, got %s" % _short(section), source, "classifier")
    classes = section.get("classes")
    if not isinstance(classes, list):
        raise FormatError("expected a list of class labels, got %s" % _short(classes), source, "classifier.classes")
    kind = section.get("kind")
    try:
        return Classifier(model, classes, kind=kind)
    except (NeuronError, TypeError) as error:
        raise FormatError(str(error), source, "classifier")


def _read_layer(entry, index, source):
    where = "layers[%d]" % index
    if not isinstance(entry, dict):
        raise FormatError("expected a layer object, got %s" % _short(entry), source, where)
    kind = entry.get("type")
    reader = _READERS.get(kind) if isinstance(kind, str) else None
    if reader is None:
        raise FormatError(
            "unknown layer type %s; expected one of %s"
            % (repr(kind) if isinstance(kind, str) else _short(kind), ", ".join(sorted(_READERS))),
            source, where + ".type")
    name = entry.get("name")
    if name is not None:
        where = "%s (%s %r)" % (where, kind, name) if isinstance(name, str) else where
        if not isinstance(name, str):
            raise FormatError("expected a string, got %s" % _short(name), source, where + ".name")
    fields = _Fields(entry, where, source)
    try:
        return reader(fields, name)
    except FormatError:
        raise
    except (NeuronError, TypeError) as error:
        raise FormatError(str(error), source, where)


class _Fields:
    # Typed access to one layer object, each failure naming the field.

    def __init__(self, entry, where, source):
        self.entry = entry
        self.where = where
        self.source = source

    def fail(self, key, expected, value):
        raise FormatError("expected %s, got %s" % (expected, _short(value)), self.source,
                          "%s.%s" % (self.where, key))

    def get(self, key, default=None, required=True):
        if key not in self.entry:
            if required:
                raise FormatError("missing", self.source, "%s.%s" % (self.where, key))
            return default
        return self.entry[key]

    def number(self, key, default=None, required=False, allow_none=False):
        value = self.get(key, default, required)
        if value is None and allow_none:
            return None
        number = _finite(value)
        if number is None:
            self.fail(key, "a finite number", value)
        return number

    def boolean(self, key, default):
        value = self.get(key, default, required=False)
        if not isinstance(value, bool):
            self.fail(key, "true or false", value)
        return value

    def count(self, key):
        value = self.get(key)
        if not _is_int(value) or value < 1:
            self.fail(key, "a whole number of at least 1", value)
        return value

    def vector(self, key, required=True):
        value = self.get(key, None, required)
        if value is None and not required:
            return None
        if not isinstance(value, list) or not value:
            self.fail(key, "a non-empty list of numbers", value)
        out = []
        for i, v in enumerate(value):
            number = _finite(v)
            if number is None:
                self.fail("%s[%d]" % (key, i), "a finite number", v)
            out.append(number)
        return out

    def matrix(self, key):
        value = self.get(key)
        if not isinstance(value, list) or not value:
            self.fail(key, "a non-empty list of rows", value)
        rows = []
        for i, row in enumerate(value):
            if not isinstance(row, list) or not row:
                self.fail("%s[%d]" % (key, i), "a non-empty list of numbers", row)
            if len(row) != len(value[0]):
                self.fail("%s[%d]" % (key, i), "%d numbers like row 0" % len(value[0]), row)
            out = []
            for j, v in enumerate(row):
                number = _finite(v)
                if number is None:
                    self.fail("%s[%d][%d]" % (key, i, j), "a finite number", v)
                out.append(number)
            rows.append(out)
        return rows

    def activation(self):
        name = self.get("activation")
        if not isinstance(name, str):
            self.fail("activation", "an activation name", name)
        params = self.get("activation_params", {}, required=False)
        if not isinstance(params, dict):
            self.fail("activation_params", "a JSON object of parameters", params)
        defaults = _default_params(name)
        for key, value in params.items():
            if not (value is None or isinstance(value, (bool, str)) or _is_number(value)):
                self.fail("activation_params." + key, "a number, true/false, a string or null", value)
            default = defaults.get(key, 0.0)  # a required parameter is a number
            if _is_number(value) and _finite(value) is None:
                self.fail("activation_params." + key, "a finite number", value)
            if (value is None and default is not None) or (
                    isinstance(value, bool) and not isinstance(default, bool)):
                self.fail("activation_params." + key, "true or false" if isinstance(default, bool)
                          else "a string" if isinstance(default, str) else "a number", value)
        try:
            # JSON object keys are str; ** needs them as keyword names.
            return activations.get(name, **dict((str(k), v) for k, v in params.items()))
        except (NeuronError, TypeError) as error:
            raise FormatError(str(error), self.source,
                              self.where + (".activation_params" if params else ".activation"))


def _default_params(name):
    # The activation's parameters with their defaults ({} when it has
    # required ones or an unknown name: activations.get then reports).
    try:
        return activations.get(name).params
    except (NeuronError, TypeError):
        return {}


def _read_dense(f, name):
    from ..layers import Dense

    units = f.count("units")
    activation = f.activation()
    use_bias = f.boolean("use_bias", True)
    layout = f.get("kernel_layout")
    if layout not in (INPUTS_X_UNITS, UNITS_X_INPUTS):
        f.fail("kernel_layout", '"%s" or "%s"' % (INPUTS_X_UNITS, UNITS_X_INPUTS), layout)
    kernel = f.matrix("kernel")
    bias = f.vector("bias") if use_bias else None
    if not use_bias and "bias" in f.entry:
        f.fail("bias", "no bias, since use_bias is false", f.entry["bias"])
    if layout == UNITS_X_INPUTS:
        if len(kernel) != units:
            f.fail("kernel", "%d rows (units x inputs: one per unit)" % units, "%d rows" % len(kernel))
        kernel = [list(column) for column in zip(*kernel)]
    elif len(kernel[0]) != units:
        f.fail("kernel", "%d columns (inputs x units: one per unit)" % units, "%d columns" % len(kernel[0]))
    if bias is not None and len(bias) != units:
        f.fail("bias", "%d numbers, one per unit" % units, "%d numbers" % len(bias))
    layer = Dense(units, activation, use_bias=use_bias, name=name)
    layer.set_weights([kernel, bias] if use_bias else [kernel])
    return layer


def _read_normalization(f, name):
    from ..layers import Normalization

    mean = f.vector("mean")
    variance = f.vector("variance")
    count = f.get("count", 0, required=False)
    if _finite(count) is None:
        f.fail("count", "a finite number", count)
    layer = Normalization(name=name)
    layer.set_weights([mean, variance, count])
    return layer


def _read_activation(f, name):
    from ..layers import Activation

    return Activation(f.activation(), name=name)


def _read_batch_normalization(f, name):
    from ..layers import BatchNormalization

    center = f.boolean("center", True)
    scale = f.boolean("scale", True)
    layer = BatchNormalization(f.number("epsilon", 1e-3), center=center, scale=scale, name=name)
    weights = []
    if scale:
        weights.append(f.vector("gamma"))
    if center:
        weights.append(f.vector("beta"))
    weights += [f.vector("moving_mean"), f.vector("moving_variance")]
    layer.set_weights(weights)
    return layer


def _reader_dropout(f, name):
    from ..layers import Dropout

    return Dropout(f.number("rate", 0.5), name=name)


def _reader_flatten(f, name):
    from ..layers import Flatten

    return Flatten(name=name)


def _reader_leaky(f, name):
    from ..layers import LeakyReLU

    return LeakyReLU(f.number("negative_slope", 0.3), name=name)


def _reader_relu(f, name):
    from ..layers import ReLU

    return ReLU(f.number("max_value", None, allow_none=True), f.number("negative_slope", 0.0),
                f.number("threshold", 0.0), name=name)


def _reader_elu(f, name):
    from ..layers import ELU

    return ELU(f.number("alpha", 1.0), name=name)


def _reader_prelu(f, name):
    from ..layers import PReLU

    return PReLU(f.vector("alpha"), name=name)


def _reader_softmax(f, name):
    from ..layers import Softmax

    return Softmax(name=name)


_READERS = {
    "Dense": _read_dense,
    "Normalization": _read_normalization,
    "Activation": _read_activation,
    "Dropout": _reader_dropout,
    "Flatten": _reader_flatten,
    "BatchNormalization": _read_batch_normalization,
    "LeakyReLU": _reader_leaky,
    "ReLU": _reader_relu,
    "ELU": _reader_elu,
    "PReLU": _reader_prelu,
    "Softmax": _reader_softmax,
}


def _is_number(value):
    # bool is an int in Python (not on MicroPython); JSON true is not a number.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _finite(value):
    # The float of a JSON number, or None for anything else: CPython's json
    # reads NaN, Infinity and 1e400 (inf), and a huge integer overflows.
    if not _is_number(value):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if number - number == 0.0 else None


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _json_type(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list of %d" % len(value)
    if isinstance(value, dict):
        return "an object"
    return "a number"


def _short(value):
    # What was found, briefly: the value when it is short, else its type.
    if value is None:
        return "null (or nothing)"
    if isinstance(value, str):
        return "the string %r" % value[:40] if len(value) <= 40 else "a string"
    if isinstance(value, bool) or _is_number(value):
        return repr(value)
    return _json_type(value)
