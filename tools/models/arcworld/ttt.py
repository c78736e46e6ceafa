"""TTT as the lab runs it (src/seal/arc/inner_loop.ts + predict.ts), in PyTorch, many runs side by side.

A job = (task, data-generation combination, data seed, lr, epochs, loss on all tokens?, max examples, seed): the
TTT examples export.ts built with the lab's buildTttData for that combination and seed (the first max examples),
batches of `batch` in a seeded order per epoch, Adam (β 0.9/0.999, no weight decay, clip 1), cosine with
round(warmup_ratio × steps) warm-up steps (step 0 of a warm-up is lr 0, as in the lab), a fresh LoRA (PEFT init)
on q/v/gate/up/down, then greedy answers for the task's evaluation views, mapped back and voted into 2 attempts.
A job over the step cap is rejected (reward 0, no training), as in the lab."""
import math
import random
import time

import aw


class Lab:
    """The lab's TTT settings (seal_lab.json ttt/eval)."""

    def __init__(self, rank=8, alpha=16, batch=2, max_examples=8, step_cap=8, warmup_ratio=0.1, views=(False, 0, True), slots=32):
        self.rank, self.alpha, self.batch, self.max_examples, self.step_cap = rank, alpha, batch, max_examples, step_cap
        self.warmup_ratio, self.views, self.slots = warmup_ratio, views, slots

    def as_dict(self):
        return dict(rank=self.rank, alpha=self.alpha, batch=self.batch, maxExamples=self.max_examples, stepCap=self.step_cap,
                    warmupRatio=self.warmup_ratio, views=list(self.views))


def job_steps(task, job, lab):
    data = task["ttt"][job["dseed"]][job["combo"]]
    n = min(len(data["ids"]), job.get("max_examples", lab.max_examples))
    return n, math.ceil(n / lab.batch) * job["epochs"]


def _micro_batches(task, job, lab):
    data = task["ttt"][job["dseed"]][job["combo"]]
    n = min(len(data["ids"]), job.get("max_examples", lab.max_examples))
    seqs = []
    for ids, p in list(zip(data["ids"], data["p"]))[:n]:
        w = [1.0] * len(ids) if job["all_tokens"] else [0.0] * p + [1.0] * (len(ids) - p)
        seqs.append((ids, w))
    rng = random.Random(job["seed"] ^ 0x5EED)
    out = []
    for _ in range(job["epochs"]):
        order = seqs[:]
        rng.shuffle(order)
        for i in range(0, len(order), lab.batch):
            out.append(order[i : i + lab.batch])
    return out


def run_jobs(model, tasks_by_id, jobs, lab, log_every=0):
    """Rewards for jobs (dicts with task, combo, dseed, lr, epochs, all_tokens, seed[, max_examples]).
    Returns a list of dicts (job + reward, identity, steps, rejected, loss)."""
    results = [None] * len(jobs)
    runnable = []
    for i, j in enumerate(jobs):
        t = tasks_by_id[j["task"]]
        n, steps = job_steps(t, j, lab)
        if n == 0 or steps > lab.step_cap:
            results[i] = {**j, "reward": 0, "identity": False, "steps": steps, "rejected": True, "loss": None}
        else:
            runnable.append((i, steps))
    # group equal step counts so slots finish together
    runnable.sort(key=lambda x: x[1])
    t0 = time.time()
    done = 0
    for g in range(0, len(runnable), lab.slots):
        grp = runnable[g : g + lab.slots]
        js = [jobs[i] for i, _ in grp]
        mbs = [_micro_batches(tasks_by_id[j["task"]], j, lab) for j in js]
        steps = [len(m) for m in mbs]
        warm = [int(round(lab.warmup_ratio * s)) for s in steps]
        seed = js[0]["seed"] * 7919 + g
        losses = aw.train_slots(model, mbs, [j["lr"] for j in js], steps, warm, lab.batch, seed, lab.rank, lab.alpha)
        res = aw.predict_slots(model, [tasks_by_id[j["task"]] for j in js], lab.views)
        aw.detach_lora(model)
        for (i, s), (ok, ident, att), loss in zip(grp, res, losses):
            results[i] = {**jobs[i], "reward": int(ok), "identity": bool(ident), "steps": s, "rejected": False, "loss": loss}
        done += len(grp)
        if log_every and (g // lab.slots) % log_every == 0:
            print(f"  jobs {done}/{len(runnable)} ({time.time() - t0:.0f} s)", flush=True)
    return results


def icl(model, tasks, views, chunk=32):
    out = []
    for i in range(0, len(tasks), chunk):
        out += aw.predict_slots(model, tasks[i : i + chunk], views)
    return out
