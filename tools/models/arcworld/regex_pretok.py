"""Encode ASCII text with the cipher-world tokenizer (tools/models/arcworld/.data/model/tokenizer.json): GPT-2's
pre-tokenizer (ASCII classes: the texts encoded here — self-edit JSON — are ASCII) and byte-level BPE by merge
rank, as @huggingface/transformers does. Check against the lab's tokenizer: `npx tsx tools/models/arcworld/check_tokenizer.ts && python3 tools/models/arcworld/regex_pretok.py`."""
import json
import os
import re

import aw

_TOK = json.load(open(os.path.join(aw.TOK_DIR, "tokenizer.json"), encoding="utf-8"))
_VOCAB = _TOK["model"]["vocab"]
_RANKS = {tuple(m.split(" ")): i for i, m in enumerate(_TOK["model"]["merges"])}
_PAT = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+""")
_PRINTABLE = [*range(33, 127), *range(161, 173), *range(174, 256)]
_BC = {b: chr(b) for b in _PRINTABLE}
_BC.update({b: chr(256 + n) for n, b in enumerate(b for b in range(256) if b not in _PRINTABLE)})


def _bpe(word):
    w = list(word)
    while len(w) > 1:
        best, rank = -1, None
        for i in range(len(w) - 1):
            r = _RANKS.get((w[i], w[i + 1]))
            if r is not None and (rank is None or r < rank):
                best, rank = i, r
        if best < 0:
            break
        w = w[:best] + [w[best] + w[best + 1]] + w[best + 2 :]
    return w


def encode(text):
    out = []
    for piece in _PAT.findall(text):
        chars = "".join(_BC[b] for b in piece.encode("utf-8"))
        out += [_VOCAB[p] for p in _bpe(chars)]
    return out


if __name__ == "__main__":
    rows = json.load(open(os.path.join(aw.DATA, "tokcheck.json")))
    bad = [r["text"] for r in rows if encode(r["text"]) != r["ids"]]
    print(f"{len(rows) - len(bad)}/{len(rows)} self-edits encode as the lab's tokenizer does" + (f"; first mismatch: {bad[0]}" if bad else ""))
