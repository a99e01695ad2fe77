"""Write the small HDF5 files that tests/test_hdf5.py reads, with h5py.

This script is run by hand, never by the test suite: it needs h5py and
numpy, which are not (and must not become) dependencies of neuron.  The
committed files in tests/data/hdf5/ were made like this::

    python3 -m venv /tmp/h5venv
    /tmp/h5venv/bin/pip install h5py numpy      # h5py 3.16.0, HDF5 2.0.0
    /tmp/h5venv/bin/python tools/make_h5_fixtures.py

Each ``<name>.h5`` gets a ``<name>.json`` beside it recording what a reader
must find: ``datasets`` maps a path to its shape, dtype and values;
``attrs`` maps an object path to its decoded attributes (strings as str,
arrays as nested lists, an empty attribute as null); ``errors`` maps a
dataset path to a fragment of the FormatError its ``read()`` must raise.

The files:

* ``basic_v0.h5`` -- h5py defaults (superblock 0, symbol-table groups):
  nested groups, every supported numeric type in both byte orders, strings,
  a scalar, a compact-layout dataset, chunked and gzip datasets, a soft
  link, attributes of every kind.
* ``latest.h5`` -- the same content with ``libver="latest"`` (newest
  superblock, version 2 object headers, link messages), plus a group of 20
  members (dense link storage: fractal heap + v2 B-tree), a group of 120
  soft links (a v2 B-tree deeper than one leaf) and a group with 12
  attributes (dense attribute storage).
* ``v108.h5`` -- the same content with ``libver=("v108", "v108")``, which
  writes superblock version 2.
* ``cycle.h5`` -- a group holding a hard link to its own parent.
* ``keras2_coffee.h5``, ``keras2_hard_sigmoid.h5`` -- imitations of the
  legacy Keras 2 ``model.save("m.h5")`` layout: root attributes
  ``keras_version``, ``backend`` and ``model_config`` (JSON as fixed-length
  bytes), group ``model_weights`` with ``layer_names`` and per layer
  ``weight_names`` (arrays of fixed-length bytes), weights at those names.
  Weights come from the reference fixtures (coffee.json, act_hard_sigmoid.json).
"""

import json
import os
import sys

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, os.pardir, "tests", "data", "hdf5")
REFERENCE = os.environ.get("NEURON_FIXTURES", "/work/shared/fixtures")


class Recorder:
    """Writes datasets and attributes with h5py and remembers the expectations."""

    def __init__(self, path, **kwargs):
        self.path = path
        self.file = h5py.File(path, "w", **kwargs)
        self.expected = {"datasets": {}, "attrs": {}, "errors": {}}

    def dataset(self, path, array, **kwargs):
        array = np.asarray(array)
        self.file.create_dataset(path, data=array, **kwargs)
        self.expected["datasets"][path] = {
            "shape": list(array.shape),
            "dtype": _dtype_name(array.dtype),
            "values": _plain(array),
        }

    def compact(self, path, array):
        """A dataset with compact layout (data inside the object header)."""
        array = np.asarray(array)
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_layout(h5py.h5d.COMPACT)
        space = h5py.h5s.create_simple(array.shape)
        tid = h5py.h5t.py_create(array.dtype)
        dsid = h5py.h5d.create(self.file.id, path.encode(), tid, space,
                               dcpl=dcpl)
        dsid.write(h5py.h5s.ALL, h5py.h5s.ALL, array)
        self.expected["datasets"][path] = {
            "shape": list(array.shape),
            "dtype": _dtype_name(array.dtype),
            "values": _plain(array),
        }

    def refused(self, path, array, message, **kwargs):
        self.file.create_dataset(path, data=np.asarray(array), **kwargs)
        self.expected["errors"][path] = message

    def attr(self, obj_path, name, value, expected):
        self.file[obj_path].attrs[name] = value
        self.expected["attrs"].setdefault(obj_path, {})[name] = expected

    def close(self):
        self.file.close()
        with open(os.path.splitext(self.path)[0] + ".json", "w") as out:
            json.dump(self.expected, out, indent=1, sort_keys=True)
            out.write("\n")


def _dtype_name(dtype):
    if dtype.kind in ("S", "O", "U"):
        return "str"
    return dtype.newbyteorder("=").name


def _plain(array):
    """Values as JSON-ready nested lists (bytes decoded to str)."""
    if array.dtype.kind in ("S", "O"):
        decode = np.vectorize(lambda b: b.decode() if isinstance(b, bytes)
                              else b, otypes=[object])
        return decode(array).tolist()
    return array.tolist()


def write_content(rec):
    """The content shared by the three general-purpose files."""
    f = rec.file
    f.create_group("empty")
    f.create_group("outer/inner/deepest")
    rng = np.random.default_rng(20240601)
    rec.dataset("outer/matrix_f4", rng.standard_normal((3, 4)).astype("<f4"))
    rec.dataset("outer/inner/cube_f8",
                rng.standard_normal((2, 3, 2)).astype("<f8"))
    rec.dataset("outer/inner/deepest/one", np.array([1.5], "<f4"))
    rec.dataset("endian/big_f4", np.array([1.0, -2.5, 3.25e10], ">f4"))
    rec.dataset("endian/big_f8", np.array([[1e-300, -0.1], [2.0, 3.0]], ">f8"))
    rec.dataset("endian/big_i4", np.array([1, -2, 2**31 - 1, -2**31], ">i4"))
    rec.dataset("endian/big_u2", np.array([0, 1, 65535], ">u2"))
    rec.dataset("endian/little_f2", np.array([0.5, -65504.0, 6e-08, 1.0],
                                             "<f2"))
    rec.dataset("endian/big_f2", np.array([0.5, 2.0], ">f2"))
    for bits in (8, 16, 32, 64):
        info_i, info_u = np.iinfo("i%d" % (bits // 8)), np.iinfo(
            "u%d" % (bits // 8))
        rec.dataset("ints/int%d" % bits,
                    np.array([info_i.min, -1, 0, info_i.max], "<i%d" % (bits // 8)))
        rec.dataset("ints/uint%d" % bits,
                    np.array([0, 1, info_u.max], "<u%d" % (bits // 8)))
    rec.dataset("scalar_i8", np.array(42, "<i8"))
    rec.dataset("scalar_f8", np.array(-0.25, "<f8"))
    rec.dataset("empty_shape", np.zeros((0, 3), "<f4"))
    # h5py stores booleans as an enum over int8; the reader returns the
    # enum's integers, so record those.
    rec.dataset("bools", np.array([True, False, True]))
    rec.expected["datasets"]["bools"].update(dtype="int8", values=[1, 0, 1])
    rec.dataset("strings/fixed", np.array([b"alpha", b"be", b""]))
    rec.dataset("strings/vlen", np.array(["x", "yz", "\u00e9t\u00e9"],
                                         dtype=h5py.string_dtype()))
    rec.compact("compact_f4", np.array([[1.0, 2.0], [3.0, 4.0]], "<f4"))
    rec.refused("chunked", np.arange(10, dtype="<f4"),
                "chunked/compressed dataset layout is not supported",
                chunks=(5,))
    rec.refused("gzipped", np.arange(10, dtype="<f4"),
                "chunked/compressed dataset layout is not supported",
                compression="gzip")
    f["outer/soft_to_one"] = h5py.SoftLink("/outer/inner/deepest/one")

    rec.attr("/", "title", "neuron test file", "neuron test file")
    rec.attr("/", "version_bytes", np.bytes_(b"2.13.1"), "2.13.1")
    rec.attr("/", "count", np.int64(7), 7)
    rec.attr("/", "ratio", np.float32(0.5), 0.5)
    rec.attr("/", "vector", np.array([1.0, 2.0, 3.0], "<f8"), [1.0, 2.0, 3.0])
    rec.attr("/", "matrix_i2", np.array([[1, -2], [3, 4]], ">i2"),
             [[1, -2], [3, 4]])
    rec.attr("/", "fixed_names", np.array([b"dense", b"dense_1"]),
             ["dense", "dense_1"])
    rec.attr("/", "vlen_names", ["kernel", "bias", "\u03bc"],
             ["kernel", "bias", "\u03bc"])
    rec.attr("/", "empty", h5py.Empty("f4"), None)
    rec.attr("outer", "note", "nested", "nested")
    rec.attr("outer/matrix_f4", "units", np.int32(4), 4)


def write_general(name, **kwargs):
    rec = Recorder(os.path.join(OUT, name), **kwargs)
    write_content(rec)
    return rec


def write_latest():
    rec = write_general("latest.h5", libver="latest")
    f = rec.file
    for i in range(20):
        rec.dataset("many/item%02d" % i, np.array([i], "<i4"))
    deep = f.create_group("deep_index")
    for i in range(120):
        deep["link%03d" % i] = h5py.SoftLink("/scalar_i8")
    rec.expected["attrs"]["many_attrs"] = {}
    f.create_group("many_attrs")
    for i in range(12):
        rec.attr("many_attrs", "a%02d" % i, np.int16(i), i)
    rec.close()


def write_cycle():
    with h5py.File(os.path.join(OUT, "cycle.h5"), "w") as f:
        f.create_dataset("a/b/data", data=np.array([1.0], "<f4"))
        f["a/b/back_to_a"] = f["a"]


def keras2_dense_config(name, units, activation, input_dim=None):
    config = {
        "name": name, "trainable": True, "dtype": "float32", "units": units,
        "activation": activation, "use_bias": True,
        "kernel_initializer": {"class_name": "GlorotUniform",
                               "config": {"seed": None}},
        "bias_initializer": {"class_name": "Zeros", "config": {}},
        "kernel_regularizer": None, "bias_regularizer": None,
        "activity_regularizer": None, "kernel_constraint": None,
        "bias_constraint": None,
    }
    if input_dim is not None:
        config["batch_input_shape"] = [None, input_dim]
    return {"class_name": "Dense", "config": config}


def keras2_input_config(name, input_dim):
    return {"class_name": "InputLayer", "config": {
        "batch_input_shape": [None, input_dim], "dtype": "float32",
        "sparse": False, "ragged": False, "name": name}}


def write_keras2(filename, model_name, layers, weights):
    """One legacy Keras 2 file; ``weights`` is [(layer, [(wname, array)])]."""
    config = {"class_name": "Sequential",
              "config": {"name": model_name, "layers": layers}}
    rec = Recorder(os.path.join(OUT, filename))
    f = rec.file
    model_config = json.dumps(config).encode("utf-8")
    rec.attr("/", "keras_version", "2.13.1", "2.13.1")
    rec.attr("/", "backend", "tensorflow", "tensorflow")
    rec.attr("/", "model_config", np.bytes_(model_config),
             model_config.decode("utf-8"))
    group = f.create_group("model_weights")
    names = [layer for layer, _ in weights]
    rec.attr("model_weights", "layer_names",
             np.array([n.encode() for n in names]), names)
    rec.attr("model_weights", "backend", "tensorflow", "tensorflow")
    rec.attr("model_weights", "keras_version", "2.13.1", "2.13.1")
    for layer, layer_weights in weights:
        group.create_group(layer)
        wnames = [w for w, _ in layer_weights]
        rec.attr("model_weights/" + layer, "weight_names",
                 np.array([w.encode() for w in wnames]), wnames)
        for wname, array in layer_weights:
            rec.dataset("model_weights/%s/%s" % (layer, wname), array)
    rec.close()


def write_keras2_models():
    with open(os.path.join(REFERENCE, "keras", "coffee.json")) as src:
        w = json.load(src)["weights"]
    f4 = lambda v: np.array(v, "<f4")
    write_keras2("keras2_coffee.h5", "sequential", [
        keras2_input_config("input_1", 2),
        {"class_name": "Normalization", "config": {
            "name": "normalization", "trainable": True, "dtype": "float32",
            "batch_input_shape": [None, 2], "axis": [-1], "mean": None,
            "variance": None, "invert": False}},
        keras2_dense_config("layer1", 3, "sigmoid"),
        keras2_dense_config("layer2", 1, "sigmoid"),
    ], [
        ("normalization", [("normalization/mean:0", f4(w[0])),
                           ("normalization/variance:0", f4(w[1])),
                           ("normalization/count:0", np.array(w[2], "<i8"))]),
        ("layer1", [("layer1/kernel:0", f4(w[3])), ("layer1/bias:0", f4(w[4]))]),
        ("layer2", [("layer2/kernel:0", f4(w[5])), ("layer2/bias:0", f4(w[6]))]),
    ])
    with open(os.path.join(REFERENCE, "keras", "act_hard_sigmoid.json")) as src:
        w = json.load(src)["weights"]
    write_keras2("keras2_hard_sigmoid.h5", "sequential_1", [
        keras2_input_config("input_2", 4),
        keras2_dense_config("dense", 6, "hard_sigmoid", input_dim=4),
        keras2_dense_config("dense_1", 3, "hard_sigmoid"),
    ], [
        ("dense", [("dense/kernel:0", f4(w[0])), ("dense/bias:0", f4(w[1]))]),
        ("dense_1", [("dense_1/kernel:0", f4(w[2])),
                     ("dense_1/bias:0", f4(w[3]))]),
    ])


def main():
    os.makedirs(OUT, exist_ok=True)
    write_general("basic_v0.h5").close()
    write_general("v108.h5", libver=("v108", "v108")).close()
    write_latest()
    write_cycle()
    write_keras2_models()
    for name in sorted(os.listdir(OUT)):
        print(name, os.path.getsize(os.path.join(OUT, name)), file=sys.stderr)


if __name__ == "__main__":
    main()
