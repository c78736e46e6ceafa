"""The self-edit writer of the cue-rows world: the model itself writes a JSON self-edit after the task's
demonstrations, `BOS <se> (IN x OUT y)×4 <edit> { "data_generation" : {…} , "training" : {…} } EOS`, in the paper's
shape (data_generation: which augmentations; training: learning rate and epochs). Pretraining shows uniformly random
self-edits (so the untrained writer is a near-uniform policy that ignores the rows); ReST-EM's M-step fine-tunes it
on the kept (prompt, self-edit) pairs with a LoRA adapter that is merged, as the lab's loop does."""
import itertools
import json
import math
import random

import torch
import torch.nn.functional as F

import cr
from cr import attach_lora, detach_lora

LRS = [1e-4, 1e-3, 1e-2, 3e-2, 1e-1]
LR_WORDS = {1e-4: "0.0001", 1e-3: "0.001", 1e-2: "0.01", 3e-2: "0.03", 1e-1: "0.1"}
AUG_OF = {(False, False): "none", (True, False): "flip", (False, True): "perm", (True, True): "both"}
# the self-edit space: flip × colour permutation × learning rate, 2 epochs, loss on all tokens (20 configurations)
SPACE = [(AUG_OF[(f, p)], lr) for (f, p), lr in itertools.product(AUG_OF, LRS)]
EPOCHS = 2
WORD = {w: cr.WORD0 + i for i, w in enumerate(cr.WORDS)}
NAME = {i: w for w, i in WORD.items()} | {cr.EOS: "<eos>", cr.PAD: "<pad>"}


def edit_text(aug, lr):
    flip, perm = next(k for k, v in AUG_OF.items() if v == aug)
    b = lambda x: "true" if x else "false"
    return (f'{{ "data_generation" : {{ "use_flip" : {b(flip)} , "use_colour_permutation" : {b(perm)} }} , '
            f'"training" : {{ "learning_rate" : {LR_WORDS[lr]} , "num_train_epochs" : {EPOCHS} }} }}')


def encode(text):
    return [WORD[w] for w in text.split(" ")]


def decode(ids):
    out = []
    for t in ids:
        if t == cr.EOS:
            break
        out.append(FEAT_NAME[t] if FEATURES and t in FEAT_NAME else NAME.get(t, f"<{t}>"))
    return " ".join(out)


def parse(text):
    """(aug, lr) of a written self-edit, or (None, reason): JSON in the paper's shape, values from the menu (after the
    feature words, when the writer states them)."""
    words = text.split(" ")
    while FEATURES and words and words[0] in FEATS:
        words.pop(0)
    try:
        j = json.loads(" ".join(words))
        d, t = j["data_generation"], j["training"]
        flip, perm, lr, ep = d["use_flip"], d["use_colour_permutation"], t["learning_rate"], t["num_train_epochs"]
        if set(j) != {"data_generation", "training"} or set(d) != {"use_flip", "use_colour_permutation"} or set(t) != {"learning_rate", "num_train_epochs"}:
            return None, "unexpected keys"
        if not isinstance(flip, bool) or not isinstance(perm, bool) or ep != EPOCHS:
            return None, "bad value"
        lr = next((x for x in LRS if math.isclose(x, lr)), None)
        return ((AUG_OF[(flip, perm)], lr), None) if lr is not None else (None, "learning rate off the menu")
    except (ValueError, KeyError, TypeError) as e:
        return None, f"unparsable: {e}"


def prompt(task):
    ids = [cr.BOS, cr.SE]
    for x, y in task["demos"]:
        ids += cr.pair_tokens(x, y)
    return ids + [cr.EDIT]


def sequence(task, aug, lr):
    """(ids, weights): loss on the self-edit and EOS only."""
    p = prompt(task)
    e = (features(task) if FEATURES else []) + encode(edit_text(aug, lr)) + [cr.EOS]
    return p + e, [0.0] * len(p) + [1.0] * len(e)


def random_sequence(rng):
    """Pretraining: a random task's demonstrations and a uniformly random self-edit."""
    t = cr.make_task(rng.randrange(cr.NRULES), 4, rng)
    return sequence(t, *rng.choice(SPACE))


# Optional (session 8): two feature words the writer states before its JSON — do the outputs keep the inputs' colours,
# is each output a rotation of its input — computed from the demonstrations, so that the JSON can depend on the rows
# through them. Pretraining still shows a uniformly random JSON after them (they say nothing about which self-edit is
# good). On for checkpoints whose vocabulary has the feature words (`pretrain.py --vocab 52 --writer-features`).
FEATS = ["<kept>", "<changed>", "<rot>", "<norot>"]
FEAT0 = 47          # FEATS[i] is token FEAT0 + i = 47..50
FEAT_VOCAB = 52
FEATURES = False    # set by the scripts from the checkpoint's vocabulary (uses_features)
FEAT_NAME = {FEAT0 + i: f for i, f in enumerate(FEATS)}


def uses_features(model):
    return model.c["vocab_size"] >= FEAT_VOCAB


def features(task):
    """The feature words of a task, from its demonstrations."""
    kept = all(sorted(x) == sorted(y) for x, y in task["demos"])
    rot = all(any(y == x[k:] + x[:k] for k in range(1, cr.W)) for x, y in task["demos"])
    return [FEAT0 + (0 if kept else 1), FEAT0 + (2 if rot else 3)]


def max_edit():
    """Tokens a writer may draw: the longest self-edit, EOS, and the feature words when it states them."""
    return len(encode(edit_text("none", 1e-4))) + 1 + (2 if FEATURES else 0)


@torch.no_grad()
def draw(model, prompts, temperature, gen):
    """One self-edit per prompt (temperature sampling, no cache: the prompts have one length): (text, config, reason)."""
    ids = torch.tensor(prompts)
    out = []
    for _ in range(max_edit()):
        logits = cr.forward(model, ids)[:, -1] / max(temperature, 1e-6)
        nxt = torch.multinomial(F.softmax(logits, -1), 1, generator=gen)[:, 0]
        out.append(nxt)
        ids = torch.cat([ids, nxt[:, None]], 1)
    return [(decode(r), *parse(decode(r))) for r in torch.stack(out, 1).tolist()]


def sample(model, tasks, n, temperature, gen, attempts=1):
    """n self-edits per task; one that does not parse is drawn again, up to `attempts` draws in all (the lab's
    selfEditSampling.maxAttempts). Returns, per task, a list of (text, config or None, reason); "tries" counts draws."""
    prompts = [prompt(t) for t in tasks for _ in range(n)]
    got = [None] * len(prompts)
    todo = list(range(len(prompts)))
    sample.tries = 0
    for _ in range(attempts):
        if not todo:
            break
        sample.tries += len(todo)
        for i, r in zip(todo, draw(model, [prompts[i] for i in todo], temperature, gen)):
            got[i] = r
        todo = [i for i in todo if got[i][1] is None]
    return [got[i * n : (i + 1) * n] for i in range(len(tasks))]


def rewards(model, tasks, items, seeds):
    """items: (task index, config) pairs, each applied by TTT ("+ row") once per seed; the mean reward per item."""
    out = [0.0] * len(items)
    for sd in seeds:
        jobs = [{"task": ti, "aug": c[0], "lr": c[1], "epochs": EPOCHS, "all": True, "seed": sd} for ti, c in items]
        for i, r in enumerate(cr.run_ttt(model, tasks, jobs, unk_row=True)):
            out[i] += r / len(seeds)
    return out


def sample_rewards(model, tasks, samples, seeds):
    """Per task, the mean reward over `seeds` of each of its sampled self-edits (`sample`'s output); one that did not
    parse scores 0."""
    items = [(ti, c) for ti, per in enumerate(samples) for _, c, _ in per if c]
    rew = iter(rewards(model, tasks, items, seeds))
    return [[next(rew) if c else 0.0 for _, c, _ in per] for per in samples]


def sft(model, pairs, rank=16, alpha=16, lr=1e-3, epochs=3, batch=8, seed=0, targets=cr.LORA_TARGETS + ("k_proj", "o_proj")):
    """ReST-EM's M-step: a fresh LoRA (r 16 on every projection) trained on the kept (task, config) pairs with the
    loss on the self-edit only, Adam, cosine with 10 % warm-up, clip 1; merged into the weights. Returns losses."""
    if not pairs:
        return []
    gen = torch.Generator().manual_seed(seed)
    params = attach_lora(model, rank, alpha, gen, targets)
    for p in params:
        p.requires_grad_(True)
    opt = torch.optim.Adam(params, lr=lr)
    rng = random.Random(seed)
    seqs = [sequence(t, *c) for t, c in pairs]
    steps = epochs * math.ceil(len(seqs) / batch)
    warm = max(1, round(0.1 * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: cr.cosine_with_warmup(k, warm, steps))
    losses = []
    for _ in range(epochs):
        order = seqs[:]
        rng.shuffle(order)
        for i in range(0, len(order), batch):
            mb = order[i : i + batch]
            ids = torch.tensor([s for s, _ in mb])
            w = torch.tensor([x for _, x in mb])
            logits = cr.forward(model, ids)
            ce = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1), reduction="none")
            loss = (ce * w[:, 1:].reshape(-1)).sum() / w[:, 1:].sum()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            losses.append(loss.item())
    for p in params:
        p.requires_grad_(False)
    detach_lora(model, merge=True)
    return losses
