#!/usr/bin/env python3
"""GFLOP/s of a finished study's training, in WORKLOAD.md's count.

    python3 bench/study_gflops.py STUDY_DIR [--peak GFLOPS]

Reads STUDY_DIR/summary.json (`train_seconds`: the wall seconds during which the backend trained;
`train_cpu_seconds`: the CPU seconds of the backend's training threads; `seconds`: the chunks' whole
compute time, training plus the analysis of every member, which includes a double-precision
stationarity polish; the task's P, dX, dY) and STUDY_DIR/members.csv (each member's steps and widths)
and prints, per width and in total, the member-steps, the FLOPs they took and GFLOP/s over the
training seconds and over the compute seconds, and GFLOP per CPU-second of the training threads; with
--peak (the FMA peak of bench/peak/fma_peak.c on all cores, as bench/run.sh measures it) also the % of
that peak, and for the CPU seconds the % of one core's peak (--peak / --cores, default: this machine's
cores). Studies written before these fields existed give only the figures they can.

The CPU-second figure is the training code's own efficiency: the wall-clock figures also carry what
shares the cores with it (the JVM's compiler threads and the members' analysis, which run beside the
training).

FLOPs per member-step: WORKLOAD.md's count, only the matrix work a step cannot avoid. For one hidden
layer of width M that is 4·P·M·(dX+1) + 6·P·M·dY; deeper networks add 6·P·fan_in·fan_out for each
further hidden layer (forward, weight gradient, input gradient). Hidden-layer biases beyond the first
and every elementwise operation are not counted, as in WORKLOAD.md.
"""
import argparse
import csv
import json
import os
import sys
from collections import defaultdict


def flops_per_member_step(p, dx, dy, widths):
    dims = [dx] + widths + [dy]
    total = 4 * p * dims[1] * (dims[0] + 1)  # first layer: forward and weight gradient, with its bias
    for fan_in, fan_out in zip(dims[1:-1], dims[2:]):
        total += 6 * p * fan_in * fan_out  # forward, weight gradient, and the error of the layer below
    return total


def fail(msg):
    print(f"study_gflops: {msg}", file=sys.stderr)
    sys.exit(2)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("study", help="a finished study's output directory (members.csv, summary.json)")
    ap.add_argument("--peak", type=float, help="the machine's FP32 FMA peak in GFLOP/s, for the %% of peak")
    ap.add_argument("--cores", type=int, default=os.cpu_count(),
                    help="the cores --peak was measured on (default: this machine's), for one core's peak")
    ap.add_argument("--json", action="store_true",
                    help="print one JSON line (the totals, for bench/run.sh) instead of the tables")
    ap.add_argument("--wall", type=float, help="with --json: the command's wall seconds, recorded beside the rest")
    a = ap.parse_args()
    summary_path, members_path = os.path.join(a.study, "summary.json"), os.path.join(a.study, "members.csv")
    try:
        summary = json.load(open(summary_path))
        task, seconds = summary["task"], float(summary["seconds"])
        train = summary.get("train_seconds")
        train = float(train) if train is not None else None
        cpu = summary.get("train_cpu_seconds")
        cpu = float(cpu) if cpu is not None else None
        p, dx, dy = int(task["P"]), int(task["dX"]), int(task["dY"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        fail(f"{summary_path}: no training seconds or task shape ({e.__class__.__name__}: {e})")
    if seconds <= 0:
        fail(f"{summary_path}: seconds must be > 0")
    per_width = defaultdict(lambda: [0, 0, 0])  # widths -> members, member-steps, FLOPs
    try:
        with open(members_path, newline="") as f:
            for row in csv.DictReader(f):
                widths = [int(w) for w in row["widths"].replace("/", "x").split("x")]
                steps = int(row["steps"])
                acc = per_width["x".join(map(str, widths))]
                acc[0] += 1
                acc[1] += steps
                acc[2] += steps * flops_per_member_step(p, dx, dy, widths)
    except (OSError, ValueError, KeyError) as e:
        fail(f"{members_path}: needs columns widths and steps ({e.__class__.__name__}: {e})")
    if not per_width:
        fail(f"{members_path}: no members")
    total_steps = sum(v[1] for v in per_width.values())
    total_flops = sum(v[2] for v in per_width.values())
    if train is not None and not train > 0:
        train = None  # NaN: a chunk did not record it
    if cpu is not None and not cpu > 0:
        cpu = None  # NaN: the backend does not count it
    if a.json:
        print(json.dumps({
            "example": summary.get("study", os.path.basename(a.study)), "backend": summary.get("backend"),
            "members": sum(v[0] for v in per_width.values()), "member_steps": total_steps, "gflop": total_flops / 1e9,
            "train_seconds": train, "train_cpu_seconds": cpu, "seconds": seconds, "wall_seconds": a.wall,
            "gflops_train": total_flops / train / 1e9 if train else None,
            "gflop_per_cpu_second": total_flops / cpu / 1e9 if cpu else None,
        }))
        return
    print(f"study {summary.get('study', os.path.basename(a.study))}: backend {summary.get('backend')}, "
          f"P = {p}, dX = {dx}, dY = {dy}, "
          + (f"{train:.2f} s of training, " if train is not None else "training seconds not recorded, ")
          + f"{seconds:.2f} s of compute (training and analysis)")
    print("| widths | members | member-steps | GFLOP | share of the FLOPs |")
    print("|---|---|---|---|---|")
    for w in sorted(per_width, key=lambda k: [int(x) for x in k.split("x")]):
        m, s, fl = per_width[w]
        print(f"| {w} | {m} | {s:,} | {fl / 1e9:.1f} | {100 * fl / total_flops:.0f} % |")
    print(f"total: {sum(v[0] for v in per_width.values())} members, {total_steps:,} member-steps, "
          f"{total_flops / 1e9:.1f} GFLOP")
    for label, secs in (("training", train), ("compute (training and analysis)", seconds)):
        if secs is None:
            continue
        gflops = total_flops / secs / 1e9
        line = f"over the {label} seconds, {secs:.2f} s: {gflops:.1f} GFLOP/s"
        if a.peak:
            line += f" = {100 * gflops / a.peak:.1f} % of the {a.peak:.0f} GFLOP/s FMA peak"
        print(line)
    if cpu is not None:
        per_cpu = total_flops / cpu / 1e9
        line = (f"over the training threads' CPU seconds, {cpu:.2f} CPU-s: {per_cpu:.1f} GFLOP per CPU-second")
        if a.peak and a.cores:
            core_peak = a.peak / a.cores
            line += f" = {100 * per_cpu / core_peak:.1f} % of one core's FMA peak ({core_peak:.1f} GFLOP/s)"
        print(line)


if __name__ == "__main__":
    main()
