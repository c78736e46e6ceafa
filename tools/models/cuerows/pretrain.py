"""Pretrain a cue-rows checkpoint (tools/models/cuerows/README.md).
Recipes: plain tags (--mix 0) or tag mixtures (--mix p: a share p of the tasks replace the tag's embedding by a
mixture sum_k c_k E[<rk>], c = (1-lam) onehot + lam Dirichlet(1), lam ~ U(0, 1), the task's rule = argmax c, kept only
when the top weight leads the second by >= --margin, so the tag still names the rule and ICL is never needed).
--unk centroid writes the mean of the tag rows into <r?> at the end (where TTT starts); 'keep' leaves it random.
--writer p: a share p of the sequences show a uniformly random JSON self-edit after a task's demonstrations (writer.py);
--init DIR continues from a checkpoint (e.g. a short writer stage on a gated one).
usage: nice -n 19 python3 pretrain.py --out .data/NAME --log logs/pretrain-NAME.jsonl --seed 0 --steps 3000 [--mix 0.5]"""
import argparse
import json
import random
import time

import torch
import torch.nn.functional as F

import cr
import writer

ap = argparse.ArgumentParser()
ap.add_argument("--out", required=True)
ap.add_argument("--log", required=True)
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--steps", type=int, default=3000)
ap.add_argument("--batch", type=int, default=32)
ap.add_argument("--lr", type=float, default=3e-3)
ap.add_argument("--wd", type=float, default=0.1)
ap.add_argument("--warmup", type=int, default=100)
ap.add_argument("--mix", type=float, default=0.0)
ap.add_argument("--margin", type=float, default=0.1)
ap.add_argument("--writer", type=float, default=0.0, help="share of sequences that show a uniformly random self-edit (writer.py)")
ap.add_argument("--init", default="", help="start from this checkpoint (a writer stage on a gated checkpoint; a smaller vocabulary is extended)")
ap.add_argument("--vocab", type=int, default=cr.VOCAB, help="32: the tokens before the writer words, as seeds 1-5 were pretrained (the writer stage extends it)")
ap.add_argument("--writer-features", action="store_true", help="writer sequences state writer.features before the JSON (needs --vocab 52)")
ap.add_argument("--unk", default="centroid", choices=["centroid", "keep"])
ap.add_argument("--eval-every", type=int, default=250)
ap.add_argument("--max-minutes", type=float, default=55)
a = ap.parse_args()

writer.FEATURES = a.writer_features
assert not a.writer_features or a.vocab >= writer.FEAT_VOCAB, "--writer-features needs --vocab 52"
torch.manual_seed(a.seed)
rng = random.Random(1000 + a.seed)
model = cr.Model(cr.config(vocab=a.vocab))
if a.init:
    old = dict(cr.load_model(a.init).named_parameters())
    with torch.no_grad():
        for name, p in model.named_parameters():
            p[: old[name].shape[0]] = old[name]  # the embedding keeps its rows; new words keep their random init
nparam = sum(p.numel() for p in model.parameters())
opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=a.wd, betas=(0.9, 0.95))
ev_tasks = cr.heldout_tasks(48, 777)  # pretraining-side monitor (not the gate's tasks)
logf = open(a.log, "w")


def log(rec):
    logf.write(json.dumps(rec) + "\n"); logf.flush()
    print(json.dumps(rec), flush=True)


log({"args": vars(a), "params": nparam})


def batch():
    ids, ws, mixes = [], [], []
    T = max(2 + 5 * 14 + 1, len(writer.prompt(ev_tasks[0])) + writer.max_edit())
    for b in range(a.batch):
        mix = None
        if a.writer > 0 and rng.random() < a.writer:
            s, w = writer.random_sequence(rng)
            ids.append(s + [cr.PAD] * (T - len(s)))
            ws.append(w + [0.0] * (T - len(s)))
            mixes.append(None)
            continue
        if a.mix > 0 and rng.random() < a.mix:
            while True:
                lam = rng.random()
                u = [rng.gammavariate(1.0, 1.0) for _ in range(cr.NRULES)]
                su = sum(u)
                c = [lam * x / su for x in u]
                c[rng.randrange(cr.NRULES)] += 1 - lam
                srt = sorted(c, reverse=True)
                if srt[0] - srt[1] >= a.margin:
                    break
            rule = max(range(cr.NRULES), key=lambda k: c[k])
            mix = c
        else:
            rule = rng.randrange(cr.NRULES)
        t = cr.make_task(rule, rng.choice([3, 4]), rng)
        s, _ = cr.seq(cr.TAG0 + rule, t["demos"], *t["test"])
        ids.append(s + [cr.PAD] * (T - len(s)))
        ws.append([1.0] * len(s) + [0.0] * (T - len(s)))
        mixes.append(mix)
    return torch.tensor(ids), torch.tensor(ws), mixes


@torch.no_grad()
def evaluate(unk_row=None):
    E = model.embed.data
    saved = E[cr.UNK].clone()
    if unk_row is not None:
        E[cr.UNK] = unk_row
    tagged = cr.greedy(model, [cr.test_prompt(t, cr.TAG0 + t["rule"]) for t in ev_tasks])
    unk = cr.greedy(model, [cr.test_prompt(t) for t in ev_tasks])
    E[cr.UNK] = saved
    return (sum(cr.answer_ok(p, t) for p, t in zip(tagged, ev_tasks)) / len(ev_tasks),
            sum(cr.answer_ok(p, t) for p, t in zip(unk, ev_tasks)) / len(ev_tasks))


t0 = time.time()
lsum, n = 0.0, 0
for step in range(a.steps):
    lr = a.lr * (step / a.warmup if step < a.warmup else 0.5 * (1 + torch.cos(torch.tensor(3.14159265 * (step - a.warmup) / (a.steps - a.warmup)))).item())
    for g in opt.param_groups:
        g["lr"] = lr
    ids, w, mixes = batch()
    h0 = None
    if any(m is not None for m in mixes):
        h0 = model.embed[ids]
        tags = model.embed[cr.TAG0 : cr.TAG0 + cr.NRULES]
        rows = [b for b, m in enumerate(mixes) if m is not None]
        c = torch.tensor([mixes[b] for b in rows])
        h0 = h0.clone()
        h0[rows, 1] = c @ tags
    logits = cr.forward(model, ids, h0)
    ce = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1), reduction="none")
    ww = w[:, 1:].reshape(-1)
    loss = (ce * ww).sum() / ww.sum()
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    lsum += loss.item(); n += 1
    if (step + 1) % a.eval_every == 0 or step + 1 == a.steps:
        tag_acc, unk_acc = evaluate()
        cen = model.embed.data[cr.TAG0 : cr.TAG0 + cr.NRULES].mean(0)
        _, cen_acc = evaluate(cen)
        log({"step": step + 1, "loss": lsum / n, "lr": lr, "tagged": tag_acc, "icl_unk": unk_acc, "icl_centroid": cen_acc,
             "seconds": round(time.time() - t0, 1)})
        lsum, n = 0.0, 0
    if time.time() - t0 > a.max_minutes * 60:
        log({"stopped": "max-minutes", "step": step + 1})
        break

E = model.embed.data
tags = E[cr.TAG0 : cr.TAG0 + cr.NRULES]
geo = {"tag_norm_mean": tags.norm(dim=1).mean().item(), "unk_norm_before": E[cr.UNK].norm().item(),
       "tag_cos_mean": (F.normalize(tags, dim=1) @ F.normalize(tags, dim=1).t()).fill_diagonal_(0).sum().item() / (cr.NRULES * (cr.NRULES - 1))}
raw_unk = E[cr.UNK].clone()
if a.unk == "centroid":
    E[cr.UNK] = tags.mean(0)
tag_acc, unk_acc = evaluate()
cr.save_model(model, a.out, {"bos_token_id": cr.BOS, "eos_token_id": cr.EOS, "pad_token_id": cr.PAD})
json.dump(raw_unk.tolist(), open(a.out + "/unk_raw.json", "w"))  # the trained-but-never-input <r?> row (variant 'keep')
log({"final": True, "tagged": tag_acc, "icl_unk_saved": unk_acc, "unk": a.unk, **geo, "seconds": round(time.time() - t0, 1)})
