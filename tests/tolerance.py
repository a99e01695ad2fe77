"""The one error measure the fixtures are checked with (see tests/data/README.md).

For an output row ``got`` against a reference row ``ref``, each finite
entry's error is ``|got - ref| / max(|ref|, 1e-9 * M)``, where M is the
largest |ref| among the row's finite entries: an entry far below its row's
scale is measured against that scale, not against itself.  Infinite and NaN
entries must match exactly.  A result's error is the largest over all
entries and rows.
"""

import math


def row_errors(got, ref):
    """The error of each entry of one row (inf where a non-finite entry differs)."""
    if len(got) != len(ref):
        raise AssertionError("row has %d entries, the reference %d" % (len(got), len(ref)))
    finite = [abs(r) for r in ref if math.isfinite(r)]
    scale = 1e-9 * max(finite) if finite else 0.0
    out = []
    for g, r in zip(got, ref):
        if not math.isfinite(r):
            same = (g != g and r != r) or g == r
            out.append(0.0 if same else math.inf)
        elif not math.isfinite(g):
            out.append(math.inf)
        else:
            denominator = max(abs(r), scale)
            out.append(0.0 if g == r else (abs(g - r) / denominator if denominator else math.inf))
    return out


def max_error(got_rows, ref_rows):
    """``(error, row, column)`` of the worst entry over all rows."""
    if len(got_rows) != len(ref_rows):
        raise AssertionError("%d rows, the reference has %d" % (len(got_rows), len(ref_rows)))
    worst = (0.0, 0, 0)
    for i, (got, ref) in enumerate(zip(got_rows, ref_rows)):
        for j, e in enumerate(row_errors(got, ref)):
            if e > worst[0] or e != e:
                worst = (e, i, j)
    return worst


def assert_close(got_rows, ref_rows, tolerance, what=""):
    """Fail, showing the absolute and relative error of the worst entry, if it exceeds ``tolerance``."""
    error, i, j = max_error(got_rows, ref_rows)
    if not error <= tolerance:
        got, ref = got_rows[i][j], ref_rows[i][j]
        raise AssertionError(
            "%s: error %.3g > tolerance %.3g at row %d, column %d: got %r, expected %r "
            "(absolute error %.3g, relative error %.3g)"
            % (what or "result", error, tolerance, i, j, got, ref, abs(got - ref),
               abs(got - ref) / abs(ref) if ref else math.inf)
        )
    return error
