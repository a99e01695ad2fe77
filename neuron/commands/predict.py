"""``python -m neuron predict MODEL --input rows.csv``: predictions as CSV on stdout."""

import sys

HELP = "predict with a model file or a built-in model (coffee) on CSV rows or one --row"

BUILT_IN = ("coffee",)
PROGRESS_FROM = 2000  # rows; smaller inputs finish before a progress line helps


def add_arguments(parser):
    parser.add_argument("model", metavar="MODEL",
                        help="a model file neuron.load reads (neuron JSON, Keras .keras or legacy .h5), "
                             "or a built-in name: coffee, coffee-numpy")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--input", metavar="CSV", help="rows to predict, one example per line ('-' for stdin); "
                        "a first line that is not all numbers is the header")
    source.add_argument("--row", metavar="X1,X2,...", help="one example inline, such as 200,13.9")
    parser.add_argument("--label-column", metavar="NAME",
                        help="the column holding the true labels (a header name, or a 0-based number); "
                        "it is not fed to the model, and accuracy and the confusion matrix go to stderr")
    parser.add_argument("--decide", metavar="THRESHOLD", type=float,
                        help="add a decision column: 1 where p >= THRESHOLD (the course's rule) for one "
                        "output; the index of the largest output for several")
    parser.add_argument("--allow-nonfinite", action="store_true",
                        help="let nan and inf through in the inputs (they propagate to the outputs; "
                        "a NaN output still cannot be decided)")


def run(args):
    """Write the predictions; returns the exit code."""
    from ..errors import NeuronError

    if args.decide is not None and args.decide != args.decide:
        # The same rule as neuron.decide: no threshold can be NaN.
        raise NeuronError("predict: --decide must be a number, got nan; no p is >= NaN")
    model = _model(args.model)
    if args.row is not None:
        header, rows = None, [_numbers(args.row.split(","), "--row")]
    else:
        header, rows = _read_csv(args.input)
    labels = None
    if args.label_column is not None:
        column = _column(args.label_column, header, rows)
        labels = []
        for i, row in enumerate(rows):
            if column >= len(row):
                raise NeuronError("predict: row %d has %d columns, so no label column %d (%s)"
                                  % (i + 1, len(row), column + 1, args.label_column))
            labels.append(_label(row[column], "row %d, label column" % (i + 1)))
        rows = [row[:column] + row[column + 1:] for row in rows]
    X = [_numbers(row, "row %d" % (i + 1)) for i, row in enumerate(rows)]
    if not X:
        raise NeuronError("predict: no rows to predict")
    _check_rows(X, getattr(model, "model", model).input_size, args.allow_nonfinite)
    names, out_rows, decisions = _predict(model, X, args.decide, labels is not None, args.allow_nonfinite)
    write = sys.stdout.write
    write(",".join(names) + "\n")
    for row in out_rows:
        write(",".join(_cell(v) for v in row) + "\n")
    if labels is not None:
        _report(labels, decisions)
    return 0


def _model(name):
    import os

    from .. import load

    if name in BUILT_IN and not os.path.exists(name):
        from .. import models

        return getattr(models, name)()
    return load(name)


def _read_csv(name):
    import csv
    import io

    from ..errors import NeuronError

    # utf-8-sig: a byte-order mark (Excel and Notepad write one) is not part
    # of the first cell; left in, it would make the first row of numbers a
    # "header" and hide a header's first name from --label-column.
    shown = "<stdin>" if name == "-" else name
    try:
        if name == "-":
            stream = getattr(sys.stdin, "buffer", None)
            if stream is not None:
                text = stream.read().decode("utf-8-sig")
            else:  # a text stream without bytes underneath (io.StringIO)
                text = sys.stdin.read()
                if text.startswith("\ufeff"):
                    text = text[1:]
        else:
            with open(name, encoding="utf-8-sig", newline="") as f:
                text = f.read()
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except UnicodeDecodeError as error:
        raise NeuronError("predict: %s is not UTF-8 text (byte 0x%02x at offset %d); save the CSV as UTF-8"
                          % (shown, error.object[error.start], error.start))
    except csv.Error as error:
        raise NeuronError("predict: %s is not a CSV file neuron can read (%s)" % (shown, error))
    lines = [line for line in lines if line and any(cell.strip() for cell in line)]
    header = None
    if lines and not all(_is_number(cell) for cell in lines[0]):
        header, lines = [cell.strip() for cell in lines[0]], lines[1:]
    return header, lines


def _column(name, header, rows):
    from ..errors import NeuronError

    if header is not None and name in header:
        return header.index(name)
    if name.isdecimal() and name.isascii() and rows and int(name) < len(rows[0]):
        return int(name)
    raise NeuronError("predict: --label-column %r is not a column (%s)"
                      % (name, "header: " + ", ".join(header) if header else "the input has no header"))


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _numbers(cells, where):
    from ..errors import NeuronError

    out = []
    for j, cell in enumerate(cells):
        try:
            out.append(float(cell))
        except ValueError:
            raise NeuronError("predict: %s, column %d: %r is not a number" % (where, j + 1, cell))
    return out


def _check_rows(X, inputs, allow_nonfinite):
    # Here, not in the model, so that errors count rows in the whole input
    # (the model sees batches of 500 and would count from each batch's start).
    from ..errors import NeuronError, ShapeError

    width = len(X[0]) if inputs is None else inputs
    for i, row in enumerate(X):
        if len(row) != width:
            raise ShapeError("predict: row %d has %d values; %s %d" % (
                i + 1, len(row), "the model takes" if inputs is not None else "row 1 has", width))
        if not allow_nonfinite:
            for j, value in enumerate(row):
                if value - value != 0.0:
                    raise NeuronError("predict: row %d, column %d is %r; inputs must be finite "
                                      "(pass --allow-nonfinite to let NaN and infinity through)"
                                      % (i + 1, j + 1, value))


def _predict(model, X, threshold, want_decisions, allow_nonfinite=False):
    # Returns (column names, rows of cells, decisions or None).
    from ..classifier import Classifier
    from ..errors import NeuronError
    from ..metrics import argmax, decide

    function = model.predict_proba if isinstance(model, Classifier) else model.predict
    outputs = _in_batches(function, X, allow_nonfinite)
    if isinstance(model, Classifier):
        for i, row in enumerate(outputs):
            if any(p != p for p in row):
                raise NeuronError("predict: row %d's probabilities hold NaN, which no rule can decide" % (i + 1))
        labels = _in_batches(model.predict, X, allow_nonfinite)
        names = ["p_%s" % c for c in model.classes] + ["prediction"]
        return names, [row + [label] for row, label in zip(outputs, labels)], labels
    metadata = model.metadata or {}
    names = list(metadata.get("class_labels") or ["y%d" % j for j in range(len(outputs[0]))])
    if threshold is None and not want_decisions:
        return names, outputs, None
    for i, row in enumerate(outputs):
        if any(p != p for p in row):
            raise NeuronError("predict: row %d's outputs hold NaN, which no rule can decide" % (i + 1))
    if len(outputs[0]) == 1:
        t = 0.5 if threshold is None else threshold
        # neuron.decide, which refuses a NaN p rather than calling it 0.
        decisions = decide([row[0] for row in outputs], t)
    else:
        decisions = argmax(outputs)
    if threshold is None:
        return names, outputs, decisions
    return names + ["decision"], [row + [d] for row, d in zip(outputs, decisions)], decisions


def _in_batches(function, X, allow_nonfinite=False):
    # Progress on stderr for large inputs, and only when a person watches.
    show = len(X) >= PROGRESS_FROM and sys.stderr.isatty()
    out = []
    step = 500
    for start in range(0, len(X), step):
        out.extend(function(X[start:start + step], allow_nonfinite=allow_nonfinite))
        if show:
            sys.stderr.write("\r%d/%d rows" % (min(start + step, len(X)), len(X)))
            sys.stderr.flush()
    if show:
        sys.stderr.write("\n")
    return out


def _cell(value):
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    if any(c in text for c in ',"\n'):
        return '"%s"' % text.replace('"', '""')
    return text


def _report(labels, decisions):
    from ..metrics import confusion_matrix

    truth = labels
    guess = [_label(v, "decision %d" % (i + 1)) for i, v in enumerate(decisions)]
    right = sum(1 for t, g in zip(truth, guess) if t == g)
    order = sorted(set(truth) | set(guess), key=lambda v: (isinstance(v, str), v))
    matrix = confusion_matrix(truth, guess, labels=order)
    say = sys.stderr.write
    say("accuracy: %d/%d = %.6g\n" % (right, len(truth), right / len(truth)))
    say("confusion matrix (rows: true label, columns: predicted):\n")
    width = max(len(str(v)) for v in order + ["true"]) + 1
    say("%*s" % (width, "") + "".join("%*s" % (width, v) for v in order) + "\n")
    for label, row in zip(order, matrix):
        say("%*s" % (width, label) + "".join("%*d" % (width, n) for n in row) + "\n")


def _label(value, where):
    # "1", "1.0" and 1 are the same label.  A label that reads as NaN or
    # infinity ("nan", "inf", "1e400") is refused: it is no class, and
    # int() of it would raise.
    from ..errors import NeuronError

    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            return text
    elif isinstance(value, float):
        number = value
    else:
        return value
    if number - number != 0.0:
        raise NeuronError("predict: %s is %r, which is not a class label (labels are whole numbers "
                          "or names)" % (where, value))
    return int(number) if number == int(number) else number
