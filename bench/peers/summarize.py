#!/usr/bin/env python3
"""Turn the JSON lines of run_all.sh (peak + peers) into one Markdown report.

% of peak: a CPU result against the best CPU SGEMM GFLOP/s of the same file, a CUDA/GPU result
against the best FP32 (TF32 off) CUDA SGEMM of the same file; best uses the min time of the
peer, median its median time, both against the peak's best.

Usage: python3 bench/peers/summarize.py RESULTS.jsonl > RESULTS.md
"""

import json
import sys


def load(path):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    pass
    return rows


def pct(x, peak):
    return "%.1f %%" % (100.0 * x / peak) if peak and x is not None else "–"


def fmt(x, digits=1):
    return "–" if x is None else "{:,.{d}f}".format(x, d=digits)


def main():
    rows = load(sys.argv[1])
    peaks = [r for r in rows if r.get("peak") == "sgemm" and not r.get("skipped") and "gflops_best" in r]
    cpu_peak = max((r["gflops_best"] for r in peaks if r["device"] == "cpu"), default=None)
    gpu_fp32 = max((r["gflops_best"] for r in peaks
                    if r["device"] == "cuda" and r.get("matmul_precision") == "fp32"), default=None)

    out = ["# Peers and SGEMM peak on workload W", ""]
    machine = next((r.get("machine") for r in rows if r.get("machine")), None)
    if machine:
        out.append("- machine: %s, %s logical CPUs" % (machine.get("cpu_model"), machine.get("logical_cpus")))
    gpu = next((r["info"].get("gpu") for r in rows if isinstance(r.get("info"), dict) and r["info"].get("gpu")), None)
    if gpu:
        out.append("- GPU: %s" % gpu)
    out += ["", "## SGEMM peak", "",
            "| library | device | precision | n | GFLOP/s best | GFLOP/s median |",
            "|---|---|---|---|---|---|"]
    for r in peaks:
        out.append("| %s | %s | %s | %d | %s | %s |" % (r["library"], r["device"],
                   r.get("matmul_precision", "fp32"), r["n"], fmt(r["gflops_best"]), fmt(r["gflops_median"])))
    out += ["", "Peak used for %% of peak: CPU %s GFLOP/s, GPU FP32 %s GFLOP/s." % (fmt(cpu_peak), fmt(gpu_fp32)),
            "", "## Peers", "",
            "| peer | variant | device | precision | case | E | M | steps | member-steps/s best | median "
            "| GFLOP/s best | median | % of FP32 peak best | median |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if r.get("peer") is None or r.get("skipped") or "gflops_best" not in r:
            continue
        dev = r.get("device", "cpu")
        on_gpu = dev.startswith("cuda") or r.get("platform") == "gpu"
        peak = gpu_fp32 if on_gpu else cpu_peak
        variant = r.get("variant", "")
        if r.get("peer") == "numpy":
            variant += " (chunk %s, workers %s)" % (r.get("chunk"), r.get("workers"))
        out.append("| %s | %s | %s | %s | %s | %d | %d | %d | %s | %s | %s | %s | %s | %s |" % (
            r["peer"], variant, dev, r.get("matmul_precision", "fp32"), r["case"], r["E"], r["M"],
            r["steps"], fmt(r["member_steps_per_s_best"], 0), fmt(r["member_steps_per_s_median"], 0),
            fmt(r["gflops_best"]), fmt(r["gflops_median"]), pct(r["gflops_best"], peak),
            pct(r["gflops_median"], peak)))
    skipped = [r for r in rows if r.get("skipped") or r.get("error")]
    if skipped:
        out += ["", "## Skipped or failed", ""]
        seen = set()
        for r in skipped:
            what = " ".join(str(r[k]) for k in ("peer", "script", "library", "device", "variant", "case")
                            if r.get(k))
            line = "- %s: %s" % (what or "?", r.get("reason") or r.get("error"))
            if line not in seen:                    # a missing framework skips every case alike
                seen.add(line)
                out.append(line)
    checks = [r for r in rows if "check" in r]
    if checks:
        bad = [r for r in checks if not r.get("ok")]
        out += ["", "## Correctness checks", "",
                "%d checks, %d failed." % (len(checks), len(bad))]
        for r in bad:
            out.append("- FAILED: %s" % json.dumps(r))
    print("\n".join(out))


if __name__ == "__main__":
    main()
