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

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools", "models", "mini_llama"))
from mini_llama import PROJ, Model, attach_lora, detach_lora, length_batches, llama_config, load_file, load_model, weighted_loss  # noqa: E402,F401  (the tools import them from here)
from mini_llama import save_model as save_model_files  # noqa: E402

MODEL_DIR = os.path.join(ROOT, "public", "models", "seal-mini-bio")
BOS, EOS, PAD = 256, 257, 258
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
    return llama_config(vocab, hidden, ffn, layers, heads, kv_heads, BOS, EOS, PAD)


def save_model(model, out_dir):
    save_model_files(model, out_dir, {"bos_token_id": BOS, "eos_token_id": EOS, "pad_token_id": PAD})


# ---------------------------------------------------------------------------------------------- LoRA




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
