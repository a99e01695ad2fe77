"""``python -m neuron exam --seed 7``: a forward-propagation question and its answer key."""

import sys

HELP = "an exam question on forward propagation, with a worked answer key"


def add_arguments(parser):
    parser.add_argument("--seed", type=int, required=True, help="the same seed gives the same exam on every Python")
    parser.add_argument(
        "--layers",
        default="2,3,1",
        help="inputs, then units per layer, separated by commas (default 2,3,1: "
        "2 inputs, a layer of 3 units, a layer of 1); at most 6 layers, each size 1 to 8",
    )
    parser.add_argument(
        "--activation",
        choices=["relu", "sigmoid", "linear"],
        default="relu",
        help="the activation of every unit (default relu; relu and linear give exact answers)",
    )
    parser.add_argument("--format", choices=["markdown", "latex"], default="markdown", help="default markdown")
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--part",
        choices=["question", "answers", "both"],
        default="both",
        help="what to print: the question sheet, the answer key, or both, the key after a "
        "rule (Markdown) or a page break (LaTeX) (default both)",
    )
    where.add_argument(
        "--answers",
        metavar="FILE",
        help="print the question and write the answer key to FILE",
    )
    parser.add_argument(
        "--digits", type=int, default=4, help="significant digits of the key with sigmoid (default 4)"
    )
    parser.add_argument(
        "--standalone",
        action="store_true",
        help="with --format latex: complete documents (\\documentclass ... \\end{document})",
    )


def run(args):
    """Print the exam (and write the key to --answers); returns the exit code."""
    from ..exam import make_exam

    sizes = []
    for part in args.layers.split(","):
        try:
            sizes.append(int(part))
        except ValueError:
            sys.stderr.write("error: --layers must be whole numbers separated by commas, such as 2,3,1; got %r\n" % args.layers)
            return 2
    exam = make_exam(args.seed, sizes, args.activation)
    if args.answers:
        key = exam.document(args.format, "answers", args.digits, args.standalone)
        with open(args.answers, "w") as f:
            f.write(key + "\n")
        part = "question"
    else:
        part = args.part
    sys.stdout.write(exam.document(args.format, part, args.digits, args.standalone) + "\n")
    return 0
