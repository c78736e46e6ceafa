"""Pretrain the cipher-world model on tools/models/arcworld/.data/corpus.* (+ selfedit.* at a share), CPU, one thread.
Env: AW_OUT (model dir), AW_INIT (start from a model dir), AW_HIDDEN/FFN/LAYERS, AW_LR, AW_MINUTES or AW_STEPS,
AW_BATCH_TOKENS, AW_SELFEDIT_SHARE (share of sequences from selfedit.*; 0 = none), AW_LOG, AW_SKIP (corpus
sequences to skip: continue where a phase stopped), AW_WARMUP."""
import json
import math
import os
import random
import time

import numpy as np
import torch

import aw

torch.set_num_threads(int(os.environ.get("AW_THREADS", 1)))
SEED = 1234
OUT = os.environ.get("AW_OUT", os.path.join(aw.DATA, "ckpt"))
LOG = os.environ.get("AW_LOG", os.path.join(aw.HERE, "logs", "pretrain.jsonl"))
LR = float(os.environ.get("AW_LR", 3e-3))
BATCH_TOKENS = int(os.environ.get("AW_BATCH_TOKENS", 4096))
WARMUP = int(os.environ.get("AW_WARMUP", 50))
VOC = {v: k for k, v in aw.TOKEN_BYTES.items()}
T_OUTPUT, T_COLON, T_NL = VOC[b"Output"], VOC[b":"], VOC[b"\n"]


def solve_weights(ids, mask):
    """Loss on every output grid: after each "Output:\n", the rows and the newline that ends the grid (the query
    output's mask, with <eos>, comes from export.ts)."""
    w = mask.astype(np.float32).copy()
    idx = np.where((ids[:-2] == T_OUTPUT) & (ids[1:-1] == T_COLON) & (ids[2:] == T_NL))[0]
    for j in idx:
        s = j + 3
        e = s
        while e + 1 < len(ids) and not (ids[e] == T_NL and ids[e + 1] == T_NL):
            e += 1
        if e + 1 < len(ids):
            w[s : e + 1] = 1.0
    return w


def load(name):
    info = json.load(open(os.path.join(aw.DATA, f"{name}.json")))
    ids = np.fromfile(os.path.join(aw.DATA, f"{name}.tokens.u16"), dtype=np.uint16)
    mask = np.fromfile(os.path.join(aw.DATA, f"{name}.mask.u8"), dtype=np.uint8)
    return info, ids, mask


def batches_from(seq_lens, tokens_per_batch, rng):
    return aw.length_batches(range(len(seq_lens)), seq_lens.__getitem__, tokens_per_batch, rng)


def icl(model, tasks, n):
    res = aw.predict_slots(model, tasks[:n], (False, 0, False))
    return sum(r[1] for r in res) / max(1, len(res))


def main():
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    if os.environ.get("AW_INIT"):
        model = aw.load_model(os.environ["AW_INIT"])
        for p in model.parameters():
            p.requires_grad_(True)
        model.train()
    else:
        model = aw.Model(aw.config(int(os.environ.get("AW_HIDDEN", 96)), int(os.environ.get("AW_FFN", 256)), int(os.environ.get("AW_LAYERS", 4))))
    nparams = sum(p.numel() for p in model.parameters())
    ev = json.load(open(os.path.join(aw.DATA, "eval.json")))
    cinfo, cids, cmask = load("corpus")
    index = cinfo["index"][int(os.environ.get("AW_SKIP", 0)):]
    seqs = [(o, n, 0) for o, n, _ in index]
    share = float(os.environ.get("AW_SELFEDIT_SHARE", 0))
    if share > 0:
        sinfo, sids, smask = load("selfedit")
        n_se = int(len(seqs) * share / (1 - share))
        sidx = sinfo["index"]
        seqs += [(o, n, 1) for o, n, _ in (sidx * (1 + n_se // len(sidx)))[:n_se]]

    def get(i):
        o, n, k = seqs[i]
        if k == 0:
            ids = cids[o : o + n].astype(np.int64)
            return ids, solve_weights(ids, cmask[o : o + n])
        ids = sids[o : o + n].astype(np.int64)
        return ids, smask[o : o + n].astype(np.float32)

    lens = [s[1] for s in seqs]
    batches = batches_from(lens, BATCH_TOKENS, rng)
    decay = [p for n, p in model.named_parameters() if p.dim() == 2 and n != "embed"]
    other = [p for n, p in model.named_parameters() if not (p.dim() == 2 and n != "embed")]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": other, "weight_decay": 0.0}], lr=LR, betas=(0.9, 0.95))
    total = int(os.environ.get("AW_STEPS", 0))
    budget = float(os.environ.get("AW_MINUTES", 20)) * 60
    os.makedirs(os.path.dirname(LOG), exist_ok=True)
    f = open(LOG, "a")

    def log(rec):
        f.write(json.dumps(rec) + "\n")
        f.flush()
        print(json.dumps(rec), flush=True)

    log({"event": "start", "config": model.c, "params": nparams, "lr": LR, "batchTokens": BATCH_TOKENS, "corpusSeqs": len(index),
         "selfEditShare": share, "batches": len(batches), "init": os.environ.get("AW_INIT"), "out": OUT})
    t0 = time.time()
    step, tokens, bi, epoch = 0, 0, 0, 0
    ema = None
    evals_at = set()
    while total == 0 or step < total:
        if bi >= len(batches):
            batches, bi, epoch = batches_from(lens, BATCH_TOKENS, rng), 0, epoch + 1
        idx = batches[bi]
        bi += 1
        rows = [get(i) for i in idx]
        T = max(len(r[0]) for r in rows)
        ids = torch.full((len(rows), T), aw.PAD, dtype=torch.long)
        w = torch.zeros(len(rows), T)
        for r, (a, b) in enumerate(rows):
            ids[r, : len(a)] = torch.from_numpy(a)
            w[r, : len(b)] = torch.from_numpy(b)
        tokens += len(rows) * T
        tot = total or 10**9
        if step < WARMUP:
            lr = LR * (step + 1) / WARMUP
        else:
            q = min(1.0, (step - WARMUP) / max(1, tot - WARMUP))
            lr = LR * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * q)))
        for g in opt.param_groups:
            g["lr"] = lr
        pos = torch.arange(T)[None].expand(len(rows), T)
        loss = aw.weighted_loss(model(ids, pos), ids, w)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gn = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        ema = float(loss) if ema is None else 0.98 * ema + 0.02 * float(loss)
        if total == 0 and step in (50, 300):
            per = (time.time() - t0) / step
            total = max(step + 1, int(budget / per))
            evals_at = {total * k // 4 for k in (1, 2, 3)}
            log({"event": "steps fixed", "steps": total, "secondsPerStep": round(per, 4)})
        elif total and not evals_at:
            evals_at = {total * k // 4 for k in (1, 2, 3)}
        if step % 100 == 0:
            log({"step": step, "loss": round(ema, 4), "lr": round(lr, 6), "gn": round(float(gn), 3), "tokens": tokens, "epoch": epoch,
                 "elapsed": round(time.time() - t0, 1)})
        if step in evals_at:
            model.eval()
            log({"step": step, "iclPretrain": icl(model, ev["pretrain"], 30), "iclHeldout": icl(model, ev["heldout"], 20),
                 "elapsed": round(time.time() - t0, 1)})
            model.train()
            aw.save_model(model, OUT)
    model.eval()
    aw.save_model(model, OUT)
    log({"event": "end", "steps": step, "tokens": tokens, "elapsed": round(time.time() - t0, 1), "seqsUsed": bi,
         "iclPretrain": icl(model, ev["pretrain"], 60), "iclHeldout": icl(model, ev["heldout"], 64)})


if __name__ == "__main__":
    main()
