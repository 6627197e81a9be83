#!/usr/bin/env python3
"""Batched numpy peer for workload Wrnn: E vanilla ReLU RNNs trained together by plain GD, float32.

Wrnn (bench/src/.../RnnWorkload.java): the Wsmall task (whitened hypercube, dY = 3, P = 8, dX = 8),
h_0 = 0, h_(t+1) = relu(W h_t + U x + b) for T steps (the input at every step), F = V h_T, loss
||Y - F||^2 + lam (||[U, b]||^2 + ||W||^2 + ||V||^2), lr 2e-3, lam 1e-3, no early stop.

Layout (C-contiguous float32, member-major): U~ (E*M, dX+1) = [U, b] stacked by rows (X~ = [X; 1^T]
is shared), W (E, M, M), V (E, dY, M). One step for a chunk of C members:
    A   = U~c @ X~                  ONE GEMM (C*M x 9) @ (9 x 8): the input term, the same at every t
    z_0 = A; z_t = A + W @ h_t      batched (C,M,M) @ (C,M,P), h_(t+1) = relu(z_t)
    F   = V @ h_T;  D = 2 (F - Y)
    gV  = D @ h_T^T;  gH = V^T @ D
    for t = T-1 .. 0:  gZ = gH * [z_t > 0];  gA += gZ;  gW += gZ @ h_t^T (t > 0);  gH = W^T @ gZ
    gU~ = gA @ X~^T                 ONE GEMM: the input weights see the same x at every step
    theta <- (1 - 2 lr lam) theta - lr g
Buffers are preallocated per worker and written with out=. Members are split over --workers Python
threads (numpy releases the GIL in matmul and ufuncs).

Usage:
    python3 bench/peers/rnn_numpy_peer.py --check
    python3 bench/peers/rnn_numpy_peer.py --members 4096 --width 16 --time-steps 3 --steps 200 --reps 5
Prints one JSON line per configuration (member-steps/s min/median, as the other peers).
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

LR = 2e-3
LAM = 1e-3


def flops_per_member_step(m, t):
    """RnnWorkload.flopsPerMemberStep: 3 x the forward pass 2P (T M (dX+1) + (T-1) M^2 + dY M)."""
    return 3 * 2.0 * W.P * (t * m * (W.D_X + 1) + (t - 1) * m * m + W.D_Y * m)


def init_params(members, m, dtype):
    """[U, b] ~ N(0, 1/dX) (the bias drawn like a weight), W and V ~ N(0, 1/M); member e from stream (0, e)."""
    u = np.empty((members, m, W.D_X + 1), dtype)
    w = np.empty((members, m, m), dtype)
    v = np.empty((members, W.D_Y, m), dtype)
    for e in range(members):
        rng = np.random.default_rng([0, e])
        u[e] = rng.standard_normal((m, W.D_X + 1)) / np.sqrt(W.D_X)
        w[e] = rng.standard_normal((m, m)) / np.sqrt(m)
        v[e] = rng.standard_normal((W.D_Y, m)) / np.sqrt(m)
    return u, w, v


def train_chunk(u, w, v, x_aug, y, t_steps, steps, lr=LR, lam=LAM):
    """GD steps on a chunk in place: u (C, M, dX+1), w (C, M, M), v (C, dY, M)."""
    c, m, _ = u.shape
    dt = u.dtype
    p = x_aug.shape[1]
    u2 = u.reshape(c * m, -1)
    a = np.empty((c * m, p), dt)
    z = np.empty((t_steps, c, m, p), dt)
    h = np.zeros((t_steps + 1, c, m, p), dt)
    zeros = np.zeros((c, m, p), dt)
    f = np.empty((c, W.D_Y, p), dt)
    d = np.empty((c, W.D_Y, p), dt)
    gh = np.empty((c, m, p), dt)
    gz = np.empty((c, m, p), dt)
    ga = np.empty((c, m, p), dt)
    gw = np.empty((c, m, m), dt)
    gw_t = np.empty((c, m, m), dt)
    gv = np.empty((c, W.D_Y, m), dt)
    gu = np.empty((c * m, x_aug.shape[0]), dt)
    x_t = np.ascontiguousarray(x_aug.T)
    decay = dt.type(1.0 - 2.0 * lr * lam)
    lr_ = dt.type(lr)
    for _ in range(steps):
        np.matmul(u2, x_aug, out=a)
        a3 = a.reshape(c, m, p)
        for t in range(t_steps):
            if t == 0:
                z[0][...] = a3
            else:
                np.matmul(w, h[t], out=z[t])
                z[t] += a3
            np.maximum(z[t], zeros, out=h[t + 1])
        np.matmul(v, h[t_steps], out=f)
        np.subtract(f, y, out=d)
        d *= 2.0
        np.matmul(d, h[t_steps].transpose(0, 2, 1), out=gv)
        np.matmul(v.transpose(0, 2, 1), d, out=gh)
        ga.fill(0.0)
        gw.fill(0.0)
        for t in range(t_steps - 1, -1, -1):
            np.multiply(gh, z[t] > 0, out=gz)
            ga += gz
            if t > 0:
                np.matmul(gz, h[t].transpose(0, 2, 1), out=gw_t)
                gw += gw_t
                np.matmul(w.transpose(0, 2, 1), gz, out=gh)
        np.matmul(ga.reshape(c * m, p), x_t, out=gu)
        for theta, g in ((u2, gu), (w, gw), (v, gv)):
            theta *= decay
            g *= lr_
            theta -= g


def loss(u, w, v, x_aug, y, t_steps, lam=LAM):
    """Per-member loss, float64, by a straightforward loop (the reference)."""
    out = []
    for e in range(u.shape[0]):
        ue, we, ve = (np.asarray(q[e], np.float64) for q in (u, w, v))
        h = np.zeros((ue.shape[0], x_aug.shape[1]))
        for _ in range(t_steps):
            h = np.maximum(we @ h + ue @ x_aug.astype(np.float64), 0.0)
        r = ve @ h - y
        out.append(float((r * r).sum() + lam * ((ue ** 2).sum() + (we ** 2).sum() + (ve ** 2).sum())))
    return np.array(out)


def check():
    """The batched step against finite differences of the reference loss (float64): one GD step from
    theta moves it to theta - lr grad, so (theta - theta') / lr is the gradient."""
    W.use_case("Wsmall")
    x_aug = W.inputs_augmented(np.float64)
    y = W.labels(np.float64)
    ok = True
    for t_steps in (1, 3):
        u, w, v = init_params(2, 5, np.float64)
        u0, w0, v0 = u.copy(), w.copy(), v.copy()
        train_chunk(u, w, v, x_aug, y, t_steps, 1, lr=1.0, lam=0.0)  # theta' = theta - grad of the data loss
        worst = 0.0
        for q0, q1 in ((u0, u), (w0, w), (v0, v)):
            for idx in [(0, 0, 0), (1, 2, 1), (0, q0.shape[1] - 1, q0.shape[2] - 1)]:
                h = 1e-6
                qp, qm = q0.copy(), q0.copy()
                qp[idx] += h
                qm[idx] -= h
                args_p = [qp if q is q0 else q for q in (u0, w0, v0)]
                args_m = [qm if q is q0 else q for q in (u0, w0, v0)]
                fd = (loss(*args_p, x_aug, y, t_steps, 0.0)[idx[0]] - loss(*args_m, x_aug, y, t_steps, 0.0)[idx[0]]) / (2 * h)
                worst = max(worst, abs(fd - (q0[idx] - q1[idx])))
        ok &= worst < 1e-5
        print(json.dumps({"check": "batched BPTT gradient vs central finite differences (float64)", "T": t_steps,
                          "max_abs_diff": worst, "ok": bool(worst < 1e-5)}))
    return ok


def bench(members, m, t_steps, steps, reps, chunk, workers, warmup_steps):
    W.use_case("Wsmall")
    x_aug = W.inputs_augmented(np.float32)
    y = W.labels(np.float32)
    u0, w0, v0 = init_params(members, m, np.float32)
    parts = [(s, min(members, s + chunk)) for s in range(0, members, chunk)]

    def run(steps_):
        u, w, v = u0.copy(), w0.copy(), v0.copy()
        lock = threading.Lock()
        todo = list(parts)

        def worker():
            while True:
                with lock:
                    if not todo:
                        return
                    a, b = todo.pop(0)
                uc, wc, vc = u[a:b], w[a:b], v[a:b]  # views: trained in place
                train_chunk(uc, wc, vc, x_aug, y, t_steps, steps_)

        threads = [threading.Thread(target=worker) for _ in range(workers)]
        t0 = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        return time.perf_counter() - t0, (u, w, v)

    W.blas_threads(1 if workers > 1 else None)
    run(warmup_steps)
    seconds = []
    for _ in range(reps):
        s, params = run(steps)
        seconds.append(s)
    final = loss(*(q[:8] for q in params), x_aug, y, t_steps)
    stats = W.rep_stats(seconds, members * steps, m)
    fl = flops_per_member_step(m, t_steps)  # the RNN's own count, not workload W's
    stats["gflops_best"] = round(members * steps * fl / min(seconds) / 1e9, 3)
    stats["gflops_median"] = round(members * steps * fl / float(np.median(seconds)) / 1e9, 3)
    return dict({"peer": "numpy", "variant": "batched-rnn-gd", "case": "Wrnn", "dtype": "float32", "E": members,
                 "M": m, "T": t_steps, "steps": steps, "chunk": chunk, "workers": workers,
                 "flops_per_member_step": fl, "mean_loss_first8": float(final.mean())}, **stats,
                **W.machine_info())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--members", type=int, default=4096)
    ap.add_argument("--width", type=int, default=16)
    ap.add_argument("--time-steps", type=int, default=3)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--chunk", type=int, default=256)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--warmup-steps", type=int, default=20)
    a = ap.parse_args()
    if a.check:
        sys.exit(0 if check() else 1)
    print(json.dumps(bench(a.members, a.width, a.time_steps, a.steps, a.reps, a.chunk, a.workers, a.warmup_steps)))


if __name__ == "__main__":
    main()
