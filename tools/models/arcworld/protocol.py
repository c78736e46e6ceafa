"""The lab's Table-1 protocol in PyTorch (src/seal/arc/experiment.ts), over several seeds:
ICL · TTT + self-edits of the pretrained generator (no RL) · Oracle TTT (one fixed configuration) ·
ReST-EM round 1 (E-step: self-edits on the ReST-EM tasks, keep the rewarded ones; M-step: SFT a fresh LoRA on
(prompt → self-edit), merge) · SEAL (self-edits of the round-1 generator on the held-out tasks).
usage: protocol.py --model DIR --eval-n 32 --train-n 24 --k-eval 5 --k-train 15 --seeds 0,1,2 --out FILE
         [--eval-ids FILE (a filtered evaluation set)] [--oracle '{"combo":0,"lr":0.01,"epochs":2,"all_tokens":false}']"""
import argparse
import collections
import copy
import json
import os
import time

import torch

import aw
import regex_pretok
import ttt

torch.set_num_threads(int(os.environ.get("AW_THREADS", 1)))


def sample_edits(model, task, n, temperature, gen, max_new=96, max_attempts=8):
    """n parsed self-edits (re-sampling unparsable ones up to max_attempts), as the lab's sampleSelfEdits."""
    out = [None] * n
    texts = [""] * n
    for _ in range(max_attempts):
        todo = [i for i in range(n) if out[i] is None]
        if not todo:
            break
        gens = aw.generate_batch(model, [task["selfEditPrompt"]] * len(todo), max_new, temperature, gen)
        for i, ids in zip(todo, gens):
            texts[i] = aw.decode([t for t in ids if t not in (aw.EOS, aw.EOT)])
            out[i] = aw.parse_self_edit(texts[i])
    return out, texts


def edit_job(task, v, dseed, seed):
    tr = v["training"]
    return {"task": task["id"], "family": task["family"], "combo": aw.edit_combo(v), "lr": float(tr["learning_rate"]),
            "epochs": int(tr["num_train_epochs"]), "all_tokens": tr["strategy"] == "train_using_all_tokens", "dseed": dseed, "seed": seed}


def rollouts(model, tasks, k, temperature, gen, lab, seed, by_id, tag):
    jobs, invalid = [], 0
    for i, t in enumerate(tasks):
        edits, _ = sample_edits(model, t, k, temperature, gen)
        for j, v in enumerate(edits):
            if v is None:
                invalid += 1
                jobs.append(None)
                continue
            jobs.append((edit_job(t, v, (seed + i + j) % 3, seed * 100_003 + 7919 * i + j), v))
    real = [j for j in jobs if j is not None]
    res = ttt.run_jobs(model, by_id, [j[0] for j in real], lab)
    for r, (_, v) in zip(res, real):
        r["edit"] = v
    print(f"  {tag}: {sum(r['reward'] for r in res)}/{len(jobs)} (invalid {invalid}, rejected {sum(r['rejected'] for r in res)})", flush=True)
    return res, len(jobs)


def sft_generator(model, pairs, rank, alpha, lr, epochs, batch, seed):
    """ReST-EM M-step: fresh LoRA on the generator, loss on the self-edit (+ <eot>), cosine, merged after."""
    import random
    rng = random.Random(seed)
    seqs = [(p + r, [0.0] * len(p) + [1.0] * len(r)) for p, r in pairs]
    mbs = []
    for _ in range(epochs):
        order = seqs[:]
        rng.shuffle(order)
        mbs += [order[i : i + batch] for i in range(0, len(order), batch)]
    # one slot; the micro-batches are padded to `batch` rows by train_slots
    losses = aw.train_slots(model, [mbs], [lr], [len(mbs)], [0], batch, seed, rank, alpha)
    aw.merge_slot(model, 0)
    return len(mbs), losses


def config_hist(res):
    c = collections.Counter()
    for r in res:
        c[("combo", r["combo"])] += 1
        c[("lr", r["lr"])] += 1
        c[("epochs", r["epochs"])] += 1
        c[("all", r["all_tokens"])] += 1
    return {f"{k[0]}={k[1]}": v for k, v in sorted(c.items(), key=lambda x: str(x))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--eval-set", default="heldout")
    ap.add_argument("--train-set", default="restem")
    ap.add_argument("--eval-n", type=int, default=32)
    ap.add_argument("--train-n", type=int, default=24)
    ap.add_argument("--eval-ids", default="")
    ap.add_argument("--train-ids", default="")
    ap.add_argument("--k-eval", type=int, default=5)
    ap.add_argument("--k-train", type=int, default=15)
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--temperature", type=float, default=0.8)
    ap.add_argument("--oracle", default='{"combo": 0, "lr": 0.01, "epochs": 2, "all_tokens": false}')
    ap.add_argument("--max-examples", type=int, default=8)
    ap.add_argument("--step-cap", type=int, default=8)
    ap.add_argument("--views", default="loo")
    ap.add_argument("--sft", default='{"rank": 8, "alpha": 16, "lr": 0.001, "epochs": 4, "batch": 5}')
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    ev = json.load(open(os.path.join(aw.DATA, "eval.json")))

    def pick(name, n, ids_file):
        ts = ev[name]
        if ids_file:
            keep = set(json.load(open(ids_file)))
            ts = [t for t in ts if t["id"] in keep]
        return ts[:n]

    E = pick(a.eval_set, a.eval_n, a.eval_ids)
    R = pick(a.train_set, a.train_n, a.train_ids)
    by_id = {t["id"]: t for t in E + R}
    from sweep import views_of
    lab = ttt.Lab(max_examples=a.max_examples, step_cap=a.step_cap, views=views_of(a.views))
    oracle = json.loads(a.oracle)
    sft = json.loads(a.sft)
    base = aw.load_model(a.model)
    out = {"args": vars(a), "lab": lab.as_dict(), "eval": [t["id"] for t in E], "train": [t["id"] for t in R], "seeds": {}}
    for seed in [int(s) for s in a.seeds.split(",")]:
        t0 = time.time()
        print(f"seed {seed}", flush=True)
        model = copy.deepcopy(base)
        gen = torch.Generator().manual_seed(1000 + seed)
        rec = {}
        icl = ttt.icl(model, E, lab.views)
        rec["icl"] = sum(r[0] for r in icl) / len(E)
        print(f"  icl: {sum(r[0] for r in icl)}/{len(E)}", flush=True)
        res, n = rollouts(model, E, a.k_eval, a.temperature, gen, lab, seed, by_id, "no-rl")
        rec["noRl"] = sum(r["reward"] for r in res) / n
        rec["noRlPerTask"] = {t["id"]: sum(r["reward"] for r in res if r["task"] == t["id"]) for t in E}
        rec["noRlConfigs"] = config_hist(res)
        ojobs = [{"task": t["id"], "family": t["family"], **oracle, "dseed": (seed + i) % 3, "seed": seed * 31 + i} for i, t in enumerate(E)]
        ores = ttt.run_jobs(model, by_id, ojobs, lab)
        rec["oracle"] = sum(r["reward"] for r in ores) / len(E)
        print(f"  oracle: {sum(r['reward'] for r in ores)}/{len(E)}", flush=True)
        tres, tn = rollouts(model, R, a.k_train, a.temperature, gen, lab, seed + 50, by_id, "e-step")
        kept = [r for r in tres if r["reward"] == 1]
        rec["eStep"] = sum(r["reward"] for r in tres) / tn
        rec["kept"] = len(kept)
        rec["keptConfigs"] = config_hist(kept)
        pairs = []
        for r in kept:
            t = by_id[r["task"]]
            js = aw.edit_json(r["combo"], r["all_tokens"], r["lr"], r["epochs"])  # selfEditToJson's canonical JSON
            resp = regex_pretok.encode(js) + [aw.EOT]
            pairs.append((t["selfEditPrompt"], resp))
        if pairs:
            steps, losses = sft_generator(model, pairs, sft["rank"], sft["alpha"], sft["lr"], sft["epochs"], sft["batch"], seed)
            rec["sftSteps"] = steps
        res2, n2 = rollouts(model, E, a.k_eval, a.temperature, gen, lab, seed + 1, by_id, "seal")
        rec["seal"] = sum(r["reward"] for r in res2) / n2
        rec["sealPerTask"] = {t["id"]: sum(r["reward"] for r in res2 if r["task"] == t["id"]) for t in E}
        rec["sealConfigs"] = config_hist(res2)
        rec["seconds"] = round(time.time() - t0, 1)
        out["seeds"][seed] = rec
        print(json.dumps({k: v for k, v in rec.items() if not k.endswith(("PerTask", "Configs"))}), flush=True)
        json.dump(out, open(a.out, "w"), indent=1)
    s = out["seeds"].values()
    mean = lambda k: sum(r[k] for r in s) / len(out["seeds"])
    out["mean"] = {k: mean(k) for k in ("icl", "noRl", "oracle", "eStep", "seal")}
    json.dump(out, open(a.out, "w"), indent=1)
    print("mean", json.dumps(out["mean"]))


if __name__ == "__main__":
    main()
