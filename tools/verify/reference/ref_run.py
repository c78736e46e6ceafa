"""The PyTorch reference (llama_ref.py) on a model folder and token ids, for checks at scale (tools/verify/scale/).

    ref_run.py --model DIR --tokens "1,2,3;4,5" [--adapter DIR] [--greedy-prompt "1,2,3" --greedy-n 4] --out PREFIX

Reads config.json and model.safetensors (one file; BF16/F16/F32) tensor by tensor from a memory map, computes in
f32 on those values, and writes PREFIX.safetensors (logits [B, T, V] of the right-padded batch; grad.<PEFT key>
of the LoRA loss) and PREFIX.json (loss, loss_lora, greedy tokens and the smallest top-1/top-2 gap on their path,
seconds per phase, peak RSS). The loss is the mean next-token cross-entropy over every real token of the batch
(padding masked), as the engine's forward and lora-grad compute it.
"""
import argparse
import json
import os
import resource
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import llama_ref as ref  # noqa: E402
from safetensors_io import save_file  # noqa: E402


def read_header(path):
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n).decode("utf-8"))
    header.pop("__metadata__", None)
    return header, 8 + n


def load_f32(path, names=None):
    """Tensors of a safetensors file as f32, one at a time from a memory map (never the whole file as bytes)."""
    header, base = read_header(path)
    mm = np.memmap(path, dtype=np.uint8, mode="r")
    out = {}
    for name, info in header.items():
        if names is not None and name not in names:
            continue
        b0, b1 = info["data_offsets"]
        raw = mm[base + b0 : base + b1]
        if info["dtype"] == "BF16":
            arr = (raw.view("<u2").astype(np.uint32) << 16).view(np.float32)
        elif info["dtype"] == "F16":
            arr = raw.view("<f2").astype(np.float32)
        elif info["dtype"] == "F32":
            arr = np.array(raw.view("<f4"))
        else:
            raise ValueError(f"{name}: unsupported dtype {info['dtype']}")
        out[name] = torch.from_numpy(arr.reshape(info["shape"]))
    return out


def batch(seqs):
    T = max(len(s) for s in seqs)
    tokens = torch.zeros(len(seqs), T, dtype=torch.int64)
    mask = torch.zeros(len(seqs), T, dtype=torch.int32)
    for b, s in enumerate(seqs):
        tokens[b, : len(s)] = torch.tensor(s)
        mask[b, : len(s)] = 1
    return tokens, mask


def load_adapter(adapter_dir):
    """PEFT files -> ({module path: (A, B)} with requires_grad, scaling, {module path: PEFT key prefix})."""
    with open(os.path.join(adapter_dir, "adapter_config.json")) as f:
        cfg = json.load(f)
    tensors = load_f32(os.path.join(adapter_dir, "adapter_model.safetensors"))
    lora, keys = {}, {}
    for key in tensors:
        if not key.endswith(".lora_A.weight"):
            continue
        prefix = key[: -len(".lora_A.weight")]
        path = prefix[len("base_model.model."):]
        A = tensors[key].clone().requires_grad_(True)
        B = tensors[prefix + ".lora_B.weight"].clone().requires_grad_(True)
        lora[path] = (A, B)
        keys[path] = prefix
    return lora, cfg["lora_alpha"] / cfg["r"], keys


def ids(s):
    return [int(x) for x in s.split(",") if x.strip()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--tokens", required=True)
    ap.add_argument("--adapter")
    ap.add_argument("--greedy-prompt")
    ap.add_argument("--greedy-n", type=int, default=4)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.manual_seed(0)
    seconds = {}

    t = time.time()
    with open(os.path.join(a.model, "config.json")) as f:
        cfg = json.load(f)
    params = load_f32(os.path.join(a.model, "model.safetensors"))
    seconds["load"] = time.time() - t

    tokens, mask = batch([ids(s) for s in a.tokens.split(";")])
    out_tensors, summary = {}, {"threads": torch.get_num_threads()}
    t = time.time()
    with torch.no_grad():
        logits = ref.forward(params, cfg, tokens, mask)
        summary["loss"] = float(ref.lm_loss(logits, tokens, mask))
    seconds["forward"] = time.time() - t
    out_tensors["logits"] = logits.float().contiguous()

    if a.adapter:
        lora, scaling, keys = load_adapter(a.adapter)
        t = time.time()
        loss = ref.lm_loss(ref.forward(params, cfg, tokens, mask, lora, scaling), tokens, mask)
        loss.backward()
        seconds["lora_grad"] = time.time() - t
        summary["loss_lora"] = float(loss)
        for path, (A, B) in lora.items():
            out_tensors[f"grad.{keys[path]}.lora_A.weight"] = A.grad.contiguous()
            out_tensors[f"grad.{keys[path]}.lora_B.weight"] = B.grad.contiguous()

    if a.greedy_prompt:
        t = time.time()
        toks, gap = ref.greedy(params, cfg, torch.tensor(ids(a.greedy_prompt)), a.greedy_n)
        seconds["greedy"] = time.time() - t
        summary["greedy"] = [int(x) for x in toks]
        summary["greedy_min_gap"] = gap

    save_file(out_tensors, a.out + ".safetensors")
    summary["seconds"] = seconds
    summary["max_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    with open(a.out + ".json", "w") as f:
        json.dump(summary, f, indent=1)


if __name__ == "__main__":
    main()
