"""Why is a checkpoint rewirable? Cheap probes of the tag channel on the gate's held-out tasks (no TTT):
  grad_rank  for each task, the gradient of the leave-one-out output loss with respect to the <r?> input row; rank of
             the true tag among the 12 tags by cos(-grad, E[tag] - E[<r?>]) (1 = the first step points at the right
             rule; 6.5 = no information)
  path       output loss and exact answers when the <r?> row is moved on the straight line to the true tag's row
             (alpha 0, .25, .5, .75, 1): a smooth channel falls monotonically, a sharp one stays high then drops
usage: python3 diag.py .data/NAME [.data/NAME2 …] [--out logs/diag.jsonl] [--unk keep|centroid]"""
import argparse
import json
import random
import statistics

import torch
import torch.nn.functional as F

import cr

ap = argparse.ArgumentParser()
ap.add_argument("models", nargs="+")
ap.add_argument("--n", type=int, default=48)
ap.add_argument("--task-seed", type=int, default=4242)
ap.add_argument("--out")
a = ap.parse_args()
tasks = cr.heldout_tasks(a.n, a.task_seed)


def loo_batch(task):
    seqs = cr.ttt_sequences(task, "none", False, random.Random(0))
    return torch.tensor([s for s, _ in seqs]), torch.tensor([w for _, w in seqs])


for path in a.models:
    model = cr.load_model(path)
    E = model.embed.data
    tags = E[cr.TAG0 : cr.TAG0 + cr.NRULES]
    ranks, path_loss, path_acc = [], {al: [] for al in (0, .25, .5, .75, 1)}, {al: [] for al in (0, .25, .5, .75, 1)}
    for t in tasks:
        ids, w = loo_batch(t)
        u = E[cr.UNK].clone().requires_grad_(True)
        h0 = model.embed[ids].clone()
        h0[:, 1] = u
        lo = cr.forward(model, ids, h0)
        ce = F.cross_entropy(lo[:, :-1].reshape(-1, lo.shape[-1]), ids[:, 1:].reshape(-1), reduction="none")
        loss = (ce * w[:, 1:].reshape(-1)).sum() / w[:, 1:].sum()
        g, = torch.autograd.grad(loss, u)
        cos = F.cosine_similarity(-g[None], tags - E[cr.UNK][None], dim=1)
        ranks.append(1 + int((cos > cos[t["rule"]]).sum()))
        with torch.no_grad():
            for al in path_loss:
                row = (1 - al) * E[cr.UNK] + al * tags[t["rule"]]
                h0 = model.embed[ids].clone(); h0[:, 1] = row
                lo = cr.forward(model, ids, h0)
                ce = F.cross_entropy(lo[:, :-1].reshape(-1, lo.shape[-1]), ids[:, 1:].reshape(-1), reduction="none")
                path_loss[al].append(((ce * w[:, 1:].reshape(-1)).sum() / w[:, 1:].sum()).item())
                p = cr.test_prompt(t)
                pid = torch.tensor([p])
                out = []
                for _ in range(cr.W):
                    h = model.embed[pid].clone(); h[:, 1] = row
                    nxt = cr.forward(model, pid, h)[:, -1].argmax(-1)
                    out.append(int(nxt)); pid = torch.cat([pid, nxt[:, None]], 1)
                path_acc[al].append(int(cr.answer_ok(out, t)))
    rec = {"model": path, "grad_rank_mean": statistics.mean(ranks), "grad_rank1": sum(r == 1 for r in ranks) / len(ranks),
           "grad_rank_le3": sum(r <= 3 for r in ranks) / len(ranks),
           "path_loss": {str(k): round(statistics.mean(v), 3) for k, v in path_loss.items()},
           "path_acc": {str(k): round(statistics.mean(v), 3) for k, v in path_acc.items()},
           "tag_norm": tags.norm(dim=1).mean().item(), "unk_norm": E[cr.UNK].norm().item(),
           "unk_to_tag_dist": (tags - E[cr.UNK]).norm(dim=1).mean().item()}
    print(json.dumps(rec), flush=True)
    if a.out:
        with open(a.out, "a") as f:
            f.write(json.dumps(rec) + "\n")
