"""Shared code of tools/models/cuerows: the "cue rows" world (rows of 6 distinct colours, 12 rules, a rule tag),
its tokens, the project's mini Llama (tools/models/mini_llama) with an optional embedding override at the tag
position (for tag-mixture pretraining), S LoRA slots trained side by side (TTT as the lab's: r 8 / alpha 16 on
q, v, gate, up, down; batch 2; Adam; cosine with 10 % warm-up; clip 1) and batched greedy answers."""
import math
import os
import random
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools", "models", "mini_llama"))
from mini_llama import Model, attach_lora, detach_lora, cosine_with_warmup, slot_adam_step, slot_losses, slot_rows, slot_schedule, llama_config, load_model, rms, rope_tables, rot, save_model  # noqa: E402,F401

DATA = os.environ.get("CR_DATA", os.path.join(HERE, ".data"))
torch.set_num_threads(1)

# ------------------------------------------------------------------ tokens (vocabulary 32)
PAD, BOS, EOS, IN, OUT = 0, 1, 2, 3, 4
COL0 = 4            # colour c (1..9) is token COL0 + c = 5..13
TAG0 = 14           # <r0>..<r11> = 14..25
NRULES = 12
UNK = 26            # <r?>
# the self-edit writer's words (writer.py): a prompt marker, the self-edit's start, and the JSON self-edit's words
SE, EDIT = 27, 28   # BOS <se> demos <edit> { … } EOS
WORDS = ["{", "}", ":", ",", '"data_generation"', '"use_flip"', '"use_colour_permutation"', "true", "false",
         '"training"', '"learning_rate"', "0.0001", "0.001", "0.01", "0.03", "0.1", '"num_train_epochs"', "2"]
WORD0 = 29          # WORDS[i] is token WORD0 + i = 29..46
VOCAB = 48          # 47 spare (checkpoints before the writer had 32; writer.FEATS use 47-50 in a vocabulary of 52)
W = 6
RULES = ["reverse", "shl1", "shr1", "shl2", "shr2", "swap_pairs", "swap_halves", "sort_up", "sort_down", "col_plus",
         "col_minus", "rev_halves"]  # rev_halves replaces the probe's unreachable "mirror" (it repeats colours)


def apply_rule(r, x):
    x = list(x)
    if r == 0: return x[::-1]
    if r == 1: return x[1:] + x[:1]
    if r == 2: return x[-1:] + x[:-1]
    if r == 3: return x[2:] + x[:2]
    if r == 4: return x[-2:] + x[:-2]
    if r == 5: return [x[i ^ 1] for i in range(W)]
    if r == 6: return x[3:] + x[:3]
    if r == 7: return sorted(x)
    if r == 8: return sorted(x, reverse=True)
    if r == 9: return [c % 9 + 1 for c in x]
    if r == 10: return [(c - 2) % 9 + 1 for c in x]
    if r == 11: return x[:3][::-1] + x[3:][::-1]
    raise ValueError(r)


def rand_row(rng):
    return rng.sample(range(1, 10), W)


def make_task(rule, n_demos, rng):
    pairs = []
    seen = set()
    while len(pairs) < n_demos + 1:
        x = rand_row(rng)
        if tuple(x) in seen:
            continue
        seen.add(tuple(x))
        pairs.append((x, apply_rule(rule, x)))
    return {"rule": rule, "demos": pairs[:n_demos], "test": pairs[n_demos]}


def pair_tokens(x, y):
    return [IN] + [COL0 + c for c in x] + [OUT] + [COL0 + c for c in y]


def seq(tag, demos, query, answer):
    """BOS tag (in x out y)*n in q out a EOS; returns ids and the index where the answer starts."""
    ids = [BOS, tag]
    for x, y in demos:
        ids += pair_tokens(x, y)
    ids += [IN] + [COL0 + c for c in query] + [OUT]
    p = len(ids)
    ids += [COL0 + c for c in answer] + [EOS]
    return ids, p


def heldout_tasks(n, seed):
    """n held-out tasks, rules cycling 0..11, 4 demonstrations + test, seeded."""
    rng = random.Random(seed)
    return [make_task(i % NRULES, 4, rng) for i in range(n)]


# ------------------------------------------------------------------ model
def config(hidden=96, ffn=256, layers=4, heads=4, kv=2, vocab=VOCAB):
    return llama_config(vocab, hidden, ffn, layers, heads, kv, BOS, EOS, PAD)


def forward(model, tokens, h0=None):
    """Causal forward of mini_llama's Model (no cache, no padding mask: right padding only), with h0 [B, T, C] as
    the input embeddings when given (tag mixtures)."""
    B, T = tokens.shape
    c = model.c
    pos = torch.arange(T)[None].expand(B, T)
    cos, sin = rope_tables(c, pos)
    cos, sin = cos[:, None], sin[:, None]
    h = model.embed[tokens] if h0 is None else h0
    causal = torch.ones(T, T, dtype=torch.bool).tril()
    for b in model.layers:
        x = rms(h, b.input_layernorm)
        q = rot(b.q_proj(x).view(B, T, b.H, b.D).transpose(1, 2), cos, sin)
        k = rot(b.k_proj(x).view(B, T, b.KV, b.D).transpose(1, 2), cos, sin)
        v = b.v_proj(x).view(B, T, b.KV, b.D).transpose(1, 2)
        g = b.H // b.KV
        kk = k[:, :, None].expand(B, b.KV, g, T, b.D).reshape(B, b.H, T, b.D)
        vv = v[:, :, None].expand(B, b.KV, g, T, b.D).reshape(B, b.H, T, b.D)
        s = (q @ kk.transpose(-1, -2)) * (1.0 / math.sqrt(b.D))
        s = s.masked_fill(~causal, float("-inf"))
        a = torch.softmax(s, -1) @ vv
        h = h + b.o_proj(a.transpose(1, 2).reshape(B, T, b.H * b.D))
        x = rms(h, b.post_attention_layernorm)
        h = h + b.down_proj(F.silu(b.gate_proj(x)) * b.up_proj(x))
    return rms(h, model.norm) @ model.embed.t()


# ------------------------------------------------------------------ LoRA slots (as tools/models/arcworld/aw.py)
LORA_TARGETS = ("q_proj", "v_proj", "gate_proj", "up_proj", "down_proj")


def train_slots(model, mbs, lrs, seed, rank=8, alpha=16, batch=2, warmup_ratio=0.1, clip=1.0, betas=(0.9, 0.999), eps=1e-8,
                unk_row=False):
    """S adapters side by side. mbs[s] = list of micro-batches (each a list of ≤ batch (ids, weights)); all sequences
    of one micro-batch step are padded to a common length. unk_row: also train a per-slot copy of the <r?> row
    (an extra additive row delta fed through the embedding override)."""
    S = len(mbs)
    steps = [len(m) for m in mbs]
    warm = [int(round(warmup_ratio * s)) for s in steps]
    gen = torch.Generator().manual_seed(seed)
    params = attach_lora(model, rank, alpha, gen, LORA_TARGETS, slots=S)
    delta = None
    if unk_row:
        delta = torch.nn.Parameter(torch.zeros(S, model.c["hidden_size"]))
        params.append(delta)
    for p in params:
        p.requires_grad_(True)
    m = [torch.zeros_like(p) for p in params]
    v = [torch.zeros_like(p) for p in params]
    lr_t = torch.tensor(lrs, dtype=torch.float32)
    for k in range(max(steps)):
        ids, w = slot_rows([mbs[s][k] if k < steps[s] else mbs[s][-1] for s in range(S)], batch, PAD)
        h0 = None
        if delta is not None:
            h0 = model.embed[ids] + (ids == UNK).float()[..., None] * delta.repeat_interleave(batch, 0)[:, None, :]
        per = slot_losses(forward(model, ids, h0), ids, w, S, batch)
        for p in params:
            p.grad = None
        per.sum().backward()
        mult, active = slot_schedule(k, warm, steps)
        slot_adam_step(params, m, v, k + 1, lr_t * mult, active, clip, betas, eps)
    for p in params:
        p.requires_grad_(False)
        p.grad = None
    return delta


@torch.no_grad()
def greedy(model, prompts, n_new=W, delta=None):
    """Greedy continuation of equal-length prompts (one per slot when slots are attached). Returns lists of ints."""
    ids = torch.tensor(prompts)
    out = []
    for _ in range(n_new):
        h0 = None
        if delta is not None:
            h0 = model.embed[ids] + (ids == UNK).float()[..., None] * delta[:, None, :]
        nxt = forward(model, ids, h0)[:, -1].argmax(-1)
        out.append(nxt)
        ids = torch.cat([ids, nxt[:, None]], 1)
    return torch.stack(out, 1).tolist()


def answer_ok(pred, task):
    return pred == [COL0 + c for c in task["test"][1]]


def test_prompt(task, tag=UNK):
    ids, p = seq(tag, task["demos"], task["test"][0], task["test"][1])
    return ids[:p]


# ------------------------------------------------------------------ TTT data (the self-edit's data part)
AUGS = ["none", "flip", "perm", "both"]


def ttt_sequences(task, aug, all_tokens, rng):
    """4 leave-one-out sequences (3 demonstrations in context, the 4th as the query) plus flipped copies (every row
    reversed), colour-permuted copies (one random permutation of 1..9 per copy) or both (flip, perm, flip+perm)."""
    variants = [(False, False)]
    if aug in ("flip", "both"):
        variants.append((True, False))
    if aug in ("perm", "both"):
        variants.append((False, True))
    if aug == "both":
        variants.append((True, True))
    out = []
    d = task["demos"]
    for fl, pm in variants:
        for i in range(len(d)):
            perm = list(range(1, 10))
            rng.shuffle(perm)
            f = lambda row: [perm[c - 1] if pm else c for c in (row[::-1] if fl else row)]
            ctx = [(f(x), f(y)) for j, (x, y) in enumerate(d) if j != i]
            ids, p = seq(UNK, ctx, f(d[i][0]), f(d[i][1]))
            w = [1.0] * len(ids) if all_tokens else [0.0] * p + [1.0] * (len(ids) - p)
            out.append((ids, w))
    return out


def micro_batches(seqs, epochs, rng, batch=2):
    out = []
    for _ in range(epochs):
        order = seqs[:]
        rng.shuffle(order)
        for i in range(0, len(order), batch):
            out.append(order[i : i + batch])
    return out


def run_ttt(model, tasks, jobs, slots=48, unk_row=False, log=None):
    """jobs: dicts {task (index), aug, lr, epochs, all (bool), seed}. Returns rewards (0/1) in job order."""
    order = sorted(range(len(jobs)), key=lambda i: (jobs[i]["epochs"] * {"none": 1, "flip": 2, "perm": 2, "both": 4}[jobs[i]["aug"]], i))
    rew = [None] * len(jobs)
    for g in range(0, len(order), slots):
        grp = order[g : g + slots]
        mbs = []
        for i in grp:
            j = jobs[i]
            rng = random.Random(j["seed"] * 1_000_003 + j["task"] * 7919 + (AUGS.index(j["aug"]) * 1000 + int(round(j["lr"] * 1e5)) * 10 + j["epochs"] * 2 + int(j["all"])) % 99991)
            mbs.append(micro_batches(ttt_sequences(tasks[j["task"]], j["aug"], j["all"], rng), j["epochs"], rng))
        delta = train_slots(model, mbs, [jobs[i]["lr"] for i in grp], seed=jobs[grp[0]]["seed"] * 7919 + g, unk_row=unk_row)
        preds = greedy(model, [test_prompt(tasks[jobs[i]["task"]]) for i in grp], delta=delta)
        detach_lora(model)
        for i, pr in zip(grp, preds):
            rew[i] = int(answer_ok(pr, tasks[jobs[i]["task"]]))
        if log:
            log(g + len(grp), len(order))
    return rew
