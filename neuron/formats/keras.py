"""Keras's own files, read with the standard library: ``.keras``, ``.weights.h5`` and legacy ``.h5``.

Three kinds of file come out of Keras:

* ``model.save("m.keras")`` (Keras 3): a zip holding ``config.json`` (the
  architecture), ``metadata.json`` (the Keras version) and
  ``model.weights.h5`` (the weights, in HDF5);
* ``model.save_weights("m.weights.h5")``: that HDF5 file alone, with no
  architecture;
* ``model.save("m.h5")`` (Keras 2 and tf.keras; Keras 3 still writes it):
  one HDF5 file whose root attribute ``model_config`` holds the
  architecture as JSON and whose group ``model_weights`` holds the weights.

:func:`load_keras` reads the first and the last into a
:class:`~neuron.Sequential` through :func:`neuron.convert.from_keras`, which
owns the mapping from Keras layers to neuron layers; :func:`load_weights`
fills a model that already exists, as Keras's ``model.load_weights`` does.

Where Keras 3 puts the weights
------------------------------

Keras 3 does not file a layer's weights under the layer's name (names are
generated and change from one run to the next) but under its *class*:
the model's layers, in order, get the class name in snake case
(:func:`to_snake_case`: ``Dense`` -> ``dense``, ``PReLU`` -> ``p_re_lu``),
and a class seen before gets ``_1``, ``_2``, ... by how many of that class
came before it.  Layer ``i`` of a kind keeps its variables, in creation
order, as the datasets ``layers/<name>/vars/0``, ``vars/1``, ...; layers
without variables (Dropout, Activation, ...) still get an empty group.  A
Sequential model's list leaves out its InputLayer; a Functional model's
includes it (``layers/input_layer``, empty).  Newer Keras versions record
the layer's real name in the ``name`` attribute of ``vars``: this module
checks it against ``config.json``.

>>> with open("tests/data/keras/coffee.keras", "rb") as f:
...     model = load_keras(f.read(), "coffee.keras")
>>> [layer.name for layer in model.layers]
['normalization_1', 'layer1', 'layer2']
>>> [round(p, 4) for p in model([200.0, 13.9])]
[0.9625]
>>> keras_layer_paths(["InputLayer", "Dense", "PReLU", "Dense"], sequential=True)
[None, 'layers/dense', 'layers/p_re_lu', 'layers/dense_1']

Every problem (a truncated or corrupt zip, a missing ``config.json``, an
HDF5 structure that does not hold what the config needs, a layer class
neuron does not compute) raises :class:`~neuron.FormatError` naming the
file and the object inside it; nothing is returned half loaded.
"""

import io
import json
import re
import zipfile

from ..errors import FormatError, NeuronError
from ..sequential import snake_case
from .hdf5 import Dataset, Group, open_hdf5

__all__ = ["load_keras", "load_weights", "keras_layer_paths", "to_snake_case"]

_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_CONFIG = "config.json"
_METADATA = "metadata.json"
_WEIGHTS = "model.weights.h5"

# Deflate cannot expand data more than about 1032 times; an entry that
# claims more is hostile (a "zip bomb"), and refusing it up front means a
# crafted file never makes us allocate what it does not hold.
_MAX_DEFLATE_RATIO = 1100


# Keras's class-name-to-path rule; one implementation, shared with Sequential's layer names.
to_snake_case = snake_case


def keras_layer_paths(class_names, sequential=True):
    """Where Keras 3 files each layer's weights: ``"layers/<snake name>[_N]"``, None for a skipped layer.

    ``class_names`` lists the model's layers in order, as in its config.
    For a Sequential model (``sequential=True``) a leading InputLayer is not
    among the saved layers and gets None; a Functional model saves its
    InputLayer too.  Numbering counts each class separately (``dense``,
    ``dense_1``, ...), whatever the layers' own names are.
    """
    paths = []
    used = {}
    for index, kind in enumerate(class_names):
        if sequential and index == 0 and kind == "InputLayer":
            paths.append(None)
            continue
        base = to_snake_case(kind)
        if base in used:
            used[base] += 1
            paths.append("layers/%s_%d" % (base, used[base]))
        else:
            used[base] = 0
            paths.append("layers/" + base)
    return paths


# --- reading the containers -------------------------------------------------


def is_hdf5(data):
    """True when ``data`` has HDF5's signature at 0, 512, 1024, 2048, ... (after a user block)."""
    pos = 0
    while pos + 8 <= len(data):
        if data[pos:pos + 8] == _HDF5_SIGNATURE:
            return True
        pos = 512 if pos == 0 else pos * 2
    return False


def _open_zip(data, source):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        archive.namelist()
        return archive
    except Exception as error:  # zipfile raises a dozen types on damaged bytes
        raise FormatError("not a readable .keras (zip) archive: %s" % _describe(error), source)


def _zip_entry(archive, entry, source):
    try:
        info = archive.getinfo(entry)
    except KeyError:
        raise FormatError("the .keras archive has no %s (it holds %s)"
                          % (entry, ", ".join(archive.namelist()[:8]) or "nothing"), source)
    if info.file_size > _MAX_DEFLATE_RATIO * info.compress_size + 65536:
        raise FormatError("claims to expand %d bytes into %d, more than deflate can"
                          % (info.compress_size, info.file_size), source, entry)
    try:
        return archive.read(info)
    except Exception as error:  # CRC errors, truncated data, zlib errors, ...
        raise FormatError("cannot be read from the zip: %s" % _describe(error), source, entry)


def _describe(error):
    text = str(error) or type(error).__name__
    return text if len(text) < 200 else text[:200] + "..."


def _json(raw, source, entry):
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise FormatError("expected UTF-8 JSON: %s" % error, source, entry)
    if not isinstance(raw, str):
        raise FormatError("expected JSON text, got %s" % type(raw).__name__, source, entry)
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise FormatError("expected JSON: %s" % _describe(error), source, entry)
    if not isinstance(value, dict):
        raise FormatError("expected a JSON object, got %s" % type(value).__name__, source, entry)
    return value


def _inner_name(source, entry):
    return "%s/%s" % (source, entry) if source else entry


def _hdf5(data, source):
    return open_hdf5(data, source)  # raises FormatError naming the source


def _text_attr(value):
    # h5py stores bytes attributes fixed-length: the reader gives str, but
    # an older writer may leave bytes.
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


# --- .keras (Keras 3) ---------------------------------------------------------


def load_keras(data, source=None):
    """The model in a Keras file's bytes: a ``.keras`` zip or a legacy ``.h5`` from ``model.save``.

    ``source`` names the file in error messages.  A weights-only HDF5 file
    (``.weights.h5``, or a legacy ``save_weights`` file) has no
    architecture: it raises :class:`~neuron.FormatError` pointing to
    :meth:`neuron.Sequential.load_weights`.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("load_keras: expected the file contents as bytes, got %s" % type(data).__name__)
    data = bytes(data)
    if is_hdf5(data):
        return _load_h5_model(_hdf5(data, source), source)
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _load_keras_zip(data, source)
    raise FormatError("not a Keras file: expected a .keras zip or an HDF5 .h5 (first bytes %r)"
                      % data[:8], source)


def _load_keras_zip(data, source):
    archive = _open_zip(data, source)
    config = _json(_zip_entry(archive, _CONFIG, source), source, _CONFIG)
    version = None
    if _METADATA in archive.namelist():
        metadata = _json(_zip_entry(archive, _METADATA, source), source, _METADATA)
        if isinstance(metadata.get("keras_version"), str):
            version = metadata["keras_version"]
    names = archive.namelist()
    if _WEIGHTS not in names:
        others = [n for n in names if n.startswith("model.weights")]
        raise FormatError("the .keras archive has no %s%s" % (
            _WEIGHTS, " (found %s: only HDF5 weights are read)" % others[0] if others else ""), source)
    inner = _inner_name(source, _WEIGHTS)
    root = _hdf5(_zip_entry(archive, _WEIGHTS, source), inner)
    entries, functional = _config_layers(config, source)
    paths = keras_layer_paths([kind for kind, _ in entries], sequential=not functional)
    prefix = _layers_prefix(root)
    per_layer = []
    for (kind, name), path in zip(entries, paths):
        if path is None:
            per_layer.append((None, []))
            continue
        path = prefix + path[len("layers"):]
        per_layer.append((path + "/vars", _keras3_vars(root, path, inner, expected_name=name)))
    _refuse_unclaimed(root, prefix, set(p for p in paths if p), inner)
    return _build(config, entries, per_layer, version, source, inner)


def _config_layers(config, source):
    """[(class name, layer name)] in config order, and whether the model is Functional."""
    from ..convert import KERAS_LAYERS, _entry_name, _keras_layer_entries

    try:
        layers, _ = _keras_layer_entries(config)
    except FormatError as error:
        raise FormatError(str(error), source, _CONFIG)
    except (TypeError, AttributeError, RecursionError) as error:
        raise FormatError("not a Keras model config: %s" % _describe(error), source, _CONFIG)
    entries = []
    for index, entry in enumerate(layers):
        kind = entry.get("class_name") if isinstance(entry, dict) else None
        if not isinstance(kind, str):
            raise FormatError("layer %d has no class_name" % index, source, _CONFIG)
        name = _entry_name(entry)
        if kind not in KERAS_LAYERS:
            # Refused before any weight is read: the message names the layer
            # and its class, and nothing is half loaded.
            raise FormatError("layer %d %r is a %s, which neuron does not compute (supported: %s)"
                              % (index, name, kind, ", ".join(KERAS_LAYERS)), source, _CONFIG)
        entries.append((kind, name))
    kind = config.get("class_name")
    functional = kind in ("Functional", "Model") or any(
        isinstance(e, dict) and "inbound_nodes" in e for e in layers)
    return entries, functional


def _layers_prefix(root):
    # Keras 2.13-2.15 wrote the v3 format with the layers under another
    # name; Keras 3 reads those files by renaming, and so do we.
    if "layers" not in _keys(root) and "_layer_checkpoint_dependencies" in _keys(root):
        return "_layer_checkpoint_dependencies"
    return "layers"


def _keys(group):
    return group.keys() if isinstance(group, Group) else []


def _member(group, name):
    try:
        return group[name]
    except KeyError:
        return None


def _keras3_vars(root, path, source, expected_name=None):
    """The arrays in ``<path>/vars``, as nested lists in order 0, 1, ... ([] when there is no group)."""
    group = _member(root, path)
    if group is None:
        return []
    if not isinstance(group, Group):
        raise FormatError("expected a group, found a dataset", source, path)
    variables = _member(group, "vars")
    if variables is None:
        return []
    where = path + "/vars"
    if not isinstance(variables, Group):
        raise FormatError("expected a group, found a dataset", source, where)
    recorded = variables.attrs.get("name")
    if expected_name is not None and isinstance(recorded, str) and recorded != expected_name:
        raise FormatError(
            "holds the weights of layer %r (its name attribute), but config.json puts layer %r here: "
            "the weights and the architecture come from different models" % (recorded, expected_name),
            source, where)
    keys = variables.keys()
    if any(not k.isdigit() for k in keys) or sorted(int(k) for k in keys) != list(range(len(keys))):
        raise FormatError("expected datasets named 0, 1, 2, ...; found %s" % ", ".join(keys[:8]),
                          source, where)
    return [_read_array(variables, str(i), source, where + "/" + str(i)) for i in range(len(keys))]


def _read_array(group, name, source, where):
    dataset = _member(group, name)
    if dataset is None:
        raise FormatError("missing", source, where)
    if not isinstance(dataset, Dataset):
        raise FormatError("expected a dataset, found a group", source, where)
    if dataset.dtype == "str" or dataset.shape is None:
        raise FormatError("expected numbers, found a %s dataset" % (
            "string" if dataset.dtype == "str" else "empty"), source, where)
    return dataset.read().tolist()


def _refuse_unclaimed(root, prefix, claimed, source):
    # A group that holds weights no layer of the config reads means the
    # file and the architecture disagree; loading the rest would be half a
    # model.
    layers = _member(root, prefix)
    if layers is None:
        return
    if not isinstance(layers, Group):
        raise FormatError("expected a group of layers, found a dataset", source, prefix)
    for name in layers.keys():
        path = "layers/" + name
        if path in claimed:
            continue
        group = layers[name]
        holds = isinstance(group, Dataset) or any(True for _ in group.walk())
        if holds:
            raise FormatError("holds weights that no layer of the model reads (the layers read %s)"
                              % ", ".join(sorted(p[len("layers/"):] for p in claimed)), source,
                              prefix + "/" + name)


def _build(config, entries, per_layer, version, source, weights_source):
    """from_keras on the config and the weights found for each layer, with file-level errors."""
    from ..convert import from_keras

    flat = []
    for _, arrays in per_layer:
        flat.extend(arrays)
    try:
        model = from_keras(config, flat, keras_version=version)
    except FormatError as error:
        raise FormatError(str(error) + _weights_note(error, per_layer, weights_source), source)
    except (NeuronError, TypeError, AttributeError, KeyError, IndexError, RecursionError) as error:
        raise FormatError("config.json is not a model neuron can build: %s" % _describe(error), source, _CONFIG)
    # from_keras hands each layer as many arrays as it takes, in order; make
    # sure each took exactly the arrays filed under it.
    built = [layer for layer in model.layers]
    weighted = [(entry, found) for entry, found in zip(entries, per_layer) if entry[0] != "InputLayer"]
    for layer, ((kind, name), (path, arrays)) in zip(built, weighted):
        if layer.weight_count != len(arrays):
            raise FormatError("layer %r (%s) takes %d weight arrays, the file has %d"
                              % (name, kind, layer.weight_count, len(arrays)), weights_source, path)
    return model


def _weights_note(error, per_layer, weights_source):
    # from_keras names the layer as "layer <index> ..."; say where in the
    # file that layer's weights came from.
    match = re.match(r"layer (\d+)\b", error.entry or "")
    if not match or int(match.group(1)) >= len(per_layer):
        return ""
    path, arrays = per_layer[int(match.group(1))]
    if path is None:
        return ""
    where = path if weights_source is None else "%s in %s" % (path, weights_source)
    return " (its weights: %s, %d array%s)" % (where, len(arrays), "" if len(arrays) == 1 else "s")


# --- legacy .h5 (Keras 2, tf.keras; Keras 3's model.save("m.h5")) -------------


def _load_h5_model(root, source):
    attrs = root.attrs
    if "model_config" not in attrs:
        if _weights_only(root, attrs):
            raise FormatError(
                "a Keras weights file (model.save_weights) holds weights only, not the architecture: "
                "build the same model (neuron.convert.from_keras(config, ...), or by hand) and call "
                "model.load_weights(this file)", source)
        raise FormatError("an HDF5 file, but not a Keras model: no model_config attribute at the root "
                          "(found %s)" % (", ".join(_keys(root)[:8]) or "nothing"), source, "/")
    config = _json(_text_attr(attrs["model_config"]), source, "/ model_config")
    version = _text_attr(attrs.get("keras_version"))
    read_as = version if isinstance(version, str) and version else None
    if read_as is None:
        # Keras has recorded its version in every .h5 since Keras 2.0, and
        # Keras 3 always does: a file without one is older still, from
        # Keras 1 or 2, whose hard_sigmoid was clip(0.2 z + 0.5, 0, 1).
        read_as = "2"
    weights = _member(root, "model_weights")
    if not isinstance(weights, Group):
        raise FormatError("expected a group model_weights holding the weights", source, "/model_weights")
    entries, _ = _config_layers(config, source)
    per_layer = []
    claimed = set()
    for kind, name in entries:
        if kind == "InputLayer":
            per_layer.append((None, []))
            continue
        path = "model_weights/%s" % name
        claimed.add(name)
        group = _member(weights, name) if isinstance(name, str) and name else None
        if group is None:
            per_layer.append((path, []))
            continue
        if not isinstance(group, Group):
            raise FormatError("expected a group, found a dataset", source, "/" + path)
        per_layer.append((path, _legacy_arrays(group, source, "/" + path)))
    for name in _legacy_layer_names(weights, source):
        group = _member(weights, name)
        if name not in claimed and isinstance(group, Group) and \
                _weight_names(group, source, "/model_weights/" + name):
            raise FormatError("holds weights that no layer of model_config reads", source,
                              "/model_weights/" + name)
    model = _build(config, entries, per_layer, read_as, source, source)
    if version is None:
        model.metadata["keras_version"] = "not recorded: read as Keras 2"
    return model


def _weights_only(root, attrs):
    keys = _keys(root)
    return "layer_names" in attrs or "layers" in keys or "vars" in keys or \
        "_layer_checkpoint_dependencies" in keys


def _legacy_layer_names(group, source):
    names = group.attrs.get("layer_names")
    if names is None:
        return group.keys()
    return _string_list(names, source, group.name + " layer_names")


def _string_list(value, source, where):
    if isinstance(value, (str, bytes)):
        value = [value]
    if not isinstance(value, list):
        raise FormatError("expected a list of names, got %r" % (value,), source, where)
    out = []
    for item in value:
        item = _text_attr(item)
        if not isinstance(item, str):
            raise FormatError("expected a list of names, got %r" % (item,), source, where)
        out.append(item)
    return out


def _weight_names(group, source, where):
    names = group.attrs.get("weight_names")
    if names is None:
        return []
    return _string_list(names, source, where + " weight_names")


def _legacy_arrays(group, source, where):
    # Each layer group lists its datasets, in get_weights() order, in the
    # attribute weight_names ("dense/kernel:0" in Keras 2, "dense/kernel"
    # in Keras 3); the names are paths below the layer's group.
    arrays = []
    for weight_name in _weight_names(group, source, where):
        arrays.append(_read_array(group, weight_name, source, where + "/" + weight_name))
    return arrays


# --- model.load_weights -------------------------------------------------------


def load_weights(model, source):
    """Set ``model``'s weights from a Keras weights file, matching layers as Keras does.

    ``source`` is a path, ``bytes`` or a binary file object holding a
    ``.weights.h5`` (``model.save_weights``), a ``.keras`` archive, or a
    legacy ``.h5`` (``model.save`` or ``save_weights`` in Keras 2).

    Keras 3 files are matched by class and position (the n-th Dense of the
    model reads ``layers/dense_<n>``, see :func:`keras_layer_paths`); legacy
    files by order, the n-th layer with weights in the file feeding the
    n-th layer with weights in the model, as Keras 2 did.  Every array is
    checked before any is set: a count or shape that disagrees raises
    :class:`~neuron.FormatError` naming the layer and the dataset, and
    leaves the model as it was.
    """
    from . import _read_source

    data, name = _read_source(source, "load_weights")
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        archive = _open_zip(data, name)
        inner = _inner_name(name, _WEIGHTS)
        root = _hdf5(_zip_entry(archive, _WEIGHTS, name), inner)
        name = inner
    elif is_hdf5(data):
        root = _hdf5(data, name)
    else:
        raise FormatError("not a Keras weights file: expected HDF5 (.weights.h5, .h5) or a .keras zip "
                          "(first bytes %r)" % data[:8], name)
    if "model_weights" in root.keys() or "layer_names" in root.attrs:
        found = _legacy_by_order(model, root, name)
        _set_checked(model, found, name, lambda: None)
    else:
        found = _keras3_by_class(model, root, name)
        # Groups of weights no layer reads are reported after the layers'
        # own mismatches, which say more.
        paths = set(path[:-len("/vars")] for _, path, _ in found)
        _set_checked(model, found, name, lambda: _refuse_unclaimed(root, _layers_prefix(root), paths, name))


def _keras3_by_class(model, root, source):
    prefix = _layers_prefix(root)
    paths = keras_layer_paths([layer.kind for layer in model.layers], sequential=False)
    found = []
    for layer, path in zip(model.layers, paths):
        path = prefix + path[len("layers"):]
        found.append((layer, path + "/vars", _keras3_vars(root, path, source)))
    return found


def _legacy_by_order(model, root, source):
    group = root["model_weights"] if "model_weights" in root.keys() else root
    if not isinstance(group, Group):
        raise FormatError("expected a group", source, "/model_weights")
    stored = []
    for name in _legacy_layer_names(group, source):
        layer_group = _member(group, name)
        where = _join(group.name, name)
        if layer_group is None:
            raise FormatError("listed in layer_names but missing", source, where)
        if not isinstance(layer_group, Group):
            raise FormatError("expected a group, found a dataset", source, where)
        arrays = _legacy_arrays(layer_group, source, where)
        if arrays:
            stored.append((where, arrays))
    weighted = [layer for layer in model.layers if layer.weight_count]
    if len(stored) != len(weighted):
        raise FormatError("the file has weights for %d layers (%s), the model has %d layers with weights (%s)"
                          % (len(stored), ", ".join(w for w, _ in stored), len(weighted),
                             ", ".join(layer._where() for layer in weighted)), source)
    found = []
    for layer in model.layers:
        if layer.weight_count:
            where, arrays = stored.pop(0)
            found.append((layer, where, arrays))
        else:
            found.append((layer, None, []))
    return found


def _join(parent, name):
    return parent.rstrip("/") + "/" + name


def _shape(value):
    shape = []
    while isinstance(value, list):
        shape.append(len(value))
        value = value[0] if value else None
    return tuple(shape)


def _set_checked(model, found, source, last_check):
    import copy

    flat = []
    for layer, where, arrays in found:
        if len(arrays) != layer.weight_count:
            raise FormatError("%s takes %d weight arrays, the file has %d"
                              % (layer._where(), layer.weight_count, len(arrays)), source, where)
        if layer.built and arrays:
            for index, (have, new) in enumerate(zip(layer.get_weights(), arrays)):
                if _shape(have) != _shape(new):
                    raise FormatError("%s expects shape %s for weight %d, the file has %s"
                                      % (layer._where(), _shape_text(_shape(have)), index,
                                         _shape_text(_shape(new))), source, "%s/%d" % (where, index))
        flat.extend(arrays)
    last_check()
    # Set a copy first: if a layer refuses its arrays (a shape the layer
    # could only tell once built, a NaN), the model itself is untouched.
    trial = copy.deepcopy(model)
    try:
        trial.set_weights(flat)
    except NeuronError as error:
        raise FormatError(str(error), source)
    model.set_weights(flat)


def _shape_text(shape):
    return " x ".join(str(n) for n in shape) or "scalar"
