"""Diagnose TTT on a few tasks: does it fit the leave-one-out examples, and does it carry to the test input?
usage: diag.py --model DIR --set heldout --n 4 --combo 0 --lr 1e-2 --epochs 2,4,8 [--max-examples 8 --all]"""
import argparse
import json
import os

import torch

import aw
import ttt

torch.set_num_threads(1)


@torch.no_grad()
def teacher_forced(model, prompts_targets, S):
    """Per slot: share of target tokens whose argmax is right, and exact (all right)."""
    rows = [p + t for p, t in prompts_targets]
    T = max(len(r) for r in rows)
    ids = torch.full((len(rows), T), aw.PAD, dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = torch.tensor(r)
    pos = torch.arange(T)[None].expand(len(rows), T)
    pred = model(ids, pos).argmax(-1)
    out = []
    for i, (p, t) in enumerate(prompts_targets):
        got = pred[i, len(p) - 1 : len(p) - 1 + len(t)].tolist()
        out.append((sum(a == b for a, b in zip(got, t)) / len(t), got == t))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--set", default="heldout")
    ap.add_argument("--n", type=int, default=4)
    ap.add_argument("--combo", type=int, default=0)
    ap.add_argument("--lr", type=float, default=1e-2)
    ap.add_argument("--epochs", default="2,4,8")
    ap.add_argument("--max-examples", type=int, default=8)
    ap.add_argument("--all", action="store_true")
    ap.add_argument("--rank", type=int, default=8)
    a = ap.parse_args()
    ev = json.load(open(os.path.join(aw.DATA, "eval.json")))
    tasks = ev[a.set][: a.n]
    model = aw.load_model(a.model)
    lab = ttt.Lab(max_examples=a.max_examples, step_cap=10**6, rank=a.rank)
    base = teacher_forced(model, [(t["prompt"], t["target"]) for t in tasks], len(tasks))
    print("base test tf-acc", [round(x[0], 2) for x in base])
    for ep in [int(e) for e in a.epochs.split(",")]:
        jobs = [{"task": t["id"], "combo": a.combo, "dseed": 0, "lr": a.lr, "epochs": ep, "all_tokens": a.all, "seed": 0} for t in tasks]
        mbs = [ttt._micro_batches(t, j, lab) for t, j in zip(tasks, jobs)]
        steps = [len(m) for m in mbs]
        losses = aw.train_slots(model, mbs, [a.lr] * len(tasks), steps, [round(0.1 * s) for s in steps], 2, 0, a.rank, 2 * a.rank)
        # fit on the training examples (query outputs) and on the test
        fit = []
        for s, t in enumerate(tasks):
            d = t["ttt"][0][a.combo]
            pt = [(ids[:p], ids[p:]) for ids, p in list(zip(d["ids"], d["p"]))[: a.max_examples]]
            fit.append(pt)
        # evaluate slot by slot with the same number of rows per slot
        k = min(len(f) for f in fit)
        tf_train = teacher_forced(model, [x for f in fit for x in f[:k]], len(tasks))
        tr_acc = [sum(x[0] for x in tf_train[s * k : (s + 1) * k]) / k for s in range(len(tasks))]
        tf_test = teacher_forced(model, [(t["prompt"], t["target"]) for t in tasks], len(tasks))
        pred = aw.predict_slots(model, tasks, (False, 0, True))
        aw.detach_lora(model)
        print(f"epochs {ep} steps {steps[0]}: last loss {[round(l, 2) for l in losses]} train tf-acc {[round(x, 2) for x in tr_acc]} "
              f"test tf-acc {[round(x[0], 2) for x in tf_test]} solved {[int(p[0]) for p in pred]}")
        for t, p in zip(tasks, pred):
            print(f"   {t['family']:22s} truth {t['answer'][0]} votes {p[2]}")


if __name__ == "__main__":
    main()
