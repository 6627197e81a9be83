"""Benchmark workload W (bench/WORKLOAD.md) in numpy, shared by every peer script.

Task: hypercube labels with dY = 3 (8 classes), n = 8 samples per class, P = 64, labels +-1,
samples in class-major order (sample p belongs to class c = p // n; label k of class c is +1 if
bit k of c is set, else -1). Inputs whitened: X is dX x P with dX = 64 and X^T X = I.

Network of one member: f(x) = W2 relu(W1 x + b), written with the augmented first layer
W~1 = [W1, b] (M x (dX+1)) acting on X~ = [X; 1^T] ((dX+1) x P). Loss (no 1/2, no 1/P):

    L = ||Y - F||_F^2 + lambda1 ||W~1||^2 + lambda2 ||W2||^2,    F = W2 relu(W~1 X~)

One member-step = full-batch forward + backward + plain GD update at lr 2e-3.

The Java side builds its own X from a Philox-based orthogonal matrix; the peers only need *a*
whitened X of the same shape (the cost of a step does not depend on which one).
"""

import numpy as np

D_Y = 3                      # label dimensions (hypercube of 2^3 = 8 classes)
N_PER_CLASS = 8              # samples per class
N_CLASSES = 1 << D_Y         # 8
P = N_PER_CLASS * N_CLASSES  # 64 samples
D_X = 64                     # input dimension
LAMBDA1 = 1e-3               # weight decay on [W1, b]
LAMBDA2 = 1e-3               # weight decay on W2
LR = 2e-3                    # plain gradient descent learning rate
X_SEED = 0                   # seed of the random orthogonal input matrix

# case -> width M, members E on a CPU, members E on a GPU (WORKLOAD.md table), and for the small
# shapes their own task (n = 1: P = 8, dX = 8). Wlong trains with Adam (see ADAM_* below).
CASES = {
    "W16": {"M": 16, "E_cpu": 1024, "E_gpu": 65536},
    "W64": {"M": 64, "E_cpu": 1024, "E_gpu": 16384},
    "W256": {"M": 256, "E_cpu": 256, "E_gpu": 4096},
    "W1024": {"M": 1024, "E_cpu": 32, "E_gpu": 1024},
    "Wsmall": {"M": 16, "E_cpu": 16384, "E_gpu": 262144, "n": 1, "dX": 8},
    "Wlong": {"M": 64, "E_cpu": 64, "E_gpu": 64, "n": 1, "dX": 8, "adam": True},
}

# Wlong (WORKLOAD.md): the README example's ReLU width-64 members, lambda = 1e-2 for the first half
# of the members and 1e-3 for the second, Adam at 1e-2 decaying geometrically to 1e-6 over the run
# (lr_t = ADAM_LR * ADAM_FINAL_RATIO^(t / steps)), no early stop; 60,000 steps against 3,000.
ADAM_LR = 1e-2
ADAM_FINAL_RATIO = 1e-4
ADAM_BETA1, ADAM_BETA2, ADAM_EPS = 0.9, 0.999, 1e-8
LONG_LAMBDAS = (1e-2, 1e-3)


def use_case(case):
    """Set the task shape (N_PER_CLASS, P, D_X) of `case`: n = 8, dX = 64 unless the case says otherwise."""
    global N_PER_CLASS, P, D_X
    c = CASES[case]
    N_PER_CLASS = c.get("n", 8)
    P = N_PER_CLASS * N_CLASSES
    D_X = c.get("dX", 64)
    return c


def is_adam(case):
    return bool(CASES[case].get("adam"))


def member_lambdas(members):
    """Per-member lambda of Wlong (the same on both layers): the first half 1e-2, the rest 1e-3."""
    lam = np.full(members, LONG_LAMBDAS[1])
    lam[:members // 2] = LONG_LAMBDAS[0]
    return lam


def adam_lr(t, steps):
    """Wlong's learning rate at step t of a `steps`-step run (the engine's geometric schedule)."""
    return ADAM_LR * ADAM_FINAL_RATIO ** (t / steps)


# WORKLOAD.md: at least 200 timed steps per repetition on a CPU, 1000 on a GPU
MIN_STEPS_CPU = 200
MIN_STEPS_GPU = 1000


def flops_per_member_step(m):
    """Matrix FLOPs of one member-step as WORKLOAD.md counts them (elementwise work excluded).

    forward 2P(dX+1)M + 2PMdY, backward 2PMdY (readout grad) + 2PMdY (hidden error)
    + 2PM(dX+1) (first-layer grad) = 4PM(dX+1) + 6PMdY = 17,792 M on W.
    """
    return 4 * P * m * (D_X + 1) + 6 * P * m * D_Y


def labels(dtype=np.float32):
    """Y, dY x P: Y[k, p] = +1 if bit k of class p // n is set, else -1."""
    cls = np.arange(P) // N_PER_CLASS
    bits = (cls[None, :] >> np.arange(D_Y)[:, None]) & 1
    return (2.0 * bits - 1.0).astype(dtype)


def inputs(dtype=np.float32, seed=X_SEED):
    """Whitened X, dX x P with X^T X = I_P: the first P columns of a random orthogonal matrix.

    QR of a Gaussian matrix with the signs fixed so that diag(R) > 0 (a Haar-random orthogonal
    matrix, reproducible for a given seed). Built in float64, cast at the end.
    """
    g = np.random.default_rng(seed).standard_normal((D_X, D_X))
    q, r = np.linalg.qr(g)
    q *= np.sign(np.diag(r))[None, :]
    return np.ascontiguousarray(q[:, :P]).astype(dtype)


def inputs_augmented(dtype=np.float32):
    """X~ = [X; 1^T], (dX+1) x P: the bias is the last column of W~1."""
    x = inputs(np.float64)
    return np.vstack([x, np.ones((1, P))]).astype(dtype)


def init_params(members, m, seed=0, dtype=np.float32):
    """Initial parameters of E members of width M, member e from its own stream (seed, e).

    Returns (W1t, W2): W1t (E, M, dX+1) = [W1, b] with entries N(0, 1/dX) (the bias drawn like a
    weight, fan-in dX, as the Java InitialWeights does), W2 (E, dY, M) with entries N(0, 1/M).
    """
    w1 = np.empty((members, m, D_X + 1), dtype=dtype)
    w2 = np.empty((members, D_Y, m), dtype=dtype)
    for e in range(members):
        rng = np.random.default_rng([seed, e])
        w1[e] = rng.standard_normal((m, D_X + 1)) / np.sqrt(D_X)
        w2[e] = rng.standard_normal((D_Y, m)) / np.sqrt(m)
    return w1, w2


_INIT_CACHE = {}


def init_params_shared(members, m):
    """init_params(members, m) in float64, computed once per process and marked read-only.

    The torch and jax peers build several variants of the same case (65,536 members on a GPU
    take seconds to draw); they copy these arrays into their own tensors.
    """
    key = (members, m)
    if key not in _INIT_CACHE:
        _INIT_CACHE.clear()                         # keep one case at a time
        w1, w2 = init_params(members, m, dtype=np.float64)
        w1.flags.writeable = False
        w2.flags.writeable = False
        _INIT_CACHE[key] = (w1, w2)
    return _INIT_CACHE[key]


def member_loss(w1t, w2, x_aug, y):
    """Loss of one member, for checks (any dtype): ||Y - F||^2 + l1 ||W~1||^2 + l2 ||W2||^2."""
    h = np.maximum(w1t @ x_aug, 0)
    r = y - w2 @ h
    return float((r * r).sum() + LAMBDA1 * (w1t * w1t).sum() + LAMBDA2 * (w2 * w2).sum())


def member_step_reference(w1t, w2, x_aug, y, lr=LR):
    """One GD step of one member, written the plain textbook way (for correctness checks).

    Returns the updated (W~1, W2). Gradients of the loss above:
        R = F - Y,  dF = 2R
        dW2 = dF H^T + 2 l2 W2
        dZ = (W2^T dF) * [Z > 0]
        dW~1 = dZ X~^T + 2 l1 W~1
    """
    z = w1t @ x_aug
    h = np.maximum(z, 0)
    df = 2.0 * (w2 @ h - y)
    g2 = df @ h.T + 2.0 * LAMBDA2 * w2
    dz = (w2.T @ df) * (z > 0)
    g1 = dz @ x_aug.T + 2.0 * LAMBDA1 * w1t
    return w1t - lr * g1, w2 - lr * g2


def members_for(case, gpu=False):
    c = CASES[case]
    return c["E_gpu"] if gpu else c["E_cpu"]


def rep_stats(seconds, member_steps, m):
    """min/median seconds -> member-steps/s and GFLOP/s (best = from the min time)."""
    s = sorted(seconds)
    t_min = s[0]
    t_med = float(np.median(s))
    fl = flops_per_member_step(m)
    return {
        "seconds": [round(t, 6) for t in seconds],
        "seconds_min": round(t_min, 6),
        "seconds_median": round(t_med, 6),
        "member_steps_per_s_best": round(member_steps / t_min, 1),
        "member_steps_per_s_median": round(member_steps / t_med, 1),
        "gflops_best": round(member_steps * fl / t_min / 1e9, 3),
        "gflops_median": round(member_steps * fl / t_med / 1e9, 3),
    }


def thread_env():
    """Thread-related environment variables, as set for this process."""
    import os
    keys = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "XLA_FLAGS",
            "CUDA_VISIBLE_DEVICES")
    return {k: os.environ.get(k) for k in keys if os.environ.get(k) is not None}


def machine_info():
    """CPU model and logical CPU count (from /proc/cpuinfo and os)."""
    import os
    import platform
    model = platform.processor() or None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    # the 1-minute load average when the result is written: other processes on a shared machine
    # (a load above the core count) explain slow or noisy repetitions
    return {"cpu_model": model, "logical_cpus": os.cpu_count(),
            "affinity_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
            "loadavg_1m": round(os.getloadavg()[0], 2)}


# --- numpy's BLAS (OpenBLAS) thread control, for the numpy peer and the SGEMM peak -----------------
# numpy wheels bundle OpenBLAS under a prefixed symbol name (scipy_openblas..64_ in numpy 2.x); other
# builds use the plain names. Nothing here is required: where no symbol is found, the info is None.
_BLAS_PREFIXES = ("scipy_openblas", "openblas")
_BLAS_SUFFIXES = ("64_", "")


def _openblas_lib():
    import ctypes
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "openblas" in line.lower() and "/" in line}
    except OSError:
        return None, None
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for pre in _BLAS_PREFIXES:
            for suf in _BLAS_SUFFIXES:
                if hasattr(lib, pre + "_get_num_threads" + suf):
                    return lib, (pre, suf)
    return None, None


def blas_threads(n=None):
    """Current OpenBLAS thread count (after setting it to n if n is given); None if unknown."""
    import ctypes
    lib, names = _openblas_lib()
    if lib is None:
        return None
    pre, suf = names
    if n is not None:
        getattr(lib, pre + "_set_num_threads" + suf)(ctypes.c_int(int(n)))
    return int(getattr(lib, pre + "_get_num_threads" + suf)())


def blas_info():
    """numpy version, BLAS name/version/config and the OpenBLAS runtime core and thread count."""
    import ctypes
    info = {"numpy": np.__version__}
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        info["blas"] = blas.get("name")
        info["blas_version"] = blas.get("version")
        info["blas_config"] = blas.get("openblas configuration")
    except Exception:  # older numpy: no dict mode
        pass
    lib, names = _openblas_lib()
    if lib is not None:
        pre, suf = names
        corename = getattr(lib, pre + "_get_corename" + suf, None)
        if corename is not None:
            corename.restype = ctypes.c_char_p
            info["openblas_core"] = corename().decode()
        info["openblas_threads"] = blas_threads()
    info["env"] = thread_env()
    return info


if __name__ == "__main__":
    # Self-check of the definitions.
    x = inputs(np.float64)
    y = labels()
    assert np.allclose(x.T @ x, np.eye(P), atol=1e-12)
    assert y.shape == (D_Y, P) and set(np.unique(y)) == {-1.0, 1.0}
    assert flops_per_member_step(1) == 17792
    print("workload W: P=%d dX=%d dY=%d, flops/member-step = 17792*M, ||X^T X - I|| = %.2e"
          % (P, D_X, D_Y, np.abs(x.T @ x - np.eye(P)).max()))
    print("Y (first sample of each class):")
    print(y[:, ::N_PER_CLASS].astype(int))


def str_list(s):
    """argparse type for a comma list of strings ("a,b" -> ["a", "b"])."""
    return [v for v in s.split(",") if v]


def add_gpu_peer_arguments(ap, gpu_name):
    """The options every framework peer (torch, jax) shares; gpu_name is its name for the GPU device."""
    ap.add_argument("--case", default="W16", choices=list(CASES))
    ap.add_argument("--device", default="cpu", choices=["cpu", gpu_name])
    ap.add_argument("--members", type=int, default=None, help="E (default: the case's E for the device)")
    ap.add_argument("--steps", type=int, default=None, help="default 200 on cpu, 1000 on " + gpu_name)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--warmup-steps", type=int, default=None, help="default 20 cpu, 100 " + gpu_name)
    ap.add_argument("--check", action="store_true")


def steps_default(case, gpu):
    """Steps per timed repetition: 200 (CPU) / 1000 (GPU), Wlong its own 60,000."""
    if is_adam(case):
        return 60000
    return MIN_STEPS_GPU if gpu else MIN_STEPS_CPU
