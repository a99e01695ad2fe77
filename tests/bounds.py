"""Rounding-error bounds and the one closeness check the tests use.

The standard model of floating-point arithmetic: each +, -, *, / and sqrt
returns the exact result times (1 + d) with |d| <= u = 2**-53 (plus an
absolute 2**-1074 where the result is subnormal).  From it:

* a sum of n products accumulated one by one (the reference dot product, or
  math.sumprod, which is more accurate) is within
  ``gamma(n) * sum(|w_i x_i|) + n * 2**-1074`` of the exact dot product,
  with ``gamma(n) = n*u / (1 - n*u)`` (Higham, Accuracy and Stability of
  Numerical Algorithms, section 3.1);
* ``fl(dot) + b`` adds one more rounding, so ``gamma(n + 1)`` over
  ``sum(|w_i x_i|) + |b|`` covers the pre-activation z.

:func:`running_bound` propagates such bounds through a model, first order,
layer by layer ("running error analysis"), to say how far a float64 forward
pass can be from the exact one.
"""

import math

U = 2.0 ** -53
TINY = 2.0 ** -1074
LIBM_ULPS = 2  # exp and friends: within 1 ulp on glibc, give them 2


def gamma(n):
    """Higham's gamma_n = n u / (1 - n u)."""
    return n * U / (1 - n * U)


def dot_bound(w, x):
    """How far a float dot product of w and x may be from the exact one."""
    n = len(w)
    return gamma(n) * sum(abs(a * b) for a, b in zip(w, x)) + n * TINY


def assert_close(got, want, bound, what=""):
    """Fail unless |got - want| <= bound, saying the absolute and relative error."""
    error = abs(got - want)
    if not error <= bound:
        relative = error / abs(want) if want else float("inf")
        raise AssertionError(
            "%s: got %r, want %r: absolute error %.3g, relative %.3g, allowed %.3g"
            % (what or "value", got, want, error, relative, bound)
        )


def sigmoid_bound(a, z_error):
    """Error of a float sigmoid a = g(z) given an error z_error on z.

    The derivative is a (1 - a); the float formula itself (an exp, an add,
    a divide) adds at most (LIBM_ULPS + 2) u relative.
    """
    return a * (1.0 - a) * z_error + (LIBM_ULPS + 2) * U * a


def running_bound(model, x, sum_rounding=None):
    """Per-output bounds on |float forward pass - exact forward pass|.

    Handles Normalization (statistics given: their own error is taken as
    ``sum_rounding`` relative, default gamma(n) for an n-row sum), Dense with
    linear, relu or sigmoid.  First order in u, which is what matters at
    these sizes.
    """
    from neuron.layers import Dense, Normalization

    values = [float(v) for v in x]
    errors = [0.0] * len(values)
    for layer in model.layers:
        if isinstance(layer, Normalization):
            n = max(layer.count, 1)
            rel = gamma(n + 1) if sum_rounding is None else sum_rounding
            out_v, out_e = [], []
            for v, e, m, var in zip(values, errors, layer.mean, layer.variance):
                s = math.sqrt(var)
                e_m = rel * abs(m)
                # var = mean((x - m)^2): the error of m enters only at second
                # order (d var / d m = 0 at the mean); each square and the sum
                # round, and x - m itself is off by e_m.
                e_var = (rel + 3 * U) * var + 2 * e_m * s
                e_s = e_var / (2 * s) + U * s
                d = v - m
                y = d / s
                e_d = e + e_m + U * abs(d)
                out_v.append(y)
                out_e.append(e_d / s + abs(y) * (e_s / s + U))
            values, errors = out_v, out_e
        elif isinstance(layer, Dense):
            out_v, out_e = [], []
            g = layer.activation.name
            for w, b in zip(layer.neurons, layer.bias):
                z = sum(wi * vi for wi, vi in zip(w, values)) + b
                n = len(w)
                e_z = sum(abs(wi) * ei for wi, ei in zip(w, errors)) + gamma(n + 1) * (
                    sum(abs(wi * vi) for wi, vi in zip(w, values)) + abs(b)
                ) + n * TINY
                if g == "sigmoid":
                    a = 1.0 / (1.0 + math.exp(-z)) if z > -700 else math.exp(z)
                    out_v.append(a)
                    out_e.append(sigmoid_bound(a, e_z))
                elif g in ("linear", "relu"):
                    out_v.append(z if g == "linear" or z > 0 else 0.0)
                    out_e.append(e_z)
                else:
                    raise NotImplementedError(g)
            values, errors = out_v, out_e
        else:
            raise NotImplementedError(type(layer).__name__)
    return errors
