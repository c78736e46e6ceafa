"""Issue 25 tables: mean ± sd over seeds of every row, per settings variant, from feasibility logs.

Run: python3 tools/models/knowledge/robust_summary.py logs/feasibility-v4-i25-*.json   (no torch needed)
sd = sample sd (n − 1) over seeds. Rows: base, passage, own (before ReST-EM), perfect (template-perfect notes), SEAL r1, r2 (own notes after each
round); r2 − own per seed and the number of seeds with r2 > own; rollouts (inner loops) and PyTorch seconds per seed.
"""
import json
import statistics
import sys

from summarize import variant_label


def ms(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return "–"
    m = statistics.mean(xs) * 100
    return f"{m:.1f} ± {statistics.stdev(xs) * 100:.1f}" if len(xs) > 1 else f"{m:.1f}"


def main(paths):
    print("| file | variant | seeds | base | passage | own | perfect | SEAL r1 | SEAL r2 | last round − own, per seed | last > own | r2 > r1 | kept r1/r2 | perfect after r1/r2 | rollouts | s / seed |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for p in paths:
        d = json.load(open(p))
        groups = {}
        for r in d["runs"]:
            groups.setdefault(json.dumps(r.get("variant") or {}, sort_keys=True), []).append(r)
        for v, runs in groups.items():
            get = lambda r, k: (r.get(k) or {}).get("acc")
            rnd = lambda r, i: r["rounds"][i]["own"]["acc"] if len(r.get("rounds", [])) > i else None
            diffs = [(rnd(r, len(r["rounds"]) - 1) - get(r, "own")) for r in runs if r.get("rounds") and get(r, "own") is not None]
            up = [rnd(r, 1) > rnd(r, 0) for r in runs if rnd(r, 1) is not None]
            upc = f"{sum(up)} of {len(up)}" if up else "–"
            pr = " · ".join("/".join(f"{100 * x['perfect']['acc']:.1f}" for x in r.get("rounds", []) if "perfect" in x) or "–" for r in runs)
            kept = " · ".join("/".join(str(x["kept"]) for x in r.get("rounds", [])) for r in runs)
            print(f"| {p.split('/')[-1]} | {variant_label(json.loads(v))} | {','.join(str(r['seed']) for r in runs)} | "
                  f"{ms([get(r, 'base') for r in runs])} | {ms([get(r, 'passage') for r in runs])} | {ms([get(r, 'own') for r in runs])} | "
                  f"{ms([get(r, 'perfect') for r in runs])} | {ms([rnd(r, 0) for r in runs])} | {ms([rnd(r, 1) for r in runs])} | "
                  f"{' / '.join(f'{100 * x:+.1f}' for x in diffs)} | {sum(x > 0 for x in diffs)} of {len(diffs)} | {upc} | {kept} | {pr} | "
                  f"{' / '.join(str(r.get('rollouts', '–')) for r in runs)} | {statistics.mean(r['seconds'] for r in runs):.0f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
