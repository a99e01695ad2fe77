"""Models from Keras, PyTorch and scikit-learn, as neuron models.

Each function takes either the framework's live object (duck-typed: no
framework is imported here, so none is needed) or the plain data the
framework writes out, and returns a :class:`~neuron.Sequential` (or a
:class:`~neuron.Classifier` for scikit-learn classifiers) that computes the
same forward pass.  The layouts are the frameworks' own and never guessed:

* Keras: a Dense kernel is (inputs x units), as neuron's ``kernel=``;
  ``get_weights()`` lists each layer's arrays in order.
* PyTorch: a Linear weight is (out_features x in_features), one row per
  unit, as :meth:`neuron.Dense.from_neurons` takes it.
* scikit-learn: ``coefs_[i]`` is (inputs x units), like Keras.

>>> config = {"layers": [
...     {"class_name": "Dense", "config": {"name": "hidden", "units": 2, "activation": "relu"}},
...     {"class_name": "Dense", "config": {"name": "out", "units": 1, "activation": "linear"}}]}
>>> model = from_keras(config, [[[1.0, -1.0]], [0.0, 0.0], [[1.0], [2.0]], [0.5]])
>>> model([3.0])
[3.5]
>>> torch_model = from_torch({"0.weight": [[1.0], [-1.0]], "0.bias": [0.0, 0.0],
...                           "2.weight": [[1.0, 2.0]], "2.bias": [0.5]},
...                          ["Linear", "ReLU", "Linear"])
>>> torch_model([3.0])
[3.5]

Anything a function cannot map exactly (a layer type it does not know, an
option that changes the arithmetic, weights whose shapes disagree with the
architecture) raises :class:`~neuron.FormatError` naming the layer and what
was expected; a model is never returned half converted.
"""

from . import activations
from .errors import FormatError, NeuronError

# --- shared helpers ---------------------------------------------------------


def _plain(value):
    # NumPy arrays, torch tensors and neuron's Array all have tolist().
    tolist = getattr(value, "tolist", None)
    if tolist is not None and not isinstance(value, (list, tuple)):
        return tolist()
    return value


def _activation(candidates, where):
    """The first registered activation among ``(name, params)`` candidates.

    Each framework's own variant comes first (``torch.gelu``), then the
    registry's general name with the parameters translated, for registries
    that do not have the variant.
    """
    known = activations.names()
    for name, params in candidates:
        if name in known:
            try:
                return activations.get(name, **params)
            except (NeuronError, TypeError) as error:
                raise FormatError(str(error), None, where)
    raise FormatError(
        "activation %s is not in this neuron's activation registry" % candidates[0][0], None, where
    )


def _build(make, where):
    try:
        return make()
    except FormatError:
        raise
    except (NeuronError, TypeError) as error:
        raise FormatError(str(error), None, where)


def _sequential(layers, name, source):
    from .sequential import Sequential

    model = _build(lambda: Sequential(layers, name=name), "model")
    model.metadata = {"source": source}
    return model


# --- Keras ------------------------------------------------------------------

KERAS_LAYERS = (
    "InputLayer", "Dense", "Activation", "Normalization", "BatchNormalization", "Dropout",
    "LeakyReLU", "ReLU", "ELU", "PReLU", "Softmax", "Flatten",
)

# Keras 2 meant something else by these activation names.
_KERAS2_ACTIVATIONS = {"hard_sigmoid": "keras2.hard_sigmoid"}


def from_keras(model_or_config, weights=None, *, keras_version=None):
    """A neuron model from a Keras model, or from its config and ``get_weights()`` arrays.

    ``model_or_config`` is a live Keras model (anything with
    ``get_config()`` and ``get_weights()``), or its architecture as plain
    data: the ``config.json`` inside a ``.keras`` file
    (``{"class_name": "Sequential", "config": {...}}``), the dict
    ``model.get_config()`` returns, or just the list of layer dicts.
    ``weights`` is ``model.get_weights()``: a list of arrays (nested lists,
    NumPy arrays) or the dict :func:`neuron.formats.read_arrays` returns.

    Sequential models and Functional models that are a single chain are
    converted; the layers are those in ``KERAS_LAYERS``.  Dense layers keep
    their activation; Keras's separate activation layers stay separate
    layers, with Keras's names.  ``keras_version`` ("2.15.0") matters only
    for Keras 2's ``hard_sigmoid``; a config's own ``keras_version`` is used
    when present.
    """
    config = model_or_config
    source = "keras"
    if hasattr(config, "get_config") and hasattr(config, "get_weights"):
        if weights is None:
            weights = config.get_weights()
        inner = config.get_config()
        # A subclass of Sequential keeps its own class name: tell the two
        # kinds apart by what the config holds.
        kind = "Functional" if isinstance(inner, dict) and "input_layers" in inner else "Sequential"
        config = {"class_name": kind, "config": inner}
        if keras_version is None:
            keras_version = _live_keras_version()
    if weights is None:
        raise TypeError("from_keras: pass the weights (model.get_weights()) with a config")
    if isinstance(config, dict) and keras_version is None and isinstance(config.get("keras_version"), str):
        keras_version = config["keras_version"]
    if keras_version:
        source = "keras " + keras_version
    entries, name = _keras_layer_entries(config)
    # Keras 1 and 2 share the older meanings (hard_sigmoid = clip(0.2 z + 0.5, 0, 1)).
    keras2 = bool(keras_version) and keras_version.split(".")[0] in ("1", "2")
    weights = _weight_list(weights)
    layers = []
    start = 0
    input_size = None
    for index, entry in enumerate(entries):
        kind, layer_config, where = _keras_entry(entry, index)
        if kind == "InputLayer":
            input_size = _keras_input_size(layer_config, where)
            continue
        if kind not in _KERAS_CONVERTERS:
            raise FormatError(
                "layer class %s is not supported (supported: %s)" % (kind, ", ".join(KERAS_LAYERS)),
                None, where)
        layer, used = _KERAS_CONVERTERS[kind](layer_config, weights, start, where, keras2)
        if used and start + used > len(weights):
            raise FormatError(
                "needs %d weight arrays, but only %d of the %d are left"
                % (used, len(weights) - start, len(weights)), None, where)
        start += used
        layers.append(layer)
    if start != len(weights):
        raise FormatError(
            "the layers take %d weight arrays, %d were given" % (start, len(weights)), None, "weights")
    if not layers:
        raise FormatError("the model has no layers besides its input", None, "layers")
    model = _sequential(layers, name, source)
    first = model.input_size
    if input_size is not None and first is not None and input_size != first:
        raise FormatError("the input layer has %d features, the first layer takes %d"
                          % (input_size, first), None, "InputLayer")
    return model


def _live_keras_version():
    try:
        import keras
    except ImportError:
        return None
    return getattr(keras, "__version__", None)


def _weight_list(weights):
    if isinstance(weights, dict):
        from .formats.npy import ordered_names

        weights = [weights[key] for key in ordered_names(list(weights))]
    if not isinstance(weights, (list, tuple)):
        raise TypeError("weights must be a list of arrays, got %s" % type(weights).__name__)
    return [_plain(w) for w in weights]


def _keras_layer_entries(config):
    # Returns (layer dicts, model name) for every form of config accepted.
    if isinstance(config, (list, tuple)):
        return list(config), None
    if not isinstance(config, dict):
        raise TypeError("from_keras: expected a Keras model, a config dict or a list of layer dicts, got %s"
                        % type(config).__name__)
    kind = config.get("class_name")
    if "config" in config and isinstance(config["config"], dict) and "layers" not in config:
        if kind not in (None, "Sequential", "Functional", "Model"):
            raise FormatError("expected a Sequential or Functional model, got %s" % kind, None, "class_name")
        inner = config["config"]
    else:
        inner = config
    layers = inner.get("layers")
    if not isinstance(layers, list):
        raise FormatError("expected a list of layers, got %s" % type(layers).__name__, None, "config.layers")
    name = inner.get("name")
    if kind in ("Functional", "Model") or any(isinstance(e, dict) and "inbound_nodes" in e for e in layers):
        _check_single_chain(layers)
    return layers, name if isinstance(name, str) else None


def _check_single_chain(layers):
    # A Functional model is converted only when every layer takes exactly
    # the output of the layer listed before it.
    previous = None
    for index, entry in enumerate(layers):
        name = _entry_name(entry)
        inbound = []
        _inbound_names(entry.get("inbound_nodes", []) if isinstance(entry, dict) else [], inbound)
        if index == 0:
            if inbound:
                raise FormatError("the first layer takes inputs from %s; expected an input layer"
                                  % ", ".join(inbound), None, "layer 0 %r" % name)
        elif inbound != [previous]:
            raise FormatError(
                "takes its input from %s, not only from the layer before it (%r): only a single "
                "chain of layers can be converted" % (", ".join(repr(n) for n in inbound) or "nothing", previous),
                None, "layer %d %r" % (index, name))
        previous = name


def _inbound_names(node, out):
    # Keras 3: {"args": [{"class_name": "__keras_tensor__", "config":
    # {"keras_history": [name, 0, 0]}}]}; Keras 2: [[["name", 0, 0, {}]]].
    if isinstance(node, dict):
        history = node.get("keras_history")
        if isinstance(history, list) and history and isinstance(history[0], str):
            out.append(history[0])
            return
        for value in node.values():
            _inbound_names(value, out)
    elif isinstance(node, list):
        if len(node) >= 3 and isinstance(node[0], str) and isinstance(node[1], int):
            out.append(node[0])
            return
        for value in node:
            _inbound_names(value, out)


def _entry_name(entry):
    if isinstance(entry, dict):
        config = entry.get("config")
        if isinstance(config, dict) and isinstance(config.get("name"), str):
            return config["name"]
        if isinstance(entry.get("name"), str):
            return entry["name"]
    return None


def _keras_entry(entry, index):
    if not isinstance(entry, dict) or not isinstance(entry.get("class_name"), str):
        raise FormatError("expected a layer dict with a class_name", None, "layer %d" % index)
    config = entry.get("config", {})
    if not isinstance(config, dict):
        raise FormatError("expected the layer's config dict", None, "layer %d" % index)
    kind = entry["class_name"]
    name = _entry_name(entry)
    where = "layer %d %r (%s)" % (index, name, kind) if name else "layer %d (%s)" % (index, kind)
    return kind, config, where


def _keras_input_size(config, where):
    shape = config.get("batch_shape", config.get("batch_input_shape"))
    if shape is None:
        return None
    if not isinstance(shape, list) or len(shape) != 2 or not isinstance(shape[1], int):
        raise FormatError("input shape %r: neuron's models take one flat list of numbers per example, "
                          "expected (batch, features)" % (shape,), None, where)
    return shape[1]


def _keras_activation(value, where, keras2):
    if isinstance(value, dict):  # Keras 3 may serialize {"class_name": "function", "config": "relu"}
        value = value.get("config")
    if value is None:
        value = "linear"
    if not isinstance(value, str):
        raise FormatError("expected an activation name, got %r" % (value,), None, where)
    if keras2:
        value = _KERAS2_ACTIVATIONS.get(value, value)
    return _activation([(value, {})], where)


def _option(config, key, default, where, allowed=None):
    value = config.get(key, default)
    if value is None:
        value = default
    if allowed is not None and value not in allowed:
        raise FormatError("%s = %r is not supported (expected %s)"
                          % (key, value, " or ".join(repr(a) for a in allowed)), None, where)
    return value


def _keras_dense(config, weights, start, where, keras2):
    from .layers import Dense

    use_bias = _option(config, "use_bias", True, where, (True, False))
    activation = _keras_activation(config.get("activation"), where, keras2)
    units = config.get("units")
    count = 2 if use_bias else 1
    arrays = weights[start:start + count]

    def make():
        layer = Dense(units, activation, use_bias=use_bias, name=config.get("name"))
        if len(arrays) == count:
            layer.set_weights(arrays)
        return layer

    return _build(make, where), count


def _keras_normalization(config, weights, start, where, keras2):
    from .layers import Normalization

    axis = config.get("axis", -1)
    if axis not in (-1, [-1], 1, [1], (-1,)):
        raise FormatError("axis = %r is not supported (expected -1, the features)" % (axis,), None, where)
    _option(config, "invert", False, where, (False,))
    if config.get("mean") is not None or config.get("variance") is not None:
        # Statistics given to the constructor live in the config, not in
        # the weights.
        return _build(lambda: Normalization(_plain(config.get("mean")), _plain(config.get("variance")),
                                            name=config.get("name")), where), 0
    arrays = weights[start:start + 3]

    def make():
        layer = Normalization(name=config.get("name"))
        if len(arrays) == 3:
            layer.set_weights(arrays)
        return layer

    return _build(make, where), 3


def _keras_batch_normalization(config, weights, start, where, keras2):
    from .layers import BatchNormalization

    axis = config.get("axis", -1)
    if axis not in (-1, [-1], 1, [1]):
        raise FormatError("axis = %r is not supported (expected -1, the features)" % (axis,), None, where)
    _option(config, "renorm", False, where, (False,))
    center = _option(config, "center", True, where, (True, False))
    scale = _option(config, "scale", True, where, (True, False))
    count = 2 + int(center) + int(scale)
    arrays = weights[start:start + count]

    def make():
        layer = BatchNormalization(config.get("epsilon", 1e-3), center=center, scale=scale,
                                   name=config.get("name"))
        if len(arrays) == count:
            layer.set_weights(arrays)
        return layer

    return _build(make, where), count


def _keras_activation_layer(config, weights, start, where, keras2):
    from .layers import Activation

    activation = _keras_activation(config.get("activation"), where, keras2)
    return _build(lambda: Activation(activation, name=config.get("name")), where), 0


def _keras_dropout(config, weights, start, where, keras2):
    from .layers import Dropout

    return _build(lambda: Dropout(config.get("rate", 0.5), name=config.get("name")), where), 0


def _keras_flatten(config, weights, start, where, keras2):
    from .layers import Flatten

    return _build(lambda: Flatten(name=config.get("name")), where), 0


def _keras_leaky_relu(config, weights, start, where, keras2):
    from .layers import LeakyReLU

    # Keras 3 says negative_slope, Keras 2 alpha; the layer's default is 0.3.
    slope = config.get("negative_slope", config.get("alpha", 0.3))
    return _build(lambda: LeakyReLU(0.3 if slope is None else slope, name=config.get("name")), where), 0


def _keras_relu(config, weights, start, where, keras2):
    from .layers import ReLU

    return _build(lambda: ReLU(config.get("max_value"), _option(config, "negative_slope", 0.0, where),
                               _option(config, "threshold", 0.0, where), name=config.get("name")), where), 0


def _keras_elu(config, weights, start, where, keras2):
    from .layers import ELU

    return _build(lambda: ELU(_option(config, "alpha", 1.0, where), name=config.get("name")), where), 0


def _keras_prelu(config, weights, start, where, keras2):
    from .layers import PReLU

    shared = config.get("shared_axes")
    if shared not in (None, []):
        raise FormatError("shared_axes = %r is not supported (expected None: one slope per feature)"
                          % (shared,), None, where)
    arrays = weights[start:start + 1]

    def make():
        layer = PReLU(name=config.get("name"))
        if arrays:
            layer.set_weights(arrays)
        return layer

    return _build(make, where), 1


def _keras_softmax(config, weights, start, where, keras2):
    from .layers import Softmax

    axis = config.get("axis", -1)
    if axis not in (-1, [-1], 1, [1]):
        raise FormatError("axis = %r is not supported (expected -1, the features)" % (axis,), None, where)
    return _build(lambda: Softmax(name=config.get("name")), where), 0


_KERAS_CONVERTERS = {
    "Dense": _keras_dense,
    "Normalization": _keras_normalization,
    "BatchNormalization": _keras_batch_normalization,
    "Activation": _keras_activation_layer,
    "Dropout": _keras_dropout,
    "Flatten": _keras_flatten,
    "LeakyReLU": _keras_leaky_relu,
    "ReLU": _keras_relu,
    "ELU": _keras_elu,
    "PReLU": _keras_prelu,
    "Softmax": _keras_softmax,
}


# --- PyTorch ----------------------------------------------------------------

TORCH_MODULES = (
    "Linear", "ReLU", "Tanh", "Sigmoid", "GELU", "SiLU", "ELU", "LeakyReLU", "Hardsigmoid",
    "Hardswish", "Softplus", "Softmax", "LogSoftmax", "Identity", "Dropout", "Flatten",
)


def _torch_dim(params, where):
    dim = params.get("dim")
    if dim not in (None, -1, 1):
        raise FormatError("dim=%r is not supported (expected -1 or 1, the features)" % (dim,), None, where)
    return {}


def _gelu_candidates(params):
    approximate = params.get("approximate", "none")
    return [("torch.gelu", {"approximate": approximate}), ("gelu", {"approximate": approximate == "tanh"})]


# module -> function of its parameters giving (registry name, params) candidates
_TORCH_ACTIVATIONS = {
    "ReLU": lambda p: [("torch.relu", {}), ("relu", {})],
    "Tanh": lambda p: [("torch.tanh", {}), ("tanh", {})],
    "Sigmoid": lambda p: [("torch.sigmoid", {}), ("sigmoid", {})],
    "GELU": _gelu_candidates,
    "SiLU": lambda p: [("torch.silu", {}), ("silu", {})],
    "ELU": lambda p: [("torch.elu", {"alpha": p.get("alpha", 1.0)}), ("elu", {"alpha": p.get("alpha", 1.0)})],
    "LeakyReLU": lambda p: [("torch.leaky_relu", {"negative_slope": p.get("negative_slope", 0.01)}),
                            ("leaky_relu", {"negative_slope": p.get("negative_slope", 0.01)})],
    "Hardsigmoid": lambda p: [("torch.hardsigmoid", {}), ("hard_sigmoid", {})],
    "Hardswish": lambda p: [("torch.hardswish", {}), ("hard_silu", {})],
    # torch's softplus returns z itself above the threshold: only its own
    # variant computes that.
    "Softplus": lambda p: [("torch.softplus", {"beta": p.get("beta", 1.0), "threshold": p.get("threshold", 20.0)})],
    "Softmax": lambda p: [("torch.softmax", {}), ("softmax", {})],
    "LogSoftmax": lambda p: [("torch.log_softmax", {}), ("log_softmax", {})],
}

_TORCH_OPTIONS = {"inplace", "dim"}


def from_torch(module_or_state_dict, modules=None):
    """A neuron model from a PyTorch ``nn.Sequential``, or from its state_dict and module list.

    ``module_or_state_dict`` is a live ``nn.Sequential`` of the modules in
    ``TORCH_MODULES``, or its ``state_dict()`` as plain data: a dict from
    ``"0.weight"``, ``"0.bias"``, ``"2.weight"``, ... to arrays (nested
    lists, tensors, or what :func:`neuron.formats.read_arrays` returns for a
    ``.safetensors`` file).  With a state_dict, ``modules`` says what the
    model is: the text ``print(model)`` shows (paste it as it is), or a list
    with one entry per module, such as ``["Linear", "ReLU", "Linear"]`` or
    ``["Linear", "LeakyReLU(negative_slope=0.1)", "Linear"]``.

    A Linear weight is (out_features x in_features), one row per unit: it
    becomes :meth:`Dense.from_neurons`.  An activation module right after a
    Linear becomes that Dense layer's activation (``a = g(z)``, as in the
    course); Dropout and Flatten stay as layers, Identity is left out.
    Every state_dict entry must be used, and shapes must agree with the
    module list.
    """
    if hasattr(module_or_state_dict, "state_dict") and hasattr(module_or_state_dict, "children"):
        specs, state = _live_torch(module_or_state_dict)
    else:
        state = module_or_state_dict
        if not isinstance(state, dict):
            raise TypeError("from_torch: expected an nn.Sequential or a state_dict (a dict), got %s"
                            % type(state).__name__)
        if modules is None:
            raise TypeError("from_torch: a state_dict needs modules= (the text print(model) shows, "
                            "or a list of module names)")
        specs = parse_torch_modules(modules)
    state = dict((key, _plain(value)) for key, value in state.items())
    used = set()
    layers = []
    for index, (kind, params) in specs:
        where = "module (%s): %s" % (index, kind)
        if kind == "Linear":
            layers.append(_torch_linear(index, params, state, used, where))
        elif kind in _TORCH_ACTIVATIONS:
            if kind in ("Softmax", "LogSoftmax"):
                _torch_dim(params, where)
            _torch_check_params(kind, params, where)
            activation = _activation(_TORCH_ACTIVATIONS[kind](params), where)
            last = layers[-1] if layers else None
            if last is not None and last.kind == "Dense" and last.activation.name == "linear":
                last.activation = activation
            else:
                from .layers import Activation

                layers.append(Activation(activation, name="%s_%s" % (kind.lower(), index)))
        elif kind == "Dropout":
            from .layers import Dropout

            layers.append(_build(lambda: Dropout(params.get("p", 0.5), name="dropout_%s" % index), where))
        elif kind == "Flatten":
            from .layers import Flatten

            layers.append(Flatten(name="flatten_%s" % index))
        elif kind == "Identity":
            continue
        else:
            raise FormatError("module %s is not supported (supported: %s)" % (kind, ", ".join(TORCH_MODULES)),
                              None, where)
    unused = [key for key in state if key not in used]
    if unused:
        raise FormatError("state_dict entries %s belong to no Linear module of the module list"
                          % ", ".join(sorted(unused)), None, "state_dict")
    if not layers:
        raise FormatError("the module list has no layers", None, "modules")
    return _sequential(layers, "sequential", "pytorch")


def _torch_check_params(kind, params, where):
    allowed = {"alpha", "negative_slope", "approximate", "beta", "threshold"} | _TORCH_OPTIONS
    for key in params:
        if key not in allowed:
            raise FormatError("parameter %s is not understood" % key, None, where)


def _torch_linear(index, params, state, used, where):
    from .layers import Dense

    weight_key, bias_key = "%s.weight" % index, "%s.bias" % index
    if weight_key not in state:
        raise FormatError("the state_dict has no %r for this Linear" % weight_key, None, where)
    weight = state[weight_key]
    used.add(weight_key)
    bias = state.get(bias_key)
    if bias_key in state:
        used.add(bias_key)
    wants_bias = params.get("bias", True if bias is not None else False)
    if wants_bias and bias is None:
        raise FormatError("bias=True, but the state_dict has no %r" % bias_key, None, where)
    if not wants_bias and bias is not None:
        raise FormatError("bias=False, but the state_dict has %r" % bias_key, None, where)
    if not isinstance(weight, list) or not weight or not isinstance(weight[0], list):
        raise FormatError("expected a 2-D weight (out_features x in_features)", None, weight_key)
    out_features, in_features = len(weight), len(weight[0])
    for key, found in (("out_features", out_features), ("in_features", in_features)):
        if key in params and params[key] != found:
            raise FormatError("%s=%r, but %s is %d x %d (out_features x in_features)"
                              % (key, params[key], weight_key, out_features, in_features), None, where)

    def make():
        if bias is not None:
            return Dense.from_neurons(weight, bias, name="linear_%s" % index)
        rows = [list(column) for column in zip(*weight)]  # (in x out), the kernel layout
        return Dense(out_features, kernel=rows, use_bias=False, name="linear_%s" % index)

    return _build(make, where)


def _live_torch(module):
    specs = []
    named = module.named_children() if hasattr(module, "named_children") else enumerate(module.children())
    for index, child in named:
        kind = type(child).__name__
        params = {}
        for key in ("in_features", "out_features", "negative_slope", "alpha", "approximate", "beta",
                    "threshold", "dim", "p"):
            if hasattr(child, key):
                params[key] = getattr(child, key)
        if kind == "Linear":
            params["bias"] = getattr(child, "bias", None) is not None
        specs.append((str(index), (kind, params)))
    state = module.state_dict()
    state = dict((key, _plain(value.detach().cpu()) if hasattr(value, "detach") else value)
                 for key, value in state.items())
    return [(index, spec) for index, spec in specs], state


def parse_torch_modules(modules):
    """``[(index, (name, params)), ...]`` from ``print(model)`` text or a list of module entries.

    >>> parse_torch_modules('''Sequential(
    ...   (0): Linear(in_features=2, out_features=3, bias=True)
    ...   (1): LeakyReLU(negative_slope=0.1)
    ... )''')
    [('0', ('Linear', {'in_features': 2, 'out_features': 3, 'bias': True})), ('1', ('LeakyReLU', {'negative_slope': 0.1}))]
    >>> parse_torch_modules(["Linear", "ReLU"])
    [('0', ('Linear', {})), ('1', ('ReLU', {}))]
    """
    if isinstance(modules, str):
        lines = [line.strip() for line in modules.strip().splitlines()]
        if lines and lines[0].startswith("Sequential("):
            if lines[-1] != ")":
                raise FormatError("expected the Sequential(...) text to end with ')'", None, "modules")
            lines = lines[1:-1]
        specs = []
        for number, line in enumerate(lines):
            if not line:
                continue
            if not line.startswith("(") or "): " not in line:
                raise FormatError("expected '(index): Module(...)', got %r" % line[:60], None,
                                  "modules line %d" % (number + 1))
            index, text = line[1:].split("): ", 1)
            if not index.isdigit():
                raise FormatError("expected a numeric index (a nested module cannot be converted), got %r"
                                  % index, None, "modules line %d" % (number + 1))
            specs.append((index, _parse_module(text, "modules line %d" % (number + 1))))
        if not specs:
            raise FormatError("no modules found", None, "modules")
        return specs
    if isinstance(modules, (list, tuple)):
        out = []
        for index, entry in enumerate(modules):
            if not isinstance(entry, str):
                raise TypeError("modules[%d] must be a module name such as 'ReLU', got %s"
                                % (index, type(entry).__name__))
            out.append((str(index), _parse_module(entry.strip(), "modules[%d]" % index)))
        return out
    raise TypeError("modules must be the text print(model) shows or a list of names, got %s"
                    % type(modules).__name__)


def _parse_module(text, where):
    if "(" not in text:
        name, arguments = text, ""
    else:
        if not text.endswith(")"):
            raise FormatError("expected Module(...), got %r" % text[:60], None, where)
        name, arguments = text[:-1].split("(", 1)
    if not name.isidentifier():
        raise FormatError("expected a module name, got %r" % name[:40], None, where)
    params = {}
    for part in _split_arguments(arguments, where):
        if "=" not in part:
            raise FormatError("expected key=value, got %r (print(model) shows every option by name)"
                              % part[:40], None, where)
        key, value = part.split("=", 1)
        params[key.strip()] = _parse_value(value.strip(), where)
    return name, params


def _split_arguments(text, where):
    parts = [p.strip() for p in text.split(",")] if text.strip() else []
    for part in parts:
        if "(" in part or "[" in part:
            raise FormatError("nested arguments are not supported: %r" % part[:40], None, where)
    return parts


def _parse_value(text, where):
    # The literals print(model) writes: ints, floats, True/False/None, 'text'.
    if text in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[text]
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        raise FormatError("cannot read the value %r" % text[:40], None, where)
    if value - value != 0.0:
        raise FormatError("the value %r is not finite" % text, None, where)
    return value


# --- scikit-learn -----------------------------------------------------------

# sklearn activation name -> registry candidates
_SKLEARN_ACTIVATIONS = {
    "identity": [("sklearn.identity", {}), ("linear", {})],
    "logistic": [("sklearn.logistic", {}), ("sigmoid", {})],
    "tanh": [("sklearn.tanh", {}), ("tanh", {})],
    "relu": [("sklearn.relu", {}), ("relu", {})],
    "softmax": [("sklearn.softmax", {}), ("softmax", {})],
}


def from_sklearn(estimator_or_coefs, intercepts=None, activation="relu", out_activation=None,
                 classes=None, *, scaler_mean=None, scaler_scale=None):
    """A neuron model from a fitted MLPClassifier / MLPRegressor, or from its arrays.

    ``estimator_or_coefs`` is a fitted ``MLPClassifier`` or
    ``MLPRegressor``, a ``Pipeline`` of a ``StandardScaler`` and one of them,
    a dict with the estimator's attributes (``coefs_``, ``intercepts_``,
    ``activation``, ``out_activation_``, ``classes_``), or ``coefs_`` itself
    with the other attributes as arguments.  ``coefs_[i]`` is (inputs x
    units).  ``scaler_mean`` / ``scaler_scale`` are a StandardScaler's
    ``mean_`` and ``scale_``: they become a Normalization in front (a
    feature scikit-learn found constant has scale 1, so it is only
    centred).

    With ``classes`` (a classifier's ``classes_``) the result is a
    :class:`~neuron.Classifier` whose ``predict`` gives scikit-learn's
    labels; without, a Sequential.  ``out_activation`` defaults to
    scikit-learn's choice: logistic for one output with two classes,
    softmax for more classes, identity for a regressor.
    """
    source = "scikit-learn"
    data = estimator_or_coefs
    steps = getattr(data, "steps", None)
    if isinstance(steps, list) and steps:
        for step_name, step in steps[:-1]:
            if step is None or step == "passthrough":
                continue
            if type(step).__name__ != "StandardScaler":
                raise FormatError("pipeline step %r is a %s; only a StandardScaler before the MLP "
                                  "can be converted" % (step_name, type(step).__name__), None, "pipeline")
            scaler_mean, scaler_scale = _scaler_arrays(step)
        data = steps[-1][1]
    if hasattr(data, "coefs_"):
        data = {
            "coefs_": data.coefs_, "intercepts_": data.intercepts_, "activation": data.activation,
            "out_activation_": data.out_activation_, "classes_": getattr(data, "classes_", None),
        }
    if isinstance(data, dict):
        coefs = data.get("coefs_")
        intercepts = data.get("intercepts_")
        activation = data.get("activation", activation)
        out_activation = data.get("out_activation_", out_activation)
        classes = data.get("classes_", classes)
    else:
        coefs = data
    coefs = _plain(coefs)
    intercepts = _plain(intercepts)
    if not isinstance(coefs, (list, tuple)) or not coefs:
        raise TypeError("from_sklearn: coefs_ must be a list of arrays, got %s" % type(coefs).__name__)
    if not isinstance(intercepts, (list, tuple)) or len(intercepts) != len(coefs):
        raise FormatError("expected %d intercept arrays, one per coefs_ array, got %s"
                          % (len(coefs), len(intercepts) if isinstance(intercepts, (list, tuple)) else "none"),
                          None, "intercepts_")
    coefs = [_plain(c) for c in coefs]
    intercepts = [_plain(b) for b in intercepts]
    classes = _plain(classes)
    units_out = len(intercepts[-1]) if isinstance(intercepts[-1], list) else None
    if out_activation is None:
        if classes is None:
            out_activation = "identity"
        else:
            out_activation = "logistic" if units_out == 1 else "softmax"
    for key, value in (("activation", activation), ("out_activation_", out_activation)):
        if value not in _SKLEARN_ACTIVATIONS or (key == "activation" and value == "softmax"):
            raise FormatError("unknown activation %r (expected %s)"
                              % (value, ", ".join(sorted(_SKLEARN_ACTIVATIONS))), None, key)
    layers = []
    if scaler_mean is not None or scaler_scale is not None:
        layers.append(_scaler_layer(scaler_mean, scaler_scale, coefs))
    from .layers import Dense

    for i, (kernel, bias) in enumerate(zip(coefs, intercepts)):
        last = i == len(coefs) - 1
        g = _activation(_SKLEARN_ACTIVATIONS[out_activation if last else activation],
                        "out_activation_" if last else "activation")
        where = "coefs_[%d]" % i
        units = len(kernel[0]) if isinstance(kernel, list) and kernel and isinstance(kernel[0], list) else None
        if units is None:
            raise FormatError("expected a 2-D array (inputs x units)", None, where)
        layers.append(_build(lambda: Dense(units, g, kernel=kernel, bias=bias,
                                           name="hidden_%d" % (i + 1) if not last else "output"), where))
    model = _sequential(layers, "mlp", source)
    if classes is None:
        return model
    from .classifier import Classifier

    classes = list(classes)
    if out_activation == "softmax":
        kind = "multiclass"
    elif out_activation == "logistic":
        kind = "binary" if units_out == 1 else "multilabel"
    else:
        raise FormatError("a classifier's out_activation_ must be logistic or softmax, got %r"
                          % out_activation, None, "out_activation_")
    return _build(lambda: Classifier(model, classes, kind=kind), "classes_")


def _scaler_arrays(scaler):
    mean = getattr(scaler, "mean_", None) if getattr(scaler, "with_mean", True) else None
    scale = getattr(scaler, "scale_", None) if getattr(scaler, "with_std", True) else None
    return _plain(mean), _plain(scale)


def _scaler_layer(mean, scale, coefs):
    from .layers import Normalization

    n = len(coefs[0]) if isinstance(coefs[0], list) else None
    mean = [0.0] * n if mean is None else _plain(mean)
    scale = [1.0] * n if scale is None else _plain(scale)
    for i, s in enumerate(scale if isinstance(scale, list) else []):
        if isinstance(s, (int, float)) and 0.0 < s < Normalization.EPSILON:
            # Normalization floors the standard deviation at 1e-7 (Keras's
            # rule); scikit-learn divides by the small scale itself.
            raise FormatError("scale_[%d] = %r is below 1e-7, where Normalization would compute "
                              "differently from scikit-learn" % (i, s), None, "scaler")
    # sqrt(fl(s * s)) == s exactly in binary floating point, so the
    # Normalization divides by exactly scikit-learn's scale_.
    variance = [s * s if isinstance(s, (int, float)) else s for s in scale] if isinstance(scale, list) else scale
    return _build(lambda: Normalization(mean, variance, name="standard_scaler"), "scaler")
