// SEAL's Algorithm 1 for any track, with ReST-EM as the RL update, and the paper's protocol around it:
//
//   baselines on θ0 (the track's rows: the model as it is · self-edits of θ0 · given self-edits)
//   for round = 1..k:
//     E-step:  for each training item C: SE ~ LM_θ(·|C); θ' ← SFT(θ, SE); r ← r(LM_θ'(τ), τ), mean over TTT seeds
//     select:  keep the (C, SE) the track imitates (every rewarded one, or the best of each item)
//     M-step:  θ ← SFT(θ, kept pairs), merged into the base
//     evaluate SEAL(round): self-edits of θ on the held-out items, each applied and scored
//
// Every phase emits a `phase` event and then waits at RunControl.checkpoint() (Pause/Step/Stop).
import { maxBinding } from '../../engine/gpu/context.ts';
import { LoraAdapter, NonFiniteAdapterError } from '../../engine/model/lora.ts';
import { loraSize } from '../../engine/model/memory.ts';
import { DEFAULT_HYPER, LoraTrainer, TrainingDivergedError } from '../../engine/train/trainer.ts';
import { RunStopped } from './control.ts';
import type { SealContext } from './context.ts';
import type { MethodResult, Rollout, SealEvent } from './events.ts';
import { fineTune, fineTuneSlots, trainingSteps } from './fine_tune.ts';
import { Journal } from './journal.ts';
import { fineTuneGenerator, mergeSavedGenerator } from './rest_em.ts';
import { bootstrapInterval } from './interval.ts';
import { hashSeed } from './rng.ts';
import { given, sampleSelfEdits, type Sampled } from './sample.ts';
import { AUTO_SLOTS, type Baseline, type InnerLoopPlan, type Score, type Track, type TrackItem } from './track.ts';
import { UnknownItemError, YOURS, type YourEdit } from './yours.ts';

export interface RunResult<R extends Rollout> {
  methods: MethodResult[];
  rollouts: R[];
  seconds: number;
}

export interface Items<Item> {
  train: Item[];
  eval: Item[];
}

export class SealLoop<Item extends TrackItem, Edit, R extends Rollout, D> {
  readonly rollouts: R[] = [];
  readonly methods: MethodResult[] = [];
  /** The inner loops' adapter slots (the self-edits of an item trained side by side), reset for every self-edit, and their trainer. */
  private readonly slotted: LoraAdapter;
  private readonly trainer: LoraTrainer;
  /** Its first slot: the adapter of a single inner loop (train(): CPT, forgetting). */
  readonly adapter: LoraAdapter;
  private seq = 0;
  /** The round in progress (0: the baselines), and whether its E-step's selection is still to come. */
  private round = 0;
  private selecting = false;
  /** Students' self-edits added to the kept set of the round in progress. */
  private readonly yoursKept: R[] = [];
  /** Where the run's own rollouts go: recorded, emitted, replayed on resume, each phase a checkpoint. */
  private readonly out: Out<R, D>;

  constructor(
    readonly ctx: SealContext<SealEvent<R, D>>,
    readonly track: Track<Item, Edit, R, D>,
    readonly items: Items<Item>,
    /** A resumed run's finished part (skipped, not recomputed); empty for a new run. */
    readonly journal: Journal<R> = new Journal(),
  ) {
    const { loraRank, loraAlpha, targets, slots } = track.settings.innerLoop;
    const s = track.settings;
    // as many slots as an item has TTT runs, at most `slots` (auto: 1 on a CPU adapter), and no more than one buffer can bind
    const gpu = ctx.model.gpu;
    const asked = slots > 0 ? slots : gpu.options.kernels === 'cpu' ? 1 : AUTO_SLOTS;
    const fit = Math.floor(maxBinding(gpu.limits) / (4 * loraSize(ctx.model.cfg, loraRank, targets)));
    const most = Math.max(1, Math.min(asked, fit, Math.max(s.samplesPerTrainItem, s.samplesPerEvalItem) * s.tttSeeds));
    this.slotted = new LoraAdapter(ctx.model.gpu, ctx.model.cfg, { r: loraRank, alpha: loraAlpha, targets }, most);
    this.adapter = this.slotted.slots(1);
    this.trainer = new LoraTrainer(ctx.model, this.slotted, { ...DEFAULT_HYPER, lr: 0, totalSteps: 1 });
    this.out = {
      replay: () => this.replay(), id: () => `r${++this.seq}`, emit: (e) => this.ctx.emit(e), record: (r) => this.record(r),
      phase: (...a) => this.phase(...a),
    };
  }

  /** The whole experiment; `after` runs extra phases (e.g. the knowledge track's forgetting) before cleanup. */
  async run(config: unknown, after?: () => Promise<void>): Promise<RunResult<R>> {
    const t0 = performance.now();
    const ids = (xs: Item[]) => xs.map((x) => x.id);
    this.ctx.emit({ type: 'run-start', track: this.track.name, items: { train: ids(this.items.train), eval: ids(this.items.eval) }, config });
    // a student's self-edit handed to the run while it is held is applied by this loop, at a checkpoint
    this.ctx.control.serve = (y, emit) => this.applyYours(y, emit);
    try {
      for (const b of this.track.baselines) await this.baseline(b);
      for (let round = 1; round <= this.track.settings.rounds; round++) {
        Object.assign(this, { round, selecting: true });
        this.yoursKept.length = 0;
        const rollouts = await this.eStep(round);
        const saved = (await this.journal.store?.load(round)) ?? null; // a resumed run's finished M-step
        const kept = await this.select(rollouts, round, saved !== null);
        this.selecting = false;
        await this.mStep(kept, round, saved);
        await this.evaluateSelfEdits('seal', round);
      }
      await after?.();
    } finally {
      this.ctx.control.serve = null;
      this.dispose();
    }
    return { methods: this.methods, rollouts: this.rollouts, seconds: (performance.now() - t0) / 1000 };
  }

  // ── phases ─────────────────────────────────────────────────────────────────────────────────────────────

  private baseline(b: Baseline<Item, Edit>): Promise<void> {
    if (b.kind === 'no-update') return this.evaluateAsIs(b.method);
    if (b.kind === 'self-edits') return this.evaluateSelfEdits(b.method, 0);
    return this.evaluateGiven(b.method, b.edit);
  }

  /** The model as it is, no self-edit, on every held-out item (ICL, the base model). */
  private async evaluateAsIs(method: string): Promise<void> {
    const tally = new Tally();
    for (const [i, item] of this.items.eval.entries()) {
      const old = this.replay();
      if (old) {
        tally.add(old, item.id);
        continue;
      }
      const [s] = await this.track.score(item, [this.seed(i)]);
      const base = this.blank(item, method, 0);
      const r = { ...this.track.record(base, item, null), ...s.detail, reward: s.reward, rewards: [s.reward], solved: s.solved, total: s.total, reason: s.reason };
      tally.add(this.record(r), item.id);
      await this.phase(method, method, 0, this.track.explain.noUpdate(item, s.reward, i + 1 === this.items.eval.length), item.id);
    }
    this.result(method, 0, tally);
  }

  /** Self-edits from the current generator on every held-out item, each applied and scored (no-RL, SEAL rows). */
  async evaluateSelfEdits(method: string, round: number): Promise<void> {
    const n = this.track.settings.samplesPerEvalItem;
    const tally = new Tally();
    for (const [i, item] of this.items.eval.entries()) {
      // The same sampling seed in every round (and the same TTT seeds, evalSeed): the no-RL and SEAL rows draw item
      // i's j-th self-edit from one random stream, so their difference is the generator's, not the dice's.
      const edits = await this.sample(item, n, method, round, this.seed(1000 + i));
      for (const r of await this.applySelfEdits(item, edits, method, round, (j) => this.evalSeed(i, j))) tally.add(r, item.id);
    }
    this.result(method, round, tally);
  }

  /** One given self-edit per held-out item (the oracle's configuration, reference notes…). */
  private async evaluateGiven(method: string, edit: (item: Item) => { edit: Edit; canonical: string }): Promise<void> {
    const tally = new Tally();
    for (const [i, item] of this.items.eval.entries()) {
      const g = edit(item);
      const [r] = await this.applySelfEdits(item, [given(g.edit, g.canonical)], method, 0, () => this.seed(31 * i));
      tally.add(r, item.id);
    }
    this.result(method, 0, tally);
  }

  /** E-step: sample and score self-edits for every training item. */
  private async eStep(round: number): Promise<R[]> {
    const out: R[] = [];
    for (const [i, item] of this.items.train.entries()) {
      const edits = await this.sample(item, this.track.settings.samplesPerTrainItem, 'seal', round, this.seed(50_000 * round + i));
      out.push(...(await this.applySelfEdits(item, edits, 'seal', round, (j) => this.trainSeed(round, i, j), 'train')));
    }
    return out;
  }

  /** The TTT seed of the j-th self-edit of training item i in round `round`'s E-step, and of held-out item i. */
  private trainSeed(round: number, i: number, j: number): number {
    return this.seed(104_729 * round + 101 * i + j);
  }

  private evalSeed(i: number, j: number): number {
    return this.seed(7919 * i + j);
  }

  /**
   * A student's self-edit, applied as the loop applies the model's: the track's parser and plan, this run's settings,
   * and the TTT seeds of the item's `sample`-th self-edit (held-out items: as in the own/SEAL rows; ReST-EM items: as
   * in the E-step of the round in progress, round 1 outside one). Its events go to `emit`, not into the run's record;
   * it never counts in a row, and enters the kept set only when asked while the round's selection is still to come.
   */
  async applyYours(y: YourEdit, emit: (e: SealEvent<R, D>) => void): Promise<R> {
    const role = this.items.eval.some((x) => x.id === y.itemId) ? 'eval' : 'train';
    const i = this.items[role].findIndex((x) => x.id === y.itemId);
    if (i < 0) throw new UnknownItemError(`no item "${y.itemId}" in this run (held-out: ${this.items.eval.map((x) => x.id).join(', ') || 'none'}; ReST-EM: ${this.items.train.map((x) => x.id).join(', ') || 'none'})`);
    const item = this.items[role][i];
    const round = role === 'eval' ? this.round : Math.max(1, this.round);
    const p = this.track.parseSelfEdit(y.text);
    const se: Sampled<Edit> = p.ok ? given(p.edit, p.canonical) : { text: y.text, edit: null, canonical: null, error: p.error, attempts: 0 };
    const out: Out<R, D> = { replay: () => null, id: () => y.id, emit, record: (r) => (emit({ type: 'rollout', rollout: r }), r), phase: async () => {} };
    const j = y.sample ?? 0;
    const [r] = await this.applySelfEdits(item, [se], YOURS, round, () => (role === 'eval' ? this.evalSeed(i, j) : this.trainSeed(round, i, j)), role, out);
    if (!y.keep) return r;
    const why = role === 'eval' ? 'a held-out item is never trained on' : !this.selecting || round !== this.round ? `round ${round}'s selection is over` : !p.ok ? 'it did not parse' : null;
    if (why) return out.record({ ...r, kept: false, reason: `${r.reason}; not added to the kept set: ${why}` });
    this.yoursKept.push(r);
    return out.record({ ...r, kept: true });
  }

  /**
   * Keep what ReST-EM imitates: every rewarded self-edit, or the best one of each item (the earliest of equals)
   * when its reward is above 0 ('best-per-item') or above the mean reward of the item's self-edits
   * ('best-over-mean': an item whose self-edits all score the same says nothing about what makes one better).
   */
  private async select(rollouts: R[], round: number, quiet = false): Promise<R[]> {
    const { keep } = this.track;
    let kept = rollouts.filter((r) => (r.reward ?? 0) > 0);
    if (keep !== 'rewarded') {
      const byItem = new Map<string, R[]>();
      for (const r of rollouts) byItem.set(r.itemId, [...(byItem.get(r.itemId) ?? []), r]);
      kept = [...byItem.values()].flatMap((rs) => {
        const reward = (r: R) => r.reward ?? 0;
        const best = rs.reduce((a, r) => (reward(r) > reward(a) ? r : a));
        const floor = keep === 'best-over-mean' ? rs.reduce((s, r) => s + reward(r), 0) / rs.length : 0;
        return reward(best) > floor ? [best] : [];
      });
    }
    // students' self-edits added to the kept set (also a resumed run's, from its events), by hand, whatever their reward
    const yours = [...this.yoursKept, ...this.journal.yoursKept(round).filter((r) => !this.yoursKept.some((x) => x.id === r.id))];
    if (yours.length) this.ctx.emit({ type: 'log', message: `round ${round}: ${yours.length} self-edit${yours.length > 1 ? 's' : ''} added to the kept set by hand` });
    kept = [...kept, ...yours];
    for (const r of rollouts) {
      r.kept = kept.includes(r);
      this.ctx.emit({ type: 'rollout', rollout: r }); // again, now with `kept`
    }
    if (!quiet) await this.phase('select', 'seal', round, this.track.explain.selected(kept.length, rollouts.length));
    return kept;
  }

  /** M-step: SFT the generator on the kept pairs, then merge; a diverged M-step is never merged. */
  private async mStep(kept: R[], round: number, saved: Float32Array | null): Promise<void> {
    const { explain, settings } = this.track;
    if (saved) {
      await mergeSavedGenerator(this.ctx.model, saved, settings.restEm);
      this.ctx.emit({ type: 'log', message: `resumed: merged round ${round}'s saved generator adapter` });
      return;
    }
    const byId = new Map(this.items.train.map((t) => [t.id, t]));
    // what the generator imitates: the kept self-edit, or the part the track keeps of it (sftCompletion)
    const pairs = kept.flatMap((r) => {
      const item = byId.get(r.itemId)!;
      const text = this.track.sftCompletion ? this.track.sftCompletion(item, r.text) : r.text;
      return text ? [this.track.sftSequence(item, text)] : [];
    });
    if (!pairs.length) return this.phase('sft', 'seal', round, explain.sftSkipped());
    let losses: number[];
    const store = this.journal.store;
    try {
      losses = await fineTuneGenerator(this.ctx.model, pairs, settings.restEm, this.seed(round), this.ctx.control,
        (step, loss) => this.ctx.emit({ type: 'sft-loss', round, step, loss }), store ? (p) => store.save(round, p) : undefined);
    } catch (e) {
      if (!(e instanceof TrainingDivergedError || e instanceof NonFiniteAdapterError)) throw e;
      this.ctx.emit({ type: 'warning', message: `ReST-EM round ${round} failed: the M-step ${e.message}; the generator keeps its weights.` });
      await this.phase('sft', 'seal', round, explain.sftFailed(round, e.message));
      if (settings.onFailedRound === 'stop') throw new RunStopped(`round ${round} failed: the M-step ${e.message}`);
      return;
    }
    await this.phase('sft', 'seal', round, explain.sft(pairs.length, losses));
    await this.phase('merge', 'seal', round, explain.merged(round));
  }

  // ── one self-edit, from text to reward ─────────────────────────────────────────────────────────────────

  private async sample(item: Item, n: number, method: string, round: number, seed: number): Promise<Sampled<Edit>[]> {
    const { track, ctx } = this;
    // A resumed run that finished this item's rollouts replays them (rollout() does, by id): nothing to sample.
    if (this.journal.has(Array.from({ length: n }, (_, k) => `r${this.seq + 1 + k}`))) {
      return Array.from({ length: n }, (): Sampled<Edit> => ({ text: '', edit: null, canonical: null, error: 'replayed', attempts: 0 }));
    }
    const t0 = performance.now();
    const edits = await sampleSelfEdits(ctx, track.selfEditPrompt(item), n, seed, track.settings.sampling, (t) => track.parseSelfEdit(t));
    ctx.emit({ type: 'speed', kind: 'sampling', tokens: edits.reduce((a, e) => a + (e.tokens ?? 0), 0), seconds: (performance.now() - t0) / 1000 });
    await this.phase('sample-self-edit', method, round, track.explain.sampled(item, n, edits.filter((e) => e.edit !== null).length), item.id);
    return edits;
  }

  /**
   * θ' ← SFT(θ, SE) and r(LM_θ'(τ), τ) for each of an item's self-edits, once per TTT seed (the reward is their
   * mean). The inner loops run side by side, one adapter slot each, in groups of up to the adapter's slots; each
   * is the loop it would be alone (fineTuneSlots). Rollouts are recorded in order, keyed by position as before.
   */
  async applySelfEdits(
    item: Item, edits: Sampled<Edit>[], method: string, round: number, seedOf: (j: number) => number, role: 'train' | 'eval' = 'eval', out = this.out,
  ): Promise<R[]> {
    const t0 = performance.now();
    const { track } = this;
    const runs = track.settings.tttSeeds;
    const { batchSize } = track.settings.innerLoop;
    // 1. per self-edit: a replayed rollout, a record that ends here (unparsable, rejected), or its TTT runs
    const entries = edits.map((se, j): Entry<R, D, Edit> => {
      const old = out.replay();
      if (old) return { rec: old, replayed: true, jobs: [] };
      const rec = track.record({ ...this.blank(item, method, round, role, out.id()), text: se.canonical ?? se.text, attempts: se.attempts }, item, se.edit);
      if (se.edit === null) return { rec: { ...rec, reason: `unparsable${se.attempts ? ` after ${se.attempts} samples` : ''}: ${se.error}` }, jobs: [], seconds: 0 };
      const jobs: TttJob<D>[] = [];
      for (let k = 0; k < runs; k++) {
        const seed = k === 0 ? seedOf(j) : hashSeed(seedOf(j), 'ttt', k);
        const plan = track.innerLoopPlan(item, se.edit, seed);
        if (k === 0) {
          out.emit({ type: 'ttt-data', rolloutId: rec.id, itemId: item.id, data: plan.data });
          Object.assign(rec, { examples: plan.sequences.length, steps: trainingSteps(plan.sequences.length, plan.epochs, batchSize) });
        }
        if (plan.rejected) return { rec: { ...rec, reason: plan.rejected }, jobs: [] };
        jobs.push({ k, seed, plan, lossId: k === 0 ? rec.id : null, losses: [], diverged: null, score: null });
      }
      return { rec, jobs, edit: se.edit };
    });
    // 2. train and score the TTT runs, as many side by side as there are adapter slots
    const jobs = entries.flatMap((e) => e.jobs);
    for (let at = 0; at < jobs.length; at += this.slotted.count) await this.trainAndScore(item, jobs.slice(at, at + this.slotted.count), out);
    // 3. record in order; a trained rollout's seconds are its share of the item's time
    const seconds = (performance.now() - t0) / 1000 / Math.max(1, entries.filter((e) => !e.replayed).length);
    const done: R[] = [];
    for (const e of entries) done.push(e.replayed ? e.rec : await this.finish(item, e, method, round, role, seconds, out));
    return done;
  }

  /** One group of TTT runs of an item, one adapter slot each: fresh slots trained side by side, then scored in one batch. */
  private async trainAndScore(item: Item, group: TttJob<D>[], out: Out<R, D>): Promise<void> {
    const { batchSize, warmupRatio } = this.track.settings.innerLoop;
    const t0 = performance.now();
    group.forEach((job, z) => this.slotted.reset(job.seed, z));
    this.trainer.resetOptimizer();
    const runs = group.map((job) => ({ seqs: job.plan.sequences, options: { epochs: job.plan.epochs, batchSize, orderSeed: job.seed ^ 0x5eed, lr: job.plan.lr, warmupRatio } }));
    const results = await fineTuneSlots(this.trainer, runs, this.ctx.control, (z, r) => {
      const id = group[z].lossId;
      if (id) out.emit({ type: 'ttt-loss', rolloutId: id, step: r.step, loss: r.loss });
    });
    const tokens = group.reduce((a, j) => a + j.plan.epochs * j.plan.sequences.reduce((b, s) => b + s.ids.length, 0), 0);
    out.emit({ type: 'speed', kind: 'training', tokens, seconds: (performance.now() - t0) / 1000 });
    results.forEach((r, z) => {
      if (r instanceof TrainingDivergedError) {
        group[z].diverged = r;
        this.slotted.reset(group[z].seed, z); // scored harmlessly (finite), never counted
      } else group[z].losses = r.map((x) => x.loss);
    });
    const scores = await this.track.score(item, group.map((j) => j.seed), this.slotted.slots(group.length));
    group.forEach((job, z) => (job.score = job.diverged ? null : scores[z]));
  }

  /** A self-edit's rollout from its TTT runs: the mean reward, or 0 from the first run that diverged. */
  private async finish(item: Item, e: Entry<R, D, Edit>, method: string, round: number, role: 'train' | 'eval', seconds: number, out: Out<R, D>): Promise<R> {
    const { track } = this;
    const rec = e.rec;
    if (!e.jobs.length) return out.record({ ...rec, seconds: e.seconds ?? seconds });
    const runs = e.jobs.length;
    const bad = e.jobs.findIndex((j) => j.diverged);
    if (bad >= 0) {
      const d = e.jobs[bad].diverged!;
      const reason = `diverged at step ${d.step} (loss ${d.loss})${runs > 1 ? ` on TTT seed ${bad + 1}` : ''}`;
      const rewards = [...e.jobs.slice(0, bad).map((j) => j.score!.reward), 0];
      const done = out.record({ ...rec, reward: 0, rewards, solved: 0, reason, finalLoss: null, seconds });
      await out.phase('inner-loop', method, round, `The inner loop ${reason}: this self-edit scores 0. The next one starts from a fresh adapter.`, item.id);
      return done;
    }
    const first = e.jobs[0];
    await out.phase('inner-loop', method, round, track.explain.innerLoop(item, e.edit!, rec.steps, first.plan.sequences.length, first.losses.at(-1) ?? null), item.id);
    const scores = e.jobs.map((j) => j.score!);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const rewards = scores.map((s) => s.reward);
    const reward = mean(rewards);
    const finalLoss = e.jobs.reduce((a, j) => a + (j.losses.at(-1) ?? NaN) / runs, 0);
    const reason = runs === 1 ? scores[0].reason : `mean of ${runs} TTT seeds (${rewards.map((r) => +r.toFixed(3)).join(', ')})`;
    const done = out.record({
      ...rec, ...scores[0].detail, reward, rewards, solved: mean(scores.map((s) => s.solved)), total: scores[0].total, reason,
      finalLoss: Number.isFinite(finalLoss) ? finalLoss : null, seconds,
    });
    await out.phase('evaluate', method, round, track.explain.evaluated(item, reward, role), item.id);
    return done;
  }

  /** A freshly reset adapter and optimizer, trained on the plan; the loss curve streams for `lossId`. */
  async train(plan: Pick<InnerLoopPlan<D>, 'sequences' | 'epochs' | 'lr'>, seed: number, lossId: string | null): Promise<number[]> {
    const { batchSize, warmupRatio } = this.track.settings.innerLoop;
    this.adapter.reset(seed);
    this.trainer.resetOptimizer();
    const t0 = performance.now();
    const o = { epochs: plan.epochs, batchSize, orderSeed: seed ^ 0x5eed, lr: plan.lr, warmupRatio };
    const results = await fineTune(this.trainer, plan.sequences, o, this.ctx.control,
      (r) => lossId && this.ctx.emit({ type: 'ttt-loss', rolloutId: lossId, step: r.step, loss: r.loss }));
    const tokens = plan.epochs * plan.sequences.reduce((a, s) => a + s.ids.length, 0);
    this.ctx.emit({ type: 'speed', kind: 'training', tokens, seconds: (performance.now() - t0) / 1000 });
    return results.map((r) => r.loss);
  }

  // ── bookkeeping ────────────────────────────────────────────────────────────────────────────────────────

  async phase(phase: string, method: string, round: number, explain: string, itemId?: string): Promise<void> {
    this.ctx.emit({ type: 'phase', phase, method, round, itemId, explain });
    await this.ctx.control.checkpoint();
  }

  /** The next rollout, when a resumed run already finished it: taken as it was (the UI has its events). */
  private replay(): R | null {
    const old = this.journal.rollout(`r${this.seq + 1}`);
    if (!old) return null;
    this.seq++;
    this.rollouts.push(old);
    return old;
  }

  /** A seed for the k-th draw of this run (the same k gives the same seed in every run with this run seed). */
  seed(k: number): number {
    return (this.track.settings.seed * 1_000_003 + k) >>> 0;
  }

  private blank(item: Item, method: string, round: number, role: 'train' | 'eval' = 'eval', id = `r${++this.seq}`): Rollout {
    return {
      id, track: this.track.name, itemId: item.id, method, round, role, text: '', attempts: 0, reward: 0, rewards: [],
      solved: 0, total: this.track.units(item), reason: '', examples: 0, steps: 0, finalLoss: null, seconds: 0,
    };
  }

  /**
   * A student's self-edit outside a run (after one, or on a saved one): a loop of its own over the run's items, on
   * the model as it is; its events go to ctx.emit, and its adapter slots are freed after.
   */
  static async applyOutsideRun<Item extends TrackItem, Edit, R extends Rollout, D>(
    ctx: SealContext<SealEvent<R, D>>, track: Track<Item, Edit, R, D>, items: Items<Item>, edit: YourEdit,
  ): Promise<R> {
    const loop = new SealLoop(ctx, track, items);
    try {
      return await loop.applyYours(edit, ctx.emit);
    } finally {
      loop.dispose();
    }
  }

  /** Frees the inner loop's adapter slots and trainer (run() does, when it ends). */
  dispose(): void {
    this.trainer.destroy();
    this.slotted.destroy();
  }

  record(r: R): R {
    this.rollouts.push(r);
    this.ctx.emit({ type: 'rollout', rollout: r });
    return r;
  }

  result(method: string, round: number, t: Tally): MethodResult {
    const interval = bootstrapInterval([...t.items.values()], hashSeed(this.track.settings.seed, 'interval', method, round));
    const result = { method, round, solved: t.solved, total: t.total, successRate: t.total ? t.solved / t.total : 0, interval };
    this.methods.push(result);
    this.ctx.emit({ type: 'method-result', result });
    return result;
  }
}

/** Where a self-edit's rollout and events go: the run's record (replayed on resume, a checkpoint per phase) or a student's request. */
interface Out<R extends Rollout, D> {
  replay(): R | null;
  id(): string;
  emit(e: SealEvent<R, D>): void;
  record(r: R): R;
  phase(phase: string, method: string, round: number, explain: string, itemId?: string): Promise<void>;
}

/** One TTT run of a self-edit (k-th TTT seed), and what it gave. */
interface TttJob<D> {
  k: number;
  seed: number;
  plan: InnerLoopPlan<D>;
  /** The rollout whose loss curve this run streams (the first TTT seed's). */
  lossId: string | null;
  losses: number[];
  diverged: TrainingDivergedError | null;
  score: Score<Rollout> | null;
}

/** A self-edit on its way to a rollout: its record, and the TTT runs still to train (none: it ends as it is). */
interface Entry<R extends Rollout, D, Edit> {
  rec: R;
  replayed?: boolean;
  jobs: TttJob<D>[];
  edit?: Edit;
  /** Its time, when it is not a share of the item's (an unparsable self-edit took none). */
  seconds?: number;
}

/** Solved and total graded units over a row's rollouts, in all and per held-out item (for the row's interval). */
export class Tally {
  solved = 0;
  total = 0;
  readonly items = new Map<string, { solved: number; total: number }>();

  add(r: { solved: number; total: number }, itemId: string): void {
    this.solved += r.solved;
    this.total += r.total;
    const x = this.items.get(itemId) ?? { solved: 0, total: 0 };
    this.items.set(itemId, { solved: x.solved + r.solved, total: x.total + r.total });
  }
}
