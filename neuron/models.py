"""Models known by name: the course's coffee-roasting network.

The course's coffee example decides whether a roast is good from its
temperature (Celsius) and duration (minutes).  Its network normalizes the two
inputs, then has a Dense layer of 3 sigmoid units and a Dense layer of 1
sigmoid unit, whose output is the probability of a good roast.

>>> model = coffee()
>>> [round(p, 4) for p in model([200.0, 13.9])]
[0.9625]
>>> len(coffee_data()[0])
200
"""

from .layers import Dense, Normalization
from .sequential import Sequential

# The course's trained weights, kernels in its (inputs x units) layout.
# "tensorflow": the weights the TensorFlow lab saved and loads
# (C2_W1_Lab02_CoffeeRoasting_TF); "numpy": the ones the NumPy lab types in
# (C2_W1_Lab03_CoffeeRoasting_Numpy).
COFFEE_WEIGHTS = {
    "tensorflow": {
        "W1": [[-8.94, 0.29, 12.89], [-0.17, -7.34, 10.79]],
        "b1": [-9.87, -9.28, 1.01],
        "W2": [[-31.38], [-27.86], [-32.79]],
        "b2": [15.54],
    },
    "numpy": {
        "W1": [[-8.93, 0.29, 12.9], [-0.1, -7.32, 10.81]],
        "b1": [-9.82, -9.28, 0.96],
        "W2": [[-31.18], [-27.59], [-32.56]],
        "b2": [15.41],
    },
}

FEATURES = ["temperature", "duration"]


def coffee(weights="tensorflow"):
    """The course's coffee-roasting network, normalization adapted on the course's data.

    ``weights`` is ``"tensorflow"`` (the TensorFlow lab's saved weights, the
    default) or ``"numpy"`` (the NumPy lab's).  Input: ``[temperature,
    duration]`` in Celsius and minutes; output: ``[probability of a good
    roast]``.
    """
    if weights not in COFFEE_WEIGHTS:
        from .errors import NeuronError

        raise NeuronError(
            "coffee: weights must be 'tensorflow' or 'numpy', got %r" % (weights,)
        )
    w = COFFEE_WEIGHTS[weights]
    X, _ = coffee_data()
    norm = Normalization(name="normalization")
    norm.adapt(X)
    return Sequential(
        [
            norm,
            Dense(3, "sigmoid", kernel=w["W1"], bias=w["b1"], name="layer1"),
            Dense(1, "sigmoid", kernel=w["W2"], bias=w["b2"], name="layer2"),
        ],
        name="coffee_" + weights,
    )


def coffee_data():
    """The course's 200 roasts: ``(X, y)`` with rows ``[temperature, duration]`` and labels 0/1.

    Read from the copy of the course's data set shipped inside the package
    (``neuron/data/coffee_data.csv``).
    """
    X = []
    y = []
    with open(_data_path("coffee_data.csv")) as f:
        header = f.readline()
        if not header.startswith("temperature,duration,label"):
            raise ValueError("coffee_data.csv: unexpected header %r" % header)
        for line in f:
            line = line.strip()
            if line:
                temperature, duration, label = line.split(",")
                X.append([float(temperature), float(duration)])
                y.append(int(label))
    return X, y


def _data_path(name):
    # os.path is missing on MicroPython; the package's own folder is all
    # that is needed.
    here = __file__
    cut = max(here.rfind("/"), here.rfind("\\"))
    return here[: cut + 1] + "data/" + name if cut >= 0 else "data/" + name
