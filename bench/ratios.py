#!/usr/bin/env python3
"""Helpers of bench/run.sh.

--jmh FILE --backend B --case C   converts one JMH JSON result (SingleShotTime, s/op for E members x
                                  steps) into a result line like the peers' (member-steps/s, GFLOP/s)
--summarize FILE.jsonl            prints the Markdown table of one harness run: per case and
                                  implementation, member-steps/s and GFLOP/s (best = from the fastest
                                  repetition, median), % of the SGEMM and FMA peaks, and the ratios
                                  native/java and native/numpy (best vs best, median vs median)
"""
import argparse
import json
import statistics

P, DX, DY = 64, 64, 3  # WORKLOAD.md


def flops_per_member_step(m):
    return 4 * P * m * (DX + 1) + 6 * P * m * DY


def from_jmh(path, backend, case):
    result = json.load(open(path))[0]
    params = result["params"]
    members, steps, width = int(params["members"]), int(params["steps"]), int(params["width"])
    seconds = [s for fork in result["primaryMetric"]["rawData"] for s in fork]
    work = members * steps
    flops = flops_per_member_step(width)
    best, median = min(seconds), statistics.median(seconds)
    return {
        "backend": backend, "case": case, "E": members, "M": width, "steps": steps,
        "seconds": seconds, "seconds_min": best, "seconds_median": median,
        "member_steps_per_s_best": work / best, "member_steps_per_s_median": work / median,
        "gflops_best": work * flops / best / 1e9, "gflops_median": work * flops / median / 1e9,
        "jvm": result.get("vmName", "") + " " + result.get("jdkVersion", ""),
    }


def summarize(path):
    lines = [json.loads(l) for l in open(path) if l.strip().startswith("{")]
    head = next((l for l in lines if l.get("harness")), {})
    sgemm = max((l for l in lines if l.get("peak") == "sgemm" and "gflops_best" in l),
                key=lambda l: l["gflops_best"], default=None)
    fma = max((l for l in lines if l.get("peak") == "fma" and "gflops_best" in l),
              key=lambda l: l["gflops_best"], default=None)
    rows = {}
    for l in lines:
        name = l.get("backend") or (l.get("peer") if "gflops_best" in l else None)
        if name and "gflops_best" in l:
            rows.setdefault(l["case"], {})[name] = l
    out = [f"# Benchmark harness run {head.get('date', '?')}", "",
           f"- machine: {head.get('cpu', '?')}, {head.get('cores', '?')} cores; {head.get('steps')} steps per repetition, "
           f"{head.get('reps')} repetitions (plus warm-up); best = fastest repetition, median = median repetition",
           f"- SGEMM peak (numpy, {sgemm['blas'].get('openblas_core', '?')} kernels): "
           f"{sgemm['gflops_best']:.1f} best / {sgemm['gflops_median']:.1f} median GFLOP/s" if sgemm else "- SGEMM peak: missing",
           f"- FMA peak ({fma['isa']}, {fma['threads']} threads, registers only): "
           f"{fma['gflops_best']:.1f} best / {fma['gflops_median']:.1f} median GFLOP/s" if fma else "- FMA peak: missing",
           "- FLOPs per member-step: WORKLOAD.md's count, 17,792·M", "",
           "| case | implementation | E | member-steps/s best / median | GFLOP/s best / median | % SGEMM peak | % FMA peak |",
           "|---|---|---|---|---|---|---|"]
    for case in ["W16", "W64", "W256", "W1024"]:
        for name, r in sorted(rows.get(case, {}).items()):
            pct = lambda peak: f"{100 * r['gflops_best'] / peak['gflops_best']:.0f} %" if peak else "-"
            out.append(f"| {case} | {name} | {r['E']} | {r['member_steps_per_s_best']:,.0f} / "
                       f"{r['member_steps_per_s_median']:,.0f} | {r['gflops_best']:.1f} / {r['gflops_median']:.1f} | "
                       f"{pct(sgemm)} | {pct(fma)} |")
    out += ["", "| case | native / java (best, median) | native / numpy (best, median) |", "|---|---|---|"]
    for case in ["W16", "W64", "W256", "W1024"]:
        r = rows.get(case, {})
        def ratio(a, b):
            if a not in r or b not in r:
                return "-"
            return (f"{r[a]['member_steps_per_s_best'] / r[b]['member_steps_per_s_best']:.2f}x, "
                    f"{r[a]['member_steps_per_s_median'] / r[b]['member_steps_per_s_median']:.2f}x")
        if r:
            out.append(f"| {case} | {ratio('native', 'java')} | {ratio('native', 'numpy')} |")
    return "\n".join(out) + "\n"


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
