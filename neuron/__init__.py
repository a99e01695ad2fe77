"""neuron: forward propagation by hand, in pure Python.

Every neuron is a dot product plus a bias, passed through an activation:
``z = w . x + b`` and ``a = g(z)``.  A layer is a list of neurons, a model a
list of layers.

>>> import neuron
>>> layer = neuron.Dense(1, "sigmoid", kernel=[[2.0], [-1.0]], bias=[0.0])
>>> model = neuron.Sequential([layer])
>>> model([1.0, 2.0])
[0.5]
>>> neuron.decide(model.predict([[1.0, 2.0], [3.0, 1.0]]))
[[1], [1]]

The distribution is called ``neuron-forward`` (the name ``neuron`` on PyPI
belongs to the NEURON simulator); the import name is ``neuron``.
"""

from . import activations
from .activations import Activation, sigmoid
from .classifier import Classifier
from .errors import FormatError, NeuronError, ShapeError
from .formats import load
from .layers import (
    ELU,
    BatchNormalization,
    Dense,
    Dropout,
    Flatten,
    Layer,
    LeakyReLU,
    Normalization,
    PReLU,
    ReLU,
    Softmax,
    dense,
)
from .layers import Activation as ActivationLayer
from .metrics import accuracy, argmax, confusion_matrix, decide
from .sequential import Sequential
from .trace import Trace
from .vector import dot

__version__ = "0.1.0"

__all__ = [
    "Activation",
    "ActivationLayer",
    "BatchNormalization",
    "Classifier",
    "Dense",
    "Dropout",
    "ELU",
    "Flatten",
    "FormatError",
    "Layer",
    "LeakyReLU",
    "NeuronError",
    "Normalization",
    "PReLU",
    "ReLU",
    "Sequential",
    "ShapeError",
    "Softmax",
    "Trace",
    "accuracy",
    "activations",
    "argmax",
    "confusion_matrix",
    "decide",
    "dense",
    "dot",
    "load",
    "sigmoid",
]
