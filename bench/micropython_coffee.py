"""Coffee, one example, on MicroPython: neuron against a hand-unrolled function run there.

    node tools/micropython.mjs bench/micropython_coffee.py

Prints one table row per path (median of repeated timings, microseconds per
example) and the ratio to the hand-unrolled floor; bench/run.py's target is
forward within 2x of the floor on MicroPython.
"""

import math
import time

from neuron import Dense, Sequential
from neuron.models import COFFEE_WEIGHTS

w = COFFEE_WEIGHTS["tensorflow"]
model = Sequential([Dense(3, "sigmoid", kernel=w["W1"], bias=w["b1"]),
                    Dense(1, "sigmoid", kernel=w["W2"], bias=w["b2"])])
compiled = model.compile()
layers = Sequential([Dense(3, "sigmoid", kernel=w["W1"], bias=w["b1"]),
                     Dense(1, "sigmoid", kernel=w["W2"], bias=w["b2"])])
layers.compiled = False
exp = math.exp


def floor(x):
    x0, x1 = x
    z = -8.94 * x0 + -0.17 * x1 + -9.87
    if z >= 0.0:
        a0 = 1.0 / (1.0 + exp(-z))
    else:
        e = exp(z)
        a0 = e / (1.0 + e)
    z = 0.29 * x0 + -7.34 * x1 + -9.28
    if z >= 0.0:
        a1 = 1.0 / (1.0 + exp(-z))
    else:
        e = exp(z)
        a1 = e / (1.0 + e)
    z = 12.89 * x0 + 10.79 * x1 + 1.01
    if z >= 0.0:
        a2 = 1.0 / (1.0 + exp(-z))
    else:
        e = exp(z)
        a2 = e / (1.0 + e)
    z = -31.38 * a0 + -27.86 * a1 + -32.79 * a2 + 15.54
    if z >= 0.0:
        return [1.0 / (1.0 + exp(-z))]
    e = exp(z)
    return [e / (1.0 + e)]


def now_us():
    if hasattr(time, "ticks_us"):
        return time.ticks_us()
    return time.time() * 1e6


def elapsed(start):
    if hasattr(time, "ticks_diff"):
        return time.ticks_diff(time.ticks_us(), start)
    return time.time() * 1e6 - start


def per_call(function, x, number=10000, repeat=5):
    times = []
    for _ in range(repeat):
        start = now_us()
        for _ in range(number):
            function(x)
        times.append(elapsed(start) / number)
    times.sort()
    return times[len(times) // 2]


x = [-0.4726, -0.4257]  # about (200 C, 13.9 min) normalized
assert model(x) == compiled(x) == layers(x)
# Rounds of all four, back to back; each path's ratio to the floor is the
# median over rounds of the pair's ratio (load on the machine drifts).
names = ("forward", "compiled", "layers one by one", "floor")
paths = {"forward": model, "compiled": compiled, "layers one by one": layers, "floor": floor}
rounds = {name: [] for name in names}
for _ in range(7):
    for name in names:
        rounds[name].append(per_call(paths[name], x, number=5000, repeat=3))


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


for name in names:
    ratio = median([t / f for t, f in zip(rounds[name], rounds["floor"])])
    print("| MicroPython | coffee: %s | %.2f us | %.2fx the floor |" % (name, median(rounds[name]), ratio))
