"""Reading the framework fixtures in tests/data, for the fixture tests."""

import io
import json
import os
import zipfile

import pytest

from neuron import activations

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def path(*parts):
    return os.path.join(DATA, *parts)


def load_json(*parts):
    with open(path(*parts)) as f:
        return json.load(f)


def keras_config(*parts):
    """config.json from a .keras archive (a zip), read without HDF5."""
    with zipfile.ZipFile(path(*parts)) as archive:
        return json.loads(archive.read("config.json").decode("utf-8"))


def require_activations(*names):
    """Skip a test whose model needs activations this registry does not have yet."""
    missing = [n for n in names if n not in activations.names()]
    if missing:
        pytest.skip("activation registry lacks %s (the acts branch adds them)" % ", ".join(missing))


def require_module(name):
    try:
        __import__(name)
    except ImportError:
        pytest.skip("%s is not in this branch yet (the arrays branch adds it)" % name)


def digits_test_rows():
    rows, labels = [], []
    with open(path("digits", "digits_test.csv")) as f:
        header = f.readline().strip().split(",")
        assert header[-1] == "label"
        for line in f:
            values = line.strip().split(",")
            rows.append([float(v) for v in values[:-1]])
            labels.append(int(values[-1]))
    return rows, labels


def read_bytes(*parts):
    with open(path(*parts), "rb") as f:
        return io.BytesIO(f.read()).getvalue()
