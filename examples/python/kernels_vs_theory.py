#!/usr/bin/env python3
"""Redraws the key figure of a repgeom study: learned kernels next to the closed-form optimum.

    python3 examples/python/kernels_vs_theory.py /tmp/ex [--out kernels.png]

Prints, per configuration (members that differ only in seed), the median kernel distance to
theory and the median parallelism score; then draws, for each activation, the kernel K = RᵀR of
the median member of its widest configuration — rebuilt from the stored parameters, not read
from kernels.npy — next to the theoretical K* = c·(K_Y + dY·11ᵀ) of the two-layer ReLU network
(docs/science.md, "Two-layer ReLU on the hypercube"). Needs numpy; draws the figure when
matplotlib is installed and says so when it is not.
"""

import argparse
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import repgeom  # noqa: E402  (the installed package, or the one in this checkout)


def theory_kernel(Y, l1, l2):
    """K* = c (K_Y + dY 11ᵀ) with c = sqrt(λ2 (P+1) / (λ1 P (P+2))) − λ2/P, or 0 when c ≤ 0."""
    dY, P = Y.shape
    c = math.sqrt(l2 * (P + 1) / (l1 * P * (P + 2))) - l2 / P
    return max(c, 0.0) * (Y.T @ Y + dY * np.ones((P, P)))


def median_member(ids, values):
    """The member whose value is the median of the finite ones (the first when none is finite)."""
    finite = [(v, i) for v, i in zip(values, ids) if np.isfinite(v)]
    if not finite:
        return ids[0]
    finite.sort()
    return finite[(len(finite) - 1) // 2][1]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("study", help="a finished study directory")
    ap.add_argument("--out", help="where to save the figure (default: STUDY/kernels_vs_theory.png)")
    args = ap.parse_args(argv)

    study = repgeom.load(args.study, pandas=False)
    c = study.columns
    configs = list(dict.fromkeys(c["config"]))  # in order of first member
    print("%-44s %7s %14s %10s" % ("configuration", "members", "kernel dist", "PS"))
    for key in configs:
        sel = c["config"] == key
        print("%-44s %7d %14.3e %10.6f" % (key, sel.sum(), np.nanmedian(c["kernel_distance"][sel])
                                            if np.isfinite(c["kernel_distance"][sel]).any() else np.nan,
                                            np.nanmedian(c["ps"][sel])))
    check = study.theory_check
    print("theory check: " + check["statement"])

    # per activation: the widest configuration at the first λ1 of the study, its median member
    X, Y = study.task
    panels = []
    for act in dict.fromkeys(c["activation"]):
        rows = np.flatnonzero((c["activation"] == act) & (c["depth"] == 1) & (c["lambda1"] == c["lambda1"][0]))
        if rows.size == 0:
            continue
        widest = rows[c["width1"][rows] == c["width1"][rows].max()]
        score = c["kernel_distance"][widest] if np.isfinite(c["kernel_distance"][widest]).any() else c["final_loss"][widest]
        i = int(median_member(list(widest), list(score)))
        R = study.representations(i)[-1]
        K = R.T @ R
        assert np.allclose(K, study.kernels[i], rtol=1e-5, atol=1e-6 * np.abs(K).max())
        panels.append(("%s, width %d (member %d)" % (act, c["width1"][i], i), K))
    if check["applies"]:
        panels.append(("theory K* (λ = %g)" % c["lambda1"][0], theory_kernel(Y, c["lambda1"][0], c["lambda2"][0])))

    try:
        import matplotlib
        matplotlib.use(os.environ.get("MPLBACKEND", "Agg"))
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: %d kernels computed, no figure drawn" % len(panels))
        return 0
    fig, axes = plt.subplots(1, len(panels), figsize=(3.2 * len(panels), 3.2), squeeze=False)
    vmax = max(np.abs(K).max() for _, K in panels)
    for ax, (title, K) in zip(axes[0], panels):
        im = ax.imshow(K, cmap="RdBu_r", vmin=-vmax, vmax=vmax)
        ax.set_title(title, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(im, ax=list(axes[0]), shrink=0.8)
    fig.suptitle("learned kernels K = RᵀR (sample × sample) next to theory")
    out = args.out or os.path.join(study.path, "kernels_vs_theory.png")
    fig.savefig(out, dpi=110)
    print("figure written to " + out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
