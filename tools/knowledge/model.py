"""The seal-mini-bio model in plain PyTorch (shared by train.py and feasibility.py): a Llama (RMSNorm, RoPE
θ 10000, GQA, SwiGLU, tied embeddings) in the Hugging Face layout, LoRA branches as the lab applies them
(y = x Wᵀ + (α/r)(x Aᵀ)Bᵀ, PEFT init), batched generation with a KV cache, and the model's tokenizer
(byte-level, whole-word vocabulary with ignore_merges) re-implemented for the world's text.
"""
import json
import math
import os
import re
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools", "reference"))
from safetensors_io import load_file, save_file  # noqa: E402

MODEL_DIR = os.path.join(ROOT, "public", "models", "seal-mini-bio")
BOS, EOS, PAD = 256, 257, 258
PROJ = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
# Work done, for the lab-time estimate (feasibility.py): prefill tokens (padded), decode steps (a batch of rows
# decodes in one step), training tokens (padded) and optimizer steps.
COUNT = {"prefillTokens": 0, "decodeSteps": 0, "trainTokens": 0, "trainSteps": 0}


# ---------------------------------------------------------------------------------------------- tokenizer
class Tokenizer:
    """GPT-2 pre-tokenizer + byte-level alphabet; a pre-token in the vocabulary is one token (ignore_merges),
    anything else is its bytes (the vocabulary has no merges). Python's `re` lacks \\p{L}/\\p{N}: letters are
    [^\\W\\d_] and numbers \\d, exact for the world's ASCII text (train.py checks ids against the lab's)."""

    SPLIT = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?(?:[^\s\w]|_)+|\s+(?!\S)|\s+""")

    def __init__(self, model_dir=MODEL_DIR):
        tj = json.load(open(os.path.join(model_dir, "tokenizer.json"), encoding="utf-8"))
        printable = [*range(33, 127), *range(161, 173), *range(174, 256)]
        self.byte_char = {}
        n = 0
        for b in range(256):
            if b in printable:
                self.byte_char[b] = chr(b)
            else:
                self.byte_char[b] = chr(256 + n)
                n += 1
        char_byte = {c: b for b, c in self.byte_char.items()}
        self.vocab = tj["model"]["vocab"]
        self.token_bytes = {i: bytes(char_byte[c] for c in piece) for piece, i in self.vocab.items()}
        self.specials = {t["id"] for t in tj["added_tokens"]}
        self.size = max([*self.token_bytes, *self.specials]) + 1

    def encode(self, text):
        out = []
        for m in self.SPLIT.findall(text):
            piece = "".join(self.byte_char[b] for b in m.encode("utf-8"))
            if piece in self.vocab:
                out.append(self.vocab[piece])
            else:
                out.extend(self.vocab[c] for c in piece)
        return out

    def decode(self, ids):
        return b"".join(self.token_bytes.get(i, b"") for i in ids if i not in self.specials).decode("utf-8", "replace")


# ---------------------------------------------------------------------------------------------- model
def make_config(vocab, hidden, ffn, layers, heads=4, kv_heads=2):
    return {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": vocab, "hidden_size": hidden,
        "intermediate_size": ffn, "num_hidden_layers": layers, "num_attention_heads": heads,
        "num_key_value_heads": kv_heads, "head_dim": hidden // heads, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
        "tie_word_embeddings": True, "max_position_embeddings": 2048, "hidden_act": "silu", "attention_bias": False,
        "mlp_bias": False, "bos_token_id": BOS, "eos_token_id": EOS, "pad_token_id": PAD, "torch_dtype": "float32",
    }


class Lin(torch.nn.Module):
    """Bias-free linear with an optional LoRA branch."""

    def __init__(self, i, o):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(o, i) * (0.5 / math.sqrt(i)))
        self.A = self.B = None
        self.scaling = 0.0

    def forward(self, x):
        y = x @ self.weight.t()
        if self.A is not None:
            y = y + self.scaling * ((x @ self.A.t()) @ self.B.t())
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


def rope(c, pos):
    D = c["head_dim"]
    inv = 1.0 / (c["rope_theta"] ** (torch.arange(0, D, 2).float() / D))
    ang = pos.float()[..., None] * inv
    emb = torch.cat([ang, ang], -1)
    return emb.cos()[:, None], emb.sin()[:, None]


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

    def forward(self, tokens, pos, keymask=None, cache=None):
        """tokens/pos [B,T]. keymask [B,S] bool over cache+T keys (None: all valid); causal within T.
        cache: list of (k, v) per layer, extended in place."""
        B, T = tokens.shape
        cos, sin = rope(self.c, pos)
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
            S = k.shape[2]
            g = b.H // b.KV
            kk = k.repeat_interleave(g, 1)
            vv = v.repeat_interleave(g, 1)
            s = (q @ kk.transpose(-1, -2)) * (1.0 / math.sqrt(b.D))
            allowed = torch.ones(T, S, dtype=torch.bool).tril(S - T)[None]
            if keymask is not None:
                allowed = allowed & keymask[:, None, :]
            s = s.masked_fill(~allowed[:, None], float("-inf"))
            a = torch.softmax(s, -1).nan_to_num(0.0) @ vv
            h = h + b.o_proj(a.transpose(1, 2).reshape(B, T, b.H * b.D))
            x = rms(h, b.post_attention_layernorm)
            h = h + b.down_proj(F.silu(b.gate_proj(x)) * b.up_proj(x))
        return rms(h, self.norm) @ self.embed.t()

    # ------------------------------------------------------------------ HF layout
    def hf_state(self):
        t = {"model.embed_tokens.weight": self.embed.data, "model.norm.weight": self.norm.data}
        for i, b in enumerate(self.layers):
            p = f"model.layers.{i}."
            t[p + "input_layernorm.weight"] = b.input_layernorm.data
            t[p + "post_attention_layernorm.weight"] = b.post_attention_layernorm.data
            for n in PROJ:
                t[p + ("self_attn." if n in PROJ[:4] else "mlp.") + n + ".weight"] = getattr(b, n).weight.data
        return {k: v.contiguous().clone() for k, v in t.items()}

    def load_hf(self, t):
        self.embed.data.copy_(t["model.embed_tokens.weight"])
        self.norm.data.copy_(t["model.norm.weight"])
        for i, b in enumerate(self.layers):
            p = f"model.layers.{i}."
            b.input_layernorm.data.copy_(t[p + "input_layernorm.weight"])
            b.post_attention_layernorm.data.copy_(t[p + "post_attention_layernorm.weight"])
            for n in PROJ:
                getattr(b, n).weight.data.copy_(t[p + ("self_attn." if n in PROJ[:4] else "mlp.") + n + ".weight"])


def save_model(model, out_dir, extra_files=None):
    os.makedirs(out_dir, exist_ok=True)
    save_file(model.hf_state(), os.path.join(out_dir, "model.safetensors"), {"format": "pt"})
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(model.c, f, indent=2)
    with open(os.path.join(out_dir, "generation_config.json"), "w") as f:
        json.dump({"bos_token_id": BOS, "eos_token_id": EOS, "pad_token_id": PAD}, f, indent=2)


def load_model(model_dir):
    c = json.load(open(os.path.join(model_dir, "config.json")))
    m = Model(c)
    t, _ = load_file(os.path.join(model_dir, "model.safetensors"))
    m.load_hf(t)
    m.eval()
    for p in m.parameters():
        p.requires_grad_(False)
    return m


# ---------------------------------------------------------------------------------------------- LoRA
def attach_lora(model, rank, alpha, targets, gen):
    """A fresh adapter with PEFT's init: A ~ U(−1/√in, 1/√in), B = 0 (drawn in layer, then PROJ order)."""
    params = []
    for b in model.layers:
        for n in PROJ:
            if n not in targets:
                continue
            lin = getattr(b, n)
            o, i = lin.weight.shape
            lin.A = torch.nn.Parameter((torch.rand(rank, i, generator=gen) * 2 - 1) / math.sqrt(i))
            lin.B = torch.nn.Parameter(torch.zeros(o, rank))
            lin.scaling = alpha / rank
            params += [lin.A, lin.B]
    return params


def detach_lora(model, merge=False):
    for b in model.layers:
        for n in PROJ:
            lin = getattr(b, n)
            if lin.A is not None and merge:
                lin.weight.data += lin.scaling * (lin.B.data @ lin.A.data)
            lin.A = lin.B = None
            lin.scaling = 0.0


# ---------------------------------------------------------------------------------------------- losses and decoding
def pad_batch(seqs):
    """Right-padded (ids, weights) batch: seqs is a list of (ids, weights)."""
    T = max(len(s[0]) for s in seqs)
    ids = torch.full((len(seqs), T), PAD, dtype=torch.long)
    w = torch.zeros(len(seqs), T)
    for r, (s, ww) in enumerate(seqs):
        ids[r, : len(s)] = torch.tensor(s)
        w[r, : len(s)] = torch.tensor(ww, dtype=torch.float32)
    return ids, w


def weighted_loss(logits, ids, w):
    """Mean token cross-entropy over the weighted positions (weights[t] weighs predicting ids[t])."""
    ce = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1), reduction="none")
    ww = w[:, 1:].reshape(-1)
    return (ce * ww).sum() / ww.sum().clamp(min=1.0)


def top_p_sample(logits, temperature, top_p, gen):
    """Like src/engine/model/sampler.ts: softmax(logits / T), keep the smallest most-likely set reaching top-p."""
    p = torch.softmax(logits.double() / temperature, -1)
    sp, order = torch.sort(p, descending=True)
    keep = (torch.cumsum(sp, -1) - sp) < top_p  # include the token that crosses top_p
    sp = sp * keep
    i = torch.multinomial(sp / sp.sum(), 1, generator=gen)
    return int(order[i])


@torch.no_grad()
def generate(model, prompts, max_new, temperature=0.0, top_p=1.0, gen=None, stop=(EOS,)):
    """Batched decoding of left-padded prompts; returns the new ids per prompt (up to and without the stop id)."""
    B = len(prompts)
    L = max(len(p) for p in prompts)
    toks = torch.full((B, L), PAD, dtype=torch.long)
    mask = torch.zeros(B, L, dtype=torch.bool)
    for r, p in enumerate(prompts):
        toks[r, L - len(p):] = torch.tensor(p)
        mask[r, L - len(p):] = True
    pos = (mask.long().cumsum(1) - 1).clamp(min=0)
    COUNT["prefillTokens"] += B * L
    cache = []
    logits = model(toks, pos, mask, cache)[:, -1]
    nxt_pos = pos[:, -1] + 1
    out = [[] for _ in range(B)]
    done = [False] * B
    for _ in range(max_new):
        nxt = []
        for r in range(B):
            t = int(torch.argmax(logits[r])) if temperature == 0 else top_p_sample(logits[r], temperature, top_p, gen)
            if not done[r]:
                if t in stop:
                    done[r] = True
                else:
                    out[r].append(t)
            nxt.append(t)
        if all(done):
            break
        COUNT["decodeSteps"] += 1
        mask = torch.cat([mask, torch.ones(B, 1, dtype=torch.bool)], 1)
        logits = model(torch.tensor(nxt)[:, None], nxt_pos[:, None], mask, cache)[:, -1]
        nxt_pos = nxt_pos + 1
    return out
