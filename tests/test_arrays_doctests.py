"""Every example in the array-format modules' docstrings runs and prints what it says."""

import doctest
import importlib

import pytest

MODULES = ["neuron.formats._binary", "neuron.formats.arrays", "neuron.formats.npy",
           "neuron.formats.safetensors", "neuron.formats.torch_pickle"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, "%s has no examples" % name
    assert result.failed == 0


def test_import_neuron_stays_light():
    import subprocess
    import sys

    # Compare with what the interpreter loaded before (site hooks may load zipfile).
    code = ("import sys; before = set(sys.modules); import neuron; "
            "print(sorted(m for m in ('zipfile', 'json', 'zlib', 'struct', "
            "'neuron.formats.npy', 'neuron.formats.safetensors') "
            "if m in sys.modules and m not in before))")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout
    assert output.strip() == "[]"
