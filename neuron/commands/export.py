"""``python -m neuron export MODEL -o FILE.py``: a model as one stand-alone Python file."""

import sys

HELP = "write a model as one stand-alone Python file that needs only `import math`"

BUILT_IN = {"coffee": "tensorflow", "coffee-numpy": "numpy"}


def add_arguments(parser):
    parser.add_argument(
        "model",
        metavar="MODEL",
        help="a built-in model (%s) or a model file neuron can load" % ", ".join(sorted(BUILT_IN)),
    )
    parser.add_argument("-o", "--output", required=True, help="the Python file to write (e.g. coffee_model.py)")


def load_model(name):
    """The model called ``name``: a built-in one, or a file read by ``neuron.load``."""
    from ..errors import NeuronError

    if name in BUILT_IN:
        from ..models import coffee

        return coffee(BUILT_IN[name])
    import neuron

    load = getattr(neuron, "load", None)  # neuron.load(path), where this version has it
    if load is not None and not callable(load):
        load = getattr(load, "load", None)
    if load is None:
        raise NeuronError(
            "export: unknown model %r; built-in models: %s (this version of neuron reads no model files)"
            % (name, ", ".join(sorted(BUILT_IN)))
        )
    return load(name)


def run(args):
    """Write the file; returns the exit code."""
    from ..compile import module_source

    model = load_model(args.model)
    text = module_source(model)
    with open(args.output, "w") as f:
        f.write(text)
    sys.stdout.write(
        "wrote %s: %s, %d inputs -> %d output%s; it needs only `import math`\n"
        % (args.output, model.name, model.input_size, model.output_size,
           "" if model.output_size == 1 else "s")
    )
    return 0
