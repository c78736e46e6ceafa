"""Sweep the self-edit space on held-out cue-rows tasks (tag <r?>) for one checkpoint, over several TTT seeds.
Writes one header line (ICL with <r?> and with the true tag, what <r?> falls back to, tag geometry) and one line per
TTT job {task, rule, aug, lr, epochs, all, seed, reward}.
usage: nice -n 19 python3 sweep.py --model .data/NAME --out logs/sweep-NAME.jsonl [--n 48 --task-seed 4242
       --seeds 0,1,2 --augs none,flip,perm --lrs 1e-3,3e-3,1e-2,3e-2 --epochs 1,3 --losses all]"""
import argparse
import collections
import itertools
import json
import time

import torch
import torch.nn.functional as F

import cr

ap = argparse.ArgumentParser()
ap.add_argument("--model", required=True)
ap.add_argument("--out", required=True)
ap.add_argument("--n", type=int, default=48)
ap.add_argument("--task-seed", type=int, default=4242)
ap.add_argument("--seeds", default="0,1,2")
ap.add_argument("--augs", default="none,flip,perm")
ap.add_argument("--lrs", default="1e-3,3e-3,1e-2,3e-2")
ap.add_argument("--epochs", default="1,3")
ap.add_argument("--losses", default="all")
ap.add_argument("--configs", default="", help="explicit list aug:lr:epochs:loss,… instead of the grid")
ap.add_argument("--slots", type=int, default=48)
ap.add_argument("--unk-row", action="store_true", help="TTT also trains the <r?> row (not the lab's TTT)")
a = ap.parse_args()

model = cr.load_model(a.model)
tasks = cr.heldout_tasks(a.n, a.task_seed)


def fallback(pred, task):
    x = task["test"][0]
    hits = [cr.RULES[r] for r in range(cr.NRULES) if pred == [cr.COL0 + c for c in cr.apply_rule(r, x)]]
    return hits[0] if hits else ("copy" if pred == [cr.COL0 + c for c in x] else "other")


unk = cr.greedy(model, [cr.test_prompt(t) for t in tasks])
tag = cr.greedy(model, [cr.test_prompt(t, cr.TAG0 + t["rule"]) for t in tasks])
E = model.embed.data
tags = E[cr.TAG0 : cr.TAG0 + cr.NRULES]
cos_unk = F.normalize(tags, dim=1) @ F.normalize(E[cr.UNK], dim=0)
head = {"args": vars(a), "icl_unk": sum(cr.answer_ok(p, t) for p, t in zip(unk, tasks)) / len(tasks),
        "icl_true_tag": sum(cr.answer_ok(p, t) for p, t in zip(tag, tasks)) / len(tasks),
        "unk_fallback": dict(collections.Counter(fallback(p, t) for p, t in zip(unk, tasks))),
        "tag_norms": [round(x, 3) for x in tags.norm(dim=1).tolist()], "unk_norm": E[cr.UNK].norm().item(),
        "cos_unk_tags": [round(x, 3) for x in cos_unk.tolist()]}
print(json.dumps(head), flush=True)
jobs = []
fl = lambda s: [float(x) for x in s.split(",")]
il = lambda s: [int(x) for x in s.split(",")]
grid = [tuple(c.split(":")) for c in a.configs.split(",")] if a.configs else list(itertools.product(a.augs.split(","), a.lrs.split(","), a.epochs.split(","), a.losses.split(",")))
for sd, ti, (aug, lr, ep, lo) in itertools.product(il(a.seeds), range(len(tasks)), [(g[0], float(g[1]), int(g[2]), g[3]) for g in grid]):
    jobs.append({"task": ti, "rule": cr.RULES[tasks[ti]["rule"]], "aug": aug, "lr": lr, "epochs": ep, "all": lo == "all", "seed": sd})
t0 = time.time()
rew = []
for sd in il(a.seeds):  # one seed per call: slots of a group share the LoRA-init generator
    sub = [j for j in jobs if j["seed"] == sd]
    rew += cr.run_ttt(model, tasks, sub, slots=a.slots, unk_row=a.unk_row,
                      log=lambda d, n: print(f"  seed {sd}: {d}/{n} jobs, {time.time() - t0:.0f} s", flush=True) if d % (a.slots * 20) == 0 else None)
head["seconds"] = round(time.time() - t0, 1)
with open(a.out, "w") as f:
    f.write(json.dumps(head) + "\n")
    for j, r in zip(jobs, rew):
        f.write(json.dumps({**j, "reward": r}) + "\n")
by = collections.defaultdict(list)
for j, r in zip(jobs, rew):
    by[j["seed"]].append((j, r))
for sd, v in by.items():
    best = collections.defaultdict(int)
    for j, r in v:
        best[j["task"]] = max(best[j["task"]], r)
    print(f"seed {sd}: oracle {sum(best.values())}/{len(best)}, mean {sum(r for _, r in v) / len(v):.3f}")
print(f"{len(jobs)} jobs in {head['seconds']} s")
