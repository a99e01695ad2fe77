"""Reading the framework fixtures in tests/data, for the fixture tests."""

import io
import json
import os
import zipfile
from decimal import Decimal, localcontext



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


# Rows whose `expected_exact` is itself wrong, checked against the 200-digit
# oracle below instead.  act_mish row 2 (inputs all -40): the second layer's
# z are about -404, -179 and -194, where mish(z) = z*tanh(log(1 + e^z)) is
# -1.17e-173, -4.78e-76 and -1.45e-82 (mpmath at 80 digits agrees, and so
# does Keras's float64 run); the fixture's 60-digit reference rounded
# 1 + e^z to 1 and recorded 0.0, which by the error measure (relative to
# the row's own scale) no correct value can match.
WRONG_REFERENCE = {("act_mish", 2)}


def expected_exact(name, fixture):
    """A fixture's ``expected_exact`` rows, with the known-wrong rows recomputed."""
    rows = list(fixture["expected_exact"])
    for n, row in enumerate(fixture["inputs"]):
        if (name, n) in WRONG_REFERENCE:
            rows[n] = exact_mish_forward(fixture, row)
    return rows


def exact_mish_forward(fixture, row):
    # The fixture's own recipe, with enough digits: each layer's z exactly
    # (products and sums of floats in 200-digit Decimal), mish in Decimal
    # with a log1p that keeps a tiny e^z, each layer's output rounded to a
    # float.
    weights = fixture["weights"]
    out = row
    with localcontext() as ctx:
        ctx.prec = 200
        for n in range(len(fixture["layers"])):
            kernel, bias = weights[2 * n], weights[2 * n + 1]
            layer = []
            for j in range(len(bias)):
                z = Decimal(bias[j])
                for i in range(len(out)):
                    z += Decimal(out[i]) * Decimal(kernel[i][j])
                t = z.exp()
                softplus = t - t * t / 2 + t * t * t / 3 if t < Decimal("1e-40") else (1 + t).ln()
                e = (-2 * softplus).exp()
                layer.append(float(z * (1 - e) / (1 + e)))
            out = layer
    return out
