"""Builds the golden test cases in tests/golden/<case>/ (run: npm run golden).

Cases: llama3-f32, llama3-bf16, qwen2-f32, qwen2-bf16. Deterministic: fixed
seeds, single thread, deterministic algorithms. See README.md next to this file.
"""
import json
import math
import os
import shutil
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import llama_ref as ref  # noqa: E402
from safetensors_io import load_file, save_file  # noqa: E402

ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
OUT = os.path.join(ROOT, "tests", "golden")
REGEN = "npm run golden  (= /usr/bin/python3 tools/verify/reference/make_golden.py)"

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

BOS, EOS, PAD, EOT = 256, 257, 258, 259
T = 12
LENGTHS = [12, 9]
PROMPT_LEN = [5, 4]
N_GREEDY = 32
GREEDY_PROMPT_LEN = 6

TRAIN = dict(lr=1e-2, betas=[0.9, 0.999], eps=1e-8, weight_decay=0.01, warmup=2, total=5)

LLAMA3_CFG = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "vocab_size": 260,
    "hidden_size": 64,
    "intermediate_size": 160,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "head_dim": 16,
    "rms_norm_eps": 1e-5,
    "rope_theta": 500000.0,
    # original_max_position_embeddings 64 (not 32): with theta 5e5 and D 16 the
    # value 32 puts no frequency in the smooth (medium) branch; 64 hits all three.
    "rope_scaling": {
        "rope_type": "llama3",
        "factor": 8.0,
        "low_freq_factor": 1.0,
        "high_freq_factor": 4.0,
        "original_max_position_embeddings": 64,
    },
    "tie_word_embeddings": False,
    "max_position_embeddings": 2048,
    "hidden_act": "silu",
    "attention_bias": False,
    "mlp_bias": False,
    "bos_token_id": BOS,
    "eos_token_id": EOS,
    "pad_token_id": PAD,
}
QWEN2_CFG = {
    "architectures": ["Qwen2ForCausalLM"],
    "model_type": "qwen2",
    "vocab_size": 260,
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "rms_norm_eps": 1e-6,
    "rope_theta": 1000000.0,
    "tie_word_embeddings": True,
    "max_position_embeddings": 2048,
    "hidden_act": "silu",
    "bos_token_id": BOS,
    "eos_token_id": EOS,
    "pad_token_id": PAD,
}
ARCH = {
    "llama3": dict(cfg=LLAMA3_CFG, seed=1234, r=4, alpha=8,
                   targets=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]),
    "qwen2": dict(cfg=QWEN2_CFG, seed=5678, r=8, alpha=16,
                  targets=["q_proj", "v_proj", "gate_proj", "up_proj", "down_proj"]),
}


# ----------------------------------------------------------------------------- weights
def make_weights(cfg, seed):
    g = torch.Generator().manual_seed(seed)

    def randn(*shape, std):
        return torch.randn(*shape, generator=g, dtype=torch.float32) * std

    Hd, I, V = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    D = ref.head_dim(cfg)
    H, KVH = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    bias = cfg["model_type"] == "qwen2"
    tied = cfg["tie_word_embeddings"]
    p = {}
    # tied: embed rows also produce the logits, so keep them small-ish (logit std ~2)
    p["model.embed_tokens.weight"] = randn(V, Hd, std=0.25 if tied else 1.0)
    for i in range(cfg["num_hidden_layers"]):
        L = f"model.layers.{i}"
        p[L + ".input_layernorm.weight"] = 1 + randn(Hd, std=0.1)
        p[L + ".self_attn.q_proj.weight"] = randn(H * D, Hd, std=1.5 / math.sqrt(Hd))
        p[L + ".self_attn.k_proj.weight"] = randn(KVH * D, Hd, std=1.5 / math.sqrt(Hd))
        p[L + ".self_attn.v_proj.weight"] = randn(KVH * D, Hd, std=1.0 / math.sqrt(Hd))
        if bias:
            p[L + ".self_attn.q_proj.bias"] = randn(H * D, std=0.1)
            p[L + ".self_attn.k_proj.bias"] = randn(KVH * D, std=0.1)
            p[L + ".self_attn.v_proj.bias"] = randn(KVH * D, std=0.1)
        p[L + ".self_attn.o_proj.weight"] = randn(Hd, H * D, std=1.0 / math.sqrt(H * D))
        p[L + ".post_attention_layernorm.weight"] = 1 + randn(Hd, std=0.1)
        p[L + ".mlp.gate_proj.weight"] = randn(I, Hd, std=1.0 / math.sqrt(Hd))
        p[L + ".mlp.up_proj.weight"] = randn(I, Hd, std=1.0 / math.sqrt(Hd))
        p[L + ".mlp.down_proj.weight"] = randn(Hd, I, std=1.0 / math.sqrt(I))
    p["model.norm.weight"] = 1 + randn(Hd, std=0.1)
    if not tied:
        p["lm_head.weight"] = randn(V, Hd, std=2.0 / math.sqrt(Hd))
    return p


def linear_shape(cfg, name):
    Hd, I = cfg["hidden_size"], cfg["intermediate_size"]
    D = ref.head_dim(cfg)
    qo = cfg["num_attention_heads"] * D
    kv = cfg["num_key_value_heads"] * D
    return {"q_proj": (qo, Hd), "k_proj": (kv, Hd), "v_proj": (kv, Hd), "o_proj": (Hd, qo),
            "gate_proj": (I, Hd), "up_proj": (I, Hd), "down_proj": (Hd, I)}[name]  # (out, in)


def peft_key(path, ab):
    return f"base_model.model.{path}.lora_{ab}.weight"


def make_lora(cfg, seed, r, targets):
    """dict module_path -> (A [r,in], B [out,r]), both random nonzero."""
    g = torch.Generator().manual_seed(seed + 1)
    lora = {}
    for i in range(cfg["num_hidden_layers"]):
        for name in targets:
            out_f, in_f = linear_shape(cfg, name)
            A = torch.randn(r, in_f, generator=g) * 0.1
            B = torch.randn(out_f, r, generator=g) * 0.1
            lora[ref.module_path(i, name)] = (A, B)
    return lora


def lora_to_peft(lora):
    out = {}
    for path, (A, B) in lora.items():
        out[peft_key(path, "A")] = A
        out[peft_key(path, "B")] = B
    return out


def lora_params_in_order(lora):
    """Flat list (sorted by PEFT key) of (peft_key, tensor)."""
    return sorted(lora_to_peft(lora).items())


# ----------------------------------------------------------------------------- data
def make_batch(seed):
    g = torch.Generator().manual_seed(seed + 2)
    tokens = torch.randint(0, 256, (2, T), generator=g, dtype=torch.int64)
    mask = torch.zeros(2, T, dtype=torch.int32)
    for b, n in enumerate(LENGTHS):
        mask[b, :n] = 1
        tokens[b, n:] = PAD
    return tokens.to(torch.int32), mask


def output_mask(attention_mask):
    lm = torch.zeros_like(attention_mask)
    for b, (pl, n) in enumerate(zip(PROMPT_LEN, LENGTHS)):
        lm[b, pl:n] = 1
    return lm


# ----------------------------------------------------------------------------- training
def hf_cosine_lambda(warmup, total):
    def f(s):
        if s < warmup:
            return s / max(1, warmup)
        return 0.5 * (1.0 + math.cos(math.pi * (s - warmup) / max(1, total - warmup)))
    return f


def train(params, cfg, lora0, scaling, tokens, max_norm):
    lora = {k: (A.clone().requires_grad_(True), B.clone().requires_grad_(True)) for k, (A, B) in lora0.items()}
    named = sorted(lora_to_peft(lora).items())
    plist = [t for _, t in named]
    opt = torch.optim.AdamW(plist, lr=TRAIN["lr"], betas=tuple(TRAIN["betas"]), eps=TRAIN["eps"],
                            weight_decay=TRAIN["weight_decay"], amsgrad=False, foreach=False)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, hf_cosine_lambda(TRAIN["warmup"], TRAIN["total"]))
    losses, norms, lrs = [], [], []
    for s in range(TRAIN["total"]):
        opt.zero_grad(set_to_none=True)
        lrs.append(opt.param_groups[0]["lr"])
        step_loss = 0.0
        for b in range(2):
            n = LENGTHS[b]
            tok = tokens[b:b + 1, :n]
            am = torch.ones(1, n, dtype=torch.int32)
            lm = torch.zeros(1, n, dtype=torch.int32)
            lm[0, PROMPT_LEN[b]:n] = 1
            loss = ref.lm_loss(ref.forward(params, cfg, tok, am, lora, scaling), tok, lm)
            (loss / 2).backward()
            step_loss += float(loss) / 2
        losses.append(step_loss)
        norms.append(float(torch.nn.utils.clip_grad_norm_(plist, max_norm)))
        opt.step()
        sched.step()
    final = {k: t.detach().clone() for k, t in named}
    return losses, norms, lrs, final


# ----------------------------------------------------------------------------- tokenizer
def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


SPECIALS = [(BOS, "<|begin_of_text|>"), (EOS, "<|end_of_text|>"), (PAD, "<|pad|>"), (EOT, "<|eot_id|>")]
CHAT_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}"
    "{{ message['role'] + ':\\n\\n' + (message['content'] | trim) + '<|eot_id|>' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ 'assistant:\\n\\n' }}{% endif %}"
)


def write_tokenizer(model_dir):
    b2u = bytes_to_unicode()
    vocab = {b2u[b]: b for b in range(256)}
    tok = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {"id": i, "content": c, "single_word": False, "lstrip": False, "rstrip": False,
             "normalized": False, "special": True} for i, c in SPECIALS
        ],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                  "ignore_merges": False, "vocab": vocab, "merges": []},
    }
    with open(os.path.join(model_dir, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tok, f, ensure_ascii=False, indent=1)
        f.write("\n")
    tcfg = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": "<|begin_of_text|>",
        "eos_token": "<|end_of_text|>",
        "pad_token": "<|pad|>",
        "model_max_length": 2048,
        "clean_up_tokenization_spaces": False,
        "added_tokens_decoder": {str(i): {"content": c, "lstrip": False, "normalized": False, "rstrip": False,
                                          "single_word": False, "special": True} for i, c in SPECIALS},
        "chat_template": CHAT_TEMPLATE,
    }
    write_json(os.path.join(model_dir, "tokenizer_config.json"), tcfg)
    write_json(os.path.join(model_dir, "generation_config.json"),
               {"bos_token_id": BOS, "eos_token_id": [EOS, EOT], "pad_token_id": PAD})


# ----------------------------------------------------------------------------- helpers
def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def cast(params, dtype):
    return {k: v.to(dtype) for k, v in params.items()}


def cast_lora(lora, dtype):
    return {k: (A.to(dtype), B.to(dtype)) for k, (A, B) in lora.items()}


def diff_stats(a, b):
    a, b = a.double(), b.double()
    return {"max_abs": float((a - b).abs().max()), "rel_norm": float((a - b).norm() / b.norm())}


def nice_floor(x):
    """Round x down to 2 significant digits."""
    e = math.floor(math.log10(x)) - 1
    return float(f"{math.floor(x / 10 ** e)}e{e}")


def grads_for(params, cfg, lora0, scaling, tokens, attn_mask, loss_mask):
    lora = {k: (A.clone().requires_grad_(True), B.clone().requires_grad_(True)) for k, (A, B) in lora0.items()}
    loss = ref.lm_loss(ref.forward(params, cfg, tokens, attn_mask, lora, scaling), tokens, loss_mask)
    loss.backward()
    return {k: t.grad.detach().clone() for k, t in lora_to_peft(lora).items()}


# ----------------------------------------------------------------------------- case
def build_case(arch, wdtype):
    spec = ARCH[arch]
    name = f"{arch}-{'f32' if wdtype == torch.float32 else 'bf16'}"
    cdir = os.path.join(OUT, name)
    if os.path.isdir(cdir):
        shutil.rmtree(cdir)
    os.makedirs(os.path.join(cdir, "model"))
    os.makedirs(os.path.join(cdir, "adapter"))

    cfg = dict(spec["cfg"])
    cfg["torch_dtype"] = "float32" if wdtype == torch.float32 else "bfloat16"
    seed, r, alpha, targets = spec["seed"], spec["r"], spec["alpha"], spec["targets"]
    scaling = alpha / r

    torch.manual_seed(seed)
    w32 = make_weights(cfg, seed)
    stored = cast(w32, wdtype)  # what goes into model.safetensors
    params = cast(stored, torch.float32)  # engine semantics: bf16 storage, f32 math
    lora = make_lora(cfg, seed, r, targets)  # adapter always F32
    tokens, attn = make_batch(seed)
    out_mask = output_mask(attn)

    # ---- files: model + adapter
    write_json(os.path.join(cdir, "model", "config.json"), cfg)
    save_file(stored, os.path.join(cdir, "model", "model.safetensors"), {"format": "pt"})
    acfg = {"peft_type": "LORA", "task_type": "CAUSAL_LM", "r": r, "lora_alpha": alpha, "lora_dropout": 0.0,
            "target_modules": targets, "bias": "none", "fan_in_fan_out": False, "use_rslora": False,
            "base_model_name_or_path": "../model"}
    write_json(os.path.join(cdir, "adapter", "adapter_config.json"), acfg)
    save_file(lora_to_peft(lora), os.path.join(cdir, "adapter", "adapter_model.safetensors"), {"format": "pt"})
    if name == "llama3-f32":
        write_tokenizer(os.path.join(cdir, "model"))

    # ---- forward / loss
    with torch.no_grad():
        logits = ref.forward(params, cfg, tokens, attn)
        loss = ref.lm_loss(logits, tokens, attn)
        logits_lora = ref.forward(params, cfg, tokens, attn, lora, scaling)
        loss_lora = ref.lm_loss(logits_lora, tokens, attn)
        # accuracy of the f32 reference itself vs float64 compute on the same weights
        lg64 = ref.forward(cast(params, torch.float64), cfg, tokens, attn)
        lg64_lora = ref.forward(cast(params, torch.float64), cfg, tokens, attn, cast_lora(lora, torch.float64), scaling)

        # padding must not leak: sequence 1 alone (unpadded) gives the same logits
        n1 = LENGTHS[1]
        alone = ref.forward(params, cfg, tokens[1:2, :n1], torch.ones(1, n1, dtype=torch.int32), lora, scaling)
        assert (alone[0] - logits_lora[1, :n1]).abs().max() < 1e-4

    # ---- gradients
    grad_all = grads_for(params, cfg, lora, scaling, tokens, attn, attn)
    grad_out = grads_for(params, cfg, lora, scaling, tokens, attn, out_mask)
    for k, gt in list(grad_all.items()) + list(grad_out.items()):
        assert gt.abs().max() > 0, f"zero gradient {k}"

    # ---- training: probe grad norm at step 0 (params unchanged by step 0 since lr(0)=0,
    # so steps 0 and 1 see identical gradients) and pick max_norm below it.
    _, probe_norms, _, _ = train(params, cfg, lora, scaling, tokens, float("inf"))
    max_norm = nice_floor(0.8 * probe_norms[0])
    train_losses, grad_norms, lrs, final = train(params, cfg, lora, scaling, tokens, max_norm)
    clipped = [s for s, n in enumerate(grad_norms) if n > max_norm]
    assert len(clipped) >= 2, (grad_norms, max_norm)

    # ---- greedy
    gprompt = tokens[0, :GREEDY_PROMPT_LEN].clone()
    greedy, gap = ref.greedy(params, cfg, gprompt, N_GREEDY)
    greedy_lora, gap_lora = ref.greedy(params, cfg, gprompt, N_GREEDY, lora, scaling)
    assert gap >= 1e-3 and gap_lora >= 1e-3, (gap, gap_lora)

    # ---- golden.safetensors
    g = {
        "tokens": tokens.to(torch.int32),
        "attention_mask": attn.to(torch.int32),
        "prompt_len": torch.tensor(PROMPT_LEN, dtype=torch.int32),
        "logits": logits.float(),
        "loss": loss.reshape(1).float(),
        "logits_lora": logits_lora.float(),
        "loss_lora": loss_lora.reshape(1).float(),
        "train_losses": torch.tensor(train_losses, dtype=torch.float32),
        "greedy_prompt": gprompt.to(torch.int32),
        "greedy": greedy,
        "greedy_lora": greedy_lora,
    }
    for k, v in grad_all.items():
        g["grad." + k] = v
    for k, v in grad_out.items():
        g["grad_out." + k] = v
    for k, v in final.items():
        g["train_final." + k] = v
    save_file(g, os.path.join(cdir, "golden.safetensors"), {"format": "seal-golden", "version": "1"})

    _, branches = ref.rope_inv_freq(cfg)
    info = {
        "case": name,
        "regenerate": REGEN,
        "torch_version": torch.__version__,
        "seed": seed,
        "weights_dtype": cfg["torch_dtype"],
        "compute_dtype": "float32",
        "lora": {"r": r, "lora_alpha": alpha, "scaling": scaling, "target_modules": targets},
        "batch": {"lengths": LENGTHS, "prompt_len": PROMPT_LEN, "pad_token_id": PAD, "padding_side": "right"},
        "rope_branches": branches if cfg.get("rope_scaling") else None,
        "train": dict(TRAIN, max_norm=max_norm, clip_eps=1e-6, optimizer="torch.optim.AdamW (decoupled wd)",
                      schedule="LambdaLR, HF cosine with warmup", lr_per_step=lrs, losses=train_losses, grad_norms=grad_norms,
                      clipped_steps=clipped, micro_batches=2, step_loss="mean of 2 micro (output-only) losses"),
        "greedy": {"prompt_len": GREEDY_PROMPT_LEN, "new_tokens": N_GREEDY, "stops_at_eos": False,
                   "method": "argmax of last-position logits, full recomputation, no KV cache", "min_gap": gap, "min_gap_lora": gap_lora},
        "stats": {"logits_std": float(logits.std()), "logits_lora_std": float(logits_lora.std()),
                  "lora_logit_change_max_abs": float((logits_lora - logits).abs().max()),
                  "loss": float(loss), "loss_lora": float(loss_lora),
                  "f32_vs_f64_logits": diff_stats(logits, lg64),
                  "f32_vs_f64_logits_lora": diff_stats(logits_lora, lg64_lora)},
    }
    if wdtype == torch.bfloat16:
        with torch.no_grad():
            p16 = cast(stored, torch.bfloat16)
            lg16 = ref.forward(p16, cfg, tokens, attn).float()
            lg16_lora = ref.forward(p16, cfg, tokens, attn, cast_lora(lora, torch.bfloat16), scaling).float()
        info["bf16_compute_vs_f32_compute"] = {
            "note": "same bf16 weights; every weight and activation in torch.bfloat16 vs f32 math",
            "logits": diff_stats(lg16, logits), "logits_lora": diff_stats(lg16_lora, logits_lora)}
        # bf16-weight golden vs the f32-weight case (same seed): effect of weight rounding alone
        with torch.no_grad():
            info["bf16_weights_vs_f32_weights_logits"] = diff_stats(logits, ref.forward(w32, cfg, tokens, attn))
    write_json(os.path.join(cdir, "golden.json"), info)

    # ---- self-check: re-read what was written
    rg, meta = load_file(os.path.join(cdir, "golden.safetensors"))
    assert meta == {"format": "seal-golden", "version": "1"}
    rm, _ = load_file(os.path.join(cdir, "model", "model.safetensors"))
    assert all(torch.equal(rm[k], stored[k]) for k in stored) and set(rm) == set(stored)
    assert all(torch.equal(rg[k], g[k]) for k in g)
    return info


def main():
    os.makedirs(OUT, exist_ok=True)
    print(f"torch {torch.__version__}; writing {OUT}")
    for arch in ("llama3", "qwen2"):
        for wd in (torch.float32, torch.bfloat16):
            info = build_case(arch, wd)
            tr, st, gr = info["train"], info["stats"], info["greedy"]
            print(f"[{info['case']}] loss {st['loss']:.5f} loss_lora {st['loss_lora']:.5f} "
                  f"logit std {st['logits_std']:.3f} (lora changes logits by up to {st['lora_logit_change_max_abs']:.3f})")
            if info["rope_branches"]:
                print(f"  rope branches: {info['rope_branches']}")
            print(f"  train losses {[round(x, 5) for x in tr['losses']]} lr {[round(x, 5) for x in tr['lr_per_step']]}")
            print(f"  grad norms {[round(x, 5) for x in tr['grad_norms']]} max_norm {tr['max_norm']:g} "
                  f"clipped steps {tr['clipped_steps']}")
            print(f"  greedy min gap {gr['min_gap']:.4f}, with lora {gr['min_gap_lora']:.4f}; "
                  f"f32 vs f64 logits max abs {st['f32_vs_f64_logits']['max_abs']:.2e}")
            if "bf16_compute_vs_f32_compute" in info:
                d = info["bf16_compute_vs_f32_compute"]
                print(f"  bf16 compute vs f32 compute: logits max abs {d['logits']['max_abs']:.4f} "
                      f"rel {d['logits']['rel_norm']:.4f}; lora max abs {d['logits_lora']['max_abs']:.4f} "
                      f"rel {d['logits_lora']['rel_norm']:.4f}")
    total = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(OUT) for f in fs)
    print(f"total size of tests/golden: {total / 1024:.1f} KiB")


if __name__ == "__main__":
    main()
