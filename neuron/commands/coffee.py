"""``python -m neuron coffee``: the course's coffee-roasting network on the real data."""

import sys

HELP = "the course's coffee-roasting network, step by step, on the real data"


def add_arguments(parser):
    parser.add_argument(
        "--weights",
        choices=["tensorflow", "numpy"],
        default="tensorflow",
        help="the TensorFlow lab's saved weights (default) or the NumPy lab's",
    )
    parser.add_argument("--temperature", type=float, default=200.0, help="roast temperature, Celsius (default 200)")
    parser.add_argument("--duration", type=float, default=13.9, help="roast duration, minutes (default 13.9)")
    parser.add_argument("--digits", type=int, default=4, help="significant digits in the step-by-step view (default 4)")


def run(args):
    """Print the demo; returns the exit code."""
    from ..metrics import accuracy, confusion_matrix, decide
    from ..models import coffee, coffee_data
    from ..trace import number

    if args.digits < 1 or args.digits > 17:
        sys.stderr.write("error: --digits must be from 1 to 17, got %d\n" % args.digits)
        return 2
    X, y = coffee_data()
    model = coffee(args.weights)
    norm = model.layers[0]
    out = []
    say = out.append
    say("Coffee roasting: the course's network (%s lab's weights)" % args.weights)
    say("  inputs: temperature (C) and duration (min); Normalization -> Dense(3, sigmoid) -> Dense(1, sigmoid)")
    say("")
    say("Normalization, adapted on the %d roasts of the course's data set:" % len(X))
    for i, feature in enumerate(["temperature", "duration"]):
        column = [row[i] for row in X]
        say(
            "  %-11s mean %.6f  variance %.6f  (data from %.2f to %.2f)"
            % (feature, norm.mean[i], norm.variance[i], min(column), max(column))
        )
    say("")
    say("Predictions (probability of a good roast; decision = 1 when p >= 0.5):")
    tests = [[200.0, 13.9], [200.0, 17.0]]
    for row, p in zip(tests, model.predict(tests)):
        say("  %g C, %g min: p = %.5g  decision %d" % (row[0], row[1], p[0], decide(p[0])))
    say("")
    predicted = decide(model.predict(X))
    right = int(round(accuracy(y, predicted) * len(y)))
    (tn, fp), (fn, tp) = confusion_matrix(y, predicted, labels=[0, 1])
    say("Accuracy on all %d roasts: %d/%d" % (len(y), right, len(y)))
    say("  good roasts called good: %3d    good roasts called bad: %3d" % (tp, fn))
    say("  bad roasts called bad:   %3d    bad roasts called good: %3d" % (tn, fp))
    say("")
    roast = [args.temperature, args.duration]
    trace = model.trace(roast)
    p = trace.outputs[0]
    say("Step by step for the roast %g C, %g min (%d significant digits):" % (roast[0], roast[1], args.digits))
    say(trace.to_text(args.digits))
    say("")
    say("p = %s, so the decision is %d (%s roast)" % (number(p, args.digits), decide(p), "good" if decide(p) else "bad"))
    sys.stdout.write("\n".join(out) + "\n")
    return 0
