#!/usr/bin/env python3
"""Writes the .npy tasks of examples/optimum-gaussian/ deterministically (standard library only).

    python3 examples/optimum-gaussian/make_tasks.py [DIR]     # default: this script's folder

Each task is X (dX × P) and Y (dY × P), float64, samples as columns, drawn from Python's
random.Random with a fixed seed (the same bytes on every platform; the script prints their SHA-256):

  narrow  dX = 5 < P = 8: non-whitened Gaussian input, hypercube labels (dY = 3, one sample per
          corner of {±1}³)
  wide    dX = 10 ≥ P = 8: non-whitened Gaussian input, real-valued Gaussian targets (dY = 2)

The inputs are i.i.d. standard Gaussian, not whitened: XᵀX is far from the identity (and from any
multiple of it), so no closed form of the catalogue applies to a ReLU network on these tasks.
"""

import hashlib
import os
import random
import struct
import sys


def npy_bytes(rows):
    """A 2-D float64 C-order array in NumPy format 1.0."""
    shape = (len(rows), len(rows[0]))
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (%d, %d), }" % shape
    pad = 64 - (10 + len(header) + 1) % 64
    header += " " * pad + "\n"
    data = b"".join(struct.pack("<d", v) for row in rows for v in row)
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + data


def gaussian_input(rng, dx, p):
    return [[rng.gauss(0.0, 1.0) for _ in range(p)] for _ in range(dx)]


def hypercube_labels(dy):
    p = 2 ** dy
    return [[1.0 if (q >> k) & 1 else -1.0 for q in range(p)] for k in range(dy)]


def tasks():
    rng = random.Random(20261205)
    narrow = (gaussian_input(rng, 5, 8), hypercube_labels(3))
    wide = (gaussian_input(rng, 10, 8), [[rng.gauss(0.0, 1.0) for _ in range(8)] for _ in range(2)])
    return {"narrow": narrow, "wide": wide}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    os.makedirs(out, exist_ok=True)
    for name, (x, y) in tasks().items():
        for part, rows in (("X", x), ("Y", y)):
            path = os.path.join(out, "%s_%s.npy" % (name, part))
            data = npy_bytes(rows)
            with open(path, "wb") as f:
                f.write(data)
            print("%s  %s (%d x %d)" % (hashlib.sha256(data).hexdigest()[:16], path, len(rows), len(rows[0])))


if __name__ == "__main__":
    main()
