"""Makes a synthetic "recording" for the compare example: one trained network plays the brain area.

    python3 examples/compare/synthetic_recording.py ANIMAL_DIR CONFIG OUT_DIR [--neurons 120]
        [--repeats 4] [--noise 0.5] [--seed 0]

Takes the member of ANIMAL_DIR (a study that `repgeom run` wrote) whose configuration key starts
with CONFIG (e.g. "relu|w=32"), its last hidden layer H (M units x P samples), and records it the
way an experiment would: a random orthonormal map Q (neurons x M) mixes the units into more
neurons, every sample is presented REPEATS times in a shuffled order, and each presentation gets
Gaussian noise of NOISE times the RMS response. Writes OUT_DIR/R.npy (neurons x presentations,
float32) and OUT_DIR/C.npy (the study sample of every presentation, int64): the two files
`repgeom compare --data R.npy --conditions C.npy` reads. With real data you write these two
arrays yourself, from your own recordings.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import repgeom  # noqa: E402  (the package in python/, or an installed one)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("animal")
    ap.add_argument("config")
    ap.add_argument("out")
    ap.add_argument("--neurons", type=int, default=120)
    ap.add_argument("--repeats", type=int, default=4)
    ap.add_argument("--noise", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()

    study = repgeom.load(a.animal, pandas=False)
    configs = [str(c) for c in study.members["config"]]
    matches = [i for i, c in enumerate(configs) if c.startswith(a.config + "|")]
    if not matches:
        sys.exit(f"no member of {a.animal} has a configuration starting with {a.config}|; "
                 f"there are: {sorted(set(configs))}")
    member = matches[0]
    h = study.representations(member)[-1]            # M x P, float64
    m, p = h.shape

    rng = np.random.default_rng(a.seed)
    q, _ = np.linalg.qr(rng.standard_normal((a.neurons, m)))   # neurons x M, orthonormal columns
    samples = rng.permutation(np.repeat(np.arange(p), a.repeats))
    rms = np.sqrt(np.mean(h ** 2))
    r = q @ h[:, samples] + a.noise * rms * rng.standard_normal((a.neurons, samples.size))

    os.makedirs(a.out, exist_ok=True)
    np.save(os.path.join(a.out, "R.npy"), r.astype(np.float32))
    np.save(os.path.join(a.out, "C.npy"), samples.astype(np.int64))
    print(f"member {member} ({configs[member]}): {m} units -> R.npy {a.neurons} neurons x {samples.size} "
          f"presentations ({a.repeats} per sample, noise {a.noise} x RMS); C.npy")


if __name__ == "__main__":
    main()
