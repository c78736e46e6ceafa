// ReST-EM's M-step: supervised fine-tuning of the self-edit generator on the kept (prompt, self-edit) pairs,
// loss on the self-edit only, with a fresh LoRA adapter that is then merged into the base weights — the
// generator θ of the next round.
import type { LlamaModel } from '../../engine/model/llama.ts';
import { LoraAdapter } from '../../engine/model/lora.ts';
import type { Projection } from '../../engine/model/weights.ts';
import { DEFAULT_HYPER, LoraTrainer } from '../../engine/train/trainer.ts';
import type { Sequence } from './batch.ts';
import type { RunControl } from './control.ts';
import { fineTune, trainingSteps } from './fine_tune.ts';

export interface RestEmSettings {
  loraRank: number;
  loraAlpha: number;
  targets: Projection[];
  epochs: number;
  batchSize: number;
  lr: number;
}

/**
 * Returns the SFT losses per step. With no kept pairs the generator is left unchanged. `save` gets the trained
 * adapter's parameters before they are merged (so a resumed run can merge the same ones without training).
 */
export async function fineTuneGenerator(
  model: LlamaModel, pairs: readonly Sequence[], s: RestEmSettings, seed: number, control: RunControl,
  onLoss: (step: number, loss: number) => void, save?: (params: Float32Array) => Promise<void>,
): Promise<number[]> {
  if (!pairs.length) return [];
  const adapter = new LoraAdapter(model.gpu, model.cfg, { r: s.loraRank, alpha: s.loraAlpha, targets: s.targets });
  const trainer = new LoraTrainer(model, adapter, { ...DEFAULT_HYPER, lr: s.lr, totalSteps: trainingSteps(pairs.length, s.epochs, s.batchSize) });
  try {
    adapter.reset(seed);
    const steps = await fineTune(trainer, pairs, { epochs: s.epochs, batchSize: s.batchSize, orderSeed: seed, lr: s.lr, warmupRatio: 0 }, control, (r) => onLoss(r.step, r.loss));
    if (save && !(await adapter.nonFiniteCount())) await save(await model.gpu.readF32(adapter.params, adapter.size));
    await adapter.mergeInto(model.weights);
    return steps.map((r) => r.loss);
  } finally {
    trainer.destroy();
    adapter.destroy();
  }
}

/** Merges an M-step adapter saved by fineTuneGenerator (a resumed run's finished round). */
export async function mergeSavedGenerator(model: LlamaModel, params: Float32Array, s: RestEmSettings): Promise<void> {
  const adapter = new LoraAdapter(model.gpu, model.cfg, { r: s.loraRank, alpha: s.loraAlpha, targets: s.targets });
  try {
    if (params.length !== adapter.size) throw new Error(`the saved generator adapter has ${params.length} parameters, this run's ${adapter.size}: not the same run`);
    model.gpu.write(adapter.params, params);
    await adapter.mergeInto(model.weights);
  } finally {
    adapter.destroy();
  }
}
