"""The mini Llama in plain PyTorch that the embedded models were pretrained with, shared by tools/models/pretrain
(seal-mini-arc), tools/models/knowledge (seal-mini-bio) and tools/models/arcworld: RMSNorm, RoPE, grouped-query attention, SwiGLU,
tied embeddings, in the Hugging Face tensor layout the lab loads. LoRA branches as the lab applies them,
y = x Wᵀ + (α/r)(x Aᵀ)Bᵀ, either one adapter (A [r, in]) or S adapters side by side (A [S, r, in], rows of x
slot-major) for batched test-time training. (tools/verify/reference/llama_ref.py is the independent reference the golden
tests use; this is the training code.)
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "verify", "reference"))
from safetensors_io import load_file, save_file  # noqa: E402,F401  (re-exported for the tools)

ATTN = ("q_proj", "k_proj", "v_proj", "o_proj")
MLP = ("gate_proj", "up_proj", "down_proj")
PROJ = ATTN + MLP

TTT_TARGETS = ("q_proj", "v_proj", "gate_proj", "up_proj", "down_proj")


def attach_lora(model, rank, alpha, gen, targets=TTT_TARGETS, slots=None, init="uniform"):
    """Fresh adapters on `targets`, drawn layer by layer in PROJ order: one (A [r, in], B [out, r]) or `slots` side
    by side (A [S, r, in], B [S, out, r]). init "uniform" is PEFT's (A ~ U(−1/√in, 1/√in), B = 0) and the lab's;
    "normal" (A ~ N(0, 1/in)) is what the embedded ARC model's logged evaluations used. Returns the parameters."""
    params = []
    lead = () if slots is None else (slots,)
    for b in model.layers:
        for n in PROJ:
            if n not in targets:
                continue
            lin = getattr(b, n)
            o, i = lin.weight.shape
            if init == "uniform":
                a = (torch.rand(*lead, rank, i, generator=gen) * 2 - 1) / math.sqrt(i)
            else:
                a = torch.randn(*lead, rank, i, generator=gen) * (1.0 / math.sqrt(i))
            lin.A = torch.nn.Parameter(a.to(lin.weight.device))
            lin.B = torch.nn.Parameter(torch.zeros(*lead, o, rank, device=lin.weight.device))
            lin.scaling = alpha / rank
            params += [lin.A, lin.B]
    return params


def slot_rows(micro, batch, pad):
    """One step's micro-batch per slot (each at most `batch` (ids, weights) rows), slot-major and padded to `batch`
    rows and a common length: ids [S·batch, T] and weights [S·batch, T], padding weighing 0."""
    rows, ws = [], []
    for b in micro:
        for r in range(batch):
            if r < len(b):
                rows.append(b[r][0]); ws.append(b[r][1])
            else:
                rows.append([pad]); ws.append([0.0])
    T = max(len(r) for r in rows)
    ids = torch.full((len(rows), T), pad, dtype=torch.long)
    w = torch.zeros(len(rows), T)
    for i, (r, ww) in enumerate(zip(rows, ws)):
        ids[i, : len(r)] = torch.tensor(r)
        w[i, : len(ww)] = torch.tensor(ww, dtype=torch.float32)
    return ids, w

def cosine_with_warmup(step, warmup, total):
    """transformers' get_cosine_schedule_with_warmup (what the lab's trainer does): step 0 of a warm-up is lr 0."""
    if step < warmup:
        return step / max(1, warmup)
    progress = (step - warmup) / max(1, total - warmup)
    return max(0.0, 0.5 * (1 + math.cos(math.pi * progress)))


def slot_losses(logits, ids, w, S, batch):
    """Each of S slots' mean weighted next-token loss over its own rows (slot-major, `batch` rows each): (S,)."""
    N, T = ids.shape
    ce = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1), reduction="none").view(N, T - 1)
    wt = w[:, 1:]
    return (ce * wt).view(S, batch, T - 1).sum((1, 2)) / wt.view(S, batch, T - 1).sum((1, 2)).clamp(min=1.0)


def slot_schedule(k, warmups, steps):
    """Step k's learning-rate multiplier and active flag per slot, (S,) each: a slot past its steps gets 0 and is frozen."""
    S = len(steps)
    mult = torch.tensor([cosine_with_warmup(k, warmups[s], steps[s]) if k < steps[s] else 0.0 for s in range(S)])
    active = torch.tensor([1.0 if k < steps[s] else 0.0 for s in range(S)])
    return mult, active


@torch.no_grad()
def slot_adam_step(params, m, v, t, lr, active, clip, betas, eps):
    """One Adam step for S adapter slots side by side (every tensor's leading dim is S): each slot's gradient clipped
    to global norm `clip` (0: none), moments moved only where `active` [S] is 1, learning rate `lr` [S] per slot."""
    S = lr.shape[0]
    sq = torch.zeros(S)
    for p in params:
        sq += p.grad.pow(2).reshape(S, -1).sum(1)
    coef = (clip / (sq.sqrt() + 1e-6)).clamp(max=1.0) if clip else torch.ones(S)
    for p, mm, vv in zip(params, m, v):
        shp = (S,) + (1,) * (p.dim() - 1)
        g = p.grad * coef.view(shp)
        a = active.view(shp)
        mm.mul_(1 - a * (1 - betas[0])).add_(a * (1 - betas[0]) * g)
        vv.mul_(1 - a * (1 - betas[1])).add_(a * (1 - betas[1]) * g * g)
        p.sub_(lr.view(shp) * (mm / (1 - betas[0] ** t)) / ((vv / (1 - betas[1] ** t)).sqrt() + eps))

def detach_lora(model, merge=False):
    """Drops every adapter; with merge, a single adapter is first added into the base weights."""
    for b in model.layers:
        for n in PROJ:
            lin = getattr(b, n)
            if lin.A is not None and merge:
                lin.weight.data += lin.scaling * (lin.B.data @ lin.A.data)
            lin.A = lin.B = None
            lin.scaling = 0.0


def llama_config(vocab, hidden, ffn, layers, heads, kv_heads, bos, eos, pad):
    """A config.json for the lab: head_dim hidden/heads, RoPE θ 10000, tied embeddings, f32."""
    return {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": vocab, "hidden_size": hidden,
        "intermediate_size": ffn, "num_hidden_layers": layers, "num_attention_heads": heads,
        "num_key_value_heads": kv_heads, "head_dim": hidden // heads, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
        "tie_word_embeddings": True, "max_position_embeddings": 2048, "hidden_act": "silu", "attention_bias": False,
        "mlp_bias": False, "bos_token_id": bos, "eos_token_id": eos, "pad_token_id": pad, "torch_dtype": "float32",
    }


class Lin(torch.nn.Module):
    """Bias-free linear with an optional LoRA branch: one adapter (A [r, in], B [out, r]) or S slots
    (A [S, r, in], B [S, out, r]; x [N, T, in] with N = S × per-slot batch, slot-major)."""

    def __init__(self, i, o):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(o, i) * (1.0 / math.sqrt(i)) * 0.5)
        self.A = None
        self.B = None
        self.scaling = 0.0

    def forward(self, x):
        y = x @ self.weight.t()
        if self.A is None:
            return y
        if self.A.dim() == 2:
            return y + self.scaling * ((x @ self.A.t()) @ self.B.t())
        S = self.A.shape[0]
        N, T, _ = x.shape
        xs = x.reshape(S, (N // S) * T, x.shape[-1])
        d = torch.bmm(torch.bmm(xs, self.A.transpose(1, 2)), self.B.transpose(1, 2))
        return y + self.scaling * d.reshape(N, T, -1)


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
    inv = 1.0 / (c["rope_theta"] ** (torch.arange(0, D, 2, device=pos.device).float() / D))
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
        for b in self.layers:  # scaled residual projections (GPT-2 style)
            for lin in (b.o_proj, b.down_proj):
                lin.weight.data.mul_(1.0 / math.sqrt(2 * c["num_hidden_layers"]))

    def forward(self, tokens, pos, mask=None, cache=None):
        """tokens/pos [B, T] → logits [B, T, V]. mask: None (causal over the cache and these T), a key mask [B, S]
        over cache + T keys (padding; causal within T), or the allowed pairs [B, T, S] themselves.
        cache: a list of (k, v) per layer, extended in place."""
        B, T = tokens.shape
        cos, sin = rope_tables(self.c, pos)
        cos, sin = cos[:, None], sin[:, None]
        h = self.embed[tokens]
        for li, b in enumerate(self.layers):
            x = rms(h, b.input_layernorm)
            q = rot(b.q_proj(x).view(B, T, b.H, b.D).transpose(1, 2), cos, sin)
            k = rot(b.k_proj(x).view(B, T, b.KV, b.D).transpose(1, 2), cos, sin)
            v = b.v_proj(x).view(B, T, b.KV, b.D).transpose(1, 2)
            if cache is not None:
                if len(cache) > li:
                    k = torch.cat([cache[li][0], k], 2)
                    v = torch.cat([cache[li][1], v], 2)
                    cache[li] = (k, v)
                else:
                    cache.append((k, v))
            g = b.H // b.KV
            S = k.shape[2]
            kk = k[:, :, None].expand(B, b.KV, g, S, b.D).reshape(B, b.H, S, b.D)
            vv = v[:, :, None].expand(B, b.KV, g, S, b.D).reshape(B, b.H, S, b.D)
            if mask is None and cache is None and hasattr(F, "scaled_dot_product_attention"):
                a = F.scaled_dot_product_attention(q, kk, vv, is_causal=True)  # torch ≥ 2: fused, same maths
            else:
                s = (q @ kk.transpose(-1, -2)) * (1.0 / math.sqrt(b.D))
                allowed = mask if mask is not None and mask.dim() == 3 else torch.ones(T, S, dtype=torch.bool, device=s.device).tril(S - T)[None]
                if mask is not None and mask.dim() == 2:
                    allowed = allowed & mask[:, None, :]
                s = s.masked_fill(~allowed[:, None], float("-inf"))
                a = torch.softmax(s, -1).nan_to_num(0.0) @ vv  # a query that sees no key (left padding) reads 0
            h = h + b.o_proj(a.transpose(1, 2).reshape(B, T, b.H * b.D))
            x = rms(h, b.post_attention_layernorm)
            h = h + b.down_proj(F.silu(b.gate_proj(x)) * b.up_proj(x))
        return rms(h, self.norm) @ self.embed.t()

    # ------------------------------------------------------------------ the Hugging Face layout
    @staticmethod
    def _name(i, n):
        return f"model.layers.{i}." + ("self_attn." if n in ATTN else "mlp.") + n + ".weight"

    def hf_state(self):
        t = {"model.embed_tokens.weight": self.embed.data, "model.norm.weight": self.norm.data}
        for i, b in enumerate(self.layers):
            t[f"model.layers.{i}.input_layernorm.weight"] = b.input_layernorm.data
            t[f"model.layers.{i}.post_attention_layernorm.weight"] = b.post_attention_layernorm.data
            for n in PROJ:
                t[self._name(i, n)] = getattr(b, n).weight.data
        return {k: v.contiguous().clone() for k, v in t.items()}

    def load_hf(self, t):
        self.embed.data.copy_(t["model.embed_tokens.weight"])
        self.norm.data.copy_(t["model.norm.weight"])
        for i, b in enumerate(self.layers):
            b.input_layernorm.data.copy_(t[f"model.layers.{i}.input_layernorm.weight"])
            b.post_attention_layernorm.data.copy_(t[f"model.layers.{i}.post_attention_layernorm.weight"])
            for n in PROJ:
                getattr(b, n).weight.data.copy_(t[self._name(i, n)])


def save_model(model, out_dir, generation_config):
    """model.safetensors, config.json and generation_config.json: a folder the lab loads."""
    os.makedirs(out_dir, exist_ok=True)
    save_file(model.hf_state(), os.path.join(out_dir, "model.safetensors"), {"format": "pt"})
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(model.c, f, indent=2)
    with open(os.path.join(out_dir, "generation_config.json"), "w") as f:
        json.dump(generation_config, f, indent=2)


def load_model(model_dir):
    """A saved model, frozen, in eval mode."""
    with open(os.path.join(model_dir, "config.json")) as f:
        m = Model(json.load(f))
    m.load_hf(load_file(os.path.join(model_dir, "model.safetensors"))[0])
    m.eval()
    for p in m.parameters():
        p.requires_grad_(False)
    return m


def weighted_loss(logits, ids, w):
    """Mean token cross-entropy over the weighted positions (w[t] weighs predicting ids[t])."""
    ce = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1), reduction="none")
    ww = w[:, 1:].reshape(-1)
    return (ce * ww).sum() / ww.sum().clamp(min=1.0)


def length_batches(ids, length, tokens_per_batch, rng):
    """Length-bucketed batches of the items `ids`: sorted by length(i) (ties in random order), cut where the next item
    would take the padded batch past tokens_per_batch, then shuffled. Padding stays small and every batch is near
    the token budget."""
    order = sorted(ids, key=lambda i: (length(i), rng.random()))
    out, cur = [], []
    for i in order:
        if cur and (len(cur) + 1) * length(i) > tokens_per_batch:
            out.append(cur)
            cur = []
        cur.append(i)
    if cur:
        out.append(cur)
    rng.shuffle(out)
    return out
