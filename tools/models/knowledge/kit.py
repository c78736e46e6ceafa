"""Python twins of the lab's pure knowledge-track functions (src/seal/knowledge/): SEAL's training-sequence
builder (sequences.ts), SQuAD normalisation and the mini world's exact match (grade.ts), and the note analysis
(world/notes.ts: which facts a line states, copy accuracy, full-name coverage). Kept line for line with the TS so
the feasibility numbers are what the lab computes.
"""
import math
import re
import string

from model import BOS, EOS

# ---------------------------------------------------------------------------------------------- sequences.ts
_LINE_BREAK = re.compile("\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")


def train_sequence_texts(completion, title, context):
    """SEAL's build_train_sequences(completion, context, title, split_newlines=True)."""
    trimmed = completion.strip()
    segs = [s.strip() for s in completion.split("---") if s.strip()] or [trimmed]
    if re.search(r"Question\s+\d+:", completion) and re.search(r"Answer\s*:", completion):
        segs = re.split(r"\n(?=Question\s+\d+:)", trimmed)
        if not segs[0].lstrip().startswith("Question"):
            segs[0] = "Question 1: " + segs[0].strip()
    else:
        segs = [ln.strip() for s in segs for ln in _LINE_BREAK.split(s) if ln.strip()]
        if len(segs) > 1 and segs[1].startswith("1."):
            segs = segs[1:]
    return [f"{title}\n{s}" for s in segs] + [f"{title}\n{context.strip()}"]


def encode_train_sequence(tok, text):
    ids = [BOS] + tok.encode(text)
    return ids, [0.0] + [1.0] * (len(ids) - 1)


def train_sequences(tok, completion, title, context):
    return [encode_train_sequence(tok, t) for t in train_sequence_texts(completion, title, context)]


def sft_sequence(prompt_ids, completion_ids):
    """prompt → completion <eos>, loss on the completion and <eos> (prompt_ids start with <bos>)."""
    c = list(completion_ids) + [EOS]
    return list(prompt_ids) + c, [0.0] * len(prompt_ids) + [1.0] * len(c)


# ---------------------------------------------------------------------------------------------- grade.ts
def normalize_answer(s):
    s = "".join(ch for ch in s.lower() if ch not in set(string.punctuation))
    s = re.sub(r"\b(a|an|the)\b", " ", s)
    return " ".join(s.split())


def first_line(pred):
    for ln in pred.split("\n"):
        if ln.strip():
            return ln.strip()
    return ""


def grade_mini(pred, gold, value_attr_norm):
    """The first line states the gold value (a whole word) and no other value of the same attribute."""
    g = normalize_answer(gold)
    words = normalize_answer(first_line(pred)).split(" ")
    a = value_attr_norm.get(g)
    others = [w for w in words if w != g and a and value_attr_norm.get(w) == a]
    return 1 if g and g in words and not others else 0


def value_attr_normalized(value_attr):
    return {normalize_answer(v): a for v, a in value_attr.items()}


# ---------------------------------------------------------------------------------------------- world/notes.ts
ATTRIBUTES = ("city", "year", "university", "field", "employer")
FORMS = ("forward", "qa", "pronoun", "reverse", "filler", "colleague", "other")


def stated_facts(item):
    """(person name, attribute, value) the passage states."""
    s, c1, c2 = item["subject"], item["colleagues"]["c1"], item["colleagues"]["c2"]
    facts = [(s["name"], a, s["attrs"][a]) for a in ATTRIBUTES]
    return facts + [(c1["name"], "city", c1["city"]), (c1["name"], "employer", c1["employer"]), (c2["name"], "university", c2["university"])]


def line_facts(line, item, value_attr):
    s, c1, c2 = item["subject"], item["colleagues"]["c1"], item["colleagues"]["c2"]
    person = c1["name"] if c1["name"] in line else c2["name"] if c2["name"] in line else s["name"]
    stated = {(p, a): v for p, a, v in stated_facts(item)}
    values = []
    for w in re.findall(r"[^\W_]+", line):
        a = value_attr.get(w)
        if a:
            values.append((w, a, stated.get((person, a)) == w))
    t = line.strip()
    if not values:
        form = "filler"
    elif person != s["name"]:
        form = "colleague"
    elif "?" in t:
        form = "qa"
    elif t.startswith(s["name"]):
        form = "forward"
    elif re.match(r"(She|He)\b", t):
        form = "pronoun"
    elif value_attr.get((re.findall(r"[^\W_]+", t) or [""])[0]):
        form = "reverse"
    else:
        form = "other"
    return form, values


def summarize_notes(lines, item, value_attr):
    forms = {f: 0 for f in FORMS}
    covered = set()
    value_lines = correct = 0
    for ln in lines:
        form, values = line_facts(ln, item, value_attr)
        forms[form] += 1
        if values:
            value_lines += 1
            correct += all(v[2] for v in values)
        if form in ("forward", "qa"):
            covered |= {a for _, a, ok in values if ok}
    return {"lines": len(lines), "valueLines": value_lines, "correctValueLines": correct,
            "covered": [a for a in ATTRIBUTES if a in covered], "forms": forms}


def note_lines(completion):
    return [ln.strip() for ln in _LINE_BREAK.split(completion) if ln.strip()]


# ---------------------------------------------------------------------------------------------- world/rng.ts
M32 = 0xFFFFFFFF


def _imul(a, b):
    return (a * b) & M32


def mulberry32(seed):
    a = [seed & M32]

    def rng():
        a[0] = (a[0] + 0x6D2B79F5) & M32
        t = a[0]
        t = _imul(t ^ (t >> 15), t | 1)
        t = (t ^ ((t + _imul(t ^ (t >> 7), t | 61)) & M32)) & M32
        return ((t ^ (t >> 14)) & M32) / 4294967296

    return rng


def derive_seed(seed, label):
    h = (seed ^ 0x811C9DC5) & M32
    for ch in label:
        h = _imul(h ^ ord(ch), 0x01000193)
    return h


def shuffled(xs, rng):
    a = list(xs)
    for i in range(len(a) - 1, 0, -1):
        j = int(rng() * (i + 1))
        a[i], a[j] = a[j], a[i]
    return a


def choose_items(items, n, seed):
    """world/index.ts chooseItems: the lab's seeded choice of n passages."""
    return shuffled(items, mulberry32(derive_seed(seed, "choose")))[:n]


def cosine_with_warmup(step, warmup, total):
    """src/engine/train/schedule.ts (Hugging Face get_cosine_schedule_with_warmup)."""
    if step < warmup:
        return step / max(1, warmup)
    progress = (step - warmup) / max(1, total - warmup)
    return max(0.0, 0.5 * (1 + math.cos(math.pi * progress)))
