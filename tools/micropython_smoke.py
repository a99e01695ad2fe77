"""Results that must agree between CPython and MicroPython.

Run on either interpreter, it prints one line per check, ``name<TAB>kind<TAB>value``,
where kind says how tools/check_micropython.py compares the two runs:
``exact`` (the same text), or ``rel:TOL`` (numbers within a relative TOL; see
that script for where each TOL comes from).
"""

import json

import neuron
from neuron.models import coffee, coffee_data


def show(name, kind, value):
    print("%s\t%s\t%s" % (name, kind, json.dumps(value)))


def error_name(function, *args):
    try:
        function(*args)
    except Exception as error:  # the class name is what is compared
        return type(error).__name__
    return "no error"


# The dot product: exactly representable sums come out exactly.
show("dot", "exact", neuron.dot([0.5, -1.0, 2.0], [2.0, 3.0, 0.25]))
show("dot_overflow", "exact", repr(neuron.dot([1e308, 1e308], [2.0, -2.0])))

# Activations on one number: exp() may differ by an ulp between the two libms.
points = [-745.0, -710.0, -20.0, -1.0, 0.0, 0.5, 1.0, 20.0, 710.0, 1000.0]
show("sigmoid", "rel:1e-15", [neuron.sigmoid(z) for z in points])
show("relu", "exact", neuron.activations.get("relu")([-1.0, -0.0, 0.0, 2.5]))

# The course's my_dense check.
show("dense", "rel:1e-15",
     neuron.dense([0.1, 0.2], [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], [0.1, 0.2, 0.3], "sigmoid"))

# The coffee network with both sets of course weights.
X, y = coffee_data()
for weights in ("tensorflow", "numpy"):
    model = coffee(weights)
    show("coffee_%s_stats" % weights, "rel:1e-13",
         [model.layers[0].mean, model.layers[0].variance])
    show("coffee_%s_predictions" % weights, "rel:1e-10",
         model.predict([[200.0, 13.9], [200.0, 17.0]]))
    decisions = neuron.decide(model.predict(X))
    show("coffee_%s_accuracy" % weights, "exact", neuron.accuracy(y, decisions))
    show("coffee_%s_confusion" % weights, "exact", neuron.confusion_matrix(y, decisions))
show("coffee_trace_text", "exact", coffee().trace([200.0, 13.9]).to_text(4))
show("coffee_trace_markdown", "exact", coffee().trace([200.0, 13.9]).to_markdown(4))
show("coffee_trace_latex", "exact", coffee().trace([200.0, 13.9]).to_latex(4))
show("coffee_summary", "exact", coffee().summary())

# Bad input raises the same errors.
model = coffee()
show("error_length", "exact", error_name(model.forward, [1.0, 2.0, 3.0]))
show("error_nan", "exact", error_name(model.forward, [float("nan"), 2.0]))
show("error_type", "exact", error_name(model.forward, ["200", 13.9]))
show("error_batch_as_one", "exact", error_name(model.forward, [[200.0, 13.9]]))
show("error_ragged", "exact", error_name(model.predict, [[200.0, 13.9], [200.0]]))
show("error_units", "exact", error_name(neuron.Dense, 0))
