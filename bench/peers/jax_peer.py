#!/usr/bin/env python3
"""JAX peer for workload W: jit(vmap(step)) with the step loop inside jit, float32.

One member's loss is written plainly, its gradient is jax.grad, one GD step of all members is
vmap(step) (in_axes 0 for the parameters, X and Y shared), and `steps` steps run inside ONE jitted
call through lax.fori_loop (a static trip count, which XLA lowers to a loop without returning to
Python), with the parameter buffers donated so XLA updates them in place.

Matmul precision: every case runs under jax.default_matmul_precision("highest") (true FP32) and
under the default precision (on recent NVIDIA GPUs that lets XLA use TF32 / reduced-precision
passes for float32 dots; on a CPU both are FP32). Both are recorded (`matmul_precision`). Each
precision gets its own jitted function, traced and compiled inside its context. Timers stop only
after block_until_ready().

Without jax installed it prints one JSON line {"peer": "jax", "skipped": true, ...} and exits 0.

Usage:
    python3 bench/peers/jax_peer.py --check
    python3 bench/peers/jax_peer.py --case W16 [--device cpu|gpu] [--members E] [--steps N]
                                    [--reps 5] [--precision highest,default]
"""

import argparse
import contextlib
import json
import os
import sys
import time
import warnings

# Donation is a no-op on backends that cannot alias buffers; jax then warns on every call.
warnings.filterwarnings("ignore", message="Some donated buffers were not usable")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workload as W  # noqa: E402

try:
    import jax
    import jax.numpy as jnp
except ImportError as exc:  # jax absent (or broken): skip cleanly
    jax = None
    _IMPORT_ERROR = str(exc)


def skip(reason):
    print(json.dumps({"peer": "jax", "skipped": True, "reason": reason}), flush=True)
    sys.exit(0)


def member_loss(w1, w2, x_aug, y):
    """Loss of ONE member: w1 = [W1, b] (M, dX+1), w2 (dY, M), x_aug (dX+1, P), y (dY, P)."""
    f = w2 @ jax.nn.relu(w1 @ x_aug)
    return (jnp.sum((f - y) ** 2) + W.LAMBDA1 * jnp.sum(w1 * w1)
            + W.LAMBDA2 * jnp.sum(w2 * w2))


def member_step(w1, w2, x_aug, y, lr):
    g1, g2 = jax.grad(member_loss, argnums=(0, 1))(w1, w2, x_aug, y)
    return w1 - lr * g1, w2 - lr * g2


def make_train(steps, lr=W.LR):
    """jit(train): `steps` GD steps of all members, the loop inside the compiled program."""
    # vmap over members (axis 0 of both parameter arrays); X and Y are shared (in_axes None)
    all_members_step = jax.vmap(lambda w1, w2, x, y: member_step(w1, w2, x, y, lr),
                                in_axes=(0, 0, None, None))

    def train(w1, w2, x_aug, y):
        def body(_, params):
            return all_members_step(params[0], params[1], x_aug, y)
        return jax.lax.fori_loop(0, steps, body, (w1, w2))

    # donate the parameters: XLA may then write the updated ones into the same buffers
    return jax.jit(train, donate_argnums=(0, 1))


def make_train_adam(steps, lam):
    """Wlong: jit(train) of `steps` Adam steps from zero moments, per-member lambda `lam` (E,),
    learning rate W.adam_lr(t, steps); the loop inside the compiled program."""
    b1, b2, eps = W.ADAM_BETA1, W.ADAM_BETA2, W.ADAM_EPS

    def loss(w1, w2, x_aug, y, lm):
        f = w2 @ jax.nn.relu(w1 @ x_aug)
        return jnp.sum((f - y) ** 2) + lm * (jnp.sum(w1 * w1) + jnp.sum(w2 * w2))

    grads = jax.vmap(jax.grad(loss, argnums=(0, 1)), in_axes=(0, 0, None, None, 0))
    lam = jnp.asarray(lam, jnp.float32)

    def train(w1, w2, x_aug, y):
        def body(t, st):
            params, m1, m2 = st
            g = grads(params[0], params[1], x_aug, y, lam)
            tf = t.astype(jnp.float32)
            lr = W.ADAM_LR * W.ADAM_FINAL_RATIO ** (tf / steps)
            c1 = 1.0 / (1.0 - b1 ** (tf + 1.0))
            c2 = 1.0 / (1.0 - b2 ** (tf + 1.0))
            m1 = tuple(b1 * a + (1.0 - b1) * gi for a, gi in zip(m1, g))
            m2 = tuple(b2 * a + (1.0 - b2) * gi * gi for a, gi in zip(m2, g))
            params = tuple(p - lr * c1 * a / (jnp.sqrt(v * c2) + eps) for p, a, v in zip(params, m1, m2))
            return params, m1, m2

        zeros = (jnp.zeros_like(w1), jnp.zeros_like(w2))
        return jax.lax.fori_loop(0, steps, body, ((w1, w2), zeros, zeros))[0]

    return jax.jit(train)


def precision_context(name):
    if name == "highest":
        return jax.default_matmul_precision("highest")
    return contextlib.nullcontext()               # "default": whatever XLA picks for float32


def pick_device(kind):
    try:
        devs = jax.devices(kind)
    except RuntimeError:
        return None
    return devs[0] if devs else None


def workload_arrays(members, m, device, dtype):
    import numpy as np
    # np.array(..., copy) first: the donated parameter buffers must be jax's own, never
    # memory shared with a numpy array
    w1, w2 = W.init_params_shared(members, m)
    put = lambda a: jax.device_put(np.array(a, dtype=dtype), device)  # noqa: E731
    return put(W.inputs_augmented()), put(W.labels()), put(w1), put(w2)


def mean_loss(w1, w2, x_aug, y):
    return float(jnp.mean(jax.vmap(member_loss, in_axes=(0, 0, None, None))(w1, w2, x_aug, y)))


def bench(case, members, steps, reps, device, precision, warmup_steps):
    import numpy as np
    m = W.CASES[case]["M"]
    with precision_context(precision):
        x_aug, y, w1, w2 = workload_arrays(members, m, device, np.float32)
        if W.is_adam(case):
            return bench_adam(case, members, steps, reps, device, precision, x_aug, y, w1, w2)
        warm = make_train(warmup_steps)
        train = make_train(steps)
        w1, w2 = warm(w1, w2, x_aug, y)             # compiles the warm-up program, runs it
        t0 = time.perf_counter()
        train = train.lower(w1, w2, x_aug, y).compile()   # compile outside the timer
        compile_s = time.perf_counter() - t0
        w1, w2 = train(w1, w2, x_aug, y)            # first call of the timed program: not timed
        jax.block_until_ready((w1, w2))
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            w1, w2 = train(w1, w2, x_aug, y)
            jax.block_until_ready((w1, w2))
            times.append(time.perf_counter() - t0)
        loss = mean_loss(w1, w2, x_aug, y)
    res = {"peer": "jax", "variant": "jit-vmap-fori", "device": str(device),
           "platform": device.platform, "case": case, "E": members, "M": m, "steps": steps,
           "reps": reps, "warmup_steps": warmup_steps, "dtype": "float32",
           "matmul_precision": precision, "compile_s": round(compile_s, 3),
           "flops_per_member_step": W.flops_per_member_step(m)}
    res.update(W.rep_stats(times, members * steps, m))
    res["mean_loss_end"] = round(loss, 4)
    res["info"] = {"jax": jax.__version__, "backend": jax.default_backend(),
                   "device_kind": getattr(device, "device_kind", None), "env": W.thread_env()}
    res["machine"] = W.machine_info()
    return res


def bench_adam(case, members, steps, reps, device, precision, x_aug, y, w1, w2):
    """Wlong: each repetition is the whole jitted run from the same start."""
    m = W.CASES[case]["M"]
    t0 = time.perf_counter()
    train = make_train_adam(steps, W.member_lambdas(members)).lower(w1, w2, x_aug, y).compile()
    compile_s = time.perf_counter() - t0
    jax.block_until_ready(train(w1, w2, x_aug, y))   # first call: not timed
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        out = train(w1, w2, x_aug, y)
        jax.block_until_ready(out)
        times.append(time.perf_counter() - t0)
    res = {"peer": "jax", "variant": "jit-vmap-fori-adam", "device": str(device), "platform": device.platform,
           "case": case, "E": members, "M": m, "steps": steps, "reps": reps, "dtype": "float32",
           "matmul_precision": precision, "compile_s": round(compile_s, 3),
           "flops_per_member_step": W.flops_per_member_step(m)}
    res.update(W.rep_stats(times, members * steps, m))
    res["mean_loss_end"] = round(mean_loss(out[0], out[1], x_aug, y), 4)
    res["info"] = {"jax": jax.__version__, "backend": jax.default_backend(), "env": W.thread_env()}
    res["machine"] = W.machine_info()
    return res


def check(device):
    """jit(vmap) training vs the per-member numpy loop, float32 (jax's default dtype)."""
    import numpy as np
    ok = True
    x64, y64 = W.inputs_augmented(np.float64), W.labels(np.float64)
    with jax.default_matmul_precision("highest"):
        for m in (16, 64):
            e, steps = 5, 3
            w1s, w2s = W.init_params(e, m, seed=3, dtype=np.float64)
            ref = [(w1s[i], w2s[i]) for i in range(e)]
            for _ in range(steps):
                ref = [W.member_step_reference(a, b, x64, y64) for a, b in ref]
            x_aug = jax.device_put(x64.astype(np.float32), device)
            y = jax.device_put(y64.astype(np.float32), device)
            w1 = jax.device_put(w1s.astype(np.float32), device)
            w2 = jax.device_put(w2s.astype(np.float32), device)
            w1, w2 = make_train(steps)(w1, w2, x_aug, y)
            g1, g2 = np.asarray(w1, np.float64), np.asarray(w2, np.float64)
            err = max(max(float(np.abs(g1[i] - ref[i][0]).max() / np.abs(ref[i][0]).max()),
                          float(np.abs(g2[i] - ref[i][1]).max() / np.abs(ref[i][1]).max()))
                      for i in range(e))
            good = err < 1e-5
            ok &= good
            print(json.dumps({"check": "jax jit(vmap) vs per-member numpy loop (float32 vs float64)",
                              "device": str(device), "M": m, "E": e, "steps": steps,
                              "max_rel_err": err, "tol": 1e-5, "ok": bool(good)}), flush=True)
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    W.add_gpu_peer_arguments(ap, "gpu")
    ap.add_argument("--precision", type=W.str_list, default=["highest", "default"])
    args = ap.parse_args()

    if jax is None:
        skip("jax not importable: " + _IMPORT_ERROR)
    device = pick_device(args.device)
    if device is None:
        skip("jax %s has no %s device" % (jax.__version__, args.device))
    if args.check:
        sys.exit(0 if check(device) else 1)

    gpu = args.device == "gpu"
    W.use_case(args.case)
    members = args.members or W.members_for(args.case, gpu=gpu)
    steps = args.steps or W.steps_default(args.case, gpu)
    warmup = args.warmup_steps if args.warmup_steps is not None else (100 if gpu else 20)
    for precision in args.precision:
        if precision not in ("highest", "default"):
            ap.error("precision must be highest or default, got %r" % precision)
        try:
            res = bench(args.case, members, steps, args.reps, device, precision, warmup)
        except Exception as exc:  # e.g. out of device memory: report it and go on
            res = {"peer": "jax", "case": args.case, "E": members, "matmul_precision": precision,
                   "error": ("%s: %s" % (type(exc).__name__, exc)).split("\n")[0]}
        print(json.dumps(res), flush=True)


if __name__ == "__main__":
    main()
