#!/usr/bin/env python3
"""PyTorch peers for workload W: E members trained together, float32.

Variants (`--variant`, comma list):
  bmm           stacked parameters, hand-written backward: the shared-X first layer of all members
                is ONE GEMM (E*M x 65) @ (65 x P), the readout and its gradients are torch.bmm,
                every tensor preallocated and written with out= / in place (the fastest honest way).
  bmm-autograd  the same stacked forward, gradients by loss.backward() (what most people write).
  func          torch.func: vmap(grad(loss)) over per-member parameters (the functional idiom).

Loss, as in WORKLOAD.md: ||Y - F||^2 + l1 ||[W1, b]||^2 + l2 ||W2||^2, plain GD at lr 2e-3.

On CUDA the script warms up, synchronises before starting and before stopping each timer, and
with `--tf32 off,on` records both true FP32 matmuls (allow_tf32 = False, which is also PyTorch's
default for matmul) and TF32 tensor-core matmuls (allow_tf32 = True).

Without torch installed it prints one JSON line {"peer": "torch", "skipped": true, ...} and exits 0.

Usage:
    python3 bench/peers/torch_peer.py --check [--device cuda]
    python3 bench/peers/torch_peer.py --case W16 [--device cpu|cuda] [--members E] [--steps N]
                                      [--reps 5] [--variant bmm,bmm-autograd,func] [--tf32 off,on]
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workload as W  # noqa: E402

try:
    import torch
except ImportError as exc:  # torch absent (or broken): skip cleanly
    torch = None
    _IMPORT_ERROR = str(exc)

grad = vmap = None
if torch is not None:
    try:
        from torch.func import grad, vmap          # torch >= 2.0
    except ImportError:
        try:
            from functorch import grad, vmap       # torch 1.13 ships it as functorch
        except ImportError:
            pass                                   # the func variant reports itself skipped

VARIANTS = ("bmm", "bmm-autograd", "func")


def skip(reason):
    print(json.dumps({"peer": "torch", "skipped": True, "reason": reason}), flush=True)
    sys.exit(0)


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def workload_tensors(members, m, device, dtype):
    """X~ (dX+1, P), Y (dY, P), W1 stacked (E*M, dX+1), W2 (E, dY, M) from workload.py."""
    import numpy as np
    # torch.tensor always copies: the training updates must never write into the shared arrays
    x_aug = torch.tensor(W.inputs_augmented(np.float64), device=device, dtype=dtype)
    y = torch.tensor(W.labels(np.float64), device=device, dtype=dtype)
    w1, w2 = W.init_params_shared(members, m)
    w1 = torch.tensor(w1.reshape(members * m, W.D_X + 1), device=device, dtype=dtype)
    w2 = torch.tensor(w2, device=device, dtype=dtype)
    return x_aug, y, w1, w2


# --- variant bmm: stacked parameters, hand-written backward ---------------------------------------

def make_bmm(x_aug, y, w1, w2, lr=W.LR):
    """Returns step() updating w1 (E*M, dX+1) and w2 (E, dY, M) in place, allocation-free."""
    e, _, m = w2.shape
    x_t = x_aug.t().contiguous()                     # (P, dX+1)
    z = torch.empty(e * m, W.P, device=w1.device, dtype=w1.dtype)
    h = torch.empty_like(z)
    dz = torch.empty_like(z)
    # ReLU derivative kept as 0/1 floats: multiplying by a bool tensor takes a slower
    # type-promoting path (about 5x on a CPU), a float mask is a plain contiguous multiply.
    mask = torch.empty_like(z)
    f = torch.empty(e, W.D_Y, W.P, device=w1.device, dtype=w1.dtype)
    g1 = torch.empty_like(w1)
    g2 = torch.empty_like(w2)
    h3, dz3 = h.view(e, m, W.P), dz.view(e, m, W.P)
    decay1 = 1.0 - 2.0 * lr * W.LAMBDA1
    decay2 = 1.0 - 2.0 * lr * W.LAMBDA2

    def step():
        torch.mm(w1, x_aug, out=z)                   # ONE GEMM for all members (X is shared)
        torch.clamp(z, min=0, out=h)                 # relu (torch.relu has no out=)
        torch.gt(z, 0, out=mask)                     # written as 1.0 / 0.0 into the float mask
        torch.bmm(w2, h3, out=f)                     # (E,3,M) @ (E,M,P)
        f.sub_(y).mul_(2.0 * lr)                     # D = 2 lr (F - Y): lr folded into the grads
        torch.bmm(f, h3.transpose(1, 2), out=g2)     # (E,3,P) @ (E,P,M)
        torch.bmm(w2.transpose(1, 2), f, out=dz3)    # (E,M,3) @ (E,3,P), old W2
        dz.mul_(mask)                                # dZ = dH * [Z > 0]
        torch.mm(dz, x_t, out=g1)                    # ONE GEMM: (E*M,P) @ (P,dX+1)
        w2.mul_(decay2).sub_(g2)                     # W <- (1 - 2 lr l) W - lr dL/dW(data)
        w1.mul_(decay1).sub_(g1)

    return step


# --- variant bmm-autograd: same stacked forward, loss.backward() ----------------------------------

def make_bmm_autograd(x_aug, y, w1, w2, lr=W.LR):
    e, _, m = w2.shape
    w1.requires_grad_(True)
    w2.requires_grad_(True)

    def step():
        h = torch.relu(w1 @ x_aug).view(e, m, W.P)
        f = torch.bmm(w2, h)
        loss = ((f - y) ** 2).sum() + W.LAMBDA1 * (w1 * w1).sum() + W.LAMBDA2 * (w2 * w2).sum()
        loss.backward()
        with torch.no_grad():
            w1.sub_(w1.grad, alpha=lr)
            w2.sub_(w2.grad, alpha=lr)
        w1.grad = None
        w2.grad = None

    return step


# --- variant func: vmap(grad(loss)) over members -------------------------------------------------

def member_loss(w1, w2, x_aug, y):
    """Loss of ONE member: w1 (M, dX+1), w2 (dY, M)."""
    f = w2 @ torch.relu(w1 @ x_aug)
    return ((f - y) ** 2).sum() + W.LAMBDA1 * (w1 * w1).sum() + W.LAMBDA2 * (w2 * w2).sum()


def make_func(x_aug, y, w1, w2, lr=W.LR):
    e, _, m = w2.shape
    w1m = w1.view(e, m, W.D_X + 1)                   # per-member view of the same storage
    # vmap over members; x and y are shared (in_dims None). Under vmap the first matmul of an
    # unbatched X is lowered to one batched/stacked GEMM by PyTorch's batching rules.
    grads = vmap(grad(member_loss, argnums=(0, 1)), in_dims=(0, 0, None, None))

    def step():
        g1, g2 = grads(w1m, w2, x_aug, y)
        with torch.no_grad():
            w1m.sub_(g1, alpha=lr)
            w2.sub_(g2, alpha=lr)

    return step


# --- Wlong: variant bmm with Adam, per-member lambda and the geometric schedule -------------------

def make_bmm_adam(x_aug, y, w1, w2, lam, total_steps):
    """Returns step(t): one Adam step (the bmm variant's hand-written backward) at step t of a
    `total_steps` run, updating w1, w2 in place; lam (E,) per-member lambda on both layers."""
    e, _, m = w2.shape
    x_t = x_aug.t().contiguous()
    z = torch.empty(e * m, W.P, device=w1.device, dtype=w1.dtype)
    h, dz, mask = torch.empty_like(z), torch.empty_like(z), torch.empty_like(z)
    f = torch.empty(e, W.D_Y, W.P, device=w1.device, dtype=w1.dtype)
    g1, g2 = torch.empty_like(w1), torch.empty_like(w2)
    h3, dz3 = h.view(e, m, W.P), dz.view(e, m, W.P)
    lam_t = torch.tensor(2.0 * lam, device=w1.device, dtype=w1.dtype)
    lam1, lam2 = lam_t.repeat_interleave(m)[:, None], lam_t[:, None, None]
    state = [(w1, g1, torch.zeros_like(w1), torch.zeros_like(w1), torch.empty_like(w1), lam1),
             (w2, g2, torch.zeros_like(w2), torch.zeros_like(w2), torch.empty_like(w2), lam2)]
    b1, b2, eps = W.ADAM_BETA1, W.ADAM_BETA2, W.ADAM_EPS

    def step(t):
        torch.mm(w1, x_aug, out=z)
        torch.clamp(z, min=0, out=h)
        torch.gt(z, 0, out=mask)
        torch.bmm(w2, h3, out=f)
        f.sub_(y).mul_(2.0)
        torch.bmm(f, h3.transpose(1, 2), out=g2)
        torch.bmm(w2.transpose(1, 2), f, out=dz3)
        dz.mul_(mask)
        torch.mm(dz, x_t, out=g1)
        lr = W.adam_lr(t, total_steps)
        c1 = 1.0 / (1.0 - b1 ** (t + 1))
        c2 = 1.0 / (1.0 - b2 ** (t + 1))
        for w, g, mo, v, tmp, lm in state:
            g.addcmul_(lm, w)                        # + 2 lambda W
            mo.mul_(b1).add_(g, alpha=1.0 - b1)
            v.mul_(b2).addcmul_(g, g, value=1.0 - b2)
            torch.mul(v, c2, out=tmp).sqrt_().add_(eps)
            w.addcdiv_(mo, tmp, value=-lr * c1)

    return step


MAKERS = {"bmm": make_bmm, "bmm-autograd": make_bmm_autograd, "func": make_func}


def set_tf32(device, on):
    """On CUDA, allow (on) or forbid (off) TF32 tensor cores in float32 matmuls."""
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = on
        torch.backends.cudnn.allow_tf32 = on


def torch_info(device):
    info = {"torch": torch.__version__, "threads": torch.get_num_threads(),
            "interop_threads": torch.get_num_interop_threads(), "env": W.thread_env()}
    if device.type == "cuda":
        p = torch.cuda.get_device_properties(device)
        info.update({"gpu": p.name, "gpu_mem_gib": round(p.total_memory / 2**30, 1),
                     "cuda": torch.version.cuda, "capability": "%d.%d" % (p.major, p.minor)})
    return info


def bench(variant, case, members, steps, reps, device, tf32, warmup_steps):
    m = W.CASES[case]["M"]
    set_tf32(device, tf32)
    x_aug, y, w1, w2 = workload_tensors(members, m, device, torch.float32)
    times = []
    if W.is_adam(case):
        # Wlong: each repetition is the whole run from the same start (fresh moments)
        start = (w1.clone(), w2.clone())
        for rep in range(reps + 1):                  # the first is the warm-up
            w1.copy_(start[0])
            w2.copy_(start[1])
            step = make_bmm_adam(x_aug, y, w1, w2, W.member_lambdas(members), steps)
            sync(device)
            t0 = time.perf_counter()
            for t in range(steps if rep > 0 else min(steps, warmup_steps)):
                step(t)
            sync(device)
            if rep > 0:
                times.append(time.perf_counter() - t0)
        variant = "bmm-adam"
    else:
        step = MAKERS[variant](x_aug, y, w1, w2)
        for _ in range(warmup_steps):
            step()
        sync(device)
        for _ in range(reps):
            sync(device)
            t0 = time.perf_counter()
            for _ in range(steps):
                step()
            sync(device)
            times.append(time.perf_counter() - t0)
    with torch.no_grad():
        h = torch.relu(w1.detach().view(members, m, -1) @ x_aug)
        r = y - w2.detach() @ h
        loss = ((r * r).sum((1, 2)) + W.LAMBDA1 * (w1.detach().view(members, m, -1) ** 2).sum((1, 2))
                + W.LAMBDA2 * (w2.detach() ** 2).sum((1, 2))).mean().item()
    res = {"peer": "torch", "variant": variant, "device": str(device), "case": case, "E": members,
           "M": m, "steps": steps, "reps": reps, "warmup_steps": warmup_steps, "dtype": "float32",
           "matmul_precision": ("tf32" if tf32 else "fp32") if device.type == "cuda" else "fp32",
           "flops_per_member_step": W.flops_per_member_step(m)}
    res.update(W.rep_stats(times, members * steps, m))
    res["mean_loss_end"] = round(loss, 4)
    res["info"] = torch_info(device)
    res["machine"] = W.machine_info()
    del step, x_aug, y, w1, w2
    if device.type == "cuda":
        torch.cuda.empty_cache()
    return res


def check(device):
    """Each variant (float64, 3 steps, 5 members) against the per-member numpy reference loop."""
    import numpy as np
    ok = True
    set_tf32(device, False)
    x64, y64 = W.inputs_augmented(np.float64), W.labels(np.float64)
    for m in (16, 64):
        e, steps = 5, 3
        w1s, w2s = W.init_params(e, m, seed=3, dtype=np.float64)
        ref = [(w1s[i], w2s[i]) for i in range(e)]
        for _ in range(steps):
            ref = [W.member_step_reference(a, b, x64, y64) for a, b in ref]
        for variant in VARIANTS:
            if variant == "func" and vmap is None:
                continue
            x_aug, y, w1, w2 = workload_tensors(e, m, device, torch.float64)
            w1.copy_(torch.from_numpy(w1s.reshape(e * m, -1)))
            w2.copy_(torch.from_numpy(w2s))
            step = MAKERS[variant](x_aug, y, w1, w2)
            for _ in range(steps):
                step()
            g1 = w1.detach().cpu().numpy().reshape(e, m, -1)
            g2 = w2.detach().cpu().numpy()
            err = max(float(np.abs(g1[i] - ref[i][0]).max() / np.abs(ref[i][0]).max())
                      for i in range(e))
            err = max(err, max(float(np.abs(g2[i] - ref[i][1]).max() / np.abs(ref[i][1]).max())
                               for i in range(e)))
            good = err < 1e-10
            ok &= good
            print(json.dumps({"check": "torch %s vs per-member numpy loop (float64)" % variant,
                              "device": str(device), "M": m, "E": e, "steps": steps,
                              "max_rel_err": err, "ok": bool(good)}), flush=True)
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    W.add_gpu_peer_arguments(ap, "cuda")
    ap.add_argument("--variant", type=W.str_list, default=list(VARIANTS))
    ap.add_argument("--tf32", type=W.str_list, default=["off", "on"],
                    help="CUDA only: off = true FP32, on = TF32 tensor cores (comma list)")
    ap.add_argument("--threads", type=int, default=None,
                    help="torch CPU threads (default: all cores; some builds default to 1)")
    args = ap.parse_args()

    if torch is None:
        skip("torch not importable: " + _IMPORT_ERROR)
    torch.set_num_threads(args.threads or len(os.sched_getaffinity(0)))
    if args.device == "cuda" and not torch.cuda.is_available():
        skip("torch %s has no usable CUDA device" % torch.__version__)
    for v in args.variant:
        if v not in VARIANTS:
            ap.error("unknown variant %r (choose from %s)" % (v, ", ".join(VARIANTS)))
    device = torch.device(args.device)

    if args.check:
        sys.exit(0 if check(device) else 1)

    gpu = device.type == "cuda"
    W.use_case(args.case)
    members = args.members or W.members_for(args.case, gpu=gpu)
    steps = args.steps or W.steps_default(args.case, gpu)
    if W.is_adam(args.case):
        args.variant = ["bmm"]                       # Wlong: the fastest variant, with Adam
    warmup = args.warmup_steps if args.warmup_steps is not None else (100 if gpu else 20)
    modes = [t == "on" for t in args.tf32] if gpu else [False]
    for variant in args.variant:
        if variant == "func" and vmap is None:
            print(json.dumps({"peer": "torch", "variant": "func", "skipped": True,
                              "reason": "torch %s has neither torch.func nor functorch"
                              % torch.__version__}), flush=True)
            continue
        for tf32 in modes:
            try:
                res = bench(variant, args.case, members, steps, args.reps, device, tf32, warmup)
            except RuntimeError as exc:  # e.g. out of memory for one variant: report, go on
                res = {"peer": "torch", "variant": variant, "device": str(device), "case": args.case,
                       "E": members, "error": str(exc).split("\n")[0]}
                if gpu:
                    torch.cuda.empty_cache()
            print(json.dumps(res), flush=True)


if __name__ == "__main__":
    main()
