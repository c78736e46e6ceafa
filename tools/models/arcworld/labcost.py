"""SwiftShader time of a lab protocol, from the exported token counts (eval.json) and the engine speeds measured
on the 635 k model (tools/models/arcworld/README.md), scaled by parameters per token.
usage: labcost.py --params 445248 --eval 8 --train 8 --k-eval 3 --k-train 5 --views 5 --combo-share '{"0": 0.4, ...}'"""
import argparse
import json
import math
import os
import statistics

import aw

REF_PARAMS = 635_000
# measured on the 635 k model (public/models/seal-mini-arc/README.md): training 175–220 tok/s, prefill 800–1000
# tok/s, decode 80–130 steps/s; the slow end is used
REF = {"train": 175.0, "prefill": 800.0, "decode": 80.0}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--params", type=int, required=True)
    ap.add_argument("--eval", type=int, default=8)
    ap.add_argument("--train", type=int, default=8)
    ap.add_argument("--k-eval", type=int, default=3)
    ap.add_argument("--k-train", type=int, default=5)
    ap.add_argument("--views", type=int, default=5)
    ap.add_argument("--max-examples", type=int, default=8)
    ap.add_argument("--epochs", type=float, default=1.5, help="mean epochs of an applied self-edit")
    ap.add_argument("--rejected", type=float, default=0.33, help="share of sampled self-edits over the step cap (no training)")
    ap.add_argument("--kept", type=int, default=10)
    ap.add_argument("--sft-epochs", type=int, default=4)
    ap.add_argument("--decode-scale", action="store_true", help="scale decode speed with parameters too")
    a = ap.parse_args()
    s = REF_PARAMS / a.params
    speed = {"train": REF["train"] * s, "prefill": REF["prefill"] * s, "decode": REF["decode"] * (s if a.decode_scale else 1.0)}
    ev = json.load(open(os.path.join(aw.DATA, "eval.json")))
    tasks = ev["heldout"][:32]
    # mean padded tokens per step (batch 2, padded to the longer) for each data-generation combination
    per_combo = {}
    for c in range(16):
        vals = []
        for t in tasks:
            ids = t["ttt"][0][c]["ids"][: a.max_examples]
            for i in range(0, len(ids), 2):
                b = ids[i : i + 2]
                vals.append(max(len(x) for x in b) * len(b))
        per_combo[c] = statistics.mean(vals)
    mean_step = statistics.mean(per_combo.values())  # uniform self-edit combos
    steps = math.ceil(a.max_examples / 2) * a.epochs
    ttt_s = steps * mean_step / speed["train"]
    ttt_none_s = steps * per_combo[0] / speed["train"]
    prompt = statistics.mean(len(t["prompt"]) for t in tasks)
    ans = max(len(t["target"]) for t in tasks)
    eval_s = a.views * prompt / speed["prefill"] + ans / speed["decode"]
    se_prompt = statistics.mean(len(t["selfEditPrompt"]) for t in tasks)
    sample_s = lambda n: n * se_prompt / speed["prefill"] + 70 / speed["decode"]
    rollout = (1 - a.rejected) * (ttt_s + eval_s)
    rows = {
        "ICL": a.eval * eval_s,
        "no-RL": a.eval * (sample_s(a.k_eval) + a.k_eval * rollout),
        "Oracle": a.eval * (ttt_none_s * (2 / a.epochs) + eval_s),
        "E-step": a.train * (sample_s(a.k_train) + a.k_train * rollout),
        "M-step": a.kept * a.sft_epochs * (se_prompt + 66) / speed["train"],
        "SEAL": a.eval * (sample_s(a.k_eval) + a.k_eval * (ttt_none_s + eval_s)),
    }
    print(json.dumps({"speeds": {k: round(v) for k, v in speed.items()}, "tokensPerStep": {c: round(v) for c, v in per_combo.items()},
                      "tttSecondsUniform": round(ttt_s, 1), "tttSecondsNone2ep": round(ttt_none_s * 2 / a.epochs, 1), "evalSeconds": round(eval_s, 2),
                      "promptTokens": round(prompt), "selfEditPromptTokens": round(se_prompt)}, indent=1))
    for k, v in rows.items():
        print(f"  {k:7s} {v:6.0f} s")
    print(f"  total   {sum(rows.values()):6.0f} s = {sum(rows.values()) / 60:.1f} min")


if __name__ == "__main__":
    main()
