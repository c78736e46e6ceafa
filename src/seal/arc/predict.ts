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

export async function predict(ctx: ArcContext, task: ArcTask, truth: Grid[], seed: number, adapter?: LoraAdapter): Promise<Prediction> {
  const { model, tok, sp, cfg } = ctx;
  const views = evaluationViews(task, seed, {
    geometric: cfg.eval.geometricViews, colourPermutations: cfg.eval.colourViews, leaveOneOut: cfg.eval.leaveOneOutViews,
  });
  const answers: Grid[][] = [];
  for (let k = 0; k < task.test.length; k++) {
    await ctx.control.poll();
    const prompts = views.map((v) => solvePrompt(tok, sp, v.task.train, v.task.test[k].input));
    const outs = await generate(model, prompts, { maxNewTokens: cfg.eval.maxNewTokens, stopTokens: [sp.eos, sp.eot], adapter });
    answers.push(voteViews(views, outs.map((ids) => parseGridText(tok.decode(ids)))));
  }
  return { answers, reward: taskReward(answers, truth) };
}
