// Ans ~ LM_θ'(· | τ) and r(Ans, τ): greedy answers for every evaluation view of the task (geometric and
// colour views, leave-one-out prompts) in one batch per test input, mapped back to the task's frame and voted
// into 2 attempts (pass@2). The reward is 1 only if every test output is among its attempts.
import { generate } from '../../engine/model/generate.ts';
import type { LoraAdapter } from '../../engine/model/lora.ts';
import type { ArcContext } from './types.ts';
import { parseGridText } from './format.ts';
import { solvePrompt } from './sequences.ts';
import type { ArcTask, Grid } from './task.ts';
import { evaluationViews, taskReward, voteViews } from './vote.ts';

export interface Prediction {
  /** Voted attempts (up to 2) per test input. */
  answers: Grid[][];
  reward: 0 | 1;
}

/**
 * One prediction per seed: with adapter slot z for seeds[z] (its own views, all slots in one batch per test input,
 * slot-major), or with the model as it is (no adapter: one slot).
 */
export async function predict(ctx: ArcContext, task: ArcTask, truth: Grid[], seeds: number[], adapter?: LoraAdapter): Promise<Prediction[]> {
  const { model, tok, sp, cfg } = ctx;
  if (seeds.length !== (adapter?.count ?? 1)) throw new Error(`${seeds.length} seeds for ${adapter?.count ?? 1} adapter slots`);
  const views = seeds.map((seed) => evaluationViews(task, seed, {
    geometric: cfg.eval.geometricViews, colourPermutations: cfg.eval.colourViews, leaveOneOut: cfg.eval.leaveOneOutViews,
  }));
  const answers: Grid[][][] = seeds.map(() => []);
  for (let k = 0; k < task.test.length; k++) {
    await ctx.control.poll();
    const prompts = views.flatMap((vs) => vs.map((v) => solvePrompt(tok, sp, v.task.train, v.task.test[k].input)));
    const outs = await generate(model, prompts, { maxNewTokens: cfg.eval.maxNewTokens, stopTokens: [sp.eos, sp.eot], adapter });
    let at = 0;
    views.forEach((vs, z) => answers[z].push(voteViews(vs, outs.slice(at, (at += vs.length)).map((ids) => parseGridText(tok.decode(ids))))));
  }
  return answers.map((a) => ({ answers: a, reward: taskReward(a, truth) }));
}
