#!/usr/bin/env python3
"""Batched numpy peer for workload W: E members trained together, float32 throughout.

Layout (all C-contiguous float32, member-major):
    W1 : (E*M, dX+1)  the augmented first layers [W1, b] of all members, stacked by rows
    W2 : (E, dY, M)   the readouts
    X~ : (dX+1, P)    shared by every member (last row = ones, the bias input)

One step for a chunk of C members (C*M hidden units):
    Z   = W1c @ X~                      ONE GEMM (C*M x 65) @ (65 x 64): X is shared
    H   = relu(Z)
    F   = W2c @ H                       batched matmul (C,3,M) @ (C,M,P)
    D   = 2 lr (F - Y)                  output error, pre-scaled by lr (folds lr into the grads)
    G2  = D @ H^T                       batched (C,3,P) @ (C,P,M)        = lr * dL/dW2 (data part)
    dZ  = (W2c^T @ D) * [Z > 0]         batched (C,M,3) @ (C,3,P), then the ReLU mask
    G1  = dZ @ X~^T                     ONE GEMM (C*M x 64) @ (64 x 65)  = lr * dL/dW~1 (data part)
    W2c = (1 - 2 lr l2) W2c - G2,  W1c = (1 - 2 lr l1) W1c - G1     (decay folded into a scale)

Every array of the loop is preallocated per worker and written with out=, so the loop allocates
nothing. Members are independent, so `--workers 2` runs two Python threads, each training its own
half of the members for all steps with OpenBLAS single-threaded (numpy releases the GIL inside
ufuncs and matmul); `--workers 1` runs one thread with OpenBLAS using all cores. The loss value is
not computed inside the timed loop (GD does not need it); it is computed once at the end.

Usage:
    python3 bench/peers/numpy_peer.py --check
    python3 bench/peers/numpy_peer.py --case W16 --steps 200 --reps 5 [--members E]
                                      [--chunk 256,1024] [--workers 1,2]
Prints one JSON line per (chunk, workers) configuration.
"""

import argparse
import json
import os
import sys
import threading
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workload as W  # noqa: E402


class ChunkBuffers:
    """Scratch arrays for a chunk of up to `c` members of width `m` (reused every step)."""

    def __init__(self, c, m, dtype):
        rows = c * m
        self.z = np.empty((rows, W.P), dtype)
        self.h = np.empty((rows, W.P), dtype)
        self.mask = np.empty((rows, W.P), np.bool_)
        # np.maximum(z, 0.0) with a *scalar* 0 takes a slow broadcast path in numpy 2.4 (about 3x
        # slower than against a contiguous zero array of the same shape), so relu uses this.
        self.zeros = np.zeros((rows, W.P), dtype)
        self.f = np.empty((c, W.D_Y, W.P), dtype)
        self.dh = np.empty((c, m, W.P), dtype)
        self.g1 = np.empty((rows, W.D_X + 1), dtype)
        self.g2 = np.empty((c, W.D_Y, m), dtype)

    def view(self, c, m):
        """The buffers trimmed to a (last, smaller) chunk of c members."""
        rows = c * m
        return (self.z[:rows], self.h[:rows], self.mask[:rows], self.zeros[:rows],
                self.f[:c], self.dh[:c], self.g1[:rows], self.g2[:c])


def train_members(w1, w2, x_aug, y, steps, chunk, lr=W.LR):
    """Run `steps` GD steps on members w1 (E*M, dX+1), w2 (E, dY, M) in place, chunk by chunk.

    Works in any float dtype (float32 for timing, float64 for the correctness check).
    """
    e_total, _, m = w2.shape
    dtype = w1.dtype
    x_t = np.ascontiguousarray(x_aug.T)                  # (P, dX+1), for the first-layer gradient
    two_lr = dtype.type(2.0 * lr)
    decay1 = dtype.type(1.0 - 2.0 * lr * W.LAMBDA1)
    decay2 = dtype.type(1.0 - 2.0 * lr * W.LAMBDA2)
    chunk = min(chunk, e_total)
    buf = ChunkBuffers(chunk, m, dtype)
    # Chunk loop inside the step loop: each chunk's working set (Z, H, mask, dZ of C*M*P floats)
    # stays in cache between the forward and the backward pass of that chunk.
    bounds = [(s, min(s + chunk, e_total)) for s in range(0, e_total, chunk)]
    views = {c: buf.view(c, m) for c in {b - a for a, b in bounds}}
    for _ in range(steps):
        for a, b in bounds:
            c = b - a
            z, h, mask, zeros, f, dh, g1, g2 = views[c]
            w1c = w1[a * m:b * m]                        # (C*M, dX+1), contiguous rows
            w2c = w2[a:b]                                # (C, dY, M)
            h3 = h.reshape(c, m, W.P)
            # forward
            np.matmul(w1c, x_aug, out=z)                 # one GEMM for the whole chunk
            np.maximum(z, zeros, out=h)
            np.greater(z, 0, out=mask)
            np.matmul(w2c, h3, out=f)                    # (C,3,M) @ (C,M,P)
            # backward (f becomes D = 2 lr (F - Y))
            np.subtract(f, y, out=f)
            np.multiply(f, two_lr, out=f)
            np.matmul(f, h3.transpose(0, 2, 1), out=g2)  # (C,3,P) @ (C,P,M)
            np.matmul(w2c.transpose(0, 2, 1), f, out=dh)  # (C,M,3) @ (C,3,P), old W2
            dz = dh.reshape(c * m, W.P)
            np.multiply(dz, mask, out=dz)
            np.matmul(dz, x_t, out=g1)                   # one GEMM: (C*M,P) @ (P,dX+1)
            # update
            np.multiply(w2c, decay2, out=w2c)
            np.subtract(w2c, g2, out=w2c)
            np.multiply(w1c, decay1, out=w1c)
            np.subtract(w1c, g1, out=w1c)


def train_members_adam(w1, w2, x_aug, y, steps, chunk, lam):
    """Wlong: `steps` Adam steps from zero moments on members w1 (E*M, dX+1), w2 (E, dY, M) in
    place, per-member lambda `lam` (E,), learning rate W.adam_lr(t, steps). The same batched
    forward/backward as train_members; the gradient is not pre-scaled (Adam normalises it)."""
    e_total, _, m = w2.shape
    dtype = w1.dtype
    x_t = np.ascontiguousarray(x_aug.T)
    chunk = min(chunk, e_total)
    buf = ChunkBuffers(chunk, m, dtype)
    lam1 = np.repeat(2.0 * lam, m).astype(dtype)[:, None]          # (E*M, 1): 2 lambda per row
    lam2 = (2.0 * lam).astype(dtype)[:, None, None]                 # (E, 1, 1)
    moments = [np.zeros_like(w1), np.zeros_like(w1), np.zeros_like(w2), np.zeros_like(w2)]
    t1, t2 = np.empty_like(w1), np.empty_like(w2)                    # scratch of the update
    b1, b2, eps = W.ADAM_BETA1, W.ADAM_BETA2, W.ADAM_EPS
    bounds = [(s, min(s + chunk, e_total)) for s in range(0, e_total, chunk)]
    views = {c: buf.view(c, m) for c in {b - a for a, b in bounds}}
    two = dtype.type(2.0)
    for t in range(steps):
        lr = W.adam_lr(t, steps)
        c1 = 1.0 / (1.0 - b1 ** (t + 1))
        c2 = 1.0 / (1.0 - b2 ** (t + 1))
        for a, b in bounds:
            c = b - a
            z, h, mask, zeros, f, dh, g1, g2 = views[c]
            w1c, w2c = w1[a * m:b * m], w2[a:b]
            h3 = h.reshape(c, m, W.P)
            np.matmul(w1c, x_aug, out=z)
            np.maximum(z, zeros, out=h)
            np.greater(z, 0, out=mask)
            np.matmul(w2c, h3, out=f)
            np.subtract(f, y, out=f)
            np.multiply(f, two, out=f)                               # dL/dF = 2 (F - Y)
            np.matmul(f, h3.transpose(0, 2, 1), out=g2)
            np.matmul(w2c.transpose(0, 2, 1), f, out=dh)
            dz = dh.reshape(c * m, W.P)
            np.multiply(dz, mask, out=dz)
            np.matmul(dz, x_t, out=g1)
            g1 += lam1[a * m:b * m] * w1c                            # + 2 lambda W
            g2 += lam2[a:b] * w2c
            for w, g, mo, v, tmp in ((w1c, g1, moments[0][a * m:b * m], moments[1][a * m:b * m], t1[a * m:b * m]),
                                     (w2c, g2, moments[2][a:b], moments[3][a:b], t2[a:b])):
                mo *= b1
                mo += (1.0 - b1) * g                                 # m = b1 m + (1 - b1) g
                np.multiply(g, g, out=g)
                v *= b2
                v += (1.0 - b2) * g                                  # v = b2 v + (1 - b2) g^2
                np.multiply(v, c2, out=tmp)
                np.sqrt(tmp, out=tmp)
                tmp += eps
                np.divide(mo, tmp, out=tmp)
                tmp *= lr * c1
                w -= tmp                                             # w -= lr m^ / (sqrt(v^) + eps)


def train_parallel(w1, w2, x_aug, y, steps, chunk, workers, lam=None):
    """Split the members into `workers` contiguous parts, each trained by its own thread (Adam
    with per-member lambdas when `lam` is given, else GD)."""
    fn = train_members if lam is None else train_members_adam
    extra = lambda a, b: () if lam is None else (lam[a:b],)  # noqa: E731
    e_total, _, m = w2.shape
    if workers <= 1:
        fn(w1, w2, x_aug, y, steps, chunk, *extra(0, e_total))
        return
    cuts = np.linspace(0, e_total, workers + 1).astype(int)
    threads = [threading.Thread(target=fn,
                                args=(w1[a * m:b * m], w2[a:b], x_aug, y, steps, chunk) + extra(a, b))
               for a, b in zip(cuts[:-1], cuts[1:]) if b > a]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def mean_loss(w1, w2, x_aug, y):
    """Mean member loss (float64), outside the timed loop."""
    e_total, _, m = w2.shape
    w1e = w1.reshape(e_total, m, -1).astype(np.float64)
    h = np.maximum(w1e @ x_aug.astype(np.float64), 0)
    r = y.astype(np.float64) - w2.astype(np.float64) @ h
    loss = ((r * r).sum(axis=(1, 2)) + W.LAMBDA1 * (w1e * w1e).sum(axis=(1, 2))
            + W.LAMBDA2 * (w2.astype(np.float64) ** 2).sum(axis=(1, 2)))
    return float(loss.mean())


def check():
    """Batched step == plain per-member loop (float64 and float32); reference grad == finite diff."""
    ok = True
    x64, y64 = W.inputs_augmented(np.float64), W.labels(np.float64)
    rng = np.random.default_rng(1)

    # 1. Finite differences of the loss against the reference gradient (float64, one member).
    w1, w2 = W.init_params(1, 16, seed=7, dtype=np.float64)
    w1, w2 = w1[0], w2[0]
    n1, n2 = W.member_step_reference(w1, w2, x64, y64, lr=1.0)
    g1, g2 = w1 - n1, w2 - n2                            # gradient (lr = 1)
    eps, worst = 1e-6, 0.0
    for arr, g in ((w1, g1), (w2, g2)):
        for _ in range(20):
            idx = tuple(rng.integers(0, s) for s in arr.shape)
            old = arr[idx]
            arr[idx] = old + eps
            lp = W.member_loss(w1, w2, x64, y64)
            arr[idx] = old - eps
            lm = W.member_loss(w1, w2, x64, y64)
            arr[idx] = old
            fd = (lp - lm) / (2 * eps)
            worst = max(worst, abs(fd - g[idx]) / max(1.0, abs(g[idx])))
    print(json.dumps({"check": "reference gradient vs central finite differences (float64)",
                      "max_rel_err": float(worst), "ok": bool(worst < 1e-6)}))
    ok &= bool(worst < 1e-6)

    # 2. Batched implementation vs the per-member loop, several members, a few steps, with chunks
    #    that do not divide E (a short last chunk) and two workers.
    for m in (16, 64):
        e_total, steps = 5, 3
        w1s, w2s = W.init_params(e_total, m, seed=3, dtype=np.float64)
        ref = [(w1s[e].copy(), w2s[e].copy()) for e in range(e_total)]
        for _ in range(steps):
            ref = [W.member_step_reference(a, b, x64, y64) for a, b in ref]
        for dtype, chunk, workers, tol in ((np.float64, 2, 1, 1e-12), (np.float64, 5, 2, 1e-12),
                                           (np.float32, 2, 1, 1e-5), (np.float32, 4, 2, 1e-5)):
            b1 = w1s.astype(dtype).reshape(e_total * m, -1).copy()
            b2 = w2s.astype(dtype).copy()
            train_parallel(b1, b2, x64.astype(dtype), y64.astype(dtype), steps, chunk, workers)
            b1 = b1.reshape(e_total, m, -1)
            err = 0.0
            for e in range(e_total):
                for got, want in ((b1[e], ref[e][0]), (b2[e], ref[e][1])):
                    err = max(err, float(np.abs(got - want).max() / np.abs(want).max()))
            good = err < tol
            ok &= bool(good)
            print(json.dumps({"check": "batched vs per-member loop", "M": m, "E": e_total,
                              "steps": steps, "dtype": np.dtype(dtype).name, "chunk": chunk,
                              "workers": workers, "max_rel_err": err, "tol": tol, "ok": bool(good)}))

    # 3. The loss falls on the real workload (float32, 200 steps).
    w1s, w2s = W.init_params(8, 16, seed=0)
    w1s = w1s.reshape(8 * 16, -1)
    x32, y32 = W.inputs_augmented(), W.labels()
    before = mean_loss(w1s, w2s, x32, y32)
    train_members(w1s, w2s, x32, y32, 200, 8)
    after = mean_loss(w1s, w2s, x32, y32)
    good = after < 0.5 * before
    ok &= bool(good)
    print(json.dumps({"check": "loss falls (W16, 8 members, 200 steps, float32)",
                      "loss_before": round(before, 4), "loss_after": round(after, 4), "ok": bool(good)}))
    return ok


def bench(case, members, steps, reps, chunk, workers, warmup_steps):
    m = W.CASES[case]["M"]
    x_aug, y = W.inputs_augmented(), W.labels()
    w1, w2 = W.init_params(members, m)
    w1 = w1.reshape(members * m, W.D_X + 1)
    # One thread per worker: OpenBLAS single-threaded when we parallelise over members ourselves,
    # otherwise all cores inside each BLAS call.
    blas_threads = W.blas_threads(1 if workers > 1 else len(os.sched_getaffinity(0)))
    loss0 = mean_loss(w1, w2, x_aug, y)
    times = []
    if W.is_adam(case):
        # Wlong: every repetition is the whole run from the same start (the schedule spans `steps`)
        lam = W.member_lambdas(members)
        start = (w1.copy(), w2.copy())
        train_parallel(w1, w2, x_aug, y, warmup_steps, chunk, workers, lam)
        for _ in range(reps):
            w1[...], w2[...] = start
            t0 = time.perf_counter()
            train_parallel(w1, w2, x_aug, y, steps, chunk, workers, lam)
            times.append(time.perf_counter() - t0)
    else:
        train_parallel(w1, w2, x_aug, y, warmup_steps, chunk, workers)
        for _ in range(reps):
            t0 = time.perf_counter()
            train_parallel(w1, w2, x_aug, y, steps, chunk, workers)
            times.append(time.perf_counter() - t0)
    loss1 = mean_loss(w1, w2, x_aug, y)
    res = {"peer": "numpy", "variant": "batched-gemm" + ("-adam" if W.is_adam(case) else ""), "case": case, "E": members, "M": m,
           "steps": steps, "reps": reps, "warmup_steps": warmup_steps, "chunk": min(chunk, members),
           "workers": workers, "blas_threads": blas_threads, "dtype": "float32",
           "flops_per_member_step": W.flops_per_member_step(m)}
    res.update(W.rep_stats(times, members * steps, m))
    res["mean_loss_start"] = round(loss0, 4)
    res["mean_loss_end"] = round(loss1, 4)
    res["blas"] = W.blas_info()
    res["machine"] = W.machine_info()
    return res


def int_list(s):
    return [int(v) for v in s.split(",") if v]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--case", default="W16", choices=list(W.CASES))
    ap.add_argument("--members", type=int, default=None, help="E (default: the case's CPU E)")
    ap.add_argument("--steps", type=int, default=None, help="default 200 (Wlong: 60000)")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--warmup-steps", type=int, default=20)
    ap.add_argument("--chunk", type=int_list, default=None,
                    help="members per chunk, comma list to sweep (default: auto, see best_chunk)")
    ap.add_argument("--workers", type=int_list, default=[len(os.sched_getaffinity(0))],
                    help="threads over members, comma list to sweep (default: one per core)")
    ap.add_argument("--check", action="store_true", help="correctness checks only")
    args = ap.parse_args()

    if args.check:
        sys.exit(0 if check() else 1)

    W.use_case(args.case)
    steps = args.steps or W.steps_default(args.case, False)
    members = args.members or W.members_for(args.case)
    m = W.CASES[args.case]["M"]
    chunks = args.chunk or [default_chunk(m)]
    for workers in args.workers:
        for chunk in chunks:
            print(json.dumps(bench(args.case, members, steps, args.reps, chunk, workers,
                                   args.warmup_steps)), flush=True)


def default_chunk(m):
    """Members per chunk: about 4096 hidden units (Z, H, dZ of 1 MiB each, in a 2 MiB L2)."""
    return max(1, 4096 // m)


if __name__ == "__main__":
    main()
