"""Markdown tables from the kept logs (so every number in tools/models/knowledge/README.md comes from a log).

Run: python3 tools/models/knowledge/summarize.py [logs/feasibility-*.json ...] [--lab logs/lab-*.json ...]
No torch needed. Feasibility files: one row per (variant, seed); lab files: the CLI's --out JSON.
"""
import json
import statistics
import sys


def pct(x):
    return "–" if x is None else f"{100 * x:.1f}"


def variant_label(v):
    if not v:
        return "defaults"
    parts = []
    for k, val in v.items():
        if isinstance(val, dict):
            parts.append(f"{k} " + " ".join(f"{a}={b}" for a, b in val.items()))
        else:
            parts.append(f"{k}={val}")
    return "; ".join(parts)


def feasibility_rows(path):
    d = json.load(open(path))
    out = []
    for r in d["runs"]:
        rounds = r.get("rounds", [])
        row = {
            "file": path.split("/")[-1], "variant": variant_label(r.get("variant")), "seed": r["seed"],
            "base": r.get("base", {}).get("acc"), "passage": r.get("passage", {}).get("acc"), "own": r.get("own", {}).get("acc"),
            "bestOfK": r.get("own", {}).get("bestOfK"), "perfect": r.get("perfect", {}).get("acc"),
            "rounds": [x["own"]["acc"] for x in rounds], "coverage": [r.get("own", {}).get("coverage")] + [x["own"]["coverage"] for x in rounds],
            "noise": [x["rewardNoise"] for x in rounds], "eStep": [x["eStepMean"] for x in rounds], "seconds": r.get("seconds"),
        }
        out.append(row)
    return out


def print_feasibility(paths):
    print("| log | setting | seed | base | passage | own | best of k | perfect | ReST-EM r1 | r2 | note coverage (own→r1→r2) | PyTorch s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for p in paths:
        for r in feasibility_rows(p):
            rr = r["rounds"] + [None] * (2 - len(r["rounds"]))
            cov = "→".join("–" if c is None else f"{c:.2f}" for c in r["coverage"])
            print(f"| {r['file']} | {r['variant']} | {r['seed']} | {pct(r['base'])} | {pct(r['passage'])} | {pct(r['own'])} | {pct(r['bestOfK'])} | "
                  f"{pct(r['perfect'])} | {pct(rr[0])} | {pct(rr[1])} | {cov} | {r['seconds']} |")


def print_noise(paths):
    print("| log | setting | seed | round | E-step mean reward | sd between the 5 self-edits of a passage | sd of one self-edit over TTT seeds |")
    print("|---|---|---|---|---|---|---|")
    for p in paths:
        for r in feasibility_rows(p):
            for i, (n, e) in enumerate(zip(r["noise"], r["eStep"])):
                print(f"| {r['file']} | {r['variant']} | {r['seed']} | {i + 1} | {pct(e)} | {pct(n['betweenEdits'])} | {pct(n['acrossSeeds'])} |")


def print_lab(paths):
    print("| lab run | seed | base | passage | own | reference | SEAL r1 | wall s | rollouts | median s per rollout |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for p in paths:
        d = json.load(open(p))
        m = {(x["method"], x["round"]): x["successRate"] for x in d["methods"]}
        secs = [r["seconds"] for r in d["rollouts"] if r["method"] != "base"]
        print(f"| {p.split('/')[-1]} | {d['config']['seed']} | {pct(m.get(('base', 0)))} | {pct(m.get(('passage', 0)))} | {pct(m.get(('own', 0)))} | "
              f"{pct(m.get(('reference', 0)))} | {pct(m.get(('seal', 1)))} | {d['seconds']:.0f} | {len(d['rollouts'])} | {statistics.median(secs):.1f} |")


def main():
    args = sys.argv[1:]
    lab = args[args.index("--lab") + 1:] if "--lab" in args else []
    feas = args[: args.index("--lab")] if "--lab" in args else args
    if feas:
        print_feasibility(feas)
        print()
        print_noise(feas)
        print()
    if lab:
        print_lab(lab)


if __name__ == "__main__":
    main()
