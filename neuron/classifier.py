"""Classifier: a model whose outputs are class probabilities, with scikit-learn's decisions.

A :class:`Classifier` holds a :class:`~neuron.Sequential` and the class
labels (``classes``), and answers as scikit-learn's ``MLPClassifier`` does:

* **binary** (one output unit, logistic): ``predict_proba`` gives
  ``[1 - p, p]`` per row and ``predict`` picks ``classes[1]`` when
  ``p > 0.5``, else ``classes[0]``.  The course's :func:`~neuron.decide`
  says 1 when ``p >= 0.5``; the two differ only at exactly 0.5.
* **multiclass** (softmax over one output per class): ``predict_proba`` is
  the softmax output, ``predict`` the class with the largest probability
  (the first one on a tie, like NumPy's argmax).
* **multilabel** (logistic outputs, one per label): ``predict_proba`` is
  the outputs as they are, ``predict`` a row of 0/1 per example, 1 where
  ``p > 0.5``.

>>> import neuron
>>> model = neuron.Sequential([neuron.Dense(1, "sigmoid", kernel=[[1.0]], bias=[0.0])])
>>> clf = Classifier(model, ["no", "yes"])
>>> clf.predict_proba([[0.0]])
[[0.5, 0.5]]
>>> clf.predict([[0.0], [2.0]])
['no', 'yes']
"""

from .errors import NeuronError, ShapeError

KINDS = ("binary", "multiclass", "multilabel")


class Classifier:
    """A Sequential model plus class labels: ``predict_proba`` and ``predict`` as in scikit-learn.

    ``kind`` is ``"binary"``, ``"multiclass"`` or ``"multilabel"``; left
    out, it follows from the model: one output is binary, several outputs
    after softmax multiclass, several after a logistic (sigmoid) multilabel.
    Raises :class:`~neuron.NeuronError` when the number of classes does not
    fit the outputs or the kind cannot be told.
    """

    def __init__(self, model, classes, kind=None):
        from .sequential import Sequential

        if not isinstance(model, Sequential):
            raise TypeError("Classifier: model must be a Sequential, got %s" % type(model).__name__)
        if not isinstance(classes, (list, tuple)):
            raise TypeError("Classifier: classes must be a list of labels, got %s" % type(classes).__name__)
        classes = list(classes)
        outputs = model.output_size
        if kind is None:
            kind = _infer_kind(model, outputs)
        if kind not in KINDS:
            raise NeuronError("Classifier: kind must be one of %s, got %r" % (", ".join(KINDS), kind))
        if kind == "binary":
            if len(classes) != 2:
                raise NeuronError("Classifier: a binary classifier needs 2 classes, got %d" % len(classes))
            if outputs is not None and outputs != 1:
                raise NeuronError("Classifier: a binary classifier has 1 output, the model has %d" % outputs)
        elif outputs is not None and len(classes) != outputs:
            raise NeuronError(
                "Classifier: %d classes for a %s model with %d outputs" % (len(classes), kind, outputs)
            )
        self.model = model
        self.classes = classes
        self.kind = kind

    @property
    def name(self):
        return self.model.name

    def save(self, path):
        """Write the model and its classes to a neuron JSON file (see :meth:`Sequential.save`)."""
        from .formats.native import save

        save(self, path)

    def predict_proba(self, X):
        """Class probabilities for each row of ``X``: one list per row, one entry per class."""
        out = self.model.predict(X)
        if self.kind == "binary":
            return [[1.0 - row[0], row[0]] for row in out]
        return out

    def predict(self, X):
        """The predicted label for each row of ``X`` (a 0/1 row per example for multilabel)."""
        out = self.model.predict(X)
        classes = self.classes
        if self.kind == "binary":
            # scikit-learn's LabelBinarizer: p > (0 + 1) / 2.
            return [classes[1] if row[0] > 0.5 else classes[0] for row in out]
        if self.kind == "multilabel":
            return [[1 if p > 0.5 else 0 for p in row] for row in out]
        return [classes[_first_max(row)] for row in out]

    def __call__(self, x):
        """The probabilities for one example, as ``predict_proba([x])[0]``."""
        return self.predict_proba([x])[0]

    def __repr__(self):
        return "<Classifier %s, classes %r: %r>" % (self.kind, self.classes, self.model)


def _first_max(row):
    best = 0
    for i in range(1, len(row)):
        if row[i] > row[best]:
            best = i
    if row[best] != row[best]:
        raise NeuronError("Classifier.predict: a row of probabilities holds NaN")
    return best


def _infer_kind(model, outputs):
    if outputs is None:
        raise ShapeError("Classifier: the model's number of outputs is not known; pass kind=")
    if outputs == 1:
        return "binary"
    last = model.layers[-1]
    if last.kind == "Softmax":
        return "multiclass"
    name = getattr(getattr(last, "activation", None), "name", "")
    if "softmax" in name:
        return "multiclass"
    if "sigmoid" in name or "logistic" in name:
        return "multilabel"
    raise NeuronError(
        "Classifier: cannot tell from the last layer (%s) whether the outputs are one class "
        "each (pass kind='multiclass') or one label each (kind='multilabel')" % last._where()
    )
