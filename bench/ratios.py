#!/usr/bin/env python3
"""Helpers of bench/run.sh.

--jmh FILE --backend B --case C   converts one JMH JSON result (SingleShotTime, s/op for E members x
                                  steps) into a result line like the peers' (member-steps/s, GFLOP/s)
--summarize FILE.jsonl            prints the Markdown table of one harness run: per case and
                                  implementation, member-steps/s and GFLOP/s (best = from the fastest
                                  repetition, median), % of the SGEMM and FMA peaks; native against
                                  java and against the fastest peer (best vs best, median vs median);
                                  the long run against the short run; the README example's
                                  GFLOP/s (lines of bench/study_gflops.py --json) against the FMA
                                  peak: over the training's wall seconds against the whole peak, and
                                  per CPU-second of the training threads against one core's peak
"""
import argparse
import json
import statistics

DY = 3  # WORKLOAD.md
CASES = ["W16", "W64", "W256", "W1024", "Wsmall", "Wlong", "Wlong-short"]


def shape(case):
    """(P, dX) of a WORKLOAD.md case: the small shapes have n = 1 (P = 8) and dX = 8."""
    return (8, 8) if case.startswith("Wsmall") or case.startswith("Wlong") else (64, 64)


def flops_per_member_step(case, m):
    p, dx = shape(case)
    return 4 * p * m * (dx + 1) + 6 * p * m * DY


def from_jmh(path, backend, case):
    result = json.load(open(path))[0]
    params = result["params"]
    members, steps, width = int(params["members"]), int(params["steps"]), int(params["width"])
    seconds = [s for fork in result["primaryMetric"]["rawData"] for s in fork]
    work = members * steps
    flops = flops_per_member_step(case, width)
    best, median = min(seconds), statistics.median(seconds)
    return {
        "backend": backend, "case": case, "E": members, "M": width, "steps": steps,
        "seconds": seconds, "seconds_min": best, "seconds_median": median,
        "member_steps_per_s_best": work / best, "member_steps_per_s_median": work / median,
        "gflops_best": work * flops / best / 1e9, "gflops_median": work * flops / median / 1e9,
        "jvm": result.get("vmName", "") + " " + result.get("jdkVersion", ""),
    }


def label(l):
    """Row name: the backend, or the peer with its variant (and jax's matmul precision)."""
    if l.get("backend"):
        return l["backend"]
    name = l["peer"] + (" " + l["variant"] if l.get("variant") else "")
    if l.get("peer") == "jax" and l.get("matmul_precision") not in (None, "highest"):
        name += " (" + l["matmul_precision"] + ")"
    return name


def summarize(path):
    lines = [json.loads(l) for l in open(path) if l.strip().startswith("{")]
    head = next((l for l in lines if l.get("harness")), {})
    sgemm = max((l for l in lines if l.get("peak") == "sgemm" and "gflops_best" in l),
                key=lambda l: l["gflops_best"], default=None)
    fma = max((l for l in lines if l.get("peak") == "fma" and "gflops_best" in l),
              key=lambda l: l["gflops_best"], default=None)
    rows = {}
    for l in lines:
        if "gflops_best" in l and (l.get("backend") or l.get("peer")) and "case" in l:
            rows.setdefault(l["case"], {})[label(l)] = l
    skipped = [l for l in lines if l.get("skipped") or l.get("error")]
    out = [f"# Benchmark harness run {head.get('date', '?')}", "",
           f"- machine: {head.get('cpu', '?')}, {head.get('cores', '?')} cores, ISA flags: {head.get('isa', '?')}; "
           f"load average at the start {head.get('loadavg', '?')}",
           f"- {head.get('steps')} steps per repetition (Wlong 60,000, Wlong-short 3,000), {head.get('reps')} repetitions "
           "(Wlong 3) plus warm-up; best = fastest repetition, median = median repetition",
           f"- SGEMM peak (numpy, {sgemm['blas'].get('openblas_core', '?')} kernels): "
           f"{sgemm['gflops_best']:.1f} best / {sgemm['gflops_median']:.1f} median GFLOP/s" if sgemm else "- SGEMM peak: missing",
           f"- FMA peak ({fma['isa']}, {fma['threads']} threads, registers only): "
           f"{fma['gflops_best']:.1f} best / {fma['gflops_median']:.1f} median GFLOP/s" if fma else "- FMA peak: missing",
           "- every FMA peak measurement (ISA, when: best GFLOP/s): " + "; ".join(
               f"{l['isa']}, {l.get('when', '?')}: {l['gflops_best']:.1f}" for l in lines
               if l.get("peak") == "fma" and "gflops_best" in l),
           "- FLOPs per member-step: WORKLOAD.md's count 4·P·M·(dX+1) + 6·P·M·dY (17,792·M on W, 6,912 on Wsmall, "
           "27,648 on Wlong)", "",
           "| case | implementation | E | steps | member-steps/s best / median | GFLOP/s best / median | % SGEMM peak | % FMA peak |",
           "|---|---|---|---|---|---|---|---|"]
    pct = lambda r, peak: f"{100 * r['gflops_best'] / peak['gflops_best']:.0f} %" if peak else "-"  # noqa: E731
    for case in CASES:
        for name, r in sorted(rows.get(case, {}).items()):
            out.append(f"| {case} | {name} | {r['E']} | {r['steps']} | {r['member_steps_per_s_best']:,.0f} / "
                       f"{r['member_steps_per_s_median']:,.0f} | {r['gflops_best']:.1f} / {r['gflops_median']:.1f} | "
                       f"{pct(r, sgemm)} | {pct(r, fma)} |")
    out += ["", "| case | native / java (best, median) | fastest peer (by median) | native / fastest peer (best, median) |",
            "|---|---|---|---|"]

    def ratio(a, b):
        return (f"{a['member_steps_per_s_best'] / b['member_steps_per_s_best']:.2f}x, "
                f"{a['member_steps_per_s_median'] / b['member_steps_per_s_median']:.2f}x")

    for case in CASES:
        r = rows.get(case, {})
        if "native" not in r:
            continue
        peers = {k: v for k, v in r.items() if v.get("peer")}
        fastest = max(peers, key=lambda k: peers[k]["member_steps_per_s_median"], default=None)
        out.append(f"| {case} | {ratio(r['native'], r['java']) if 'java' in r else '-'} | {fastest or '-'} | "
                   f"{ratio(r['native'], peers[fastest]) if fastest else '-'} |")
    lng, short = rows.get("Wlong", {}).get("native"), rows.get("Wlong-short", {}).get("native")
    if lng and short:
        out += ["", f"Long run: native member-steps/s over 60,000 Adam steps / over 3,000 steps = "
                    f"{ratio(lng, short)} (best, median)."]
    out += example_lines([l for l in lines if l.get("example") and l.get("gflop")], fma)
    if skipped:
        out += ["", "Skipped or failed:", ""]
        for l in skipped:
            what = l.get("backend") or l.get("peer") or l.get("peers") or l.get("peak") or l.get("script") or "?"
            out.append(f"- {what} {l.get('case', '')}: {l.get('reason') or l.get('skipped') or l.get('error')}")
    return "\n".join(out) + "\n"


def example_lines(runs, fma):
    """The README example's runs: GFLOP/s over the training's wall time against the FMA peak of all cores,
    and GFLOP per CPU-second of the training threads against one core's share of that peak."""
    if not runs:
        return []
    peak = fma["gflops_best"] if fma else None
    core = peak / fma["threads"] if fma and fma.get("threads") else None
    out = ["", f"README example ({runs[0]['example']}, {runs[0]['backend']} backend, {runs[0]['members']} members, "
               f"{runs[0]['member_steps']:,} member-steps, {runs[0]['gflop']:.1f} GFLOP), {len(runs)} runs:", "",
           "| | min | median | max |", "|---|---|---|---|"]

    def row(name, values, fmt="{:.2f}"):
        v = sorted(x for x in values if x is not None)
        if v:
            out.append(f"| {name} | {fmt.format(v[0])} | {fmt.format(statistics.median(v))} | {fmt.format(v[-1])} |")

    row("wall seconds of the command", [r.get("wall_seconds") for r in runs])
    row("seconds of training and analysis (`seconds`)", [r.get("seconds") for r in runs])
    row("wall seconds of training (`train_seconds`)", [r.get("train_seconds") for r in runs])
    row("CPU seconds of the training threads (`train_cpu_seconds`)", [r.get("train_cpu_seconds") for r in runs])
    row("GFLOP/s over the training's wall seconds", [r.get("gflops_train") for r in runs], "{:.1f}")
    if peak:
        row(f"  % of the FMA peak ({peak:.0f} GFLOP/s)",
            [100 * r["gflops_train"] / peak if r.get("gflops_train") else None for r in runs], "{:.1f} %")
    row("GFLOP per CPU-second of the training threads", [r.get("gflop_per_cpu_second") for r in runs], "{:.1f}")
    if core:
        row(f"  % of one core's FMA peak ({core:.1f} GFLOP/s)",
            [100 * r["gflop_per_cpu_second"] / core if r.get("gflop_per_cpu_second") else None for r in runs], "{:.1f} %")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jmh")
    ap.add_argument("--backend")
    ap.add_argument("--case")
    ap.add_argument("--summarize")
    a = ap.parse_args()
    if a.jmh:
        print(json.dumps(from_jmh(a.jmh, a.backend, a.case)))
    elif a.summarize:
        print(summarize(a.summarize), end="")
    else:
        ap.error("give --jmh or --summarize")


if __name__ == "__main__":
    main()
