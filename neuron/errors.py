"""The exceptions neuron raises.

Every error about a value (a wrong size, a number out of range, a broken
file) is a :class:`NeuronError`, which is also a :class:`ValueError`, so
``except ValueError`` catches it.  A value of the wrong Python type (a string
where a number belongs, ``True`` used as a number) raises the built-in
:class:`TypeError` instead.
"""


class NeuronError(ValueError):
    """A value neuron cannot work with: the message names the function and the rule."""


class ShapeError(NeuronError):
    """A length or shape is not the one expected ("Dense: expected 3 inputs, got 2")."""


class FormatError(NeuronError):
    """A model or weight file is broken or unsupported.

    The message names the file, the entry inside it and what was expected.
    """

    def __init__(self, message, source=None, entry=None):
        self.source = source
        self.entry = entry
        where = []
        if source is not None:
            where.append(str(source))
        if entry is not None:
            where.append(str(entry))
        if where:
            message = ": ".join(where) + ": " + message
        super().__init__(message)
