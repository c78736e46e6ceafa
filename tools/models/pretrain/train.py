"""Pretrain the lab's embedded mini model (public/models/seal-mini-arc) on the corpus written by
tools/models/pretrain/export.ts, then evaluate it in PyTorch (ICL, TTT, self-edit sampling). CPU or one CUDA GPU.

Run: npx tsx tools/models/pretrain/export.ts && /usr/bin/python3 tools/models/pretrain/train.py   (GPU: tools/models/pretrain/gpu.sh)
Env knobs (tools/models/pretrain/README.md): PRETRAIN_STEPS or PRETRAIN_MINUTES, PRETRAIN_BATCH_TOKENS,
PRETRAIN_HIDDEN/FFN/LAYERS, PRETRAIN_LR, PRETRAIN_INIT (a model.safetensors to start from), PRETRAIN_OUT/LOG/RESULTS
(paths), PRETRAIN_EVAL_ONLY=1, PRETRAIN_EVAL=icl,selfedit,ttt, PRETRAIN_TTT_SWEEP=1 with PRETRAIN_SHARD=i/n,
PRETRAIN_TTT_SETS, PRETRAIN_TTT_MAX_EXAMPLES, PRETRAIN_DEADLINE.

Loss (decision): on solve sequences, every demo OUTPUT grid and the query output grid (+ <eos>) — a demo output
after the first is predictable from the earlier demos, so this is dense in-context-learning signal; input grids
and the "Input:/Output:" scaffolding get no loss. On self-edit sequences, the JSON and <|eot_id|> only.
"""
import gzip
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools", "models", "mini_llama"))
from mini_llama import Model, attach_lora, detach_lora, length_batches, load_file, save_model, weighted_loss  # noqa: E402
from self_edit import parse_self_edit  # noqa: E402

DATA = os.path.join(HERE, ".data")
MODEL_DIR = os.path.join(ROOT, "public", "models", "seal-mini-arc")
LOG = os.environ.get("PRETRAIN_LOG", os.path.join(HERE, "logs", "train-log.jsonl"))
SEED = 1234
BOS, EOS, PAD, EOT = 256, 257, 258, 259
# The model's tokenizer: byte-level BPE (ids 0–255 are bytes) plus merges; the vocabulary size and each token's
# bytes come from tokenizer.json (specials decode to nothing).
_TOK = json.load(open(os.path.join(MODEL_DIR, "tokenizer.json"), encoding="utf-8"))
_PRINTABLE = [*range(33, 127), *range(161, 173), *range(174, 256)]  # GPT-2's bytes_to_unicode
_BYTE_OF = {chr(b): b for b in _PRINTABLE}
_BYTE_OF.update({chr(256 + n): b for n, b in enumerate(b for b in range(256) if b not in _PRINTABLE)})
TOKEN_BYTES = {i: bytes(_BYTE_OF[ch] for ch in piece) for piece, i in _TOK["model"]["vocab"].items()}
VOCAB = max([*TOKEN_BYTES, *(t["id"] for t in _TOK["added_tokens"])]) + 1
# CPU here (2 cores, torch 1.13) or CUDA on a GPU machine (tools/models/pretrain/gpu.sh); the same code and seeds.
DEV = torch.device("cuda" if torch.cuda.is_available() else "cpu")
if DEV.type == "cuda":
    torch.backends.cuda.matmul.allow_tf32 = True
HIDDEN = int(os.environ.get("PRETRAIN_HIDDEN", 96))

CONFIG = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "vocab_size": VOCAB,
    "hidden_size": HIDDEN,
    "intermediate_size": int(os.environ.get("PRETRAIN_FFN", 256)),
    "num_hidden_layers": int(os.environ.get("PRETRAIN_LAYERS", 6)),
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "head_dim": HIDDEN // 4,
    "rms_norm_eps": 1e-5,
    "rope_theta": 10000.0,
    "tie_word_embeddings": True,
    "max_position_embeddings": 2048,
    "hidden_act": "silu",
    "attention_bias": False,
    "mlp_bias": False,
    "bos_token_id": BOS,
    "eos_token_id": EOS,
    "pad_token_id": PAD,
    "torch_dtype": "float32",
}
TRAIN = {
    "batch_tokens": int(os.environ.get("PRETRAIN_BATCH_TOKENS", 4096)),
    "lr": float(os.environ.get("PRETRAIN_LR", 3e-3)),
    "min_lr_ratio": 0.05,
    "warmup": 50,
    "weight_decay": 0.05,
    "betas": (0.9, 0.95),
    "clip": 1.0,
    # a fixed number of steps (PRETRAIN_STEPS) reproduces a run exactly; without it the count is fixed after 30
    # steps from the measured speed so that training fills PRETRAIN_MINUTES
    "steps": int(os.environ.get("PRETRAIN_STEPS", 0)),
    "minutes": float(os.environ.get("PRETRAIN_MINUTES", 15)),
    "evals": 4,
}
OUT_DIR = os.environ.get("PRETRAIN_OUT", MODEL_DIR)  # where the model files are written
LORA_TARGETS = ("q_proj", "v_proj", "gate_proj", "up_proj", "down_proj")


# ---------------------------------------------------------------------------------------------- data
OUTPUT_MARK = list(b"Output:\n")


def loss_weights(ids, mask, kind):
    """Per-token target weights (see the module docstring)."""
    w = np.asarray(mask, dtype=np.float32).copy()
    if kind == 0:
        b = bytes(int(x) if x < 256 else 0 for x in ids)
        start = 0
        while True:
            j = b.find(b"Output:\n", start)
            if j < 0:
                break
            s = j + len(OUTPUT_MARK)
            e = b.find(b"\n\n", s)
            if e < 0:
                break  # the query output: already in the mask
            w[s : e + 1] = 1.0  # rows and the newline that ends the grid
            start = e
    return w


def read_data(name, dtype=None):
    """tools/models/pretrain/.data/NAME, or NAME.gz (the compressed copy that travels to a GPU machine)."""
    p = os.path.join(DATA, name)
    raw = open(p, "rb").read() if os.path.exists(p) else gzip.open(p + ".gz", "rb").read()
    return np.frombuffer(raw, dtype=dtype) if dtype else json.loads(raw)


def load_corpus():
    info = read_data("corpus.json")
    ids = read_data("corpus.tokens.u16", np.uint16)
    mask = read_data("corpus.mask.u8", np.uint8)
    seqs = []
    for off, n, kind in info["index"]:
        s = ids[off : off + n].astype(np.int64)
        seqs.append((s, loss_weights(s, mask[off : off + n], kind)))
    return info, seqs


def make_batches(seqs, tokens_per_batch, rng):
    """Length-bucketed batches: sequences of similar length padded (at the end) to the longest, about
    tokens_per_batch tokens per batch; a causal mask is enough (padding is only ever after real tokens)."""
    return length_batches(range(len(seqs)), lambda i: len(seqs[i][0]), tokens_per_batch, rng)


def batch_tensors(seqs, idx):
    T = max(len(seqs[i][0]) for i in idx)
    ids = np.full((len(idx), T), PAD, np.int64)
    w = np.zeros((len(idx), T), np.float32)
    for r, i in enumerate(idx):
        s, ww = seqs[i]
        ids[r, : len(s)], w[r, : len(s)] = s, ww
    ids = torch.from_numpy(ids).to(DEV)
    pos = torch.arange(T, device=DEV)[None].expand(len(idx), T)
    return ids, pos, torch.from_numpy(w).to(DEV)


# ---------------------------------------------------------------------------------------------- decoding
@torch.no_grad()
def generate(model, prompt, max_new, temperature=0.0, gen=None, stop=(EOS, EOT)):
    cache = []
    toks = torch.tensor([prompt], device=DEV)
    logits = model(toks, torch.arange(len(prompt), device=DEV)[None], None, cache)[0, -1]
    out = []
    for i in range(max_new):
        if temperature > 0:
            p = torch.softmax(logits.float().cpu() / temperature, -1)  # sampled on the CPU: the same draws anywhere
            nxt = int(torch.multinomial(p, 1, generator=gen))
        else:
            nxt = int(torch.argmax(logits))
        out.append(nxt)
        if nxt in stop:
            break
        logits = model(torch.tensor([[nxt]], device=DEV), torch.tensor([[len(prompt) + i]], device=DEV), None, cache)[0, -1]
    return out


def solve_rate(model, tasks, limit=None):
    ok = 0
    per = []
    for t in tasks[:limit]:
        out = generate(model, t["prompt"], len(t["target"]) + 2)
        good = out[: len(t["target"])] == t["target"]
        ok += good
        per.append(bool(good))
    return ok / max(1, len(per)), per


# ---------------------------------------------------------------------------------------------- self-edits
def decode(ids):
    return b"".join(TOKEN_BYTES.get(i, b"") for i in ids).decode("utf-8", "replace")


def self_edit_stats(model, tasks, n_per_task=5, temperature=0.8, max_new=256, seed=SEED):
    gen = torch.Generator().manual_seed(seed)
    valid, total, configs, lrs, eps, strat = 0, 0, set(), {}, {}, {}
    lengths = []
    for t in tasks:
        for _ in range(n_per_task):
            out = generate(model, t["selfEditPrompt"], max_new, temperature, gen)
            lengths.append(len(out))
            total += 1
            v = parse_self_edit(decode(out))
            if v is None:
                continue
            valid += 1
            tr = v["training"]
            configs.add(json.dumps(v, sort_keys=True))
            lrs[str(tr["learning_rate"])] = lrs.get(str(tr["learning_rate"]), 0) + 1
            eps[str(tr["num_train_epochs"])] = eps.get(str(tr["num_train_epochs"]), 0) + 1
            strat[tr["strategy"]] = strat.get(tr["strategy"], 0) + 1
    aug_combos = len({json.dumps(json.loads(c)["data_generation"], sort_keys=True) for c in configs})
    return {
        "samples": total, "valid": valid, "validRate": valid / max(1, total), "distinctConfigs": len(configs),
        "distinctDataGeneration": aug_combos, "learningRates": lrs, "epochs": eps, "strategies": strat,
        "maxResponseTokens": max(lengths) if lengths else 0,
    }


# ---------------------------------------------------------------------------------------------- TTT (LoRA)




def ttt_one(model, data, lr, epochs, rank, alpha, batch=2, all_tokens=False, max_examples=None, seed=0):
    gen = torch.Generator().manual_seed(seed)
    params = attach_lora(model, rank, alpha, gen, LORA_TARGETS, init="normal")
    for p in model.parameters():
        p.requires_grad_(False)
    for p in params:
        p.requires_grad_(True)
    ids_l, masks_l = data["ids"][:max_examples], data["masks"][:max_examples]
    n = len(ids_l)
    steps = math.ceil(n / batch) * epochs
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.0)
    warm = max(1, int(0.1 * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else 0.5 * (1 + math.cos(math.pi * (s - warm) / max(1, steps - warm))))
    rng = random.Random(seed)
    step = 0
    for _ in range(epochs):
        order = list(range(n))
        rng.shuffle(order)
        for k in range(0, n, batch):
            idx = order[k : k + batch]
            T = max(len(ids_l[i]) for i in idx)
            ids = torch.full((len(idx), T), PAD, dtype=torch.long)
            w = torch.zeros(len(idx), T)
            for r, i in enumerate(idx):
                L = len(ids_l[i])
                ids[r, :L] = torch.tensor(ids_l[i])
                w[r, :L] = 1.0 if all_tokens else torch.tensor(masks_l[i], dtype=torch.float32)
            ids, w = ids.to(DEV), w.to(DEV)
            pos = torch.arange(T, device=DEV)[None].expand(len(idx), T)
            loss = weighted_loss(model(ids, pos), ids, w)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            step += 1
    for p in model.parameters():
        p.requires_grad_(False)
    return steps


def ttt_eval(model, tasks, cfg_name, lr, epochs, rank, alpha, max_examples, all_tokens=False):
    ok, per = 0, []
    t0 = time.time()
    for t in tasks:
        ttt_one(model, t["ttt"][cfg_name], lr, epochs, rank, alpha, all_tokens=all_tokens, max_examples=max_examples)
        out = generate(model, t["prompt"], len(t["target"]) + 2)
        detach_lora(model)
        good = out[: len(t["target"])] == t["target"]
        ok += good
        per.append(bool(good))
    return {"data": cfg_name, "lr": lr, "epochs": epochs, "rank": rank, "alpha": alpha, "maxExamples": max_examples,
            "allTokens": all_tokens, "rate": ok / len(tasks), "solved": per, "seconds": round(time.time() - t0, 1)}


# ---------------------------------------------------------------------------------------------- main
def log(f, rec):
    f.write(json.dumps(rec) + "\n")
    f.flush()
    print(json.dumps(rec), flush=True)


def write_model_files(model):
    save_model(model, OUT_DIR, {"bos_token_id": BOS, "eos_token_id": [EOS, EOT], "pad_token_id": PAD})


def lr_at(step, total):
    """Linear warm-up, then cosine to min_lr_ratio at `total` steps."""
    if step < TRAIN["warmup"]:
        return TRAIN["lr"] * (step + 1) / TRAIN["warmup"]
    q = min(1.0, (step - TRAIN["warmup"]) / max(1, total - TRAIN["warmup"]))
    return TRAIN["lr"] * (TRAIN["min_lr_ratio"] + (1 - TRAIN["min_lr_ratio"]) * 0.5 * (1 + math.cos(math.pi * q)))


def cadence(total):
    """Log every ~1/300 of a run of `total` steps; evaluate at 1/4, 2/4 and 3/4 of it."""
    return max(10, total // 300), {total * k // TRAIN["evals"] for k in range(1, TRAIN["evals"])}


def sync():
    if DEV.type == "cuda":
        torch.cuda.synchronize()


def pretrain(model, ev, nparams):
    info, seqs = load_corpus()
    rng = random.Random(SEED)
    f = open(LOG, "w")
    amp = DEV.type == "cuda" and os.environ.get("PRETRAIN_AMP", "1") == "1"
    log(f, {"event": "start", "device": str(DEV), "torch": torch.__version__, "bf16Autocast": amp, "config": CONFIG,
            "train": TRAIN, "params": nparams, "corpus": {k: v for k, v in info.items() if k != "index"}})
    decay = [p for n, p in model.named_parameters() if p.dim() == 2 and n != "embed"]
    other = [p for n, p in model.named_parameters() if not (p.dim() == 2 and n != "embed")]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": TRAIN["weight_decay"]}, {"params": other, "weight_decay": 0.0}],
                            lr=TRAIN["lr"], betas=TRAIN["betas"])
    batches, bi = make_batches(seqs, TRAIN["batch_tokens"], rng), 0
    total, budget = TRAIN["steps"], TRAIN["minutes"] * 60
    t0, tokens, step, epoch, t_meas = time.time(), 0, 0, 0, 0.0
    log_every, eval_steps = cadence(total) if total else (10, set())
    measured = total == 0
    while total == 0 or step < total:
        if bi >= len(batches):
            batches, bi, epoch = make_batches(seqs, TRAIN["batch_tokens"], rng), 0, epoch + 1
        idx = batches[bi]
        bi += 1
        tokens += sum(len(seqs[i][0]) for i in idx)
        ids, pos, w = batch_tensors(seqs, idx)
        lr = lr_at(step, total or 10**9)
        for g in opt.param_groups:
            g["lr"] = lr
        with torch.autocast(DEV.type, dtype=torch.bfloat16, enabled=amp):
            logits = model(ids, pos)
        loss = weighted_loss(logits.float(), ids, w)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gn = torch.nn.utils.clip_grad_norm_(model.parameters(), TRAIN["clip"])
        opt.step()
        step += 1
        if step == 10:
            sync()
            t_meas, s_meas = time.time(), step
        # the step count from the speed since the last measurement: a first guess at 30, again at 200 (the first
        # steps are slow while kernels for new padded lengths compile); logged, to rerun with PRETRAIN_STEPS
        if measured and step in (30, 200):
            sync()
            per_step = (time.time() - t_meas) / (step - s_meas)
            total = max(step, step + int((budget - (time.time() - t0)) / per_step))
            t_meas, s_meas = time.time(), step
            log_every, eval_steps = cadence(total)
            log(f, {"event": "steps fixed", "steps": total, "secondsPerStep": round(per_step, 4)})
        if step % log_every == 0:
            log(f, {"step": step, "epoch": epoch, "loss": round(float(loss), 4), "lr": round(lr, 6), "gradNorm": round(float(gn), 3),
                    "tokens": tokens, "elapsed": round(time.time() - t0, 1)})
        if step in eval_steps:
            model.eval()
            pre, _ = solve_rate(model, ev["pretrain"], 12)
            held, _ = solve_rate(model, ev["heldout"], 6)
            log(f, {"step": step, "eval": {"pretrainIcl12": pre, "heldoutIcl6": held}, "elapsed": round(time.time() - t0, 1)})
            model.train()
            write_model_files(model)
    log(f, {"event": "end", "steps": step, "epochs": round(epoch + bi / len(batches), 2), "tokens": tokens,
            "elapsed": round(time.time() - t0, 1)})
    f.close()
    write_model_files(model)


def main():
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    if DEV.type == "cpu":
        torch.set_num_threads(int(os.environ.get("PRETRAIN_THREADS", 2)))
    ev = read_data("eval.json")
    model = Model(CONFIG).to(DEV)
    nparams = sum(p.numel() for p in model.parameters())
    os.makedirs(os.path.dirname(LOG), exist_ok=True)
    if os.environ.get("PRETRAIN_INIT"):  # continue from a checkpoint (fresh optimiser, warm-up and cosine)
        t, _ = load_file(os.environ["PRETRAIN_INIT"])
        model.load_hf({k: v.to(DEV) for k, v in t.items()})
    if not os.environ.get("PRETRAIN_EVAL_ONLY"):
        pretrain(model, ev, nparams)
    else:
        t, _ = load_file(os.path.join(OUT_DIR, "model.safetensors"))
        model.load_hf({k: v.to(DEV) for k, v in t.items()})
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    evaluate(model, ev, nparams)


# TTT configurations of the sweep, most informative first (a shard that runs out of time drops the tail):
# (data generation, learning rate, epochs, all-token loss)
SWEEP = [(d, lr, e, False) for e in (2, 1) for lr in (1e-2, 3e-3, 2e-2, 5e-2, 1e-3) for d in ("all", "none", "basic")] + [
    ("all", 1e-2, 2, True), ("all", 3e-3, 2, True)]
TTT_SETS = os.environ.get("PRETRAIN_TTT_SETS", "heldout,restTrain,heldoutPool,restemPool").split(",")


def evaluate(model, ev, nparams):
    """Parts by PRETRAIN_EVAL (icl, selfedit, ttt; default all); the TTT configurations by PRETRAIN_SHARD "i/n"
    (every n-th of the grid, from the i-th; the default grid without PRETRAIN_TTT_SWEEP is the lab's oracle).
    PRETRAIN_DEADLINE (unix seconds) stops between configurations; results so far are kept."""
    parts = os.environ.get("PRETRAIN_EVAL", "icl,selfedit,ttt").split(",")
    deadline = float(os.environ.get("PRETRAIN_DEADLINE", "inf"))
    out_path = os.environ.get("PRETRAIN_RESULTS", os.path.join(HERE, "logs", "eval.json"))
    res = {"params": nparams, "device": str(DEV)}
    t0 = time.time()

    def save():
        res["evalSeconds"] = round(time.time() - t0, 1)
        with open(out_path, "w") as f:
            json.dump(res, f, indent=1)

    if "icl" in parts:
        res["icl"] = {}
        for name in ("pretrain", "restTrain", "heldout", "heldoutPool", "restemPool"):
            if name in ev and time.time() < deadline:
                rate, per = solve_rate(model, ev[name])
                res["icl"][name] = {"rate": rate, "solved": [t["family"] for t, ok in zip(ev[name], per) if ok]}
                print(json.dumps({"icl": name, "rate": rate}), flush=True)
        save()
    if "selfedit" in parts and time.time() < deadline:
        res["selfEdit"] = self_edit_stats(model, ev["heldout"] + ev["restTrain"], n_per_task=3)
        print(json.dumps({"selfEdit": res["selfEdit"]}), flush=True)
        save()
    if "ttt" in parts:
        lab = json.load(open(os.path.join(MODEL_DIR, "seal_lab.json")))
        rank, alpha = lab["ttt"]["loraRank"], lab["ttt"]["loraAlpha"]
        max_ex = int(os.environ.get("PRETRAIN_TTT_MAX_EXAMPLES", lab["ttt"]["maxExamples"]))
        if os.environ.get("PRETRAIN_TTT_SWEEP"):
            i, n = (int(x) for x in os.environ.get("PRETRAIN_SHARD", "0/1").split("/"))
            grid = SWEEP[i::n]
        else:
            o, flags = lab["oracle"]["training"], lab["oracle"]["data_generation"]
            data = {(True,) * 4: "all", (True, False, False, False): "basic", (False,) * 4: "none"}.get(tuple(flags[k] for k in (
                "use_basic_augmentations", "use_size_augmentations", "use_chain_augmentations", "use_repeat_augmentations")))
            if data is None:
                raise SystemExit(f"the oracle's data generation {flags} is not one of eval.json's TTT sets (all, basic, none)")
            grid = [(data, o["learning_rate"], o["num_train_epochs"], o["strategy"] == "train_using_all_tokens")]
        res["ttt"] = []
        for cfg, lr, epochs, all_tokens in grid:
            for name in TTT_SETS:
                if name not in ev or time.time() >= deadline:
                    continue
                r = ttt_eval(model, ev[name], cfg, lr, epochs, rank, alpha, max_ex, all_tokens)
                r["set"] = name
                r["solved"] = [t["family"] for t, ok in zip(ev[name], r["solved"]) if ok]
                res["ttt"].append(r)
                print(json.dumps({k: v for k, v in r.items() if k != "solved"}), flush=True)
                save()
    save()


if __name__ == "__main__":
    main()
