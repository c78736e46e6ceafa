// θ' ← SFT(θ, SE): the inner loop applies one self-edit — build the augmented leave-out data it asks for,
// then fine-tune a freshly reset LoRA adapter on it with the learning rate, epochs and loss it chose.
import type { LoraAdapter } from '../../engine/model/lora.ts';
import type { LoraTrainer } from '../../engine/train/trainer.ts';
import { padBatch, type SealContext } from '../context.ts';
import { mulberry32, shuffled } from './grid.ts';
import type { SelfEdit } from './self_edit.ts';
import { solveSequence } from './sequences.ts';
import { buildTttData, trainingSteps, type TttStats } from './ttt_data.ts';
import type { ArcTask, Pair } from './types.ts';

export interface InnerLoopResult {
  /** Set when the self-edit was not applied (its reward is then 0). */
  rejected: string | null;
  examples: number;
  steps: number;
  finalLoss: number | null;
  stats: TttStats;
  /** A few training examples (query pairs) for the grid viewer. */
  samples: Pair[];
}

export async function applySelfEdit(
  ctx: SealContext, adapter: LoraAdapter, trainer: LoraTrainer, task: ArcTask, edit: SelfEdit, seed: number,
  onLoss: (step: number, loss: number) => void,
): Promise<InnerLoopResult> {
  const { tok, sp, cfg } = ctx;
  const { ttt } = cfg;
  const data = buildTttData(task, edit, {
    seed, maxExamples: ttt.maxExamples,
    tokenBudget: { count: (ex) => solveSequence(tok, sp, ex).ids.length, max: ttt.maxTokens },
  });
  const n = data.examples.length;
  const epochs = edit.training.num_train_epochs;
  const steps = trainingSteps(n, epochs, ttt.batchSize);
  const base = { examples: n, steps, finalLoss: null, stats: data.stats, samples: data.examples.slice(0, 6).map((e) => e.test[0] as Pair) };
  if (!n) return { ...base, rejected: 'no training examples (the task needs at least 2 demos)' };
  if (steps > ttt.stepCap) return { ...base, rejected: `needs ${steps} steps, over the cap of ${ttt.stepCap}` };

  adapter.reset(seed);
  trainer.resetOptimizer();
  trainer.hyper = { ...trainer.hyper, lr: edit.training.learning_rate, totalSteps: steps, warmupSteps: Math.round(ttt.warmupRatio * steps) };
  const outputOnly = edit.training.strategy === 'train_using_output_tokens';
  const seqs = data.examples.map((ex) => {
    const s = solveSequence(tok, sp, ex);
    return { ids: s.ids, weights: outputOnly ? s.outputMask : s.ids.map(() => 1) };
  });
  const rng = mulberry32(seed ^ 0x5eed);
  let loss: number | null = null;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = shuffled(seqs, rng);
    for (let i = 0; i < order.length; i += ttt.batchSize) {
      await ctx.control.poll();
      const r = await trainer.step([padBatch(order.slice(i, i + ttt.batchSize))]);
      loss = r.loss;
      onLoss(r.step, r.loss);
    }
  }
  return { ...base, finalLoss: loss, rejected: null };
}
