"""Sweep TTT configurations over evaluation tasks (tools/models/arcworld/README.md).
usage: sweep.py --model DIR --set heldout --n 32 --combos 0,1,2,4,8,15 --lrs 1e-3,3e-3,1e-2 --epochs 1,2
                --strategies out,all --dseeds 0 --seeds 0 [--max-examples 8 --step-cap 8 --views none|loo|all] --out FILE"""
import argparse
import collections
import itertools
import json
import os
import time

import torch

import aw
import ttt

torch.set_num_threads(int(os.environ.get("AW_THREADS", 1)))


def views_of(name):
    return {"id": (False, 0, False), "loo": (False, 0, True), "all": (True, 2, True), "geo": (True, 0, True), "col": (False, 2, True)}[name]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--set", default="heldout")
    ap.add_argument("--n", type=int, default=32)
    ap.add_argument("--skip", type=int, default=0)
    ap.add_argument("--combos", default="0,1,2,4,8,15")
    ap.add_argument("--lrs", default="1e-3,3e-3,1e-2,3e-2")
    ap.add_argument("--epochs", default="1,2")
    ap.add_argument("--strategies", default="out")
    ap.add_argument("--dseeds", default="0")
    ap.add_argument("--seeds", default="0")
    ap.add_argument("--max-examples", type=int, default=8)
    ap.add_argument("--step-cap", type=int, default=8)
    ap.add_argument("--rank", type=int, default=8)
    ap.add_argument("--alpha", type=float, default=16)
    ap.add_argument("--views", default="loo")
    ap.add_argument("--slots", type=int, default=32)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    ev = json.load(open(os.path.join(aw.DATA, "eval.json")))
    tasks = ev[a.set][a.skip : a.skip + a.n]
    by_id = {t["id"]: t for t in tasks}
    model = aw.load_model(a.model)
    lab = ttt.Lab(rank=a.rank, alpha=a.alpha, max_examples=a.max_examples, step_cap=a.step_cap, views=views_of(a.views), slots=a.slots)
    fl = lambda s: [float(x) for x in s.split(",")]
    il = lambda s: [int(x) for x in s.split(",")]
    jobs = []
    for t, c, lr, ep, st, ds, sd in itertools.product(tasks, il(a.combos), fl(a.lrs), il(a.epochs), a.strategies.split(","), il(a.dseeds), il(a.seeds)):
        jobs.append({"task": t["id"], "family": t["family"], "combo": c, "lr": lr, "epochs": ep, "all_tokens": st == "all", "dseed": ds, "seed": sd})
    t0 = time.time()
    icl = ttt.icl(model, tasks, lab.views)
    res = ttt.run_jobs(model, by_id, jobs, lab, log_every=10)
    secs = time.time() - t0
    with open(a.out, "w") as f:
        f.write(json.dumps({"args": vars(a), "lab": lab.as_dict(), "icl": {t["id"]: bool(r[0]) for t, r in zip(tasks, icl)}, "seconds": secs}) + "\n")
        for r in res:
            f.write(json.dumps(r) + "\n")
    summarize(res, icl, tasks)
    print(f"{len(jobs)} jobs in {secs:.0f} s")


def summarize(res, icl, tasks):
    print(f"ICL (voted): {sum(r[0] for r in icl)}/{len(icl)}  identity view: {sum(r[1] for r in icl)}/{len(icl)}")
    by_cfg = collections.defaultdict(list)
    for r in res:
        by_cfg[(r["combo"], r["lr"], r["epochs"], r["all_tokens"])].append(r["reward"])
    print("config (combo lr epochs all) → rate")
    for k in sorted(by_cfg, key=lambda k: -sum(by_cfg[k]) / len(by_cfg[k]))[:25]:
        v = by_cfg[k]
        print(f"  {k}: {sum(v)}/{len(v)}")
    # per-factor marginals
    for name, key in (("combo", "combo"), ("lr", "lr"), ("epochs", "epochs"), ("all_tokens", "all_tokens")):
        m = collections.defaultdict(list)
        for r in res:
            m[r[key]].append(r["reward"])
        print(f"  by {name}: " + ", ".join(f"{k}: {sum(v) / len(v):.2f}" for k, v in sorted(m.items())))
    best = collections.defaultdict(int)
    fam = {}
    for r in res:
        best[r["task"]] = max(best[r["task"]], r["reward"])
        fam[r["task"]] = r["family"]
    print(f"oracle (best config per task): {sum(best.values())}/{len(best)}; mean over configs: {sum(r['reward'] for r in res) / len(res):.3f}")
    byf = collections.defaultdict(list)
    for t, b in best.items():
        byf[fam[t]].append(b)
    print("  best per family: " + ", ".join(f"{k}: {sum(v)}/{len(v)}" for k, v in sorted(byf.items())))


if __name__ == "__main__":
    main()
