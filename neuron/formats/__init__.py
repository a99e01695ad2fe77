"""Readers (and the writer) for the files trained models come in.

Each format lives in a module of its own and is imported only when a file of
that kind is read, so ``import neuron`` stays cheap.

:func:`load` is the one entry point for model files; :func:`read_arrays`
reads the files that hold weights only (``.npy``, ``.npz``,
``.safetensors``), which have no architecture and so are not models.

>>> import neuron
>>> model = load("tests/data/native/coffee.json")
>>> [round(p, 4) for p in model([200.0, 13.9])]
[0.9625]
"""

from ..errors import FormatError

# format name -> (what it is, how to recognise it by name)
FORMATS = {
    "neuron": ("neuron's JSON model", (".json",)),
    "npy": ("NumPy .npy array", (".npy",)),
    "npz": ("NumPy .npz archive of arrays", (".npz",)),
    "safetensors": ("safetensors tensors", (".safetensors",)),
    "torch": ("PyTorch pickle", (".pt", ".pth", ".bin", ".ckpt")),
    "keras": ("Keras model (.keras zip or .h5)", (".keras", ".h5", ".hdf5")),
    "onnx": ("ONNX graph", (".onnx",)),
}

ARRAY_FORMATS = ("npy", "npz", "safetensors")

_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"


def load(source, *, format=None):
    """The model in ``source``: a path, ``bytes``, or a binary file object.

    The reader is picked from the first bytes (the magic number) and, when
    they say nothing, from the file name's extension; ``format`` (one of
    ``"neuron"``, ``"npy"``, ``"npz"``, ``"safetensors"``, ``"torch"``,
    ``"keras"``) skips the guessing.  Returns a :class:`~neuron.Sequential`,
    or a :class:`~neuron.Classifier` for a file that stores class labels.

    Only neuron's JSON holds a whole model.  Weight files (``.npy``,
    ``.npz``, ``.safetensors``) hold arrays without the architecture: they
    are read and checked, then refused with a :class:`~neuron.FormatError`
    that says how to build the model (:func:`read_arrays` and
    :mod:`neuron.convert`).  PyTorch ``.pt`` files are pickles, never
    loaded (the error shows how to save safetensors instead).  Keras
    ``.keras``/``.h5`` files are read by ``neuron.formats.keras`` when that
    module is present.

    Raises :class:`~neuron.FormatError` (a ``ValueError``) naming the file,
    the entry and what was expected; :class:`TypeError` for a ``source``
    that is none of the three kinds; ``OSError`` when a path cannot be read.
    """
    data, name = _read_source(source, "load")
    kind = _pick_format(data, name, format)
    if kind == "neuron":
        from .native import loads

        return loads(data, name)
    if kind in ARRAY_FORMATS:
        arrays = _read_arrays_of(kind, data, name)
        raise FormatError(
            "a %s file holds weights only (%s), not a model: it has no layers or activations. "
            "Read the arrays with neuron.formats.read_arrays(...) and build the model with "
            "neuron.convert.from_torch(state_dict, modules), from_keras(config, weights) or "
            "from_sklearn(coefs, intercepts, ...), or pass them to model.set_weights(...)"
            % (FORMATS[kind][0], _array_summary(arrays)), name)
    if kind == "torch":
        _refuse_torch(name)
    if kind == "keras":
        try:
            from .keras import load_keras
        except ImportError:
            raise FormatError(
                "Keras .keras/.h5 files are not supported yet; build the model from the "
                "architecture (config.json inside the .keras zip, or model.get_config()) and the "
                "model.get_weights() arrays with neuron.convert.from_keras(config, weights)", name)
        return load_keras(data, name)
    if kind == "onnx":
        raise FormatError(
            "ONNX files are not read; save the PyTorch state_dict as safetensors and use "
            "neuron.convert.from_torch(state_dict, modules)", name)
    raise FormatError("unknown format %r" % kind, name)


def read_arrays(source, *, format=None):
    """The named arrays in an ``.npy``, ``.npz`` or ``.safetensors`` file, in numeric name order.

    Returns a dict from name to :class:`~neuron.formats.arrays.Array`
    (``.tolist()`` gives nested lists), ordered so that ``arr_2`` comes
    before ``arr_10`` and ``2.weight`` before ``10.weight``.  A single
    ``.npy`` array is named ``"arr_0"``.  The values feed
    :mod:`neuron.convert` or ``model.set_weights``.
    """
    data, name = _read_source(source, "read_arrays")
    kind = _pick_format(data, name, format)
    if kind not in ARRAY_FORMATS:
        if kind == "torch":
            _refuse_torch(name)
        raise FormatError("expected a weights file (.npy, .npz or .safetensors), found a %s"
                          % FORMATS.get(kind, (kind,))[0], name)
    return _read_arrays_of(kind, data, name)


def _read_arrays_of(kind, data, name):
    try:
        from . import npy, safetensors  # noqa: F401  (are the readers there?)
    except ImportError:
        raise FormatError("this build of neuron has no %s reader" % FORMATS[kind][0], name)
    if kind == "npy":
        from .npy import read_npy

        return {"arr_0": read_npy(data, name)}
    if kind == "npz":
        from .npy import read_npz

        arrays = read_npz(data, name)
    else:
        from .safetensors import read_safetensors

        arrays, _ = read_safetensors(data, name)
    from .npy import ordered_names

    return dict((key, arrays[key]) for key in ordered_names(list(arrays)))


def _refuse_torch(name):
    try:
        from .torch_pickle import refuse_torch_pickle
    except ImportError:
        refuse_torch_pickle = None
    if refuse_torch_pickle is not None:
        refuse_torch_pickle(name)  # raises, with the advice
    raise FormatError("PyTorch .pt files are pickles, which neuron never loads; save the "
                      "state_dict as safetensors instead", name)


def _array_summary(arrays):
    names = list(arrays)
    shown = ", ".join("%s %s" % (key, "x".join(str(n) for n in arrays[key].shape) or "scalar")
                      for key in names[:6])
    if len(names) > 6:
        shown += ", ... %d arrays in all" % len(names)
    return shown or "no arrays"


def _read_source(source, caller):
    # (bytes, name for messages) from a path, bytes or a binary file object.
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), None
    if isinstance(source, str) or hasattr(source, "__fspath__"):
        path = source if isinstance(source, str) else source.__fspath__()
        if isinstance(path, bytes):
            path = path.decode("utf-8", "replace")
        with open(path, "rb") as f:
            return f.read(), path
    read = getattr(source, "read", None)
    if read is not None:
        data = read()
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError("%s: the file object must be opened in binary mode ('rb'), it gave %s"
                            % (caller, type(data).__name__))
        name = getattr(source, "name", None)
        return bytes(data), name if isinstance(name, str) else None
    raise TypeError("%s: expected a path, bytes or a binary file object, got %s"
                    % (caller, type(source).__name__))


def _pick_format(data, name, format):
    if format is not None:
        if format not in FORMATS:
            raise FormatError("unknown format %r; expected one of %s"
                              % (format, ", ".join(sorted(FORMATS))), name)
        return format
    kind = _sniff(data)
    if kind == "npz" and name and name.lower().endswith(".keras"):
        kind = "keras"  # a damaged .keras zip: let the Keras reader say what is wrong
    if kind is None and name:
        lower = name.lower()
        for candidate, (_, extensions) in FORMATS.items():
            for extension in extensions:
                if lower.endswith(extension):
                    kind = candidate
    if kind is None:
        raise FormatError(
            "unrecognised file: expected neuron's JSON, .npy, .npz or .safetensors "
            "(first bytes %r)" % bytes(data[:8]), name)
    return kind


def _sniff(data):
    # The magic numbers: what the file says it is, whatever its name.
    if data.startswith(b"\x93NUMPY"):
        return "npy"
    if data.startswith(_HDF5_MAGIC):
        return "keras"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _zip_kind(data)
    if data[:1] == b"\x80" and data[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return "torch"
    if len(data) >= 9 and data[8:9] == b"{":
        # safetensors: an 8-byte little-endian header length, then JSON.
        length = int.from_bytes(data[:8], "little")
        if 8 + length <= len(data):
            return "safetensors"
    if data.lstrip(b" \t\r\n\xef\xbb\xbf")[:1] == b"{":
        return "neuron"
    # HDF5 may start after a user block of 512, 1024, 2048, ... bytes.
    pos = 512
    while pos + 8 <= len(data):
        if data[pos:pos + 8] == _HDF5_MAGIC:
            return "keras"
        pos *= 2
    return None


def _zip_kind(data):
    try:
        from .torch_pickle import looks_like_torch_pickle
    except ImportError:  # the array readers are not part of this build
        looks_like_torch_pickle = None
    if looks_like_torch_pickle is not None and looks_like_torch_pickle(data):
        return "torch"
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except Exception:  # a broken zip: let the .npz reader report it
        return "npz"
    if "config.json" in names and ("model.weights.h5" in names or "metadata.json" in names):
        return "keras"
    return "npz"
