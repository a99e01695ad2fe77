"""``python -m neuron explain MODEL --row 200,13.9``: every z and a of one forward pass."""

import sys

HELP = "write out one forward pass step by step: every z = w . a + b and a = g(z)"

# Models known by name: (function in neuron.models, its argument).
NAMED = {
    "coffee": "tensorflow",
    "coffee-numpy": "numpy",
}


def add_arguments(parser):
    parser.add_argument(
        "model",
        metavar="MODEL",
        help="a model name (coffee: the course's coffee network with the TensorFlow lab's weights; "
        "coffee-numpy: with the NumPy lab's) or a model file neuron can load",
    )
    parser.add_argument(
        "--row",
        required=True,
        help="one example, its values separated by commas: --row 200,13.9",
    )
    parser.add_argument(
        "--format",
        choices=["text", "markdown", "latex"],
        default="text",
        help="plain text for the terminal (default), Markdown, or a LaTeX fragment",
    )
    parser.add_argument("--digits", type=int, default=4, help="significant digits of every number shown (default 4)")
    terms = parser.add_mutually_exclusive_group()
    terms.add_argument(
        "--max-terms",
        type=int,
        default=8,
        help="products shown per dot product before the middle ones are summarised (default 8)",
    )
    terms.add_argument("--all-terms", action="store_true", help="show every product of every dot product")
    parser.add_argument(
        "--standalone",
        action="store_true",
        help="with --format latex: a complete document (\\documentclass ... \\end{document})",
    )
    parser.add_argument(
        "--allow-nonfinite",
        action="store_true",
        help="let nan and inf through in --row (they propagate, and the trace shows them)",
    )


def run(args):
    """Print the worked solution; returns the exit code."""
    from ..explain import document

    row = parse_row(args.row)
    if row is None:
        sys.stderr.write(
            "error: --row must be numbers separated by commas, such as 200,13.9; got %r\n" % args.row
        )
        return 2
    model = load_model(args.model)
    text = document(
        model,
        row,
        format=args.format,
        digits=args.digits,
        max_terms=None if args.all_terms else args.max_terms,
        standalone=args.standalone,
        allow_nonfinite=args.allow_nonfinite,
    )
    sys.stdout.write(text + "\n")
    return 0


def parse_row(text):
    """The numbers of ``--row``, or None when it is not a comma-separated list of numbers.

    >>> parse_row("200,13.9"), parse_row(" 1, -2.5e3 "), parse_row("1,,2")
    ([200.0, 13.9], [1.0, -2500.0], None)
    """
    values = []
    for part in text.split(","):
        try:
            values.append(float(part))
        except ValueError:
            return None
    return values


def load_model(name):
    """The model called ``name`` (see NAMED), or the one in the file ``name``.

    Files need ``neuron.load``; without it only the names work.
    """
    if name in NAMED:
        from ..models import coffee

        return coffee(NAMED[name])
    import os

    import neuron
    from ..errors import NeuronError

    known = ", ".join(sorted(NAMED))
    if not os.path.exists(name):
        raise NeuronError("explain: %r is neither a known model (%s) nor a file" % (name, known))
    load = getattr(neuron, "load", None)
    if load is None:
        raise NeuronError(
            "explain: this version of neuron cannot load model files; the known models are %s" % known
        )
    return load(name)
