"""``python -m neuron convert IN OUT``: any supported model input to neuron's JSON format."""

import sys

HELP = "convert a model (Keras, PyTorch or scikit-learn weights and architecture) to neuron's JSON"


def add_arguments(parser):
    parser.add_argument("input", metavar="IN",
                        help="neuron JSON; .safetensors (with --torch-modules); .npz/.npy (with --keras-config "
                        "or --sklearn-info); or a JSON of plain lists: Keras 'layers' + 'weights', PyTorch "
                        "'state_dict' + 'model', scikit-learn 'coefs_' + 'intercepts_'")
    parser.add_argument("output", metavar="OUT", help="the neuron JSON file to write (atomically)")
    parser.add_argument("--torch-modules", metavar="TEXT_OR_FILE",
                        help="the module list: what print(model) shows (text or a file holding it), or "
                        "names separated by commas such as Linear,ReLU,Linear")
    parser.add_argument("--keras-config", metavar="FILE",
                        help="the Keras architecture: config.json, a .keras archive (its config.json is "
                        "used), or a JSON with a 'layers' list")
    parser.add_argument("--sklearn-info", metavar="FILE",
                        help="a JSON with 'activation', 'out_activation_' and (classifiers) 'classes_' for "
                        "an .npz holding coef_0, intercept_0, ...")


def run(args):
    """Convert and write; returns the exit code."""
    model = convert_file(args.input, args.torch_modules, args.keras_config, args.sklearn_info)
    model.save(args.output)
    inner = getattr(model, "model", model)
    sys.stderr.write("wrote %s: %d layers (%s), %d parameters\n" % (
        args.output, len(inner.layers), ", ".join(layer.kind for layer in inner.layers), inner.count_params()))
    return 0


def convert_file(name, torch_modules=None, keras_config=None, sklearn_info=None):
    """The model the files describe (see the command's help)."""
    import json

    from .. import convert, formats
    from ..errors import FormatError

    with open(name, "rb") as f:
        data = f.read()
    kind = formats._pick_format(data, name, None)
    if kind == "neuron":
        try:
            doc = json.loads(data.decode("utf-8"))
        except (UnicodeError, ValueError) as error:
            raise FormatError("not valid JSON (%s)" % error, name)
        if isinstance(doc, dict) and doc.get("format") != "neuron":
            return _from_plain_json(doc, name, torch_modules)
        return formats.load(name)
    if kind in formats.ARRAY_FORMATS:
        arrays = formats.read_arrays(name)
        if torch_modules is not None:
            return convert.from_torch(arrays, _modules(torch_modules))
        if keras_config is not None:
            return convert.from_keras(_keras_config(keras_config), arrays)
        if sklearn_info is not None:
            info = _json_file(sklearn_info)
            coefs = [arrays[k] for k in arrays if k.startswith("coef")]
            intercepts = [arrays[k] for k in arrays if k.startswith("intercept")]
            return convert.from_sklearn(coefs, intercepts, info.get("activation", "relu"),
                                        info.get("out_activation_"), info.get("classes_"))
        raise FormatError("a weights file needs its architecture: --torch-modules (PyTorch), "
                          "--keras-config (Keras) or --sklearn-info (scikit-learn)", name)
    return formats.load(name)


def _from_plain_json(doc, name, torch_modules):
    from .. import convert
    from ..errors import FormatError

    if "coefs_" in doc:
        return convert.from_sklearn(doc)
    if "state_dict" in doc:
        modules = _modules(torch_modules) if torch_modules is not None else doc.get("model")
        return convert.from_torch(doc["state_dict"], modules)
    if "layers" in doc and "weights" in doc:
        return convert.from_keras(doc["layers"], doc["weights"])
    raise FormatError("a JSON that is neither neuron's format nor plain framework lists "
                      "(coefs_, state_dict, or layers + weights)", name)


def _modules(text):
    import os

    if os.path.exists(text):
        with open(text) as f:
            return f.read()
    if "\n" in text or text.strip().startswith("Sequential("):
        return text
    return _split_top_level(text)


def _split_top_level(text):
    # "Linear,LeakyReLU(negative_slope=0.1),Linear": commas outside parentheses.
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            parts.append(current.strip())
            current = ""
            continue
        depth += {"(": 1, ")": -1}.get(ch, 0)
        current += ch
    if current.strip():
        parts.append(current.strip())
    return parts


def _json_file(name):
    import json

    from ..errors import FormatError

    with open(name, "rb") as f:
        try:
            return json.loads(f.read().decode("utf-8"))
        except (UnicodeError, ValueError) as error:
            raise FormatError("not valid JSON (%s)" % error, name)


def _keras_config(name):
    import json
    import zipfile

    from ..errors import FormatError

    if zipfile.is_zipfile(name):
        try:
            with zipfile.ZipFile(name) as archive:
                return json.loads(archive.read("config.json").decode("utf-8"))
        except (KeyError, zipfile.BadZipFile, UnicodeError, ValueError) as error:
            raise FormatError("no readable config.json in the archive (%s)" % error, name)
    return _json_file(name)
