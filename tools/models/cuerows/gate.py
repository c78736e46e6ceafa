"""The issue-23 gate from sweep.py logs: ICL, oracle (best configuration per task, per TTT seed), the uniformly random
self-edit (stand-in for the untrained generator, which is not trained yet), best single configuration, and the Table 1
protocol with a categorical stand-in policy over configurations trained by 2 rounds of ReST-EM (2-fold cross-fit:
trained on 24 tasks, evaluated on the other 24 — tasks i with (i // 12) even vs odd, every rule in both halves;
6 draws per task per round, each rewarded by one random TTT seed, keep reward 1, refit the categorical to the kept
draws (+1 % uniform), 10 policy seeds).
usage: python3 gate.py logs/sweep-A.jsonl [logs/sweep-B.jsonl …] [--out logs/gate.jsonl]"""
import argparse
import collections
import json
import random
import statistics


def load(path):
    """path: one sweep log, or several of one model joined by '+' (their configurations are pooled)."""
    head, rows = None, []
    for p in path.split("+"):
        r = [json.loads(x) for x in open(p)]
        head = head or r[0]
        rows += r[1:]
    return head, rows


def cfg(j):
    return (j["aug"], j["lr"], j["epochs"], j["all"])


def gate(path, k=6, rounds=2, policy_seeds=10):
    head, rows = load(path)
    seeds = sorted({r["seed"] for r in rows})
    tasks = sorted({r["task"] for r in rows})
    configs = sorted({cfg(r) for r in rows})
    R = {(r["task"], cfg(r), r["seed"]): r["reward"] for r in rows}
    mean_r = {(t, c): statistics.mean(R[(t, c, s)] for s in seeds) for t in tasks for c in configs}
    oracle_seed = [sum(max(R[(t, c, s)] for c in configs) for t in tasks) / len(tasks) for s in seeds]
    oracle_2of3 = sum(any(sum(R[(t, c, s)] for s in seeds) * 2 > len(seeds) for c in configs) for t in tasks) / len(tasks)
    uniform = statistics.mean(r["reward"] for r in rows)
    cfg_rate = {c: statistics.mean(mean_r[(t, c)] for t in tasks) for c in configs}
    best_c = max(cfg_rate, key=cfg_rate.get)
    rule_of = {r["task"]: r["rule"] for r in rows}
    per_rule = collections.defaultdict(list)
    for t in tasks:
        per_rule[rule_of[t]].append(statistics.mean(max(R[(t, c, s)] for c in configs) for s in seeds))
    marg = {}
    for name, f in (("aug", lambda c: c[0]), ("lr", lambda c: c[1]), ("epochs", lambda c: c[2]), ("all", lambda c: c[3])):
        m = collections.defaultdict(list)
        for c in configs:
            m[f(c)].append(cfg_rate[c])
        marg[name] = {str(x): round(statistics.mean(v), 3) for x, v in m.items()}
    # ReST-EM with a categorical stand-in policy, 2-fold cross-fit
    half = {t: (t // 12) % 2 for t in tasks}
    norl, seal, r1 = [], [], []
    for ps in range(policy_seeds):
        rng = random.Random(ps)
        for fold in (0, 1):
            train = [t for t in tasks if half[t] == fold]
            test = [t for t in tasks if half[t] != fold]
            pi = {c: 1 / len(configs) for c in configs}
            ev = lambda pi: sum(pi[c] * statistics.mean(mean_r[(t, c)] for t in test) for c in configs)
            norl.append(ev(pi))
            for rd in range(rounds):
                kept = collections.Counter()
                cs = list(pi)
                for t in train:
                    for c in rng.choices(cs, weights=[pi[c] for c in cs], k=k):
                        if R[(t, c, rng.choice(seeds))]:
                            kept[c] += 1
                if kept:
                    tot = sum(kept.values())
                    pi = {c: 0.99 * kept[c] / tot + 0.01 / len(configs) for c in configs}
                if rd == 0:
                    r1.append(ev(pi))
            seal.append(ev(pi))
    # contextual stand-in: one categorical per demonstration feature the generator can read (do the demonstrations
    # keep the input's colours? — structural rule vs colour rule), same ReST-EM
    import cr
    tk = cr.heldout_tasks(int(head["args"]["n"]), int(head["args"]["task_seed"]))
    feat = {t: int(all(sorted(x) == sorted(y) for x, y in tk[t]["demos"])) for t in tasks}
    seal_ctx = []
    for ps in range(policy_seeds):
        rng = random.Random(100 + ps)
        for fold in (0, 1):
            train = [t for t in tasks if half[t] == fold]
            test = [t for t in tasks if half[t] != fold]
            pis = {0: {c: 1 / len(configs) for c in configs}, 1: {c: 1 / len(configs) for c in configs}}
            for rd in range(rounds):
                kept = {0: collections.Counter(), 1: collections.Counter()}
                for t in train:
                    pi = pis[feat[t]]
                    cs = list(pi)
                    for c in rng.choices(cs, weights=[pi[c] for c in cs], k=k):
                        if R[(t, c, rng.choice(seeds))]:
                            kept[feat[t]][c] += 1
                for f in (0, 1):
                    if kept[f]:
                        tot = sum(kept[f].values())
                        pis[f] = {c: 0.99 * kept[f][c] / tot + 0.01 / len(configs) for c in configs}
            seal_ctx.append(statistics.mean(sum(pis[feat[t]][c] * mean_r[(t, c)] for c in configs) for t in test))
    out = {"sweep": path, "model": head["args"]["model"], "tasks": len(tasks), "ttt_seeds": seeds, "configs": len(configs),
           "icl_unk": head["icl_unk"], "icl_true_tag": head["icl_true_tag"], "unk_fallback": head["unk_fallback"],
           "oracle_per_seed": oracle_seed, "oracle_mean": statistics.mean(oracle_seed), "oracle_2of3": oracle_2of3,
           "uniform": uniform, "best_config": list(best_c), "best_config_rate": cfg_rate[best_c],
           "norl": statistics.mean(norl), "restem_r1": statistics.mean(r1), "seal": statistics.mean(seal), "seal_ctx": statistics.mean(seal_ctx),
           "per_rule_oracle": {k: round(statistics.mean(v), 2) for k, v in sorted(per_rule.items())}, "marginals": marg}
    out["pass"] = {"icl<=10": out["icl_unk"] <= 0.10, "oracle>=80": out["oracle_mean"] >= 0.80,
                   "uniform 8-40": 0.08 <= uniform <= 0.40, "seal>=norl+25": out["seal"] >= out["norl"] + 0.25}
    out["pass_all"] = all(out["pass"].values())
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("sweeps", nargs="+")
    ap.add_argument("--out")
    a = ap.parse_args()
    for p in a.sweeps:
        g = gate(p)
        print(json.dumps(g))
        print(f"| {g['model']} | ICL {g['icl_unk']:.0%} (tag {g['icl_true_tag']:.0%}) | oracle {g['oracle_mean']:.0%} "
              f"(per seed {', '.join(f'{x:.0%}' for x in g['oracle_per_seed'])}; 2/3 {g['oracle_2of3']:.0%}) | uniform {g['uniform']:.1%} | "
              f"best cfg {g['best_config']} {g['best_config_rate']:.1%} | no-RL {g['norl']:.1%} → R1 {g['restem_r1']:.1%} → SEAL {g['seal']:.1%} (ctx {g['seal_ctx']:.1%}) | {'PASS' if g['pass_all'] else 'fail'} |")
        if a.out:
            with open(a.out, "a") as f:
                f.write(json.dumps(g) + "\n")
