// Evaluation by views and voting. Each view is a transformed copy of the task (the same transform applied to
// every demo and test input) plus the inverse that maps the view's predicted output back to the original frame:
// identity, the bijective geometric transforms (rotations, flips, transpose), colour permutations (0 kept) and
// leave-1-out prompts (one demo dropped). The model answers each view greedily; the answers, mapped back, are
// counted, and the two most frequent become the two attempts (pass@2).

import { INVERTIBLE_AUGMENTERS, applyToTask } from './augment.ts';
import { Rng } from '../core/rng.ts';
import { applyColourPerm, gridKey, gridsEqual, invertColourPerm, isValidGrid, mapTaskGrids, randomColourPerm } from './grid.ts';
import type { ArcTask, Grid } from './task.ts';

export type ViewKind = 'identity' | 'geometric' | 'colour' | 'leave_one_out';

export interface EvalView {
  /** e.g. "identity", "rotate90", "colours1", "drop_demo2". */
  name: string;
  kind: ViewKind;
  /** The prompt task: transformed demos and test inputs (same number and order of test inputs). */
  task: ArcTask;
  /** Maps an output predicted for this view back to the original task's frame. */
  invert(output: Grid): Grid;
}

export interface ViewOptions {
  /** Rotation / flip / transpose views (6). Default true. */
  geometric?: boolean;
  /** Number of random colour-permutation views. Default 2. */
  colourPermutations?: number;
  /** One view per demo with that demo dropped (only when the task has ≥ 2 demos). Default true. */
  leaveOneOut?: boolean;
}

const identity = (g: Grid) => g;

/** The evaluation views of a task, identity first. Deterministic given `seed`. */
export function evaluationViews(task: ArcTask, seed: number, opts: ViewOptions = {}): EvalView[] {
  const { geometric = true, colourPermutations = 2, leaveOneOut = true } = opts;
  const rng = new Rng(seed);
  const views: EvalView[] = [{ name: 'identity', kind: 'identity', task, invert: identity }];
  if (geometric) {
    for (const aug of INVERTIBLE_AUGMENTERS) {
      const inv = aug.invert!;
      views.push({ name: aug.name, kind: 'geometric', task: applyToTask(aug, task), invert: (g) => inv(g) });
    }
  }
  for (let k = 0; k < colourPermutations; k++) {
    const perm = randomColourPerm(rng);
    const inv = invertColourPerm(perm);
    views.push({
      name: `colours${k + 1}`,
      kind: 'colour',
      task: mapTaskGrids(task, (g) => applyColourPerm(g, perm)),
      invert: (g) => applyColourPerm(g, inv),
    });
  }
  if (leaveOneOut && task.train.length >= 2) {
    task.train.forEach((_, i) =>
      views.push({
        name: `drop_demo${i}`,
        kind: 'leave_one_out',
        task: { ...task, train: task.train.filter((_, k) => k !== i) },
        invert: identity,
      }),
    );
  }
  return views;
}

/**
 * Map each view's prediction (null = no parsable answer) back to the original frame. A prediction that is not
 * a valid grid, or whose inverse fails, becomes null.
 */
export function mapBack(views: readonly EvalView[], predictions: ReadonlyArray<Grid | null>): Array<Grid | null> {
  if (views.length !== predictions.length) throw new Error(`${views.length} views but ${predictions.length} predictions`);
  return predictions.map((p, i) => {
    if (!p || !isValidGrid(p)) return null;
    try {
      const g = views[i].invert(p);
      return isValidGrid(g) ? g : null;
    } catch {
      return null;
    }
  });
}

export interface VoteCount {
  grid: Grid;
  count: number;
  /** Index of the first prediction equal to this grid. */
  first: number;
}

/** Distinct valid predictions with their counts, most frequent first; ties by first occurrence. */
export function tally(predictions: ReadonlyArray<Grid | null | undefined>): VoteCount[] {
  const byKey = new Map<string, VoteCount>();
  predictions.forEach((p, i) => {
    if (!p || !isValidGrid(p)) return;
    const k = gridKey(p);
    const c = byKey.get(k);
    if (c) c.count++;
    else byKey.set(k, { grid: p, count: 1, first: i });
  });
  return [...byKey.values()].sort((a, b) => b.count - a.count || a.first - b.first);
}

/** The `attempts` most voted grids (default 2 = pass@2). Nulls and invalid grids are ignored. */
export function vote(predictions: ReadonlyArray<Grid | null | undefined>, attempts = 2): Grid[] {
  return tally(predictions)
    .slice(0, attempts)
    .map((c) => c.grid);
}

/** Views + their raw predictions → attempts in the original frame. */
export function voteViews(views: readonly EvalView[], predictions: ReadonlyArray<Grid | null>, attempts = 2): Grid[] {
  return vote(mapBack(views, predictions), attempts);
}

/** pass@k for one test input: some attempt equals the truth. */
export function solved(attempts: readonly Grid[], truth: Grid): boolean {
  return attempts.some((a) => gridsEqual(a, truth));
}

/** The spec's reward: 1 when every test output of the task is solved, else 0. */
export function taskReward(attemptsPerTest: ReadonlyArray<readonly Grid[]>, truths: readonly Grid[]): 0 | 1 {
  if (truths.length === 0 || attemptsPerTest.length !== truths.length) return 0;
  return truths.every((t, i) => solved(attemptsPerTest[i], t)) ? 1 : 0;
}
