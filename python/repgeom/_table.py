"""members.csv as columns: numbers become numeric arrays, everything else stays text.

Generic on purpose: a column added by a later engine version is read like the others (numeric
when every non-empty cell is a number, empty cells as NaN), so this reader keeps working.
"""

import csv

import numpy as np

# Composite cells kept as text for old readers ("8x4", "0.01/0.001"): text in every study, even where
# all of them happen to look like numbers ("8", "0.01"). Their numeric form is width<l> / lambda<l>.
TEXT_COLUMNS = frozenset({"widths", "lambdas", "config"})


def read_columns(path):
    """(names, {name: numpy array}) of a CSV file with a header line."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        try:
            names = next(reader)
        except StopIteration:
            raise ValueError("%s is empty" % path) from None
        rows = [r for r in reader if r]
    for i, r in enumerate(rows):
        if len(r) != len(names):
            raise ValueError("%s row %d has %d cells, the header %d" % (path, i + 1, len(r), len(names)))
    cells = list(zip(*rows)) if rows else [()] * len(names)
    return names, {name: np.array(col, dtype=str) if name in TEXT_COLUMNS else _convert(col)
                   for name, col in zip(names, cells)}


def _convert(cells):
    """int64 when every cell is an integer, float64 (NaN for empty) when every non-empty one is a number, else str."""
    if cells and all(c and _is_int(c) for c in cells):
        return np.array([int(c) for c in cells], dtype=np.int64)
    values = []
    for c in cells:
        if c == "":
            values.append(np.nan)
            continue
        try:
            values.append(float(c))
        except ValueError:
            return np.array(cells, dtype=str)
    if not any(c != "" for c in cells):
        return np.full(len(cells), np.nan) if cells else np.array([], dtype=np.float64)
    return np.array(values, dtype=np.float64)


def _is_int(c):
    s = c[1:] if c[:1] in "+-" else c
    return s.isdigit()


def structured(names, columns):
    """A numpy structured array (one record per row) of the columns."""
    dtype = []
    for n in names:
        a = columns[n]
        dtype.append((n, a.dtype if a.dtype.kind != "U" else "U%d" % max(1, a.dtype.itemsize // 4)))
    length = len(columns[names[0]]) if names else 0
    out = np.empty(length, dtype=dtype)
    for n in names:
        out[n] = columns[n]
    return out
