// The one LoRA fine-tuning loop: epochs over the sequences in a seeded order, a batch per optimizer step. The
// inner loop (θ' ← SFT(θ, SE)) and ReST-EM's M-step both train through it. fineTuneSlots runs several such loops
// side by side, one per adapter slot (the E-step's k self-edits), in shared forward and backward passes.
import type { SlotStep, LoraTrainer, StepResult } from '../../engine/train/trainer.ts';
import { TrainingDivergedError } from '../../engine/train/trainer.ts';
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

/** A run's batches in training order (the order reshuffled every epoch from orderSeed) and its schedule. */
function plan(seqs: readonly Sequence[], o: FineTuneOptions) {
  const rng = new Rng(o.orderSeed);
  const totalSteps = trainingSteps(seqs.length, o.epochs, o.batchSize);
  const batches: Sequence[][] = [];
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const order = rng.shuffle(seqs);
    for (let i = 0; i < order.length; i += o.batchSize) batches.push(order.slice(i, i + o.batchSize));
  }
  return { batches, schedule: { lr: o.lr, totalSteps, warmupSteps: Math.round(o.warmupRatio * totalSteps) } };
}

/**
 * Trains `trainer`'s first slot (its adapter and optimizer reset by the caller) and returns every step's result;
 * a TrainingDivergedError is thrown at the step that diverged.
 */
export async function fineTune(
  trainer: LoraTrainer, seqs: readonly Sequence[], o: FineTuneOptions, control: RunControl, onStep: (r: StepResult) => void,
): Promise<StepResult[]> {
  const [r] = await fineTuneSlots(trainer, [{ seqs, options: o }], control, (_, s) => onStep(s));
  if (r instanceof TrainingDivergedError) throw r;
  return r;
}

/** One slot's run for fineTuneSlots. */
export interface SlotRun {
  seqs: readonly Sequence[];
  options: FineTuneOptions;
}

/**
 * Trains the first runs.length slots of `trainer` (each reset by the caller), slot z on runs[z], side by side:
 * joint step t carries every slot's t-th batch, and a slot that has finished or diverged sits the rest out. Each
 * slot takes exactly the steps fineTune would take alone (same order, schedule and clip); only the padding of the
 * shared batch differs (see slotBatch), which moves a gradient by float rounding at most. Returns per slot its
 * steps, or why it diverged.
 */
export async function fineTuneSlots(
  trainer: LoraTrainer, runs: readonly SlotRun[], control: RunControl, onStep: (slot: number, r: StepResult) => void,
): Promise<(StepResult[] | TrainingDivergedError)[]> {
  const plans = runs.map((r) => plan(r.seqs, r.options));
  const out: (StepResult[] | TrainingDivergedError)[] = runs.map(() => []);
  const steps = Math.max(0, ...plans.map((p) => p.batches.length));
  for (let t = 0; t < steps; t++) {
    await control.poll();
    const live = plans.map((p, z) => !(out[z] instanceof TrainingDivergedError) && t < p.batches.length);
    if (!live.some(Boolean)) break; // every slot finished or diverged: nothing left to compute
    const results: SlotStep[] = await trainer.stepSlots([slotBatch(plans.map((p, z) => (live[z] ? p.batches[t] : [])))],
      plans.map((p, z) => (live[z] ? p.schedule : null)));
    results.forEach((r, z) => {
      if (!r) return;
      if ('diverged' in r) out[z] = r.diverged;
      else {
        (out[z] as StepResult[]).push(r);
        onStep(z, r);
      }
    });
  }
  return out;
}

/**
 * One batch for all slots, slot-major: each slot gets as many rows as the fullest slot has sequences, its own
 * sequences first; the rest (and every row of a slot that sits the step out) is a one-token filler row with no
 * loss weight, whose gradient is exactly zero. With one slot this is padBatch itself.
 */
export function slotBatch(perSlot: readonly (readonly Sequence[])[]): ReturnType<typeof padBatch> {
  const rows = Math.max(1, ...perSlot.map((s) => s.length));
  const filler: Sequence = { ids: [0], weights: [0] };
  return padBatch(perSlot.flatMap((s) => [...s, ...Array.from({ length: rows - s.length }, () => filler)]));
}
