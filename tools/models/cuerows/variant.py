"""Copy a checkpoint with another <r?> row: 'keep' (the row pretraining left: never an input, but pushed by the tied
output softmax), 'centroid' (mean of the tag rows).  usage: python3 variant.py .data/SRC .data/DST keep|centroid"""
import json
import shutil
import sys

import torch

import cr

src, dst, kind = sys.argv[1:4]
m = cr.load_model(src)
E = m.embed.data
E[cr.UNK] = torch.tensor(json.load(open(src + "/unk_raw.json"))) if kind == "keep" else E[cr.TAG0 : cr.TAG0 + cr.NRULES].mean(0)
cr.save_model(m, dst, {"bos_token_id": cr.BOS, "eos_token_id": cr.EOS, "pad_token_id": cr.PAD})
shutil.copy(src + "/unk_raw.json", dst + "/unk_raw.json")
