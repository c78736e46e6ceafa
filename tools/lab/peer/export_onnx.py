"""Exports Llama decoders to ONNX for the peer benchmark: onnxruntime-web against the engine (tools/lab/peer/).

Run: npm run peer:export  (= /usr/bin/python3 tools/lab/peer/export_onnx.py [--only NAME]); torch 1.13 with torch.onnx,
no onnx package needed. Writes tools/lab/peer/.data/<name>/ (git-ignored, regenerated, never committed):

  seal-mini-arc      the embedded model (public/models/seal-mini-arc) as it is: model.onnx only, the engine loads
                     the folder in public/.
  llama-1b-width-2l  a random model at Llama-3.2-1B width (hidden 2048, FFN 8192, 32/8 heads of 64, RoPE theta
                     5e5 with llama3 scaling, tied head) with 2 layers (not 16) and the vocabulary cut to 32768
                     (not 128256): 189 M parameters, f32 (755 MB), as model.onnx + config.json + model.safetensors
                     with the same values, so both engines run the same model. f32 in both: the WebGPU adapter
                     here (SwiftShader) has no shader-f16, and a bf16 file would favour the engine on bytes alone.

ONNX interface (Hugging Face Optimum's decoder with past key values, which transformers.js drives), opset 14:
  inputs   input_ids int64 [B, T]; attention_mask int64 [B, P + T] (1 = real token); position_ids int64 [B, T];
           past_key_values.{i}.key, past_key_values.{i}.value float32 [B, KVH, P, D] (P = 0 on the first call)
  outputs  logits float32 [B, T, V]; present.{i}.key, present.{i}.value float32 [B, KVH, P + T, D]
Query t (absolute position P + t) sees key j iff j <= P + t and attention_mask[b, j] = 1. The maths is
tools/verify/reference/llama_ref.py's (checked here: incremental calls equal the reference's full forward).
"""
import argparse
import json
import math
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(ROOT, "tools", "verify", "reference"))
import llama_ref as ref  # noqa: E402
from safetensors_io import load_file, save_file  # noqa: E402

OUT = os.path.join(HERE, ".data")
OPSET = 14

WIDE_CFG = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "vocab_size": 32768,
    "hidden_size": 2048,
    "intermediate_size": 8192,
    "num_hidden_layers": 2,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "head_dim": 64,
    "rms_norm_eps": 1e-5,
    "rope_theta": 500000.0,
    "rope_scaling": {"rope_type": "llama3", "factor": 32.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                     "original_max_position_embeddings": 8192},
    "tie_word_embeddings": True,
    "max_position_embeddings": 131072,
    "hidden_act": "silu",
    "attention_bias": False,
    "mlp_bias": False,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "torch_dtype": "float32",
}


def wide_weights(cfg, seed=0):
    """Uniform weights with std 0.02 (Hugging Face's init scale, like the bench's shaped model); norms = 1."""
    g = torch.Generator().manual_seed(seed)
    a = 0.02 * math.sqrt(3)

    def u(*shape):
        return (torch.rand(*shape, generator=g, dtype=torch.float32) * 2 - 1) * a

    Hd, I, V, D = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"], ref.head_dim(cfg)
    H, KVH = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    p = {"model.embed_tokens.weight": u(V, Hd), "model.norm.weight": torch.ones(Hd)}
    for i in range(cfg["num_hidden_layers"]):
        L = f"model.layers.{i}"
        p[L + ".input_layernorm.weight"] = torch.ones(Hd)
        p[L + ".post_attention_layernorm.weight"] = torch.ones(Hd)
        for name, shape in (("self_attn.q_proj", (H * D, Hd)), ("self_attn.k_proj", (KVH * D, Hd)), ("self_attn.v_proj", (KVH * D, Hd)),
                            ("self_attn.o_proj", (Hd, H * D)), ("mlp.gate_proj", (I, Hd)), ("mlp.up_proj", (I, Hd)), ("mlp.down_proj", (Hd, I))):
            p[f"{L}.{name}.weight"] = u(*shape)
    return p


class Decoder(torch.nn.Module):
    """llama_ref's decoder with a KV cache in and out (the ONNX interface above); weights become initializers."""

    def __init__(self, params, cfg):
        super().__init__()
        self.cfg = cfg
        self.names = sorted(params)
        for k, name in enumerate(self.names):
            self.register_buffer(f"w{k}", params[name].float().contiguous())
        inv, _ = ref.rope_inv_freq(cfg)
        self.register_buffer("inv_freq", inv.float())

    def w(self, name):
        return getattr(self, f"w{self.names.index(name)}")

    def forward(self, input_ids, attention_mask, position_ids, *past):
        cfg = self.cfg
        eps, H, KVH, D = cfg["rms_norm_eps"], cfg["num_attention_heads"], cfg["num_key_value_heads"], ref.head_dim(cfg)
        B, T = input_ids.shape
        ang = position_ids.float()[..., None] * self.inv_freq  # [B, T, D/2]
        emb = torch.cat([ang, ang], dim=-1)
        cos, sin = emb.cos(), emb.sin()
        P = past[0].shape[2]
        S = P + T
        # key j visible to query t iff j <= P + t and the key is a real token
        causal = torch.arange(S)[None, :] <= (torch.arange(T) + P)[:, None]  # [T, S]
        visible = causal[None, None] & (attention_mask[:, None, None, :] == 1)  # [B, 1, T, S]
        h = self.w("model.embed_tokens.weight")[input_ids]
        presents = []
        for i in range(cfg["num_hidden_layers"]):
            p = f"model.layers.{i}"

            def lin(x, n):
                return x @ self.w(f"{p}.{n}.weight").t()

            x = ref.rms_norm(h, self.w(p + ".input_layernorm.weight"), eps)
            q = lin(x, "self_attn.q_proj").view(B, T, H, D).transpose(1, 2)
            k = lin(x, "self_attn.k_proj").view(B, T, KVH, D).transpose(1, 2)
            v = lin(x, "self_attn.v_proj").view(B, T, KVH, D).transpose(1, 2)
            q = ref.apply_rope(q, cos, sin)
            k = ref.apply_rope(k, cos, sin)
            k = torch.cat([past[2 * i], k], dim=2)
            v = torch.cat([past[2 * i + 1], v], dim=2)
            presents += [k, v]
            g = H // KVH
            kk = k[:, :, None].expand(B, KVH, g, S, D).reshape(B, H, S, D)
            vv = v[:, :, None].expand(B, KVH, g, S, D).reshape(B, H, S, D)
            scores = (q @ kk.transpose(-1, -2)) * (1.0 / math.sqrt(D))
            scores = scores.masked_fill(~visible, torch.finfo(torch.float32).min)
            a = (torch.softmax(scores, dim=-1) @ vv).transpose(1, 2).reshape(B, T, H * D)
            h = h + lin(a, "self_attn.o_proj")
            x = ref.rms_norm(h, self.w(p + ".post_attention_layernorm.weight"), eps)
            h = h + lin(torch.nn.functional.silu(lin(x, "mlp.gate_proj")) * lin(x, "mlp.up_proj"), "mlp.down_proj")
        h = ref.rms_norm(h, self.w("model.norm.weight"), eps)
        head = self.w("model.embed_tokens.weight") if cfg.get("tie_word_embeddings") else self.w("lm_head.weight")
        return (h @ head.t(), *presents)


def empty_past(cfg, B=1):
    KVH, D = cfg["num_key_value_heads"], ref.head_dim(cfg)
    return [torch.zeros(B, KVH, 0, D) for _ in range(2 * cfg["num_hidden_layers"])]


def check(model, params, cfg, tol):
    """Prefill 5 tokens, then 2 one-token steps: every logit equals the reference's full forward (f32 maths)."""
    V = cfg["vocab_size"]
    tokens = torch.randint(0, V, (1, 7), generator=torch.Generator().manual_seed(1))
    want = ref.forward(params, cfg, tokens, torch.ones(1, 7, dtype=torch.int32))
    with torch.no_grad():
        out = model(tokens[:, :5], torch.ones(1, 5, dtype=torch.long), torch.arange(5)[None], *empty_past(cfg))
        got, past = [out[0]], list(out[1:])
        for t in (5, 6):
            out = model(tokens[:, t:t + 1], torch.ones(1, t + 1, dtype=torch.long), torch.tensor([[t]]), *past)
            got.append(out[0])
            past = list(out[1:])
    err = (torch.cat(got, dim=1) - want).abs().max().item()
    scale = want.abs().max().item()
    print(f"  incremental vs llama_ref full forward: max |Δlogit| {err:.2e} (max |logit| {scale:.2f})")
    if not err <= tol * max(scale, 1):
        raise SystemExit(f"export check failed: {err} > {tol} x {scale}")


def export(name, params, cfg, files):
    out = os.path.join(OUT, name)
    os.makedirs(out, exist_ok=True)
    model = Decoder(params, cfg).eval()
    check(model, params, cfg, 1e-4)
    L = cfg["num_hidden_layers"]
    past_names = [f"past_key_values.{i}.{kv}" for i in range(L) for kv in ("key", "value")]
    present_names = [f"present.{i}.{kv}" for i in range(L) for kv in ("key", "value")]
    dyn = {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "total"}, "position_ids": {0: "batch", 1: "seq"},
           "logits": {0: "batch", 1: "seq"}}
    dyn.update({n: {0: "batch", 2: "past"} for n in past_names})
    dyn.update({n: {0: "batch", 2: "total"} for n in present_names})
    KVH, D = cfg["num_key_value_heads"], ref.head_dim(cfg)
    sample = (torch.ones(1, 3, dtype=torch.long), torch.ones(1, 5, dtype=torch.long), torch.tensor([[2, 3, 4]]),
              *[torch.zeros(1, KVH, 2, D) for _ in past_names])
    path = os.path.join(out, "model.onnx")
    with torch.no_grad():
        torch.onnx.export(model, sample, path, input_names=["input_ids", "attention_mask", "position_ids", *past_names],
                          output_names=["logits", *present_names], dynamic_axes=dyn, opset_version=OPSET, do_constant_folding=True)
    for fname, data in files.items():
        if isinstance(data, dict):
            save_file(data, os.path.join(out, fname), {"format": "pt"})
        else:
            with open(os.path.join(out, fname), "w") as f:
                f.write(data)
    n = sum(t.numel() for t in params.values())
    info = {"name": name, "params": n, "layers": L, "hidden": cfg["hidden_size"], "vocab": cfg["vocab_size"], "opset": OPSET,
            "interface": "optimum decoder with past key values (export_onnx.py docstring)"}
    with open(os.path.join(out, "peer.json"), "w") as f:
        json.dump(info, f, indent=2)
    print(f"  {path}: {os.path.getsize(path) / 2**20:.0f} MiB, {n} parameters")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", choices=["seal-mini-arc", "llama-1b-width-2l"])
    args = ap.parse_args()
    torch.manual_seed(0)
    if args.only in (None, "seal-mini-arc"):
        print("seal-mini-arc")
        folder = os.path.join(ROOT, "public", "models", "seal-mini-arc")
        with open(os.path.join(folder, "config.json")) as f:
            cfg = json.load(f)
        params, _ = load_file(os.path.join(folder, "model.safetensors"))
        export("seal-mini-arc", {k: v.float() for k, v in params.items()}, cfg, {})
    if args.only in (None, "llama-1b-width-2l"):
        print("llama-1b-width-2l")
        params = wide_weights(WIDE_CFG)
        export("llama-1b-width-2l", params, WIDE_CFG, {"config.json": json.dumps(WIDE_CFG, indent=2) + "\n", "model.safetensors": params})


if __name__ == "__main__":
    main()
