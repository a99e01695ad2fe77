"""neuron: forward propagation by hand, in pure Python."""

__version__ = "0.1.0"
