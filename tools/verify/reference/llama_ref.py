"""Independent reference for the Llama-3 / Qwen2 decoder, LoRA and the LM loss.

Written from the maths with plain torch ops; gradients come from autograd.
Parameters are a dict keyed by Hugging Face tensor names; every op runs in the
dtype of the tensors it is given (f32 for golden values; bf16 only for the
"plain bf16 compute" comparison).
"""
import math

import torch
import torch.nn.functional as F

LORA_ATTN = ("q_proj", "k_proj", "v_proj", "o_proj")
LORA_MLP = ("gate_proj", "up_proj", "down_proj")


def head_dim(cfg):
    return cfg.get("head_dim") or cfg["hidden_size"] // cfg["num_attention_heads"]


def module_path(layer, name):
    """HF module path of a linear, e.g. model.layers.0.self_attn.q_proj."""
    kind = "self_attn" if name in LORA_ATTN else "mlp"
    return f"model.layers.{layer}.{kind}.{name}"


def rms_norm(x, w, eps):
    # x * rsqrt(mean(x^2, last dim) + eps) * w
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def position_ids(attention_mask):
    # position_ids[b, t] = max(cumsum(mask[b])[t] - 1, 0)
    return (attention_mask.long().cumsum(-1) - 1).clamp(min=0)


def rope_inv_freq(cfg):
    """float32 inverse frequencies (HF convention) and the llama3 branch of each."""
    D = head_dim(cfg)
    theta = float(cfg["rope_theta"])
    i2 = torch.arange(0, D, 2, dtype=torch.int64).float()  # 2i
    inv = 1.0 / (theta ** (i2 / D))  # float32
    branches = ["none"] * (D // 2)
    rs = cfg.get("rope_scaling")
    if rs and rs.get("rope_type", rs.get("type")) == "llama3":
        factor = float(rs["factor"])
        lo = float(rs["low_freq_factor"])
        hi = float(rs["high_freq_factor"])
        orig = float(rs["original_max_position_embeddings"])
        low_freq_wavelen = orig / lo
        high_freq_wavelen = orig / hi
        wavelen = 2 * math.pi / inv  # float32 tensor
        out = torch.empty_like(inv)
        for i in range(D // 2):
            w = wavelen[i]
            if w > low_freq_wavelen:
                out[i] = inv[i] / factor
                branches[i] = "low(/factor)"
            elif w < high_freq_wavelen:
                out[i] = inv[i]
                branches[i] = "high(keep)"
            else:
                smooth = (orig / w - lo) / (hi - lo)
                out[i] = (1 - smooth) * inv[i] / factor + smooth * inv[i]
                branches[i] = "medium(smooth)"
        inv = out
    return inv, branches


def rope_cos_sin(cfg, pos, dtype):
    inv, _ = rope_inv_freq(cfg)
    ang = pos.float()[..., None] * inv  # [B, T, D/2], float32 like HF
    emb = torch.cat([ang, ang], dim=-1)  # [B, T, D]
    return emb.cos().to(dtype), emb.sin().to(dtype)


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


def apply_rope(x, cos, sin):
    # x [B, heads, T, D], cos/sin [B, T, D]
    return x * cos[:, None] + rotate_half(x) * sin[:, None]


def linear(x, W, b=None, lora=None, scaling=0.0):
    """y = x W^T (+ b) + scaling * (x A^T) B^T."""
    y = x @ W.t()
    if b is not None:
        y = y + b
    if lora is not None:
        A, B = lora
        y = y + scaling * ((x @ A.t()) @ B.t())
    return y


def attention(q, k, v, attention_mask):
    """Grouped-query causal attention with key padding mask.

    q [B,H,T,D], k/v [B,KVH,T,D]. Query head h uses kv head h // (H/KVH).
    Key j visible to query i iff j <= i and mask[b, j] == 1; rows with no
    visible key produce zeros.
    """
    B, H, T, D = q.shape
    g = H // k.shape[1]
    k = k.repeat_interleave(g, dim=1)
    v = v.repeat_interleave(g, dim=1)
    scores = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(D))
    causal = torch.ones(T, T, dtype=torch.bool).tril()
    visible = causal[None, None] & (attention_mask[:, None, None, :] == 1)
    any_visible = visible.any(-1, keepdim=True)
    scores = scores.masked_fill(~visible, float("-inf"))
    scores = torch.where(any_visible, scores, torch.zeros_like(scores))
    p = torch.softmax(scores, dim=-1)
    p = torch.where(visible, p, torch.zeros_like(p))
    return p @ v


def forward(params, cfg, tokens, attention_mask, lora=None, scaling=0.0):
    """Logits [B, T, V]. params: HF-named tensors (all in one dtype).
    lora: dict module_path -> (A, B) or None."""
    dtype = params["model.embed_tokens.weight"].dtype
    eps = cfg["rms_norm_eps"]
    H = cfg["num_attention_heads"]
    KVH = cfg["num_key_value_heads"]
    D = head_dim(cfg)
    Bsz, T = tokens.shape
    cos, sin = rope_cos_sin(cfg, position_ids(attention_mask), dtype)
    lora = lora or {}

    def lin(x, path):
        return linear(x, params[path + ".weight"], params.get(path + ".bias"), lora.get(path), scaling)

    h = params["model.embed_tokens.weight"][tokens.long()]
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}"
        x = rms_norm(h, params[p + ".input_layernorm.weight"], eps)
        q = lin(x, p + ".self_attn.q_proj").view(Bsz, T, H, D).transpose(1, 2)
        k = lin(x, p + ".self_attn.k_proj").view(Bsz, T, KVH, D).transpose(1, 2)
        v = lin(x, p + ".self_attn.v_proj").view(Bsz, T, KVH, D).transpose(1, 2)
        q = apply_rope(q, cos, sin)
        k = apply_rope(k, cos, sin)
        a = attention(q, k, v, attention_mask).transpose(1, 2).reshape(Bsz, T, H * D)
        h = h + lin(a, p + ".self_attn.o_proj")
        x = rms_norm(h, params[p + ".post_attention_layernorm.weight"], eps)
        m = F.silu(lin(x, p + ".mlp.gate_proj")) * lin(x, p + ".mlp.up_proj")
        h = h + lin(m, p + ".mlp.down_proj")
    h = rms_norm(h, params["model.norm.weight"], eps)
    head = params["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings") else params["lm_head.weight"]
    return h @ head.t()


def lm_loss(logits, tokens, loss_mask):
    """sum_{b,t<T-1} loss_mask[b,t+1] * CE(logits[b,t], tokens[b,t+1]) / sum(weights)."""
    V = logits.shape[-1]
    lg = logits[:, :-1].reshape(-1, V)
    lg = lg.to(torch.promote_types(lg.dtype, torch.float32))  # bf16 -> f32; f64 stays f64
    tgt = tokens[:, 1:].long().reshape(-1)
    w = loss_mask[:, 1:].to(lg.dtype).reshape(-1)
    ce = F.cross_entropy(lg, tgt, reduction="none")
    return (ce * w).sum() / w.sum()


def greedy(params, cfg, prompt, n, lora=None, scaling=0.0):
    """Greedy continuation by full recomputation. Returns (new tokens, min top1-top2 gap)."""
    seq = prompt.clone().long()
    out, min_gap = [], float("inf")
    with torch.no_grad():
        for _ in range(n):
            lg = forward(params, cfg, seq[None], torch.ones(1, seq.numel(), dtype=torch.int32), lora, scaling)[0, -1]
            top = torch.topk(lg.float(), 2).values
            min_gap = min(min_gap, float(top[0] - top[1]))
            nxt = int(torch.argmax(lg))
            out.append(nxt)
            seq = torch.cat([seq, torch.tensor([nxt])])
    return torch.tensor(out, dtype=torch.int32), min_gap
