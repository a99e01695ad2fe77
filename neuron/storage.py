"""How much memory a model's weights take, and a compact way to hold them.

A weight held in a Python list costs a pointer in the list (8 bytes on a
64-bit build) and a float object (24 bytes): about 32 bytes for 8 bytes of
number.  :func:`compact` moves each Dense layer's weight rows into
``array('d')`` (8 bytes a weight, the same doubles, so the same results bit
for bit) at a cost in speed: the kernel reads an array more slowly than a
list, because each item read makes a new float object (bench/run.py measures
the cost on this machine; about 1.8x for ``math.sumprod`` on CPython 3.12).

>>> from neuron import Dense, Sequential
>>> model = Sequential([Dense.from_neurons([[0.5, -1.0, 2.0]], [0.25])])
>>> y = model([1.0, 1.0, 1.0])
>>> compact(model)
>>> model([1.0, 1.0, 1.0]) == y
True
"""

import sys


def weight_bytes(model):
    """Bytes held by the model's weights: the lists or arrays and the floats in them.

    Counted with ``sys.getsizeof``, each object once (shared floats count
    once); the layers' other attributes are not counted.  PyPy cannot say
    how large one object is (its ``getsizeof`` always raises), so there this
    raises :class:`~neuron.NeuronError`.
    """
    if sys.implementation.name == "pypy" or not hasattr(sys, "getsizeof"):
        from .errors import NeuronError

        raise NeuronError("weight_bytes: %s cannot measure the size of an object "
                          "(sys.getsizeof); measure memory on CPython" % sys.implementation.name)
    seen = set()
    total = 0
    stack = []
    for layer in model.layers:
        for name in ("_rows", "_bias", "_mean", "_variance", "_scale"):
            value = getattr(layer, name, None)
            if value is not None:
                stack.append(value)
    while stack:
        value = stack.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        total += sys.getsizeof(value)
        if isinstance(value, (list, tuple)):
            stack.extend(value)
    return total


def bytes_per_parameter(model):
    """:func:`weight_bytes` divided by the number of weights (``count_params``)."""
    return weight_bytes(model) / model.count_params()


def compact(model):
    """Hold every Dense layer's weights and biases in ``array('d')``, in place.

    The values are the same doubles, so every result stays bit for bit the
    same; memory per weight drops from about 32 bytes to 8; the speed cost is
    measured by bench/run.py.
    """
    from array import array

    for layer in model.layers:
        rows = getattr(layer, "_rows", None)
        if rows is not None and type(layer).__name__ == "Dense":
            layer._rows = [array("d", row) for row in rows]
            layer._bias = array("d", layer._bias)
            layer._changed()
