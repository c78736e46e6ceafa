// LoRA fine-tuning: gradient accumulation over micro-batches, global-norm clipping and AdamW with a cosine
// schedule, all on the GPU. The loss of a step is the mean of its micro-batches' mean token losses (what
// transformers' Trainer reports for equal micro-batches).
import type { Gpu } from '../gpu/context.ts';
import { adamw_forward } from '../kernels/optim/adamw.ts';
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
export type Schedule = Pick<TrainHyper, 'lr' | 'warmupSteps' | 'totalSteps'>;

export interface StepResult {
  step: number;
  loss: number;
  gradNorm: number;
  lr: number;
}

export class LoraTrainer {
  readonly grads: GPUBuffer;
  private readonly m: GPUBuffer;
  private readonly v: GPUBuffer;
  private readonly normSq: GPUBuffer;
  private readonly partials: GPUBuffer;
  private gpu: Gpu;
  steps = 0;
  /** Stop with a TrainingDivergedError on a non-finite loss or gradient norm (off only to measure what it costs). */
  guard = true;

  constructor(readonly model: LlamaModel, readonly adapter: LoraAdapter, readonly hyper: TrainHyper) {
    this.gpu = model.gpu;
    const n = adapter.size * 4;
    this.grads = this.gpu.buffer('lora-grads', n);
    this.m = this.gpu.buffer('adamw-m', n);
    this.v = this.gpu.buffer('adamw-v', n);
    this.normSq = this.gpu.buffer('grad-norm-sq', 4);
    this.partials = this.gpu.buffer('grad-norm-partials', PARTIALS * 4);
    this.resetOptimizer();
  }

  /** Fresh AdamW moments and schedule (with adapter.reset: a new inner loop). */
  resetOptimizer(): void {
    fill_forward(this.gpu, this.m, this.adapter.size);
    fill_forward(this.gpu, this.v, this.adapter.size);
    this.steps = 0;
  }

  /** Gradients of the step loss, without updating (for inspection and tests). */
  async computeGradients(micro: MicroBatch[]): Promise<number> {
    if (!micro.length) throw new Error('a training step needs at least one micro-batch');
    fill_forward(this.gpu, this.grads, this.adapter.size);
    let loss = 0;
    for (const mb of micro) {
      const { lossSum, count } = await this.model.accumulateGradients(
        mb.batch, mb.lossMask, this.adapter, this.grads, (c) => 1 / (c * micro.length));
      if (count) loss += lossSum / count / micro.length;
    }
    return loss;
  }

  /** One AdamW step on the micro-batches' gradients; `schedule` (default: the constructor's) sets this run's rate. */
  async step(micro: MicroBatch[], schedule: Schedule = this.hyper): Promise<StepResult> {
    const loss = await this.computeGradients(micro);
    if (this.guard && !Number.isFinite(loss)) throw new TrainingDivergedError(this.steps + 1, loss, NaN);
    const h = { ...this.hyper, ...schedule };
    const lr = h.lr * cosineWithWarmup(this.steps, h.warmupSteps, h.totalSteps);
    sum_squares_forward(this.gpu, this.normSq, this.grads, this.partials, this.adapter.size);
    adamw_forward(this.gpu, { param: this.adapter.params, m: this.m, v: this.v, grad: this.grads, normSq: this.normSq },
      this.adapter.size, this.steps + 1, { ...h, lr, maxNorm: h.maxGradNorm });
    const gradNorm = Math.sqrt((await this.gpu.readF32(this.normSq, 1))[0]);
    this.steps++;
    if (this.guard && !Number.isFinite(gradNorm)) throw new TrainingDivergedError(this.steps, loss, gradNorm);
    return { step: this.steps, loss, gradNorm, lr };
  }

  destroy(): void {
    this.gpu.release(this.grads, this.m, this.v, this.normSq, this.partials);
  }
}
