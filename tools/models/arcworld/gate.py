"""The decision gate of issue 11 on one checkpoint (tools/models/arcworld/README.md), with the existing TTT code (ttt.py):
  icl     in-distribution ICL (pretraining families, readable colours) and held-out ICL (cipher families)
  policy  self-edits of an untrained generator: draws from the distribution the self-edit demonstrations teach
          (export.ts randomSelfEdit: four flags, strategy, lr from DEFAULT_LRS, 1–3 epochs, all uniform); over the
          step cap = rejected = reward 0, as in the lab
  noise   rewards of fixed self-edits over several TTT seeds (LoRA init + example order) and data seeds
  summary the gate table from the logs above and sweep.py outputs
Every part appends JSON lines to --out (one record per job, then a summary record).
usage: gate.py icl|policy|noise --model DIR --out FILE [--n 32 --k 6 --seeds 0,1,2,3,4 --configs JSON]
       gate.py summary --icl FILE --policy FILE --noise FILE --sweeps FILE,FILE… [--out FILE]"""
import argparse
import collections
import json
import os
import random
import statistics
import time

import torch

import aw
import ttt
from sweep import views_of

torch.set_num_threads(int(os.environ.get("AW_THREADS", 1)))
LRS = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1]  # export.ts DEFAULT_LRS


def write(f, rec):
    f.write(json.dumps(rec) + "\n")
    f.flush()


def part_icl(a, ev, model, f):
    lab = ttt.Lab(views=views_of(a.views))
    for name, n in (("pretrain", 60), ("heldout", 64), ("restem", 64)):
        tasks = ev[name][:n]
        res = ttt.icl(model, tasks, lab.views)
        by_fam = collections.defaultdict(list)
        for t, r in zip(tasks, res):
            by_fam[t["family"]].append(int(r[0]))
        rec = {"part": "icl", "set": name, "n": len(tasks), "voted": sum(r[0] for r in res) / len(tasks),
               "identityView": sum(r[1] for r in res) / len(tasks), "byFamily": {k: f"{sum(v)}/{len(v)}" for k, v in by_fam.items()}}
        write(f, rec)
        print(json.dumps(rec), flush=True)


def part_policy(a, ev, model, f):
    tasks = ev["heldout"][a.skip : a.skip + a.n]
    by_id = {t["id"]: t for t in tasks}
    lab = ttt.Lab(max_examples=a.max_examples, step_cap=a.step_cap, views=views_of(a.views))
    rng = random.Random(a.seed)
    jobs = []
    for i, t in enumerate(tasks):
        for j in range(a.k):
            jobs.append({"task": t["id"], "family": t["family"], "combo": rng.randrange(16), "all_tokens": rng.random() < 0.5,
                         "lr": rng.choice(LRS), "epochs": rng.randint(1, 3), "dseed": (i + j) % 3, "seed": a.seed * 100_003 + 7919 * i + j})
    t0 = time.time()
    res = ttt.run_jobs(model, by_id, jobs, lab, log_every=5)
    for r in res:
        write(f, {"part": "policy", **r})
    per = collections.defaultdict(int)
    for r in res:
        per[r["task"]] += r["reward"]
    rec = {"part": "policy-summary", "tasks": len(tasks), "k": a.k, "rate": sum(r["reward"] for r in res) / len(res),
           "rejected": sum(r["rejected"] for r in res) / len(res), "tasksWithAny": sum(v > 0 for v in per.values()),
           "perTask": dict(per), "seconds": round(time.time() - t0, 1), "lab": lab.as_dict()}
    write(f, rec)
    print(json.dumps({k: v for k, v in rec.items() if k != "perTask"}), flush=True)


def part_noise(a, ev, model, f):
    tasks = ev["heldout"][a.skip : a.skip + a.n]
    by_id = {t["id"]: t for t in tasks}
    lab = ttt.Lab(max_examples=a.max_examples, step_cap=a.step_cap, views=views_of(a.views))
    seeds = [int(s) for s in a.seeds.split(",")]
    jobs = []
    for ci, cfg in enumerate(json.loads(a.configs)):
        for i, t in enumerate(tasks):
            for s in seeds:
                ds = s % 3 if a.vary_data else 0
                jobs.append({"task": t["id"], "family": t["family"], **cfg, "dseed": ds, "seed": 1000 * s + 17 * i + ci, "cfg": ci})
    t0 = time.time()
    # one seed per run_jobs call: slots of one group share the LoRA-init generator seeded from the group's first job
    res = []
    for s in seeds:
        sub = [j for j in jobs if j["seed"] // 1000 == s]
        res += ttt.run_jobs(model, by_id, sub, lab, log_every=5)
    for r in res:
        write(f, {"part": "noise", **r})
    cells = collections.defaultdict(list)
    for r in res:
        cells[(r["cfg"], r["task"])].append(r["reward"])
    sds = [statistics.pstdev(v) for v in cells.values()]
    mixed = sum(0 < sum(v) < len(v) for v in cells.values())
    rec = {"part": "noise-summary", "configs": json.loads(a.configs), "seeds": seeds, "varyData": a.vary_data, "cells": len(cells),
           "meanReward": sum(r["reward"] for r in res) / len(res), "cellsMixed": mixed, "cellsAlways": sum(sum(v) == len(v) for v in cells.values()),
           "cellsNever": sum(sum(v) == 0 for v in cells.values()), "meanSd": statistics.mean(sds), "seconds": round(time.time() - t0, 1)}
    write(f, rec)
    print(json.dumps(rec), flush=True)


def read(path):
    return [json.loads(x) for x in open(path)] if path and os.path.exists(path) else []


def part_summary(a):
    out = {}
    for r in read(a.icl):
        out[f"icl.{r['set']}"] = {"voted": r["voted"], "identityView": r["identityView"], "n": r["n"]}
    best = collections.defaultdict(int)
    cfg_rate = collections.defaultdict(list)
    n_jobs = 0
    for path in a.sweeps.split(","):
        rows = read(path)
        for r in rows[1:]:
            n_jobs += 1
            best[r["task"]] = max(best[r["task"]], r["reward"])
            cfg_rate[(r["combo"], r["lr"], r["epochs"], r["all_tokens"])].append(r["reward"])
    if best:
        top = max(cfg_rate, key=lambda k: sum(cfg_rate[k]) / len(cfg_rate[k]))
        out["sweep"] = {"tasks": len(best), "jobs": n_jobs, "bestPerTask": sum(best.values()) / len(best),
                        "solvable": sorted(t for t, b in best.items() if b), "configs": len(cfg_rate),
                        "meanOverConfigs": sum(sum(v) for v in cfg_rate.values()) / sum(len(v) for v in cfg_rate.values()),
                        "bestSingleConfig": {"combo_lr_epochs_all": list(top), "rate": sum(cfg_rate[top]) / len(cfg_rate[top])}}
    pol = [r for r in read(a.policy) if r["part"] == "policy"]
    if pol:
        per = collections.defaultdict(list)
        for r in pol:
            per[r["task"]].append(r["reward"])
        rates = [sum(v) / len(v) for v in per.values()]
        out["policy"] = {"draws": len(pol), "tasks": len(per), "rate": sum(r["reward"] for r in pol) / len(pol),
                         "rejected": sum(r["rejected"] for r in pol) / len(pol), "tasksWithAny": sum(x > 0 for x in rates),
                         "perTaskRateSd": statistics.pstdev(rates), "perTaskRates": sorted(rates)}
        if best:
            sol = [t for t in per if best.get(t)]
            if sol:
                out["policy"]["rateOnSolvable"] = sum(sum(per[t]) for t in sol) / sum(len(per[t]) for t in sol)
                out["policy"]["solvableTasks"] = len(sol)
    noise = [r for r in read(a.noise) if r["part"] == "noise-summary"]
    if noise:
        out["noise"] = noise[-1]
    print(json.dumps(out, indent=1))
    if a.out:
        with open(a.out, "a") as f:
            write(f, {"part": "summary", **out})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("part", choices=["icl", "policy", "noise", "summary"])
    ap.add_argument("--model")
    ap.add_argument("--out")
    ap.add_argument("--n", type=int, default=32)
    ap.add_argument("--skip", type=int, default=0)
    ap.add_argument("--k", type=int, default=6)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--seeds", default="0,1,2,3,4")
    ap.add_argument("--vary-data", action="store_true", help="noise: data seed = seed mod 3 (else data seed 0)")
    ap.add_argument("--configs", default='[{"combo": 0, "lr": 0.01, "epochs": 2, "all_tokens": false}]')
    ap.add_argument("--max-examples", type=int, default=8)
    ap.add_argument("--step-cap", type=int, default=8)
    ap.add_argument("--views", default="loo")
    ap.add_argument("--icl")
    ap.add_argument("--policy")
    ap.add_argument("--noise")
    ap.add_argument("--sweeps", default="")
    a = ap.parse_args()
    if a.part == "summary":
        return part_summary(a)
    ev = json.load(open(os.path.join(aw.DATA, "eval.json")))
    model = aw.load_model(a.model)
    with open(a.out, "a") as f:
        {"icl": part_icl, "policy": part_policy, "noise": part_noise}[a.part](a, ev, model, f)


if __name__ == "__main__":
    main()
