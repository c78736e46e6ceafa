// The one LoRA fine-tuning loop: epochs over the sequences in a seeded order, a batch per optimizer step. The
// inner loop (θ' ← SFT(θ, SE)) and ReST-EM's M-step both train through it.
import type { LoraTrainer, StepResult } from '../../engine/train/trainer.ts';
import { padBatch, type Sequence } from './batch.ts';
import type { RunControl } from './control.ts';
import { Rng } from './rng.ts';

export interface FineTuneOptions {
  epochs: number;
  batchSize: number;
  /** Seed of the example order (reshuffled every epoch). */
  orderSeed: number;
  /** Peak learning rate of the cosine schedule, reached after warmupRatio of the run's steps. */
  lr: number;
  warmupRatio: number;
}

/** Optimizer steps of a run: ceil(examples / batch) per epoch. */
export function trainingSteps(examples: number, epochs: number, batchSize: number): number {
  if (!(batchSize >= 1)) throw new Error(`batch size must be ≥ 1, got ${batchSize}`);
  return Math.ceil(Math.max(0, examples) / batchSize) * Math.max(0, epochs);
}

/** Trains `trainer` (its adapter and optimizer reset by the caller) and returns every step's result. */
export async function fineTune(
  trainer: LoraTrainer, seqs: readonly Sequence[], o: FineTuneOptions, control: RunControl, onStep: (r: StepResult) => void,
): Promise<StepResult[]> {
  const rng = new Rng(o.orderSeed);
  const totalSteps = trainingSteps(seqs.length, o.epochs, o.batchSize);
  const schedule = { lr: o.lr, totalSteps, warmupSteps: Math.round(o.warmupRatio * totalSteps) };
  const out: StepResult[] = [];
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const order = rng.shuffle(seqs);
    for (let i = 0; i < order.length; i += o.batchSize) {
      await control.poll();
      const r = await trainer.step([padBatch(order.slice(i, i + o.batchSize))], schedule);
      out.push(r);
      onStep(r);
    }
  }
  return out;
}
