"""The examples in docs/activations.md and in the modules' docstrings run."""

import doctest
import os

from neuron import _mathx, activations

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_docs_page_examples():
    result = doctest.testfile(os.path.join(ROOT, "docs", "activations.md"),
                              module_relative=False)
    assert result.attempted > 0 and result.failed == 0


def test_module_examples():
    for module in (activations, _mathx):
        assert doctest.testmod(module).failed == 0
