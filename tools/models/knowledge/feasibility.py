"""The knowledge-incorporation protocol (SEAL Table 2 + ReST-EM) on held-out people, in PyTorch, EXACTLY the
lab's algorithm so the lab can later agree with it (tools/models/knowledge/README.md describes each step).

Run: /usr/bin/python3 tools/models/knowledge/feasibility.py [--model DIR] [--seeds 1,2,3] [--settings JSON] [--out PATH]
     [--rows base,passage,own,perfect,restem] [--sweep JSON-list-of-ttt-overrides]

Per protocol seed s: evaluation passages = chooseItems(evalItems, nEval, s), ReST-EM passages = chooseItems(
restItems, nRest, s) (the lab's seeded choice, world/index.ts). Rows:
  base     closed-book answers, no update
  passage  inner loop on the passage alone
  own      inner loop on the passage + the model's own notes: k samples per passage (T 1.0, top-p 0.95), each
           applied separately with a fresh adapter; the mean over samples (and TTT seeds)
  perfect  inner loop on the passage + template-perfect notes (the paper's GPT-4.1 row)
  restem   rounds of ReST-EM: E-step on the ReST-EM passages (k self-edits each, reward = QA accuracy after the
           update, averaged over TTT seeds; the single best self-edit per passage is kept when its reward > 0);
           M-step: SFT of the generator with a fresh LoRA on (self-edit prompt → completion), loss on the
           completion, merged into the weights; then `own` again on the evaluation passages
Inner loop: a fresh LoRA (PEFT init) on the target projections, AdamW (0.9/0.999, eps 1e-8, wd 0), global-norm
clip 1.0, HF cosine-with-warmup, loss = mean token CE over the weighted positions of a right-padded micro-batch,
order shuffled per epoch from the TTT seed. Answers: greedy, the paper's answer prompt, exact match of the first
line. Leak: after each update, the questions of `leakPeople` other evaluation people; an answer equal to the
trained person's value (and not the asked person's own) is a leak.
"""
import argparse
import json
import math
import os
import random
import re
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import COUNT, MODEL_DIR, Tokenizer, attach_lora, detach_lora, generate, load_model, pad_batch, weighted_loss  # noqa: E402
from kit import choose_items, cosine_with_warmup, grade_mini, note_lines, sft_sequence, summarize_notes, train_sequences, value_attr_normalized  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SETTINGS = {
    "nEval": 8, "nRest": 8, "k": 5, "tttSeeds": 1, "rewardSeeds": 1, "rounds": 2, "leakPeople": 2,
    # issue 25 (README "Robust settings"): evalK = notes per evaluation passage in the own / SEAL rows (None: k);
    # select = which E-step self-edit is kept (select_kept); lineFilter = filter_lines on the kept self-edit before SFT
    "evalK": None, "select": "best", "lineFilter": None, "roundRows": [],  # roundRows ["perfect"]: that row after each round too
    "mFromBase": False,  # True: each round's M-step starts from the pretrained weights (ReST-EM), not the last round's
    "pairedSampling": False,  # True: every row samples passage i's notes from one seeded stream (row_own)
    "ttt": {"r": 8, "alpha": 16, "targets": ["q_proj", "v_proj", "gate_proj", "up_proj", "down_proj"],
            "lr": 3e-3, "epochs": 4, "batch": 1, "warmup": 0},
    "notes": {"temperature": 1.0, "topP": 0.95, "maxNewTokens": 80},
    "answers": {"maxNewTokens": 10},
    "sft": {"r": 8, "alpha": 16, "targets": ["q_proj", "v_proj", "gate_proj", "up_proj", "down_proj"],
            "lr": 1e-3, "epochs": 3, "batch": 4, "warmup": 0},
}


def merge(a, b):
    out = dict(a)
    for k, v in b.items():
        out[k] = merge(a[k], v) if isinstance(v, dict) and isinstance(a.get(k), dict) else v
    return out


# ---------------------------------------------------------------------------------------------- inner loop
def lora_train(model, seqs, cfg, seed):
    """Fresh adapter on `seqs` [(ids, weights)]; returns (params, losses). The adapter stays attached."""
    gen = torch.Generator().manual_seed(seed)
    params = attach_lora(model, cfg["r"], cfg["alpha"], gen, cfg["targets"])
    opt = torch.optim.AdamW(params, lr=cfg["lr"], betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    n, B = len(seqs), cfg["batch"]
    total = cfg["epochs"] * math.ceil(n / B)
    rng = random.Random(seed)
    step, losses = 0, []
    for _ in range(cfg["epochs"]):
        order = list(range(n))
        rng.shuffle(order)
        for i in range(0, n, B):
            x, w = pad_batch([seqs[j] for j in order[i : i + B]])
            for g in opt.param_groups:
                g["lr"] = cfg["lr"] * cosine_with_warmup(step, cfg["warmup"], total)
            pos = torch.arange(x.shape[1])[None].expand_as(x)
            loss = weighted_loss(model(x, pos), x, w)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            step += 1
            losses.append(float(loss))
            COUNT["trainTokens"] += x.numel()
            COUNT["trainSteps"] += 1
    return params, losses


def answer(model, tok, questions, cfg):
    outs = generate(model, [q["promptIds"] for q in questions], cfg["answers"]["maxNewTokens"])
    return [tok.decode(o) for o in outs]


def evaluate_update(model, tok, item, leak_items, cfg):
    """Accuracy on the item's questions and leak counts on other people's questions (adapter attached or not)."""
    qs = item["questions"]
    lq = [q for it in leak_items for q in it["questions"]]
    preds = answer(model, tok, qs + lq, cfg)
    va = cfg["_valueAttr"]
    acc = sum(grade_mini(p, q["answer"], va) for p, q in zip(preds, qs)) / len(qs)
    attrs = item["subject"]["attrs"]
    leak = sum(1 for p, q in zip(preds[len(qs):], lq) if grade_mini(p, attrs[q["attribute"]], va) and not grade_mini(p, q["answer"], va))
    return acc, leak, len(lq), preds[: len(qs)]


ROLLOUTS = {"n": 0}  # inner loops (one fresh adapter trained + the item's questions answered)


def ttt_score(model, tok, item, completion, leak_items, cfg, seeds):
    """Apply one self-edit (completion text; '' = passage only) with a fresh adapter per TTT seed."""
    seqs = train_sequences(tok, completion, item["title"], item["context"])
    accs, leaks, nl = [], 0, 0
    for s in seeds:
        ROLLOUTS["n"] += 1
        lora_train(model, seqs, cfg["ttt"], s)
        with torch.no_grad():
            a, l, n, _ = evaluate_update(model, tok, item, leak_items, cfg)
        detach_lora(model)
        accs.append(a)
        leaks, nl = leaks + l, nl + n
    return accs, leaks, nl


def sample_notes(model, tok, item, cfg, gen, k=None):
    n = cfg["notes"]
    outs = generate(model, [item["selfEditPromptIds"]] * (k or cfg["k"]), n["maxNewTokens"], n["temperature"], n["topP"], gen)
    return [tok.decode(o) for o in outs]


# ---------------------------------------------------------------------------------------------- rows
def leak_people(items, i, n):
    return [items[(i + j) % len(items)] for j in range(1, n + 1)] if len(items) > 1 else []


def row_fixed(model, tok, items, cfg, completion_of, seeds):
    accs, leaks, nl = [], 0, 0
    for i, it in enumerate(items):
        a, l, n = ttt_score(model, tok, it, completion_of(it), leak_people(items, i, cfg["leakPeople"]), cfg, seeds)
        accs.append(statistics.mean(a))
        leaks, nl = leaks + l, nl + n
    return {"acc": statistics.mean(accs), "leak": leaks / max(1, nl), "perItem": accs}


def row_own(model, tok, items, cfg, seeds, gen, va):
    """k notes per passage, each applied separately; also the notes' copy accuracy and coverage."""
    per_item, leaks, nl = [], 0, 0
    vl = cv = cov = lines = 0
    samples = []
    k = cfg.get("evalK") or cfg["k"]
    for i, it in enumerate(items):
        # pairedSampling: every row draws passage i's notes from the same random stream (common random numbers), so
        # the rows' difference carries less sampling noise; each row alone is still a fair sample of its generator.
        g = torch.Generator().manual_seed(cfg["_seed"] * 7919 + i) if cfg.get("pairedSampling") else gen
        comps = sample_notes(model, tok, it, cfg, g, k)
        accs = []
        for c in comps:
            a, l, n = ttt_score(model, tok, it, c, leak_people(items, i, cfg["leakPeople"]), cfg, seeds)
            accs.append(statistics.mean(a))
            leaks, nl = leaks + l, nl + n
            s = summarize_notes(note_lines(c), it, va)
            vl, cv, cov, lines = vl + s["valueLines"], cv + s["correctValueLines"], cov + len(s["covered"]), lines + s["lines"]
        per_item.append(accs)
        samples.append({"id": it["id"], "notes": comps[0], "acc": accs[0]})
    n_notes = len(items) * k
    return {"acc": statistics.mean(a for accs in per_item for a in accs), "leak": leaks / max(1, nl),
            "bestOfK": statistics.mean(max(a) for a in per_item), "perItem": per_item,
            "copyAcc": cv / max(1, vl), "coverage": cov / (5 * n_notes), "linesPerNote": lines / n_notes, "examples": samples[:3]}


def select_kept(means, rule, passage_reward=None):
    """Index of the self-edit to keep for one passage, or None. `means`: each self-edit's reward averaged over the
    reward seeds. Ties go to the earliest sample. Rules:
      best         the best one when its reward > 0 (SEAL's code; the lab's rule before issue 25)
      overMean     the best one when its reward > the mean reward of the passage's k self-edits (a passage where
                   all k score the same teaches nothing about what makes a note better: dropped)
      overPassage  the best one when its reward > the passage-only reward (one extra rollout per passage and
                   reward seed: the passage alone, same reward seeds)"""
    b = max(range(len(means)), key=lambda j: (means[j], -j))
    floor = {"best": 0.0, "overMean": statistics.mean(means), "overPassage": passage_reward}[rule]
    return b if means[b] > floor else None


VALUE_WORD = re.compile(r"[^\W_]+")


def filter_lines(completion, item, value_attr, rule):
    """Lines of the kept self-edit the M-step trains on (None: all, unchanged). Rule 'facts': keep a line iff it
    contains at least one value word of the world's vocabulary and every value word in it also occurs in the
    passage (so filler lines, "X is mentioned in the passage.", and lines with invented values go); lines joined
    with '\n'. Words: /[^\W_]+/u, lower-cased and looked up in the normalised value → attribute map."""
    if not rule:
        return completion
    assert rule == "facts", rule
    ctx = {w.lower() for w in VALUE_WORD.findall(item["context"])}
    keep = []
    for ln in note_lines(completion):
        vals = [w.lower() for w in VALUE_WORD.findall(ln) if w.lower() in value_attr]
        if vals and all(v in ctx for v in vals):
            keep.append(ln)
    return "\n".join(keep)


def e_step(model, tok, items, cfg, gen, seed):
    """k self-edits per ReST-EM passage, reward averaged over rewardSeeds TTT seeds; one kept per passage by
    cfg["select"] (select_kept), its lines filtered by cfg["lineFilter"] (filter_lines) for the M-step."""
    kept, rewards, passage_rewards = [], [], []
    seeds = [seed * 1000 + 500 + j for j in range(cfg["rewardSeeds"])]
    va = cfg["_valueAttr"]
    for i, it in enumerate(items):
        comps = sample_notes(model, tok, it, cfg, gen)
        scores = []
        for c in comps:
            a, _, _ = ttt_score(model, tok, it, c, [], cfg, seeds)
            scores.append(a)
        means = [statistics.mean(a) for a in scores]
        rewards.append(scores)
        pr = None
        if cfg["select"] == "overPassage":
            pa, _, _ = ttt_score(model, tok, it, "", [], cfg, seeds)
            pr = statistics.mean(pa)
            passage_rewards.append(pr)
        b = select_kept(means, cfg["select"], pr)
        if b is not None:
            c = filter_lines(comps[b], it, va, cfg["lineFilter"])
            if c.strip():
                kept.append((it, c, means[b]))
    return kept, rewards, passage_rewards


def m_step(model, tok, kept, cfg, seed):
    seqs = [sft_sequence(it["selfEditPromptIds"], tok.encode(c)) for it, c, _ in kept]
    if not seqs:
        return []
    _, losses = lora_train(model, seqs, cfg["sft"], seed)
    detach_lora(model, merge=True)
    return losses


def reward_noise(rewards):
    """sd of accuracy between the k self-edits of a passage (seed-mean) vs sd of one self-edit over TTT seeds."""
    between = [statistics.pstdev([statistics.mean(a) for a in r]) for r in rewards]
    within = [statistics.pstdev(a) for r in rewards for a in r if len(a) > 1]
    return {"betweenEdits": statistics.mean(between) if between else None, "acrossSeeds": statistics.mean(within) if within else None}


# Lab speeds measured on SwiftShader with the 635 k-parameter seal-mini-arc (≈ 633 k multiply-adds per token):
# LoRA training ≈ 200 tokens/s (on ~300–500-token sequences), prefill ≈ 900 tokens/s, decode ≈ 100 steps/s (a
# batch of rows in about the time of one). Scaled by multiply-adds per token; each optimizer step on a short
# sequence is charged a further STEP_OVERHEAD_S (dispatch, AdamW, norm: an assumption, see README).
LAB = {"trainTokS": 200.0, "prefillTokS": 900.0, "decodeStepS": 100.0, "refMacs": 633_000, "stepOverheadS": 0.03}


def macs_per_token(c):
    C, Fd, L, V = c["hidden_size"], c["intermediate_size"], c["num_hidden_layers"], c["vocab_size"]
    kv = c["num_key_value_heads"] * c["head_dim"]
    return L * (2 * C * C + 2 * C * kv + 3 * C * Fd) + V * C


def lab_seconds(work, c):
    f = macs_per_token(c) / LAB["refMacs"]
    parts = {"train": work["trainTokens"] / LAB["trainTokS"] * f + work["trainSteps"] * LAB["stepOverheadS"],
             "prefill": work["prefillTokens"] / LAB["prefillTokS"] * f, "decode": work["decodeSteps"] / LAB["decodeStepS"] * f}
    return {k: round(v, 1) for k, v in {**parts, "total": sum(parts.values())}.items()}


def run_seed(model_dir, tok, ev, cfg, seed, rows, log):
    model = load_model(model_dir)
    start = dict(COUNT)
    va = ev["valueAttribute"]
    evals = choose_items(ev["evalItems"], cfg["nEval"], seed)
    rests = choose_items(ev["restItems"], cfg["nRest"], seed)
    seeds = [seed * 1000 + j for j in range(cfg["tttSeeds"])]
    gen = torch.Generator().manual_seed(seed)
    cfg = {**cfg, "_seed": seed}
    out = {"seed": seed}
    r0 = ROLLOUTS["n"]
    t0 = time.time()
    if "base" in rows:
        accs = []
        for it in evals:
            with torch.no_grad():
                a, _, _, _ = evaluate_update(model, tok, it, [], cfg)
            accs.append(a)
        out["base"] = {"acc": statistics.mean(accs)}
    if "passage" in rows:
        out["passage"] = row_fixed(model, tok, evals, cfg, lambda it: "", seeds)
    if "perfect" in rows:
        out["perfect"] = row_fixed(model, tok, evals, cfg, lambda it: it["perfectNotes"], seeds)
    if "own" in rows:
        out["own"] = row_own(model, tok, evals, cfg, seeds, gen, va)
    log({"seed": seed, "elapsed": round(time.time() - t0, 1), **{k: v["acc"] for k, v in out.items() if isinstance(v, dict)}})
    if "restem" in rows:
        out["rounds"] = []
        base_sd = {k: v.detach().clone() for k, v in model.state_dict().items()}
        for r in range(cfg["rounds"]):
            kept, rewards, prs = e_step(model, tok, rests, cfg, gen, seed * 10 + r)
            if cfg.get("mFromBase") and r > 0:  # ReST-EM (Singh et al. 2023): every M-step fine-tunes the BASE model
                model.load_state_dict(base_sd)   # on the data the latest policy generated (no drift across rounds)
            losses = m_step(model, tok, kept, cfg, seed * 10 + r)
            own = row_own(model, tok, evals, cfg, seeds, gen, va)
            extra = {}
            if "perfect" in cfg.get("roundRows", []):  # diagnosis: template-perfect notes on the updated model
                extra["perfect"] = row_fixed(model, tok, evals, cfg, lambda it: it["perfectNotes"], seeds)
            rnd = {**extra, "round": r + 1, "kept": len(kept), "keptReward": statistics.mean([k[2] for k in kept]) if kept else 0,
                   "eStepMean": statistics.mean(statistics.mean(a) for rr in rewards for a in rr),
                   "rewardNoise": reward_noise(rewards), "sftLoss": [losses[0], losses[-1]] if losses else None,
                   "passageReward": statistics.mean(prs) if prs else None, "keptExamples": [k[1] for k in kept[:3]],
                   "keptLines": sum(len(note_lines(k[1])) for k in kept) / max(1, len(kept)), "own": own}
            out["rounds"].append(rnd)
            log({"seed": seed, "round": r + 1, "kept": len(kept), "eStepMean": rnd["eStepMean"], "own": own["acc"],
                 **({"perfect": extra["perfect"]["acc"]} if extra else {}),
                 "copyAcc": own["copyAcc"], "coverage": own["coverage"], "noise": rnd["rewardNoise"], "elapsed": round(time.time() - t0, 1)})
    out["seconds"] = round(time.time() - t0, 1)
    out["work"] = {k: COUNT[k] - start[k] for k in COUNT}
    out["rollouts"] = ROLLOUTS["n"] - r0
    out["labSecondsEstimate"] = lab_seconds(out["work"], model.c)
    log({"seed": seed, "work": out["work"], "labSecondsEstimate": out["labSecondsEstimate"]})
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=MODEL_DIR)
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--settings", default="{}")
    ap.add_argument("--rows", default="base,passage,own,perfect,restem")
    ap.add_argument("--sweep", default="")
    ap.add_argument("--out", default=os.path.join(HERE, "logs", "feasibility.json"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    tok = Tokenizer(args.model)
    ev = json.load(open(os.path.join(os.environ.get("KNOW_DATA", os.path.join(HERE, ".data")), "eval.json")))
    cfg = merge(SETTINGS, json.loads(args.settings))
    cfg["_valueAttr"] = value_attr_normalized(ev["valueAttribute"])
    rows = args.rows.split(",")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    results = {"model": args.model, "settings": {k: v for k, v in cfg.items() if not k.startswith("_")}, "runs": []}

    def log(rec):
        print(json.dumps(rec), flush=True)

    variants = [json.loads(args.sweep)] if args.sweep else [None]
    variants = variants[0] if args.sweep else [{}]
    for v in variants:
        c = merge(cfg, v)
        for s in [int(x) for x in args.seeds.split(",")]:
            r = run_seed(args.model, tok, ev, c, s, rows, lambda rec: log({"variant": v, **rec}))
            results["runs"].append({"variant": v, **r})
            with open(args.out, "w") as f:
                json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
