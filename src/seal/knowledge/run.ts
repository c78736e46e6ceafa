// SEAL's knowledge incorporation (Track B of the paper): the Table 2 protocol on the generic loop
// (../core/loop.ts, Algorithm 1), then the paper's two further experiments:
//
//   baselines on θ0:  base model (no update) · train on the passage only · passage + the model's own self-edits ·
//                     passage + reference self-edits (the paper's GPT-4.1 row)
//   for round = 1..k:  E-step on the ReST-EM passages (reward = accuracy after the update, mean over TTT seeds)
//                      → keep the best self-edit of each passage → M-step → SEAL(round) on the held-out passages
//   continued pre-training (cpt.ts): one adapter over n passages at once, per condition
//   forgetting (forgetting.ts): n passages' self-edits applied one after another, each merged, all re-tested
import { Journal } from '../core/journal.ts';
import { SealLoop } from '../core/loop.ts';
import { continuedPretraining } from './cpt.ts';
import { forgetting } from './forgetting.ts';
import type { Passage, PassageSet } from './passages.ts';
import { knowledgeTrack } from './track.ts';
import type { ForgettingCell, KnowledgeContext, KnowledgeRollout, KnowledgeRunResult, KnowledgeTttData } from './types.ts';

export async function runKnowledgeExperiment(ctx: KnowledgeContext, passages: PassageSet, journal = new Journal<KnowledgeRollout>()): Promise<KnowledgeRunResult> {
  const loop = new SealLoop<Passage, string, KnowledgeRollout, KnowledgeTttData>(ctx, knowledgeTrack(ctx, passages), passages, journal);
  const cells: ForgettingCell[] = [];
  const result = await loop.run(ctx.cfg, async () => {
    if (ctx.cfg.cptPassages > 0) await continuedPretraining(loop, ctx);
    if (ctx.cfg.forgettingPassages > 0) cells.push(...(await forgetting(loop, ctx)));
  });
  return { ...result, forgetting: cells };
}
