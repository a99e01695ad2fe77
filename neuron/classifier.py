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

The model's outputs must be probabilities of the kind's sort, which is
checked when the Classifier is made: the last layer (after any Dropout or
Flatten, which do nothing at prediction time) must be a softmax for
``multiclass`` (a Softmax layer, or a softmax or sparsemax activation) and a
logistic function for ``binary`` and ``multilabel`` (sigmoid, logistic or a
hard sigmoid).  Anything else (a linear output, log_softmax) would give
"probabilities" below 0 or above 1.
"""

from .errors import NeuronError, ShapeError

KINDS = ("binary", "multiclass", "multilabel")

# The activations whose outputs are probabilities of each kind.
_SOFTMAX = ("softmax", "torch.softmax", "sklearn.softmax", "sparsemax")
_LOGISTIC = ("sigmoid", "torch.sigmoid", "sklearn.logistic", "hard_sigmoid", "keras2.hard_sigmoid",
             "torch.hardsigmoid", "sparse_sigmoid")
# Layers that pass values through unchanged at prediction time.
_PASS_THROUGH = ("Dropout", "Flatten")


class Classifier:
    """A Sequential model plus class labels: ``predict_proba`` and ``predict`` as in scikit-learn.

    ``kind`` is ``"binary"``, ``"multiclass"`` or ``"multilabel"``; left
    out, it follows from the model: one output is binary, several outputs
    after softmax multiclass, several after a logistic (sigmoid) multilabel.
    ``classes`` must be distinct and hashable (numbers, strings, tuples),
    and none may be NaN.

    Raises :class:`~neuron.NeuronError` when the number of classes does not
    fit the outputs, the classes repeat or hold NaN, the kind cannot be told
    or the model's last activation does not give that kind's probabilities;
    :class:`TypeError` for a class label that is not hashable.
    """

    def __init__(self, model, classes, kind=None):
        from .sequential import Sequential

        if not isinstance(model, Sequential):
            raise TypeError("Classifier: model must be a Sequential, got %s" % type(model).__name__)
        if not isinstance(classes, (list, tuple)):
            raise TypeError("Classifier: classes must be a list of labels, got %s" % type(classes).__name__)
        classes = _check_classes(classes)
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
        _check_output(model, kind)
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

    def predict_proba(self, X, allow_nonfinite=False):
        """Class probabilities for each row of ``X``: one list per row, one entry per class.

        ``allow_nonfinite`` lets NaN and infinity in ``X`` through to the model
        (see :meth:`Sequential.predict`); NaN probabilities may then come out.
        """
        out = self.model.predict(X, allow_nonfinite=allow_nonfinite)
        if self.kind == "binary":
            return [[1.0 - row[0], row[0]] for row in out]
        return out

    def predict(self, X, allow_nonfinite=False):
        """The predicted label for each row of ``X`` (a 0/1 row per example for multilabel).

        Raises :class:`~neuron.NeuronError` for a NaN probability (possible
        only with ``allow_nonfinite``), which no rule can decide.
        """
        out = self.model.predict(X, allow_nonfinite=allow_nonfinite)
        classes = self.classes
        for i, row in enumerate(out):
            for p in row:
                if p != p:
                    raise NeuronError("Classifier.predict: row %d's probabilities hold NaN, which no rule "
                                      "can decide" % i)
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


def _check_classes(classes):
    seen = {}
    for i, label in enumerate(classes):
        try:
            hash(label)
        except TypeError:
            raise TypeError("Classifier: classes[%d] is a %s, which cannot be a class label; labels must be "
                            "hashable (numbers, strings, tuples)" % (i, type(label).__name__))
        if isinstance(label, float) and label != label:
            raise NeuronError("Classifier: classes[%d] is NaN, which equals nothing, so no prediction "
                              "could match it" % i)
        if label in seen:
            raise NeuronError("Classifier: classes[%d] is %r, the same as classes[%d]; classes must be distinct"
                              % (i, label, seen[label]))
        seen[label] = i
    return list(classes)


def _last_layer(model):
    # The last layer that changes values at prediction time.
    for layer in reversed(model.layers):
        if layer.kind not in _PASS_THROUGH:
            return layer
    return model.layers[-1]


def _output_activation(layer):
    # "softmax" for a Softmax layer, else the layer's activation name ("" for none).
    if layer.kind == "Softmax":
        return "softmax"
    return getattr(getattr(layer, "activation", None), "name", "") or ""


def _check_output(model, kind):
    layer = _last_layer(model)
    name = _output_activation(layer)
    if kind == "multiclass":
        wanted, allowed = "a softmax", _SOFTMAX
    else:
        wanted, allowed = "a logistic (sigmoid)", _LOGISTIC
    if name not in allowed:
        raise NeuronError(
            "Classifier: a %s classifier needs %s output, but the last layer %s has %s, whose outputs "
            "are not probabilities" % (kind, wanted, layer._where(),
                                       "the activation %r" % name if name else "no activation"))


def _infer_kind(model, outputs):
    if outputs is None:
        raise ShapeError("Classifier: the model's number of outputs is not known; pass kind=")
    if outputs == 1:
        return "binary"
    last = _last_layer(model)
    name = _output_activation(last)
    if name in _SOFTMAX:
        return "multiclass"
    if name in _LOGISTIC:
        return "multilabel"
    raise NeuronError(
        "Classifier: cannot tell from the last layer (%s) whether the outputs are one class "
        "each (pass kind='multiclass') or one label each (kind='multilabel')" % last._where()
    )
