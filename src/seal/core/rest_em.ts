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

/** Returns the SFT losses per step. With no kept pairs the generator is left unchanged. */
export async function fineTuneGenerator(
  model: LlamaModel, pairs: readonly Sequence[], s: RestEmSettings, seed: number, control: RunControl,
  onLoss: (step: number, loss: number) => void,
): Promise<number[]> {
  if (!pairs.length) return [];
  const adapter = new LoraAdapter(model.gpu, model.cfg, { r: s.loraRank, alpha: s.loraAlpha, targets: s.targets });
  const totalSteps = trainingSteps(pairs.length, s.epochs, s.batchSize);
  const trainer = new LoraTrainer(model, adapter, { ...DEFAULT_HYPER, lr: s.lr, totalSteps });
  try {
    adapter.reset(seed);
    const steps = await fineTune(trainer, pairs, { epochs: s.epochs, batchSize: s.batchSize, orderSeed: seed }, control, (r) => onLoss(r.step, r.loss));
    await adapter.mergeInto(model.weights);
    return steps.map((r) => r.loss);
  } finally {
    trainer.destroy();
    adapter.destroy();
  }
}
