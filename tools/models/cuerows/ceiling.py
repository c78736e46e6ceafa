"""Can the writer read the rows? A supervised upper bound for ReST-EM's M-step: every one of the 20 configurations is
applied by TTT to every training task (one TTT seed), and the writer is fine-tuned (writer.sft, merged) on *every*
(task, configuration that solved it) pair — the kept set of an E-step that drew each configuration once per task,
so what one round could teach at most. A writer that reads the rows learns each rule's configurations (flip breaks
the shifts, a colour permutation breaks colour ±1); one that does not learns their marginal. Reported on the held-out
tasks: success (5 self-edits per task, 3 TTT seeds, as table1.py), and the writer's augmentation choices per rule
against the training pairs' per-rule shares — the same numbers for the marginal policy say what "context-free" gives.
usage: nice -n 19 python3 ceiling.py --model .data/NAME --out logs/ceiling-NAME.json"""
import argparse
import collections
import json
import statistics
import time

import torch

import cr
import writer

ap = argparse.ArgumentParser()
ap.add_argument("--model", required=True)
ap.add_argument("--out", required=True)
ap.add_argument("--n-train", type=int, default=96)
ap.add_argument("--n", type=int, default=48)
ap.add_argument("--task-seed", type=int, default=4242)
ap.add_argument("--train-seed", type=int, default=9090)
ap.add_argument("--sft-lr", type=float, default=1e-3)
ap.add_argument("--sft-epochs", type=int, default=6)
ap.add_argument("--samples", type=int, default=5)
ap.add_argument("--seed", type=int, default=0)
a = ap.parse_args()

model = cr.load_model(a.model)
writer.FEATURES = writer.uses_features(model)
held = cr.heldout_tasks(a.n, a.task_seed)
train = cr.heldout_tasks(a.n_train, a.train_seed)
gen = torch.Generator().manual_seed(a.seed)
t0 = time.time()


def log(msg):
    print(f"[{time.time() - t0:6.0f} s] {msg}", flush=True)


def aug_shares(pairs):
    """Per rule: the share of each augmentation among (task, config) pairs."""
    per = collections.defaultdict(collections.Counter)
    for t, c in pairs:
        per[cr.RULES[t["rule"]]][c[0]] += 1
    return {r: {g: round(n / sum(cnt.values()), 2) for g, n in sorted(cnt.items())} for r, cnt in per.items()}


def evaluate(label):
    samples = writer.sample(model, held, a.samples, 0.8, gen, attempts=8)
    per_task = writer.sample_rewards(model, held, samples, [0, 1, 2])
    written = [(t, c) for t, per in zip(held, samples) for _, c, _ in per if c]
    rec = {"success": statistics.mean(statistics.mean(p) for p in per_task), "aug_by_rule": aug_shares(written),
           "features_right": statistics.mean(text.split(" ")[:2] == [writer.FEAT_NAME[f] for f in writer.features(t)]
                                             for t, per in zip(held, samples) for text, _, _ in per) if writer.FEATURES else None,
           "lr": {str(k): v for k, v in collections.Counter(c[1] for _, c in written).items()}}
    log(f"{label}: {100 * rec['success']:.1f} %, lr {rec['lr']}, feature words right {rec['features_right']}")
    return rec


items = [(ti, c) for ti in range(len(train)) for c in writer.SPACE]
rew = writer.rewards(model, train, items, [7])
kept = [(train[ti], c) for (ti, c), x in zip(items, rew) if x > 0.5]
log(f"training tasks: {len(train)} x {len(writer.SPACE)} configurations, {len(kept)} solved")
report = {"args": vars(a), "kept": len(kept), "kept_aug_by_rule": aug_shares(kept), "before": evaluate("writer before")}
# every configuration on every held-out task, before the M-step changes the model TTT adapts
held_cfg = [(ti, c) for ti in range(len(held)) for c in writer.SPACE]
held_rew = dict(zip(held_cfg, writer.rewards(model, held, held_cfg, [0, 1, 2])))
losses = writer.sft(model, kept, lr=a.sft_lr, epochs=a.sft_epochs, seed=a.seed * 100 + 1)
log(f"M-step on every solved pair: {len(losses)} steps, loss {losses[0]:.3f} -> {losses[-1]:.3f}")
report["after"] = evaluate("writer after")
# the context-free policy with the kept pairs' marginal: what a writer that ignores the rows learns at best
marg = collections.Counter(c for _, c in kept)
total = sum(marg.values())
report["marginal_policy"] = sum(n / total * statistics.mean(held_rew[(ti, c)] for ti in range(len(held))) for c, n in marg.items())
# ... and one policy per rule with that rule's kept pairs: what a writer that reads the rows perfectly learns
by_rule = collections.defaultdict(collections.Counter)
for t, c in kept:
    by_rule[t["rule"]][c] += 1
report["per_rule_policy"] = statistics.mean(sum(n / sum(by_rule[held[ti]["rule"]].values()) * held_rew[(ti, c)] for c, n in by_rule[held[ti]["rule"]].items())
                                            for ti in range(len(held)))
report["oracle"] = statistics.mean(max(held_rew[(ti, c)] for c in writer.SPACE) for ti in range(len(held)))
rules = sorted({t["rule"] for t in held})
report["best_per_rule"] = statistics.mean(max(statistics.mean(held_rew[(ti, c)] for ti in range(len(held)) if held[ti]["rule"] == r)
                                              for c in writer.SPACE) for r in rules)
log(f"context-free policy with the kept marginal: {100 * report['marginal_policy']:.1f} %; per-rule policy: "
    f"{100 * report['per_rule_policy']:.1f} %; best configuration per rule: "
    f"{100 * report['best_per_rule']:.1f} %; oracle (mean over 3 TTT seeds' per-task best): {100 * report['oracle']:.1f} %")
report["seconds"] = round(time.time() - t0)
json.dump(report, open(a.out, "w"), indent=1)
log(f"wrote {a.out}")
