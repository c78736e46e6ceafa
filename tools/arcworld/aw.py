"""Shared PyTorch code of tools/arcworld: the Llama model (as tools/pretrain/train.py, plus batched LoRA slots —
S independent adapters trained side by side in one forward pass — and left-padded batched decoding), the data
files export.ts writes, grid parsing, evaluation views and voting, self-edit parsing, and TTT as the lab runs it
(tools/arcworld/README.md)."""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools", "reference"))
from safetensors_io import load_file, save_file  # noqa: E402

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
    return {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": VOCAB, "hidden_size": hidden,
        "intermediate_size": ffn, "num_hidden_layers": layers, "num_attention_heads": heads, "num_key_value_heads": kv,
        "head_dim": hidden // heads, "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "tie_word_embeddings": True,
        "max_position_embeddings": 2048, "hidden_act": "silu", "attention_bias": False, "mlp_bias": False,
        "bos_token_id": BOS, "eos_token_id": EOS, "pad_token_id": PAD, "torch_dtype": "float32",
    }


# ---------------------------------------------------------------------------------------------- model
class Lin(torch.nn.Module):
    """Bias-free linear with optional LoRA slots: A [S, r, in], B [S, out, r]; rows of x are slot-major
    (x [N, T, in] with N = S × per-slot batch)."""

    def __init__(self, i, o):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(o, i) * (1.0 / math.sqrt(i)) * 0.5)
        self.A = None
        self.B = None
        self.scaling = 0.0

    def forward(self, x):
        y = x @ self.weight.t()
        if self.A is not None:
            S = self.A.shape[0]
            N, T, _ = x.shape
            xs = x.reshape(S, (N // S) * T, x.shape[-1])
            d = torch.bmm(torch.bmm(xs, self.A.transpose(1, 2)), self.B.transpose(1, 2))
            y = y + self.scaling * d.reshape(N, T, -1)
        return y


class Block(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        C, H, KV, D, Fd = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"], c["intermediate_size"]
        self.H, self.KV, self.D = H, KV, D
        self.input_layernorm = torch.nn.Parameter(torch.ones(C))
        self.post_attention_layernorm = torch.nn.Parameter(torch.ones(C))
        self.q_proj, self.k_proj, self.v_proj, self.o_proj = Lin(C, H * D), Lin(C, KV * D), Lin(C, KV * D), Lin(H * D, C)
        self.gate_proj, self.up_proj, self.down_proj = Lin(C, Fd), Lin(C, Fd), Lin(Fd, C)


def rms(x, w, eps=1e-5):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rope_tables(c, pos):
    D = c["head_dim"]
    inv = 1.0 / (c["rope_theta"] ** (torch.arange(0, D, 2).float() / D))
    ang = pos.float()[..., None] * inv
    emb = torch.cat([ang, ang], -1)
    return emb.cos(), emb.sin()


def rot(x, cos, sin):
    h = x.shape[-1] // 2
    return x * cos + torch.cat([-x[..., h:], x[..., :h]], -1) * sin


class Model(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embed = torch.nn.Parameter(torch.randn(c["vocab_size"], c["hidden_size"]) * 0.02)
        self.layers = torch.nn.ModuleList([Block(c) for _ in range(c["num_hidden_layers"])])
        self.norm = torch.nn.Parameter(torch.ones(c["hidden_size"]))
        for b in self.layers:
            for lin in (b.o_proj, b.down_proj):
                lin.weight.data.mul_(1.0 / math.sqrt(2 * c["num_hidden_layers"]))

    def forward(self, tokens, pos, allowed=None, cache=None):
        """tokens/pos [N,T]; allowed [N,T,S] bool or None (causal); cache: list of (k,v) per layer, appended."""
        N, T = tokens.shape
        cos, sin = rope_tables(self.c, pos)
        cos, sin = cos[:, None], sin[:, None]
        h = self.embed[tokens]
        for li, b in enumerate(self.layers):
            x = rms(h, b.input_layernorm)
            q = rot(b.q_proj(x).view(N, T, b.H, b.D).transpose(1, 2), cos, sin)
            k = rot(b.k_proj(x).view(N, T, b.KV, b.D).transpose(1, 2), cos, sin)
            v = b.v_proj(x).view(N, T, b.KV, b.D).transpose(1, 2)
            if cache is not None:
                if len(cache) > li:
                    k = torch.cat([cache[li][0], k], 2)
                    v = torch.cat([cache[li][1], v], 2)
                    cache[li] = (k, v)
                else:
                    cache.append((k, v))
            g = b.H // b.KV
            S = k.shape[2]
            kk = k[:, :, None].expand(N, b.KV, g, S, b.D).reshape(N, b.H, S, b.D)
            vv = v[:, :, None].expand(N, b.KV, g, S, b.D).reshape(N, b.H, S, b.D)
            s = (q @ kk.transpose(-1, -2)) * (1.0 / math.sqrt(b.D))
            al = torch.ones(T, S, dtype=torch.bool).tril(S - T)[None] if allowed is None else allowed
            s = s.masked_fill(~al[:, None], float("-inf"))
            a = torch.softmax(s, -1) @ vv
            h = h + b.o_proj(a.transpose(1, 2).reshape(N, T, b.H * b.D))
            x = rms(h, b.post_attention_layernorm)
            h = h + b.down_proj(F.silu(b.gate_proj(x)) * b.up_proj(x))
        return rms(h, self.norm) @ self.embed.t()

    def hf_state(self):
        t = {"model.embed_tokens.weight": self.embed.data, "model.norm.weight": self.norm.data}
        for i, b in enumerate(self.layers):
            p = f"model.layers.{i}."
            t[p + "input_layernorm.weight"] = b.input_layernorm.data
            t[p + "post_attention_layernorm.weight"] = b.post_attention_layernorm.data
            for n in ("q_proj", "k_proj", "v_proj", "o_proj"):
                t[p + f"self_attn.{n}.weight"] = getattr(b, n).weight.data
            for n in ("gate_proj", "up_proj", "down_proj"):
                t[p + f"mlp.{n}.weight"] = getattr(b, n).weight.data
        return {k: v.contiguous().clone() for k, v in t.items()}

    def load_hf(self, t):
        self.embed.data.copy_(t["model.embed_tokens.weight"])
        self.norm.data.copy_(t["model.norm.weight"])
        for i, b in enumerate(self.layers):
            p = f"model.layers.{i}."
            b.input_layernorm.data.copy_(t[p + "input_layernorm.weight"])
            b.post_attention_layernorm.data.copy_(t[p + "post_attention_layernorm.weight"])
            for n in ("q_proj", "k_proj", "v_proj", "o_proj"):
                getattr(b, n).weight.data.copy_(t[p + f"self_attn.{n}.weight"])
            for n in ("gate_proj", "up_proj", "down_proj"):
                getattr(b, n).weight.data.copy_(t[p + f"mlp.{n}.weight"])


def save_model(model, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    save_file(model.hf_state(), os.path.join(out_dir, "model.safetensors"), {"format": "pt"})
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(model.c, f, indent=2)
    with open(os.path.join(out_dir, "generation_config.json"), "w") as f:
        json.dump({"bos_token_id": BOS, "eos_token_id": [EOS, EOT], "pad_token_id": PAD}, f, indent=2)


def load_model(model_dir):
    c = json.load(open(os.path.join(model_dir, "config.json")))
    m = Model(c)
    t, _ = load_file(os.path.join(model_dir, "model.safetensors"))
    m.load_hf(t)
    m.eval()
    for p in m.parameters():
        p.requires_grad_(False)
    return m


def weighted_loss(logits, ids, w):
    lg = logits[:, :-1].reshape(-1, logits.shape[-1])
    ce = F.cross_entropy(lg, ids[:, 1:].reshape(-1), reduction="none")
    ww = w[:, 1:].reshape(-1)
    return (ce * ww).sum() / ww.sum().clamp(min=1.0)


# ---------------------------------------------------------------------------------------------- LoRA slots
def attach_slots(model, S, rank, alpha, gen, targets=LORA_TARGETS):
    """S fresh adapters (PEFT init: A ~ U(−1/√in, 1/√in), B = 0). Returns the list of (A, B) parameters."""
    params = []
    for b in model.layers:
        for n in targets:
            lin = getattr(b, n)
            o, i = lin.weight.shape
            lin.A = torch.nn.Parameter((torch.rand(S, rank, i, generator=gen) * 2 - 1) / math.sqrt(i))
            lin.B = torch.nn.Parameter(torch.zeros(S, o, rank))
            lin.scaling = alpha / rank
            params += [lin.A, lin.B]
    return params


def detach_slots(model):
    for b in model.layers:
        for n in LORA_TARGETS:
            lin = getattr(b, n)
            lin.A = lin.B = None
            lin.scaling = 0.0


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
    detach_slots(model)


def cosine_with_warmup(step, warmup, total):
    """transformers' get_cosine_schedule_with_warmup (what the lab's trainer does): step 0 of a warm-up is lr 0."""
    if step < warmup:
        return step / max(1, warmup)
    progress = (step - warmup) / max(1, total - warmup)
    return max(0.0, 0.5 * (1 + math.cos(math.pi * progress)))


def train_slots(model, seqs, lrs, steps, warmups, batch, seed, rank=8, alpha=16, targets=LORA_TARGETS, betas=(0.9, 0.999),
                eps=1e-8, clip=1.0, lora_seed=None):
    """Train S adapters side by side. seqs[s] = list of (ids, weights) per optimizer step: each entry a list of
    `batch` sequences (or fewer). lrs/steps/warmups per slot. Adam as the lab's LoraTrainer (no weight decay,
    per-slot global-norm clipping at `clip`, cosine with warm-up). Returns per-slot final losses."""
    S = len(seqs)
    gen = torch.Generator().manual_seed(seed if lora_seed is None else lora_seed)
    params = attach_slots(model, S, rank, alpha, gen, targets)
    for p in params:
        p.requires_grad_(True)
    m = [torch.zeros_like(p) for p in params]
    v = [torch.zeros_like(p) for p in params]
    lr_t = torch.tensor(lrs, dtype=torch.float32)
    max_steps = max(steps)
    last = [None] * S
    for k in range(max_steps):
        # one micro-batch per slot, padded to a common length; slots already done train on a dummy and get lr 0
        rows, ws, owner = [], [], []
        for s in range(S):
            b = seqs[s][k] if k < len(seqs[s]) else seqs[s][-1]
            for r in range(batch):
                if r < len(b):
                    rows.append(b[r][0]); ws.append(b[r][1])
                else:
                    rows.append([PAD]); ws.append([0.0])
        T = max(len(r) for r in rows)
        ids = torch.full((len(rows), T), PAD, dtype=torch.long)
        w = torch.zeros(len(rows), T)
        for i, (r, ww) in enumerate(zip(rows, ws)):
            ids[i, : len(r)] = torch.tensor(r)
            w[i, : len(ww)] = torch.tensor(ww, dtype=torch.float32)
        pos = torch.arange(T)[None].expand(len(rows), T)
        logits = model(ids, pos)
        ce = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1), reduction="none").view(len(rows), T - 1)
        wt = w[:, 1:]
        ce_s = (ce * wt).view(S, batch, T - 1).sum((1, 2))
        cnt = wt.view(S, batch, T - 1).sum((1, 2)).clamp(min=1.0)
        per = ce_s / cnt
        for p in params:
            p.grad = None
        per.sum().backward()
        with torch.no_grad():
            # per-slot global gradient norm over all its adapter tensors
            sq = torch.zeros(S)
            for p in params:
                sq += p.grad.pow(2).reshape(S, -1).sum(1)
            norm = sq.sqrt()
            coef = (clip / (norm + 1e-6)).clamp(max=1.0) if clip else torch.ones(S)
            mult = torch.tensor([cosine_with_warmup(k, warmups[s], steps[s]) if k < steps[s] else 0.0 for s in range(S)])
            active = torch.tensor([1.0 if k < steps[s] else 0.0 for s in range(S)])
            lr_k = lr_t * mult
            t = k + 1
            for p, mm, vv in zip(params, m, v):
                shp = (S,) + (1,) * (p.dim() - 1)
                g = p.grad * coef.view(shp)
                a = active.view(shp)
                mm.mul_(1 - a * (1 - betas[0])).add_(a * (1 - betas[0]) * g)
                vv.mul_(1 - a * (1 - betas[1])).add_(a * (1 - betas[1]) * g * g)
                # bias correction per slot uses its own step count (same for all active slots: t)
                mhat = mm / (1 - betas[0] ** t)
                vhat = vv / (1 - betas[1] ** t)
                p.sub_(lr_k.view(shp) * mhat / (vhat.sqrt() + eps))
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
SE_KEYS = {"use_basic_augmentations", "use_size_augmentations", "use_chain_augmentations", "use_repeat_augmentations"}
FLAG_BITS = ("use_basic_augmentations", "use_size_augmentations", "use_chain_augmentations", "use_repeat_augmentations")


def parse_self_edit(text):
    """First balanced {...} that parses, validated like src/seal/arc/self_edit.ts (strict keys and types)."""
    start = text.find("{")
    while start >= 0:
        depth, ins, end, i = 0, False, -1, start
        while i < len(text):
            ch = text[i]
            if ins:
                if ch == "\\":
                    i += 1
                elif ch == '"':
                    ins = False
            elif ch == '"':
                ins = True
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    end = i
                    break
            i += 1
        if end < 0:
            start = text.find("{", start + 1)
            continue
        try:
            v = json.loads(text[start : end + 1])
        except Exception:
            start = text.find("{", end + 1)
            continue
        try:
            dg, tr = v["data_generation"], v["training"]
            assert set(v) == {"data_generation", "training"} and set(dg) == SE_KEYS
            assert all(isinstance(dg[k], bool) for k in SE_KEYS)
            assert set(tr) == {"strategy", "learning_rate", "num_train_epochs"}
            assert tr["strategy"] in ("train_using_all_tokens", "train_using_output_tokens")
            lr = tr["learning_rate"]
            assert isinstance(lr, (int, float)) and not isinstance(lr, bool) and 0 < lr <= 1
            ep = tr["num_train_epochs"]
            assert isinstance(ep, (int, float)) and not isinstance(ep, bool) and float(ep).is_integer() and ep >= 1
            return v
        except (AssertionError, KeyError, TypeError):
            return None
    return None


def edit_combo(v):
    dg = v["data_generation"]
    return sum(1 << i for i, k in enumerate(FLAG_BITS) if dg[k])


def edit_json(combo, all_tokens, lr, epochs):
    """The canonical JSON (selfEditToJson's key order, JSON.stringify's number format for our learning rates)."""
    dg = {k: bool(combo >> i & 1) for i, k in enumerate(FLAG_BITS)}
    tr = {"strategy": "train_using_all_tokens" if all_tokens else "train_using_output_tokens", "learning_rate": lr, "num_train_epochs": epochs}
    s = json.dumps({"data_generation": dg, "training": tr}, separators=(",", ":"))
    return s
