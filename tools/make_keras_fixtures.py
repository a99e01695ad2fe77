"""Write the Keras files tests/test_keras.py reads, with real Keras 3.

Run by hand, never by the test suite: it needs keras, a backend, h5py and
numpy, none of which neuron depends on.  The committed files in
tests/data/keras_written/ were made like this::

    python3 -m venv /tmp/kvenv
    /tmp/kvenv/bin/pip install keras jax scipy h5py numpy   # keras 3.15.1, jax backend
    JAX_ENABLE_X64=1 KERAS_BACKEND=jax /tmp/kvenv/bin/python tools/make_keras_fixtures.py

The reference fixtures (../shared/fixtures/keras) are all Sequential
``.keras`` files; these add what they lack:

* ``functional_chain.keras`` / ``.h5`` / ``.weights.h5`` -- a Functional
  model that is one chain (Input, Dense relu, PReLU,
  Dropout, Dense sigmoid, Dense, Softmax), saved three ways: the Keras 3
  archive, the legacy ``model.save("m.h5")`` layout (Keras 3 still writes
  it, recording ``keras_version`` 3.15.1) and ``save_weights``.
* ``functional_chain.legacy_weights.h5`` -- the same weights in Keras 2's
  ``save_weights("m.h5")`` layout (root ``layer_names``, per-layer
  ``weight_names``), written by Keras's own legacy HDF5 code.
* ``hard_sigmoid_k3.h5`` -- a legacy ``.h5`` written by Keras 3 whose
  layers use ``hard_sigmoid``: with keras_version 3.x it means Keras 3's
  relu6(x + 3) / 6, not Keras 2's clip(0.2 x + 0.5, 0, 1).
* ``coffee_tf213.keras`` -- tests/data/keras/coffee.keras with its
  weights moved from ``layers/`` to ``_layer_checkpoint_dependencies/``,
  where tf.keras 2.13-2.15 put them in the same format (Keras 3 reads
  such files by that renaming).
* ``unsupported.keras`` -- a model with a LayerNormalization, which neuron
  does not compute and must refuse by name and class.

BatchNormalization is left out of the chain on purpose: on the JAX backend
Keras 3.15's float64 BatchNormalization differed from gamma * (x - mean) /
sqrt(var + epsilon) + beta by about 5e-6 absolute, which would make the
reference wrong; the shared layers_mix fixture (TensorFlow backend) covers
that layer.

Each model's ``<name>.json`` records the inputs, the weights
(``get_weights()`` order), the Keras version and ``expected_f64``: Keras's
own outputs for the same architecture built in float64 and given exactly
the float32 weights stored in the files (the reference fixtures' rule).
"""

import json
import os
import sys

import h5py
import keras
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, os.pardir, "tests", "data", "keras_written")


def functional_chain(dtype):
    inputs = keras.Input((5,), dtype=dtype)
    x = keras.layers.Dense(6, activation="relu", dtype=dtype)(inputs)
    x = keras.layers.PReLU(dtype=dtype)(x)
    x = keras.layers.Dropout(0.25, dtype=dtype)(x)
    x = keras.layers.Dense(4, activation="sigmoid", dtype=dtype)(x)
    x = keras.layers.Dense(3, dtype=dtype)(x)
    outputs = keras.layers.Softmax(dtype=dtype)(x)
    return keras.Model(inputs, outputs, name="chain")


def hard_sigmoid_model(dtype):
    return keras.Sequential([
        keras.Input((4,), dtype=dtype),
        keras.layers.Dense(5, activation="hard_sigmoid", dtype=dtype),
        keras.layers.Dense(2, activation="hard_sigmoid", dtype=dtype),
    ], name="hard")


def unsupported_model(dtype):
    return keras.Sequential([
        keras.Input((4,), dtype=dtype),
        keras.layers.Dense(3, dtype=dtype),
        keras.layers.LayerNormalization(dtype=dtype),
        keras.layers.Dense(1, dtype=dtype),
    ], name="unsupported")


def write(name, build, rng, saves):
    model = build("float32")
    # Every weight random, so each array and its position matter to the
    # outputs; BatchNormalization's moving variance kept positive.
    for layer in model.layers:
        chunk = [rng.standard_normal(w.shape).astype(w.dtype) for w in layer.get_weights()]
        if isinstance(layer, keras.layers.BatchNormalization):
            chunk[3] = np.abs(chunk[3]) + np.float32(0.25)
        if chunk:
            layer.set_weights(chunk)
    inputs = rng.standard_normal((12, model.input_shape[-1])).astype("float32")
    inputs[0] = 0.0
    inputs[1] *= 40.0  # saturate sigmoids and hard_sigmoids
    for suffix, save in saves:
        save(model, os.path.join(OUT, name + suffix))
    reference = build("float64")
    reference.set_weights([w.astype("float64") for w in model.get_weights()])
    expected = np.asarray(reference(inputs.astype("float64"), training=False)).tolist()
    record = {
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "inputs": inputs.astype("float64").tolist(),
        "weights": [w.astype("float64").tolist() for w in model.get_weights()],
        "expected_f64": expected,
        "layers": [type(layer).__name__ for layer in model.layers],
    }
    with open(os.path.join(OUT, name + ".json"), "w") as out:
        json.dump(record, out, indent=1)
        out.write("\n")


def save_keras(model, path):
    model.save(path)


def save_h5(model, path):
    model.save(path)  # the legacy HDF5 layout


def save_weights(model, path):
    model.save_weights(path)


def save_legacy_weights(model, path):
    from keras.src.legacy.saving import legacy_h5_format

    with h5py.File(path, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, model)


def write_checkpoint_dependencies():
    import io
    import zipfile

    source = os.path.join(HERE, os.pardir, "tests", "data", "keras", "coffee.keras")
    with zipfile.ZipFile(source) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    moved = io.BytesIO()
    with h5py.File(io.BytesIO(entries["model.weights.h5"]), "r") as old, h5py.File(moved, "w") as new:
        for key in old:
            old.copy(old[key], new, "_layer_checkpoint_dependencies" if key == "layers" else key)
    entries["model.weights.h5"] = moved.getvalue()
    with zipfile.ZipFile(os.path.join(OUT, "coffee_tf213.keras"), "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20240705)
    write("functional_chain", functional_chain, rng, [
        (".keras", save_keras), (".h5", save_h5), (".weights.h5", save_weights),
        (".legacy_weights.h5", save_legacy_weights)])
    write("hard_sigmoid_k3", hard_sigmoid_model, rng, [(".h5", save_h5), (".keras", save_keras)])
    write("unsupported", unsupported_model, rng, [(".keras", save_keras)])
    write_checkpoint_dependencies()
    for name in sorted(os.listdir(OUT)):
        print(name, os.path.getsize(os.path.join(OUT, name)), file=sys.stderr)


if __name__ == "__main__":
    main()
