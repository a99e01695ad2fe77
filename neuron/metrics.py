"""From probabilities to decisions, and how good the decisions are.

>>> decide([0.2, 0.5, 0.9])
[0, 1, 1]
>>> argmax([[0.1, 0.7, 0.2], [0.5, 0.25, 0.25]])
[1, 0]
>>> accuracy([1, 0, 1, 1], [1, 0, 0, 1])
0.75
>>> confusion_matrix([1, 0, 1, 1], [1, 0, 0, 1])
[[1, 0], [1, 2]]
"""

from .checks import as_float
from .errors import NeuronError, ShapeError


def decide(p, threshold=0.5):
    """The course's rule: 1 where ``p >= threshold``, else 0.

    ``p`` may be one number, a list of numbers, or ``predict``'s rows; the
    result has the same shape.  (scikit-learn's classifiers use ``p > 0.5``
    instead; see :class:`neuron.Classifier`.)

    >>> decide(0.5), decide([[0.96], [3e-08]])
    (1, [[1], [0]])

    Raises :class:`~neuron.NeuronError` for a NaN probability, which no
    threshold can decide.
    """
    threshold = as_float(threshold, "decide: threshold")
    if threshold != threshold:
        raise NeuronError("decide: threshold is NaN")
    if isinstance(p, (list, tuple)):
        return [decide(item, threshold) if isinstance(item, (list, tuple)) else _decide_one(item, threshold)
                for item in p]
    return _decide_one(p, threshold)


def _decide_one(p, threshold):
    value = as_float(p, "decide: p")
    if value != value:
        raise NeuronError("decide: p is NaN, which no threshold can decide")
    return 1 if value >= threshold else 0


def argmax(rows):
    """The index of the largest value in each row (the first one on a tie, like NumPy).

    A flat list of numbers gives one index; a list of rows gives one per row.

    >>> argmax([0.2, 0.3, 0.5])
    2
    """
    if not isinstance(rows, (list, tuple)):
        raise TypeError("argmax: expected a list of rows or of numbers, got %s" % type(rows).__name__)
    if rows and isinstance(rows[0], (list, tuple)):
        return [_argmax_one(row, i) for i, row in enumerate(rows)]
    return _argmax_one(rows, None)


def _argmax_one(row, index):
    where = "argmax" if index is None else "argmax: row %d" % index
    if not isinstance(row, (list, tuple)):
        raise ShapeError("%s: expected a list of numbers, got %s" % (where, type(row).__name__))
    if not row:
        raise ShapeError("%s is empty" % where)
    best = 0
    best_value = as_float(row[0], where + "[0]")
    for i in range(1, len(row)):
        value = as_float(row[i], "%s[%d]" % (where, i))
        if value != value or best_value != best_value:
            raise NeuronError("%s holds NaN, which has no order" % where)
        if value > best_value:
            best, best_value = i, value
    if best_value != best_value:
        raise NeuronError("%s holds NaN, which has no order" % where)
    return best


def accuracy(y_true, y_pred):
    """The fraction of predictions equal to the truth, from 0.0 to 1.0.

    Labels may be given flat or as one-entry rows (what ``decide(predict(X))``
    returns).
    """
    truth, guess = _labels(y_true, y_pred, "accuracy")
    right = 0
    for t, g in zip(truth, guess):
        if t == g:
            right += 1
    return right / len(truth)


def confusion_matrix(y_true, y_pred, labels=None):
    """Counts of each (truth, prediction) pair: rows are the truth, columns the prediction.

    ``labels`` (a list or tuple of distinct labels) fixes the order, as in
    scikit-learn; pairs with a label outside it are not counted.  By default
    the labels seen are sorted; labels that cannot be sorted together (such
    as ``1`` and ``"a"``, or ``None``) keep the order in which they first
    appear, in ``y_true`` and then ``y_pred``.  For 0/1 labels the result is
    ``[[TN, FP], [FN, TP]]``.

    >>> confusion_matrix(["b", 1, "b"], [1, 1, "b"])
    [[1, 1], [0, 1]]

    Raises :class:`TypeError` for ``labels`` that is not a list or tuple and
    for a label that is not hashable; :class:`~neuron.NeuronError` for a
    label listed twice in ``labels``.
    """
    truth, guess = _labels(y_true, y_pred, "confusion_matrix")
    if labels is None:
        seen = []
        known = set()
        for where, values in (("y_true", truth), ("y_pred", guess)):
            for i, label in enumerate(values):
                _check_hashable(label, "confusion_matrix: %s item %d" % (where, i))
                if label not in known:
                    known.add(label)
                    seen.append(label)
        try:
            labels = sorted(seen)
        except TypeError:
            labels = seen  # no order between them: first appearance
    elif not isinstance(labels, (list, tuple)):
        raise TypeError("confusion_matrix: labels must be a list or tuple of labels, got %s"
                        % type(labels).__name__)
    position = {}
    for i, label in enumerate(labels):
        _check_hashable(label, "confusion_matrix: labels[%d]" % i)
        if label in position:
            raise NeuronError("confusion_matrix: labels[%d] is %r, the same as labels[%d]"
                              % (i, label, position[label]))
        position[label] = i
    matrix = [[0] * len(labels) for _ in labels]
    for t, g in zip(truth, guess):
        if t in position and g in position:
            matrix[position[t]][position[g]] += 1
    return matrix


def _check_hashable(label, where):
    try:
        hash(label)
    except TypeError:
        raise TypeError("%s is a %s, which cannot be a label (labels are numbers, strings or tuples)"
                        % (where, type(label).__name__))


def _labels(y_true, y_pred, where):
    truth = _flat_labels(y_true, where + ": y_true")
    guess = _flat_labels(y_pred, where + ": y_pred")
    if len(truth) != len(guess):
        raise ShapeError(
            "%s: y_true has %d labels but y_pred has %d" % (where, len(truth), len(guess))
        )
    if not truth:
        raise ShapeError("%s: no labels given" % where)
    return truth, guess


def _flat_labels(values, where):
    if not isinstance(values, (list, tuple)):
        raise TypeError("%s must be a list of labels, got %s" % (where, type(values).__name__))
    out = []
    for i, v in enumerate(values):
        if isinstance(v, (list, tuple)):
            if len(v) != 1:
                raise ShapeError(
                    "%s: item %d has %d entries; labels must be single values or one-entry rows"
                    % (where, i, len(v))
                )
            v = v[0]
        if isinstance(v, float) and v != v:
            raise NeuronError("%s: item %d is NaN" % (where, i))
        out.append(v)
    return out
