// SEAL on ARC (Track A of the paper): the Table 1 protocol on the generic loop (../core/loop.ts, Algorithm 1):
//
//   baselines on θ0:  ICL (no training) · TTT with self-edits of θ0 ("no RL") · Oracle TTT (a fixed configuration)
//   for round = 1..k:  E-step on the ReST-EM tasks → keep the self-edits that solved their task → M-step
//                      → SEAL(round): self-edits of θ on the held-out tasks, each applied and scored
import { Journal } from '../core/journal.ts';
import { SealLoop, type Items, type RunResult } from '../core/loop.ts';
import { arcTrack } from './track.ts';
import type { ArcContext, ArcItem, ArcRollout } from './types.ts';

export function runArcExperiment(ctx: ArcContext, tasks: Items<ArcItem>, journal = new Journal<ArcRollout>()): Promise<RunResult<ArcRollout>> {
  return new SealLoop(ctx, arcTrack(ctx), tasks, journal).run(ctx.cfg);
}
