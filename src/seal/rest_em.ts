// ReST-EM's M-step: supervised fine-tuning of the self-edit generator on the kept (prompt, self-edit) pairs,
// loss on the self-edit only, with a fresh LoRA adapter that is then merged into the base weights — the
// generator θ of the next round.
import { LoraAdapter } from '../engine/model/lora.ts';
import { DEFAULT_HYPER, LoraTrainer } from '../engine/train/trainer.ts';
import { padBatch, type SealContext } from './context.ts';
import type { Sequence } from './arc/sequences.ts';
import { mulberry32, shuffled } from './arc/grid.ts';

/** Returns the SFT losses per step. With no kept pairs the generator is left unchanged. */
export async function fineTuneGenerator(ctx: SealContext, pairs: Sequence[], round: number, seed: number): Promise<number[]> {
  const { model, cfg } = ctx;
  const { restEm } = cfg;
  if (!pairs.length) return [];
  const adapter = new LoraAdapter(model.gpu, model.cfg, { r: restEm.loraRank, alpha: restEm.loraAlpha, targets: cfg.ttt.targets });
  const steps = Math.ceil(pairs.length / restEm.batchSize) * restEm.epochs;
  const trainer = new LoraTrainer(model, adapter, { ...DEFAULT_HYPER, lr: restEm.lr, totalSteps: steps });
  const losses: number[] = [];
  try {
    adapter.reset(seed);
    const rng = mulberry32(seed);
    const seqs = pairs.map((p) => ({ ids: p.ids, weights: p.outputMask }));
    for (let epoch = 0; epoch < restEm.epochs; epoch++) {
      const order = shuffled(seqs, rng);
      for (let i = 0; i < order.length; i += restEm.batchSize) {
        await ctx.control.poll();
        const r = await trainer.step([padBatch(order.slice(i, i + restEm.batchSize))]);
        losses.push(r.loss);
        ctx.emit({ type: 'sft-loss', round, step: r.step, loss: r.loss });
      }
    }
    adapter.mergeInto(model.weights);
    return losses;
  } finally {
    trainer.destroy();
    adapter.destroy();
  }
}
