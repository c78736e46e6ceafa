// LoRA fine-tuning: gradient accumulation over micro-batches, global-norm clipping and AdamW with a cosine
// schedule, all on the GPU, for every slot of the adapter at once (each with its own schedule, clip and guard).
// The loss of a step is the mean of its micro-batches' mean token losses (what transformers' Trainer reports for
// equal micro-batches).
import type { Gpu } from '../gpu/context.ts';
import { adamw_forward, adamwTable } from '../kernels/optim/adamw.ts';
import { fill_forward } from '../kernels/elementwise/copy.ts';
import { PARTIALS, sum_squares_forward } from '../kernels/optim/sum_squares.ts';
import type { LlamaModel, TokenBatch } from '../model/llama.ts';
import type { LoraAdapter } from '../model/lora.ts';
import { cosineWithWarmup } from './schedule.ts';

export interface TrainHyper {
  lr: number;
  warmupSteps: number;
  totalSteps: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** Global gradient-norm clip; 0 disables. */
  maxGradNorm: number;
}

export const DEFAULT_HYPER: Omit<TrainHyper, 'lr' | 'totalSteps'> = {
  warmupSteps: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 1,
};

/** Settings for a trainer used only to compute gradients (computeGradients; step is never called). */
export const GRADIENTS_ONLY: TrainHyper = { ...DEFAULT_HYPER, lr: 0, totalSteps: 1, maxGradNorm: 0 };

export interface MicroBatch {
  batch: TokenBatch;
  /** Weight per position (B, T): 1 where the token is a training target. */
  lossMask: Int32Array | Float32Array;
}

/**
 * A training run whose loss or gradient norm stopped being finite (e.g. a learning rate far too large). Thrown at
 * once, from the loss and norm the step reads anyway; the adapter and optimizer state are then garbage and must be
 * reset (or the adapter dropped) before any use.
 */
export class TrainingDivergedError extends Error {
  override readonly name = 'TrainingDivergedError';
  constructor(readonly step: number, readonly loss: number, readonly gradNorm: number) {
    super(`training diverged at step ${step} (loss ${fmt(loss)}${Number.isNaN(gradNorm) ? '' : `, gradient norm ${fmt(gradNorm)}`})`);
  }
}

const fmt = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(4)).toString() : String(x));

/** Where a step sits in its run's learning-rate schedule: given per step, so one trainer serves runs of any length and rate. */
export type Schedule = Pick<TrainHyper, 'lr' | 'warmupSteps' | 'totalSteps'> & Partial<Pick<TrainHyper, 'maxGradNorm'>>;

export interface StepResult {
  step: number;
  loss: number;
  gradNorm: number;
  lr: number;
}

/** One slot's outcome of a step: its result, null when it sat the step out, or the reason it diverged. */
export type SlotStep = StepResult | { diverged: TrainingDivergedError } | null;

export class LoraTrainer {
  /** (count, size) f32: each slot's gradient. */
  readonly grads: GPUBuffer;
  private readonly m: GPUBuffer;
  private readonly v: GPUBuffer;
  private readonly normSq: GPUBuffer;
  private readonly partials: GPUBuffer;
  private readonly table: GPUBuffer;
  private gpu: Gpu;
  /** Optimizer steps each slot has taken since its reset. */
  readonly slotSteps: number[];
  /** Stop with a TrainingDivergedError on a non-finite loss or gradient norm (off only to measure what it costs). */
  guard = true;

  constructor(readonly model: LlamaModel, readonly adapter: LoraAdapter, readonly hyper: TrainHyper) {
    this.gpu = model.gpu;
    const S = adapter.count;
    const n = S * adapter.size * 4;
    this.grads = this.gpu.buffer('lora-grads', n);
    this.m = this.gpu.buffer('adamw-m', n);
    this.v = this.gpu.buffer('adamw-v', n);
    this.normSq = this.gpu.buffer('grad-norm-sq', 4 * S);
    this.partials = this.gpu.buffer('grad-norm-partials', S * PARTIALS * 4);
    this.table = this.gpu.buffer('adamw-slot-table', 32 * S);
    this.slotSteps = new Array<number>(S).fill(0);
    this.resetOptimizer();
  }

  /** Optimizer steps of slot 0 (a one-slot trainer's steps). */
  get steps(): number {
    return this.slotSteps[0];
  }

  /** Fresh AdamW moments and schedule for one slot, or all (with adapter.reset: a new inner loop). */
  resetOptimizer(slot?: number): void {
    const { size, count } = this.adapter;
    for (const k of slot === undefined ? Array.from({ length: count }, (_, i) => i) : [slot]) {
      fill_forward(this.gpu, this.m, size, 0, k * size);
      fill_forward(this.gpu, this.v, size, 0, k * size);
      this.slotSteps[k] = 0;
    }
  }

  /** Gradients of the step loss of the first `slots` slots, without updating (for inspection and tests); each slot's loss. */
  async computeSlotGradients(micro: MicroBatch[], slots = this.adapter.count): Promise<number[]> {
    if (!micro.length) throw new Error('a training step needs at least one micro-batch');
    const adapter = this.adapter.slots(slots);
    fill_forward(this.gpu, this.grads, slots * adapter.size);
    const loss = new Array<number>(slots).fill(0);
    for (const mb of micro) {
      const r = await this.model.accumulateGradients(mb.batch, mb.lossMask, adapter, this.grads, (c) => 1 / (c * micro.length));
      r.losses.forEach((l, z) => (loss[z] += l));
    }
    return loss;
  }

  /** computeSlotGradients of a one-slot trainer. */
  async computeGradients(micro: MicroBatch[]): Promise<number> {
    return (await this.computeSlotGradients(micro))[0];
  }

  /**
   * One AdamW step of every slot whose schedule is given, on the micro-batches' gradients (slot-major rows, one
   * group per schedule: the first schedules.length slots); a null schedule leaves that slot as it is (finished, or
   * not started). A slot whose loss or gradient norm is not finite comes back `diverged` (its adapter and moments
   * are then garbage: reset or drop it); the others go on.
   */
  async stepSlots(micro: MicroBatch[], schedules: readonly (Schedule | null)[]): Promise<SlotStep[]> {
    const S = schedules.length;
    if (!(S >= 1 && S <= this.adapter.count)) throw new Error(`${S} schedules for ${this.adapter.count} adapter slots`);
    const loss = await this.computeSlotGradients(micro, S);
    const diverged = (z: number) => this.guard && !Number.isFinite(loss[z]);
    const lrs = schedules.map((sch, z) => {
      if (!sch || diverged(z)) return null;
      const h = { ...this.hyper, ...sch };
      return h.lr * cosineWithWarmup(this.slotSteps[z], h.warmupSteps, h.totalSteps);
    });
    const slots = lrs.map((lr, z) => (lr === null ? null : { lr, step: this.slotSteps[z] + 1, maxNorm: schedules[z]!.maxGradNorm ?? this.hyper.maxGradNorm }));
    this.gpu.write(this.table, adamwTable(slots, this.hyper));
    sum_squares_forward(this.gpu, this.normSq, this.grads, this.partials, this.adapter.size, S);
    adamw_forward(this.gpu, { param: this.adapter.params, m: this.m, v: this.v, grad: this.grads, normSq: this.normSq, table: this.table },
      this.adapter.size, S, this.hyper);
    const norms = await this.gpu.readF32(this.normSq, S);
    return schedules.map((sch, z): SlotStep => {
      if (!sch) return null;
      if (diverged(z)) return { diverged: new TrainingDivergedError(this.slotSteps[z] + 1, loss[z], NaN) };
      const step = ++this.slotSteps[z];
      const gradNorm = Math.sqrt(norms[z]);
      if (this.guard && !Number.isFinite(gradNorm)) return { diverged: new TrainingDivergedError(step, loss[z], gradNorm) };
      return { step, loss: loss[z], gradNorm, lr: lrs[z]! };
    });
  }

  /** One AdamW step of a one-slot trainer; `schedule` (default: the constructor's) sets this run's rate. */
  async step(micro: MicroBatch[], schedule: Schedule = this.hyper): Promise<StepResult> {
    const [r] = await this.stepSlots(micro, [schedule]);
    if (r && 'diverged' in r) throw r.diverged;
    return r!;
  }

  destroy(): void {
    this.gpu.release(this.grads, this.m, this.v, this.normSq, this.partials, this.table);
  }
}
