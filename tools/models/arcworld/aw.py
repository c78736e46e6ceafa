"""Shared PyTorch code of tools/models/arcworld: the Llama model (as tools/models/pretrain/train.py, plus batched LoRA slots —
S independent adapters trained side by side in one forward pass — and left-padded batched decoding), the data
files export.ts writes, grid parsing, evaluation views and voting, self-edit parsing, and TTT as the lab runs it
(tools/models/arcworld/README.md)."""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools", "models", "mini_llama"))
from mini_llama import Model, attach_lora, detach_lora, length_batches, slot_adam_step, slot_losses, slot_rows, slot_schedule, cosine_with_warmup, llama_config, load_model, weighted_loss  # noqa: E402,F401  (the tools import them from here)
from mini_llama import save_model as save_model_files  # noqa: E402
sys.path.insert(0, os.path.join(ROOT, "tools", "models", "pretrain"))
from self_edit import parse_self_edit  # noqa: E402,F401  (protocol.py calls aw.parse_self_edit)

DATA = os.environ.get("AW_DATA", os.path.join(HERE, ".data"))
TOK_DIR = os.path.join(DATA, "model")
BOS, EOS, PAD, EOT = 256, 257, 258, 259
LORA_TARGETS = ("q_proj", "v_proj", "gate_proj", "up_proj", "down_proj")


def _token_bytes():
    tok = json.load(open(os.path.join(TOK_DIR, "tokenizer.json"), encoding="utf-8"))
    printable = [*range(33, 127), *range(161, 173), *range(174, 256)]
    byte_of = {chr(b): b for b in printable}
    byte_of.update({chr(256 + n): b for n, b in enumerate(b for b in range(256) if b not in printable)})
    tb = {i: bytes(byte_of[ch] for ch in piece) for piece, i in tok["model"]["vocab"].items()}
    vocab = max([*tb, *(t["id"] for t in tok["added_tokens"])]) + 1
    return tb, vocab


TOKEN_BYTES, VOCAB = _token_bytes()


def decode(ids):
    return b"".join(TOKEN_BYTES.get(int(i), b"") for i in ids).decode("utf-8", "replace")


def config(hidden=96, ffn=256, layers=4, heads=4, kv=2):
    return llama_config(VOCAB, hidden, ffn, layers, heads, kv, BOS, EOS, PAD)


def save_model(model, out_dir):
    save_model_files(model, out_dir, {"bos_token_id": BOS, "eos_token_id": [EOS, EOT], "pad_token_id": PAD})


# ---------------------------------------------------------------------------------------------- LoRA slots




def keep_slots(model, idx):
    """Keep only the slots in idx (a list), e.g. to evaluate a subset."""
    for b in model.layers:
        for n in LORA_TARGETS:
            lin = getattr(b, n)
            if lin.A is not None:
                lin.A = torch.nn.Parameter(lin.A.data[idx].clone())
                lin.B = torch.nn.Parameter(lin.B.data[idx].clone())


def merge_slot(model, slot=0):
    """Merge one slot's adapter into the base weights and drop the adapters."""
    for b in model.layers:
        for n in LORA_TARGETS:
            lin = getattr(b, n)
            if lin.A is not None:
                lin.weight.data += lin.scaling * (lin.B.data[slot] @ lin.A.data[slot])
    detach_lora(model)




def train_slots(model, seqs, lrs, steps, warmups, batch, seed, rank=8, alpha=16, targets=LORA_TARGETS, betas=(0.9, 0.999),
                eps=1e-8, clip=1.0, lora_seed=None):
    """Train S adapters side by side. seqs[s] = list of (ids, weights) per optimizer step: each entry a list of
    `batch` sequences (or fewer). lrs/steps/warmups per slot. Adam as the lab's LoraTrainer (no weight decay,
    per-slot global-norm clipping at `clip`, cosine with warm-up). Returns per-slot final losses."""
    S = len(seqs)
    gen = torch.Generator().manual_seed(seed if lora_seed is None else lora_seed)
    params = attach_lora(model, rank, alpha, gen, targets, slots=S)
    for p in params:
        p.requires_grad_(True)
    m = [torch.zeros_like(p) for p in params]
    v = [torch.zeros_like(p) for p in params]
    lr_t = torch.tensor(lrs, dtype=torch.float32)
    max_steps = max(steps)
    last = [None] * S
    for k in range(max_steps):
        # one micro-batch per slot, padded to a common length; slots already done train on a dummy and get lr 0
        ids, w = slot_rows([seqs[s][k] if k < len(seqs[s]) else seqs[s][-1] for s in range(S)], batch, PAD)
        N, T = ids.shape
        pos = torch.arange(T)[None].expand(N, T)
        per = slot_losses(model(ids, pos), ids, w, S, batch)
        for p in params:
            p.grad = None
        per.sum().backward()
        mult, active = slot_schedule(k, warmups, steps)
        # bias correction uses step k + 1 for every active slot (a finished slot is frozen)
        slot_adam_step(params, m, v, k + 1, lr_t * mult, active, clip, betas, eps)
        with torch.no_grad():
            for s in range(S):
                if k < steps[s]:
                    last[s] = float(per[s])
    for p in params:
        p.requires_grad_(False)
        p.grad = None
    return last


# ---------------------------------------------------------------------------------------------- decoding
@torch.no_grad()
def generate_batch(model, prompts, max_new, temperature=0.0, gen=None, stop=(EOS, EOT)):
    """Left-padded batched decoding. With LoRA slots attached, prompts must be slot-major (N = S × per slot)."""
    N = len(prompts)
    L = max(len(p) for p in prompts)
    pads = [L - len(p) for p in prompts]
    ids = torch.full((N, L), PAD, dtype=torch.long)
    for i, p in enumerate(prompts):
        ids[i, pads[i]:] = torch.tensor(p)
    padt = torch.tensor(pads)
    pos = (torch.arange(L)[None] - padt[:, None]).clamp(min=0)
    keyok = torch.arange(L)[None] >= padt[:, None]  # [N, L]
    # a padding row attends to itself only (an all-masked row would be NaN, and NaN values poison later layers
    # even under a zero attention weight)
    allowed = (torch.ones(L, L, dtype=torch.bool).tril()[None] & keyok[:, None, :]) | torch.eye(L, dtype=torch.bool)[None]
    cache = []
    logits = model(ids, pos, allowed, cache)[:, -1]
    out = [[] for _ in range(N)]
    done = [False] * N
    cur_pos = torch.tensor([len(p) for p in prompts])
    for step in range(max_new):
        if temperature > 0:
            probs = torch.softmax(logits.float() / temperature, -1)
            nxt = torch.multinomial(probs, 1, generator=gen)[:, 0]
        else:
            nxt = logits.argmax(-1)
        for i in range(N):
            if not done[i]:
                t = int(nxt[i])
                out[i].append(t)
                if t in stop:
                    done[i] = True
        if all(done) or step == max_new - 1:
            break
        keyok = torch.cat([keyok, torch.ones(N, 1, dtype=torch.bool)], 1)
        logits = model(nxt[:, None], cur_pos[:, None], keyok[:, None, :], cache)[:, -1]
        cur_pos = cur_pos + 1
    return out


# ---------------------------------------------------------------------------------------------- grids, views, votes
def parse_grid(text):
    """As src/seal/arc/format.ts parseGridText: rows by newline, cells single digits by spaces; None if invalid."""
    t = text.replace("\r\n", "\n").replace("\r", "\n")
    t = t.lstrip(" \t")
    while t.startswith("\n"):
        t = t[1:]
    t = t.rstrip()
    if not t.strip():
        return None
    g = []
    for line in t.split("\n"):
        cells = line.strip()
        if not cells:
            return None
        row = []
        for c in cells.split():
            if len(c) != 1 or not c.isdigit():
                return None
            row.append(int(c))
        if g and len(row) != len(g[0]):
            return None
        g.append(row)
    return g


def invert_view(g, inv):
    if g is None:
        return None
    if inv is None:
        return g
    a = np.array(g)
    if "geo" in inv:
        n = inv["geo"]
        a = {"rotate90": lambda x: np.rot90(x, -1), "rotate270": lambda x: np.rot90(x, 1), "rotate180": lambda x: np.rot90(x, 2),
             "flip0": np.flipud, "flip1": np.fliplr, "transpose": lambda x: x.T}[n](a)
        return a.tolist()
    p = inv["perm"]
    return [[p[c] for c in r] for r in g]


def vote(grids, attempts=2):
    counts, first = {}, {}
    for i, g in enumerate(grids):
        if g is None:
            continue
        k = json.dumps(g)
        counts[k] = counts.get(k, 0) + 1
        first.setdefault(k, i)
    order = sorted(counts, key=lambda k: (-counts[k], first[k]))
    return [json.loads(k) for k in order[:attempts]]


def select_views(task, geometric, colour, loo):
    out = []
    for v in task["views"]:
        if v["kind"] == "identity" or (v["kind"] == "geometric" and geometric) or (v["kind"] == "leave_one_out" and loo):
            out.append(v)
        elif v["kind"] == "colour" and int(v["name"][len("colours"):]) <= colour:
            out.append(v)
    return out


def max_new_for(task):
    h, w = len(task["answer"]), len(task["answer"][0])
    return max(h * (w + 1), w * (h + 1)) + 2


@torch.no_grad()
def predict_slots(model, tasks, views_cfg, attempts=2):
    """Greedy answers for every view of tasks[s] under slot s (or the bare model when no slots are attached
    and len(tasks) is anything), voted into `attempts`. Returns per task: (solved, identity_ok, attempts)."""
    per_views = [select_views(t, *views_cfg) for t in tasks]
    V = max(len(v) for v in per_views)
    prompts = []
    for vs in per_views:
        ps = [v["prompt"] for v in vs]
        ps += [ps[0]] * (V - len(ps))  # equal views per slot (padding duplicates are ignored)
        prompts += ps
    max_new = max(max_new_for(t) for t in tasks)
    outs = generate_batch(model, prompts, max_new)
    res = []
    for s, (t, vs) in enumerate(zip(tasks, per_views)):
        grids = []
        for j, v in enumerate(vs):
            ids = outs[s * V + j]
            ids = [i for i in ids if i not in (EOS, EOT)]
            grids.append(invert_view(parse_grid(decode(ids)), v["inv"]))
        att = vote(grids, attempts)
        res.append((t["answer"] in att, grids[0] == t["answer"], att))
    return res


# ---------------------------------------------------------------------------------------------- self-edits
FLAG_BITS = ("use_basic_augmentations", "use_size_augmentations", "use_chain_augmentations", "use_repeat_augmentations")


def edit_combo(v):
    dg = v["data_generation"]
    return sum(1 << i for i, k in enumerate(FLAG_BITS) if dg[k])


def edit_json(combo, all_tokens, lr, epochs):
    """The canonical JSON (selfEditToJson's key order, JSON.stringify's number format for our learning rates)."""
    dg = {k: bool(combo >> i & 1) for i, k in enumerate(FLAG_BITS)}
    tr = {"strategy": "train_using_all_tokens" if all_tokens else "train_using_output_tokens", "learning_rate": lr, "num_train_epochs": epochs}
    s = json.dumps({"data_generation": dg, "training": tr}, separators=(",", ":"))
    return s
