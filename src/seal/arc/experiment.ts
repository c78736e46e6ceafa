// SEAL on ARC, the paper's Algorithm 1 with ReST-EM as the RL update, plus the Table 1 protocol:
//
//   baselines on θ0:  ICL (no training) · TTT with self-edits of θ0 ("no RL") · Oracle TTT (fixed best config)
//   for round = 1..k:
//     E-step:  for each training context C: sample self-edits SE ~ LM_θ(·|C); θ' ← SFT(θ, SE); r ← r(LM_θ'(τ), τ)
//     select:  keep the (C, SE) with r = 1
//     M-step:  θ ← SFT(θ, kept pairs), merged into the base
//     evaluate SEAL(round): self-edits of θ on the held-out tasks, each applied and scored
import { LoraAdapter } from '../../engine/model/lora.ts';
import { DEFAULT_HYPER, LoraTrainer } from '../../engine/train/trainer.ts';
import type { SealContext } from '../context.ts';
import type { Method, MethodResult, PhaseName, RolloutRecord } from '../events.ts';
import { fineTuneGenerator } from '../rest_em.ts';
import { applySelfEdit } from './inner_loop.ts';
import { predict } from './predict.ts';
import { instructionOf, sampleSelfEdits, type SampledSelfEdit } from './sample_self_edits.ts';
import { describeSelfEdit, selfEditToJson } from './self_edit.ts';
import { selfEditSequence } from './sequences.ts';
import type { ArcTask, Grid } from './types.ts';

export interface ArcTaskItem {
  id: string;
  task: ArcTask;
  truth: Grid[];
}

export interface ArcRunResult {
  methods: MethodResult[];
  rollouts: RolloutRecord[];
  seconds: number;
}

export class ArcExperiment {
  readonly rollouts: RolloutRecord[] = [];
  readonly methods: MethodResult[] = [];
  private readonly adapter: LoraAdapter;
  private readonly trainer: LoraTrainer;
  private seq = 0;

  constructor(private readonly ctx: SealContext, private readonly tasks: { train: ArcTaskItem[]; eval: ArcTaskItem[] }) {
    const { ttt } = ctx.cfg;
    this.adapter = new LoraAdapter(ctx.model.gpu, ctx.model.cfg, { r: ttt.loraRank, alpha: ttt.loraAlpha, targets: ttt.targets });
    this.trainer = new LoraTrainer(ctx.model, this.adapter, { ...DEFAULT_HYPER, lr: 0, totalSteps: 1 });
  }

  async run(): Promise<ArcRunResult> {
    const t0 = performance.now();
    const { methods, rounds } = this.ctx.cfg;
    this.ctx.emit({ type: 'run-start', tasks: { train: this.tasks.train.map((t) => t.id), eval: this.tasks.eval.map((t) => t.id) }, config: this.ctx.cfg });
    try {
      if (methods.icl) await this.evaluateInContext();
      if (methods.noRl) await this.evaluateSelfEdits('no-rl', 0);
      if (methods.oracle) await this.evaluateOracle();
      for (let round = 1; round <= rounds; round++) {
        const rollouts = await this.eStep(round);
        const kept = await this.select(rollouts, round);
        await this.mStep(kept, round);
        await this.evaluateSelfEdits('seal', round);
      }
    } finally {
      this.trainer.destroy();
      this.adapter.destroy();
    }
    return { methods: this.methods, rollouts: this.rollouts, seconds: (performance.now() - t0) / 1000 };
  }

  // ── phases ─────────────────────────────────────────────────────────────────────────────────────────────

  private async phase(phase: PhaseName, method: Method, round: number, explain: string, taskId?: string): Promise<void> {
    this.ctx.emit({ type: 'phase', phase, method, round, taskId, explain });
    await this.ctx.control.checkpoint();
  }

  /** ICL: the base model answers each held-out task from its demos alone. */
  private async evaluateInContext(): Promise<void> {
    let solved = 0;
    for (const [i, item] of this.tasks.eval.entries()) {
      const p = await predict(this.ctx, item.task, item.truth, this.seed(i));
      solved += p.reward;
      this.record({ ...this.blank(item, 'icl', 0), reward: p.reward, reason: p.reward ? 'solved in context' : 'wrong answer', answers: p.answers });
      await this.phase('icl', 'icl', 0, `The base model answered ${item.id} from its demonstrations alone, without any training: ${p.reward ? 'correct' : 'wrong'}. Next: ${i + 1 < this.tasks.eval.length ? 'the next held-out task' : 'self-edits'}.`, item.id);
    }
    this.result('icl', 0, solved, this.tasks.eval.length);
  }

  /** No-RL and SEAL rows: self-edits from the current generator on every held-out task, each applied and scored. */
  private async evaluateSelfEdits(method: 'no-rl' | 'seal', round: number): Promise<void> {
    const n = this.ctx.cfg.selfEditsPerEvalTask;
    let solved = 0;
    for (const [i, item] of this.tasks.eval.entries()) {
      const edits = await this.sample(item, n, method, round, this.seed(1000 * (round + 1) + i));
      for (const [j, se] of edits.entries()) solved += (await this.rollout(item, se, method, round, this.seed(7919 * i + j))).reward ?? 0;
    }
    this.result(method, round, solved, this.tasks.eval.length * n);
  }

  /** Oracle TTT: the fixed configuration the paper found best, once per held-out task. */
  private async evaluateOracle(): Promise<void> {
    let solved = 0;
    const json = selfEditToJson(this.ctx.cfg.oracle);
    for (const [i, item] of this.tasks.eval.entries()) {
      const se: SampledSelfEdit = { text: json, edit: this.ctx.cfg.oracle, json, error: null, attempts: 0 };
      solved += (await this.rollout(item, se, 'oracle', 0, this.seed(31 * i))).reward ?? 0;
    }
    this.result('oracle', 0, solved, this.tasks.eval.length);
  }

  /** E-step: sample and score self-edits for every training task. */
  private async eStep(round: number): Promise<RolloutRecord[]> {
    const out: RolloutRecord[] = [];
    for (const [i, item] of this.tasks.train.entries()) {
      const edits = await this.sample(item, this.ctx.cfg.selfEditsPerTrainTask, 'seal', round, this.seed(50_000 * round + i));
      for (const [j, se] of edits.entries()) out.push(await this.rollout(item, se, 'seal', round, this.seed(104_729 * round + 101 * i + j), 'train'));
    }
    return out;
  }

  /** Keep the self-edits whose adapted model solved its task (reward 1). */
  private async select(rollouts: RolloutRecord[], round: number): Promise<RolloutRecord[]> {
    const kept = rollouts.filter((r) => r.reward === 1);
    for (const r of rollouts) {
      r.kept = r.reward === 1;
      this.ctx.emit({ type: 'rollout', rollout: r }); // again, now with `kept`
    }
    await this.phase('select', 'seal', round, `Kept ${kept.length} of ${rollouts.length} self-edits: those whose adapted model solved its training task. Next: fine-tune the self-edit generator on these (prompt, self-edit) pairs.`);
    return kept;
  }

  /** M-step: SFT the generator on the kept pairs, then merge. */
  private async mStep(kept: RolloutRecord[], round: number): Promise<void> {
    const byId = new Map(this.tasks.train.map((t) => [t.id, t]));
    const pairs = kept.map((r) => selfEditSequence(this.ctx.tok, this.ctx.sp, byId.get(r.taskId)!.task.train, selfEditToJson(r.edit!), instructionOf(this.ctx)));
    if (!pairs.length) {
      await this.phase('sft', 'seal', round, 'No self-edit earned a reward, so the generator stays as it was (ReST-EM has nothing to imitate). Next: evaluate it on the held-out tasks.');
      return;
    }
    const losses = await fineTuneGenerator(this.ctx, pairs, round, this.seed(round));
    await this.phase('sft', 'seal', round, `Fine-tuned a LoRA adapter on the self-edit generator with ${pairs.length} kept pairs for ${losses.length} steps, loss ${losses[0].toFixed(3)} → ${losses.at(-1)!.toFixed(3)}. Next: merge it into the base weights.`);
    await this.phase('merge', 'seal', round, `Merged that adapter into the base weights: this is SEAL's round-${round} model, which writes self-edits more like the ones that worked. Next: it writes self-edits for the held-out tasks.`);
  }

  // ── one self-edit, from text to reward ─────────────────────────────────────────────────────────────────

  private async sample(item: ArcTaskItem, n: number, method: Method, round: number, seed: number): Promise<SampledSelfEdit[]> {
    const edits = await sampleSelfEdits(this.ctx, item.task.train, n, seed);
    const valid = edits.filter((e) => e.edit).length;
    await this.phase('sample-self-edit', method, round, `The generator wrote ${n} self-edit${n === 1 ? '' : 's'} for ${item.id} (temperature ${this.ctx.cfg.selfEdit.temperature}); ${valid} parsed as valid configurations${valid < n ? ', the rest scored 0 after re-sampling' : ''}. Next: apply each one by fine-tuning a fresh LoRA adapter on the data it asks for.`, item.id);
    return edits;
  }

  private async rollout(item: ArcTaskItem, se: SampledSelfEdit, method: Method, round: number, seed: number, role: 'train' | 'eval' = 'eval'): Promise<RolloutRecord> {
    const t0 = performance.now();
    const rec: RolloutRecord = { ...this.blank(item, method, round, role), text: se.json ?? se.text, edit: se.edit, attempts: se.attempts };
    if (!se.edit) return this.record({ ...rec, reason: `unparsable after ${se.attempts} samples: ${se.error}`, seconds: 0 });
    const inner = await applySelfEdit(this.ctx, this.adapter, this.trainer, item.task, se.edit, seed,
      (step, loss) => this.ctx.emit({ type: 'ttt-loss', rolloutId: rec.id, step, loss }));
    this.ctx.emit({ type: 'ttt-data', rolloutId: rec.id, taskId: item.id, stats: { ...inner.stats }, samples: inner.samples });
    Object.assign(rec, { examples: inner.examples, steps: inner.steps, finalLoss: inner.finalLoss });
    if (inner.rejected) return this.record({ ...rec, reason: inner.rejected, seconds: (performance.now() - t0) / 1000 });
    await this.phase('inner-loop', method, round, `Applied "${describeSelfEdit(se.edit)}" to ${item.id}: ${inner.steps} LoRA steps on ${inner.examples} augmented examples, final loss ${inner.finalLoss?.toFixed(3)}. Next: the adapted model answers the test input under several views and votes.`, item.id);
    const p = await predict(this.ctx, item.task, item.truth, seed, this.adapter);
    const done = this.record({ ...rec, reward: p.reward, reason: p.reward ? 'solved' : 'wrong answer', answers: p.answers, seconds: (performance.now() - t0) / 1000 });
    await this.phase('evaluate', method, round, `The adapted model's voted answers for ${item.id} are ${p.reward ? 'correct: reward 1' : 'wrong: reward 0'}. Next: ${role === 'train' ? 'the next self-edit; rewarded ones are kept for the M-step' : 'the next self-edit or task'}.`, item.id);
    return done;
  }

  // ── bookkeeping ────────────────────────────────────────────────────────────────────────────────────────

  private seed(k: number): number {
    return (this.ctx.cfg.seed * 1_000_003 + k) >>> 0;
  }

  private blank(item: ArcTaskItem, method: Method, round: number, role: 'train' | 'eval' = 'eval'): RolloutRecord {
    return {
      id: `r${++this.seq}`, taskId: item.id, method, round, role, text: '', edit: null, attempts: 0, reward: 0, reason: '',
      examples: 0, steps: 0, finalLoss: null, answers: [], truth: item.truth, seconds: 0,
    };
  }

  private record(r: RolloutRecord): RolloutRecord {
    this.rollouts.push(r);
    this.ctx.emit({ type: 'rollout', rollout: r });
    return r;
  }

  private result(method: Method, round: number, solved: number, total: number): void {
    const result = { method, round, solved, total, successRate: total ? solved / total : 0 };
    this.methods.push(result);
    this.ctx.emit({ type: 'method-result', result });
  }
}
