"""The paper's Table 1 on the cue-rows world with the model itself as the self-edit writer (writer.py), no stand-ins:
ICL (greedy with <r?>, no TTT) · no-RL (the pretrained writer's self-edits, applied by TTT) · SEAL after each ReST-EM
round (E-step: k self-edits per training task, each applied by TTT with one seed, reward 1 kept; M-step: writer.sft
merged into the model) · Oracle (best of the 20 configurations per task, per TTT seed). Held-out methods: `--samples`
self-edits per task, each scored as the mean over the TTT seeds; a self-edit that does not parse scores 0.
TTT = cr.run_ttt, "+ row" (LoRA and the <r?> row). Training tasks (--train-seed) are not the held-out ones.
usage: nice -n 19 python3 table1.py --model .data/NAME --out logs/table1-NAME.json [--rounds 2 --k 6 --samples 5]"""
import argparse
import collections
import copy
import json
import random
import statistics
import time

import torch

import cr
import writer

ap = argparse.ArgumentParser()
ap.add_argument("--model", required=True)
ap.add_argument("--out", required=True)
ap.add_argument("--n", type=int, default=48)
ap.add_argument("--task-seed", type=int, default=4242)
ap.add_argument("--train-seed", type=int, default=9090)
ap.add_argument("--ttt-seeds", default="0,1,2")
ap.add_argument("--rounds", type=int, default=2)
ap.add_argument("--k", type=int, default=6, help="self-edits per training task per round")
ap.add_argument("--estep-seeds", type=int, default=1, help="TTT seeds per E-step draw; kept when it solves its task on every one")
ap.add_argument("--select", choices=["all", "over-mean", "above-mean"], default="all",
                help="all: every draw solved on every E-step seed; over-mean: per task the best draw (the earliest of equals) when its "
                     "mean reward is above the mean of the task's k draws (unparsed ones 0), as Track B's overMean; above-mean: every "
                     "draw whose reward is above its task's mean (a baseline: tasks every draw solves teach nothing)")
ap.add_argument("--samples", type=int, default=5, help="self-edits per held-out task")
ap.add_argument("--temperature", type=float, default=0.8, help="as the lab samples self-edits")
ap.add_argument("--attempts", type=int, default=1, help="draws per self-edit until one parses (the lab: selfEditSampling.maxAttempts)")
ap.add_argument("--sft-lr", type=float, default=1e-3)
ap.add_argument("--sft-epochs", type=int, default=3)
ap.add_argument("--sft-targets", default="q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj")
ap.add_argument("--seed", type=int, default=0, help="sampling seed")
ap.add_argument("--oracle", action="store_true", help="also sweep the 20 configurations (oracle, uniform)")
ap.add_argument("--separate-writer", action="store_true", help="M-steps change a copy that only writes; TTT adapts the untouched model")
a = ap.parse_args()

model = cr.load_model(a.model)  # what TTT adapts
writer.FEATURES = writer.uses_features(model)
writer_model = copy.deepcopy(model) if a.separate_writer else model  # what writes self-edits and the M-step trains
held = cr.heldout_tasks(a.n, a.task_seed)
train = cr.heldout_tasks(a.n, a.train_seed)
ttt_seeds = [int(x) for x in a.ttt_seeds.split(",")]
gen = torch.Generator().manual_seed(a.seed)
t0 = time.time()
report = {"args": vars(a)}


def log(msg):
    print(f"[{time.time() - t0:6.0f} s] {msg}", flush=True)


def run(tasks, items, seeds):
    return writer.rewards(model, tasks, items, seeds)


def describe(samples):
    """Parse rate and the distribution of written configurations (augmentation, learning rate)."""
    cfgs = [c for per in samples for _, c, _ in per if c]
    n = sum(len(per) for per in samples)
    return {"parsed": len(cfgs) / n, "aug": dict(collections.Counter(c[0] for c in cfgs)),
            "lr": {str(k): v for k, v in collections.Counter(c[1] for c in cfgs).items()},
            "distinct": len(set(cfgs))}


PROBE = ("none", 1e-2)  # one fixed configuration: does the M-step (merged into the model TTT adapts) hurt TTT itself?


def evaluate(label):
    probe = statistics.mean(run(held, [(ti, PROBE) for ti in range(len(held))], ttt_seeds))
    samples = writer.sample(writer_model, held, a.samples, a.temperature, gen, a.attempts)
    per_task = writer.sample_rewards(model, held, samples, ttt_seeds)
    score = statistics.mean(statistics.mean(p) for p in per_task)
    by_rule = collections.defaultdict(list)
    for t, p in zip(held, per_task):
        by_rule[cr.RULES[t["rule"]]].append(statistics.mean(p))
    rec = {"success": score, "probe": probe, "per_rule": {k: round(statistics.mean(v), 2) for k, v in by_rule.items()}, **describe(samples),
           "examples": [samples[i][0][0] for i in range(3)]}
    log(f"{label}: {100 * score:.1f} % (TTT with {PROBE}: {100 * probe:.1f} %; parsed {100 * rec['parsed']:.0f} %, aug {rec['aug']}, lr {rec['lr']})")
    return rec


def select(items, rew):
    """--select over-mean: one kept (task, config) per task whose best draw beats the mean of its k draws;
    above-mean: every draw that beats that mean."""
    per = collections.defaultdict(list)
    for (ti, c), x in zip(items, rew):
        per[ti].append((x, c))
    kept = []
    for ti, xs in per.items():
        mean = sum(x for x, _ in xs) / a.k
        if a.select == "above-mean":
            kept += [(train[ti], c) for x, c in xs if x > mean + 1e-9]
            continue
        best = max(xs, key=lambda xc: xc[0])  # max keeps the earliest of equals
        if best[0] > mean + 1e-9:
            kept.append((train[ti], best[1]))
    return kept


with torch.no_grad():
    icl = cr.greedy(model, [cr.test_prompt(t) for t in held])
report["icl"] = sum(cr.answer_ok(p, t) for p, t in zip(icl, held)) / len(held)
log(f"ICL {100 * report['icl']:.1f} %")
if a.oracle:
    items = [(ti, c) for ti in range(len(held)) for c in writer.SPACE]
    per_seed = [run(held, items, [sd]) for sd in ttt_seeds]
    best = [statistics.mean(max(r[i] for i, (ti, _) in enumerate(items) if ti == t) for t in range(len(held))) for r in per_seed]
    report["oracle"] = {"mean": statistics.mean(best), "per_seed": best, "uniform": statistics.mean(x for r in per_seed for x in r),
                        "per_config": {f"{c[0]} {c[1]}": round(statistics.mean(r[i] for r in per_seed for i, (_, cc) in enumerate(items) if cc == c), 3) for c in writer.SPACE}}
    log(f"oracle {100 * report['oracle']['mean']:.1f} % (per seed {[round(100 * b) for b in best]}), uniform {100 * report['oracle']['uniform']:.1f} %")
report["no_rl"] = evaluate("no-RL (pretrained writer)")
report["rounds"] = []
rng = random.Random(a.seed)
for r in range(1, a.rounds + 1):
    samples = writer.sample(writer_model, train, a.k, a.temperature, gen, a.attempts)
    items = [(ti, c) for ti, per in enumerate(samples) for _, c, _ in per if c]
    rew = run(train, items, [1000 * r + rng.randrange(1000) for _ in range(a.estep_seeds)])
    kept = select(items, rew) if a.select != "all" else [(train[ti], c) for (ti, c), x in zip(items, rew) if x > 1 - 1e-9]  # solved on every E-step seed (a float mean)
    losses = writer.sft(writer_model, kept, lr=a.sft_lr, epochs=a.sft_epochs, seed=a.seed * 100 + r, targets=tuple(a.sft_targets.split(",")))
    log(f"round {r}: E-step {len(items)} parsed of {a.n * a.k}, kept {len(kept)}; M-step {len(losses)} steps, "
        f"loss {losses[0] if losses else float('nan'):.3f} -> {losses[-1] if losses else float('nan'):.3f}")
    report["rounds"].append({"estep": describe(samples), "estep_reward": statistics.mean(rew) if rew else 0, "kept": len(kept),
                             "sft_loss": [losses[0], losses[-1]] if losses else None, "seal": evaluate(f"SEAL round {r}")})
report["seconds"] = round(time.time() - t0)
json.dump(report, open(a.out, "w"), indent=1)
log(f"wrote {a.out}")
