#!/usr/bin/env python3
"""The machine's measured FP32 matrix-multiply peak: large square SGEMM, GFLOP/s = 2 n^3 / t.

  --device cpu   numpy float32 matmul (numpy's BLAS, all cores by default; `--threads` to change)
  --device cuda  torch.mm on the GPU, float32 operands, twice: allow_tf32 = False (true FP32 on
                 the CUDA cores, the "non-tensor-core" peak) and allow_tf32 = True (TF32 tensor
                 cores); each warmed up, synchronised before starting and before stopping the timer.
                 Skips cleanly (one JSON line, exit 0) when torch or CUDA is absent.

Every size is timed `--reps` times (>= 5) after a warm-up; min and median are reported, the best
(min-time) GFLOP/s being the peak that "% of peak" figures use. One JSON line per size and mode.

Usage:
    python3 bench/peak/sgemm_peak.py [--device cpu|cuda] [--sizes 2048,4096] [--reps 7]
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers"))
import workload as W  # noqa: E402  (machine / BLAS info helpers)

import numpy as np  # noqa: E402


def stats(times, n):
    flop = 2.0 * n ** 3
    t_min, t_med = min(times), float(np.median(times))
    return {"seconds": [round(t, 6) for t in times], "seconds_min": round(t_min, 6),
            "seconds_median": round(t_med, 6), "gflops_best": round(flop / t_min / 1e9, 2),
            "gflops_median": round(flop / t_med / 1e9, 2)}


def cpu_peak(sizes, reps, threads):
    if threads:
        W.blas_threads(threads)
    rng = np.random.default_rng(0)
    for n in sizes:
        a = rng.standard_normal((n, n), dtype=np.float32)
        b = rng.standard_normal((n, n), dtype=np.float32)
        c = np.empty((n, n), np.float32)
        np.matmul(a, b, out=c)                      # warm-up (thread pool start, page faults)
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            np.matmul(a, b, out=c)
            times.append(time.perf_counter() - t0)
        res = {"peak": "sgemm", "library": "numpy", "device": "cpu", "n": n, "reps": reps,
               "dtype": "float32", "loadavg_1m": round(os.getloadavg()[0], 2)}
        res.update(stats(times, n))
        res["blas"] = W.blas_info()
        res["machine"] = W.machine_info()
        print(json.dumps(res), flush=True)


def cuda_peak(sizes, reps):
    try:
        import torch
    except ImportError as exc:
        print(json.dumps({"peak": "sgemm", "library": "torch", "device": "cuda", "skipped": True,
                          "reason": "torch not importable: %s" % exc}), flush=True)
        return
    if not torch.cuda.is_available():
        print(json.dumps({"peak": "sgemm", "library": "torch", "device": "cuda", "skipped": True,
                          "reason": "torch %s has no usable CUDA device" % torch.__version__}),
              flush=True)
        return
    dev = torch.device("cuda")
    props = torch.cuda.get_device_properties(dev)
    for tf32 in (False, True):
        torch.backends.cuda.matmul.allow_tf32 = tf32
        for n in sizes:
            g = torch.Generator(device=dev).manual_seed(0)
            a = torch.randn(n, n, device=dev, generator=g)
            b = torch.randn(n, n, device=dev, generator=g)
            c = torch.empty(n, n, device=dev)
            # enough multiplies per timing that launch overhead and timer resolution vanish
            inner = max(1, int(2e12 // (2 * n ** 3)))
            for _ in range(3):
                torch.mm(a, b, out=c)
            torch.cuda.synchronize()
            times = []
            for _ in range(reps):
                torch.cuda.synchronize()
                t0 = time.perf_counter()
                for _ in range(inner):
                    torch.mm(a, b, out=c)
                torch.cuda.synchronize()
                times.append((time.perf_counter() - t0) / inner)
            res = {"peak": "sgemm", "library": "torch", "device": "cuda", "n": n, "reps": reps,
                   "inner": inner, "dtype": "float32", "matmul_precision": "tf32" if tf32 else "fp32"}
            res.update(stats(times, n))
            res["info"] = {"torch": torch.__version__, "cuda": torch.version.cuda, "gpu": props.name,
                           "capability": "%d.%d" % (props.major, props.minor)}
            print(json.dumps(res), flush=True)
            del a, b, c
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.cuda.empty_cache()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    ap.add_argument("--sizes", default=None, help="comma list (default 2048,4096 cpu; 4096,8192 cuda)")
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--threads", type=int, default=None, help="cpu: OpenBLAS threads (default: all)")
    args = ap.parse_args()
    if args.reps < 5:
        ap.error("--reps must be >= 5")
    default = "2048,4096" if args.device == "cpu" else "4096,8192"
    sizes = [int(s) for s in (args.sizes or default).split(",") if s]
    if args.device == "cpu":
        cpu_peak(sizes, args.reps, args.threads)
    else:
        cuda_peak(sizes, args.reps)


if __name__ == "__main__":
    main()
