// The ARC track's vocabulary: the rows of the paper's Table 1 and what a run records and emits. Types and tables
// only, so the store and the UI read them without the runner.
import type { SealContext } from '../core/context.ts';
import type { Rollout, SealEvent } from '../core/events.ts';
import type { ArcConfig } from './config.ts';
import type { SelfEdit } from './self_edit.ts';
import type { ArcTask, Grid, Pair } from './task.ts';
import type { TttStats } from './ttt_data.ts';

/** The rows of Table 1, and a student's own self-edits ('yours', core/yours.ts: rollouts only, never a row). */
export const ARC_METHODS = ['icl', 'no-rl', 'seal', 'oracle', 'yours'] as const;
export type ArcMethod = (typeof ARC_METHODS)[number];

/** Table 1 of the paper (success rate %, Llama-3.2-1B-Instruct on the curated ARC subset). SEAL: after 1 round. */
export const ARC_TABLE1: Record<Exclude<ArcMethod, 'yours'>, number> = { icl: 0, 'no-rl': 20, seal: 72.5, oracle: 100 };

export interface ArcItem {
  id: string;
  task: ArcTask;
  truth: Grid[];
}

export interface ArcRollout extends Rollout {
  track: 'arc';
  method: ArcMethod;
  edit: SelfEdit | null;
  /** Voted answers (pass@2) per test input, and the truth. */
  answers: Grid[][];
  truth: Grid[];
}

/** What the inner loop trained on: how the TTT data was built, and a few of its query pairs for the grid viewer. */
export interface ArcTttData {
  stats: TttStats;
  samples: Pair[];
}

export type ArcEvent = SealEvent<ArcRollout, ArcTttData>;

export interface ArcContext extends SealContext<ArcEvent> {
  cfg: ArcConfig;
}

export function isArcMethod(m: string): m is ArcMethod {
  return (ARC_METHODS as readonly string[]).includes(m);
}
