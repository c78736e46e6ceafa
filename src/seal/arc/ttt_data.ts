// Test-time-training data for one ARC task, from its demonstrations only (test outputs are never seen):
//   1. sub-tasks: leave-1-out (each demo in turn is the query, the others are demos) and leave-2-out (for each
//      ordered pair (i, j), i ≠ j: demo i is the query, demo j is dropped, the rest are demos);
//   2. every enabled augmenter applied to every sub-task (same transform on every grid of it); any task with a
//      grid larger than maxGrid × maxGrid is dropped;
//   3. a copy of every task with its demo order shuffled, and, when any augmenter is enabled, its colours 1–9
//      permuted (0 = background stays);
//   4. de-duplication by content, then the token budget (when given), then a seeded sample of maxExamples.
// This follows the data construction of the test-time-training reference code that SEAL builds on.

import { applyToTask, augmentersFor, type Augmenter, type DataGenerationFlags } from './augment.ts';
import { trainingSteps } from '../core/fine_tune.ts';
import { Rng } from '../core/rng.ts';
import { applyColourPerm, mapTaskGrids, randomColourPerm, taskKey, taskMaxShape } from './grid.ts';
import type { ArcTask, Pair } from './task.ts';

/** A training example: demos (`train`) and exactly one query pair (`test[0]`) whose output is the target. */
export interface TttExample extends ArcTask {
  test: Pair[];
}

export interface TttOptions {
  seed: number;
  /** Cap on the number of examples (seeded sample); default 250. */
  maxExamples?: number;
  /** Largest grid side kept; default 30. */
  maxGrid?: number;
  /** Examples whose token count exceeds `max` (the spec: 8192) are dropped. */
  tokenBudget?: { count: (ex: TttExample) => number; max: number };
}

export interface TttStats {
  /** Demonstration pairs of the source task. */
  demos: number;
  /** Augmenters enabled by the self-edit. */
  augmenters: number;
  /** Leave-1-out sub-tasks (0 when the task has fewer than 2 demos). */
  leave1: number;
  /** Leave-2-out sub-tasks (0 when the task has fewer than 3 demos). */
  leave2: number;
  /** Sub-tasks within the grid limit. */
  subtasks: number;
  /** Augmenter × sub-task results within the grid limit. */
  augmented: number;
  /** Sub-tasks and augmented tasks dropped for a grid larger than maxGrid. */
  droppedTooLarge: number;
  /** Distinct tasks among sub-tasks + augmented. */
  base: number;
  /** Order-shuffled (and, with augmenters, colour-permuted) copies made of the base tasks. */
  permuted: number;
  /** Distinct tasks among base + permuted copies. */
  unique: number;
  /** Dropped for exceeding the token budget. */
  droppedTokens: number;
  /** Dropped by the maxExamples cap. */
  droppedCap: number;
  /** Examples returned. */
  final: number;
  /** Kept tasks produced by each augmenter (before de-duplication). */
  perAugmenter: Record<string, number>;
}

export interface TttData {
  examples: TttExample[];
  stats: TttStats;
}

export const DEFAULT_MAX_EXAMPLES = 250;
export const DEFAULT_MAX_GRID = 30;
export const DEFAULT_MAX_TOKENS = 8192;
export const DEFAULT_STEP_CAP = 375;
export const DEFAULT_BATCH_SIZE = 2;

/** Leave-1-out sub-tasks: demo i is the query, all other demos stay (needs ≥ 2 demos). */
export function leaveOneOut(demos: readonly Pair[]): TttExample[] {
  if (demos.length < 2) return [];
  return demos.map((q, i) => ({ train: demos.filter((_, k) => k !== i), test: [q] }));
}

/** Leave-2-out sub-tasks: for each ordered (i, j), i ≠ j, demo i is the query and demo j is dropped (needs ≥ 3 demos). */
export function leaveTwoOut(demos: readonly Pair[]): TttExample[] {
  if (demos.length < 3) return [];
  const out: TttExample[] = [];
  for (let i = 0; i < demos.length; i++)
    for (let j = 0; j < demos.length; j++)
      if (j !== i) out.push({ train: demos.filter((_, k) => k !== i && k !== j), test: [demos[i]] });
  return out;
}

function dedup(tasks: readonly TttExample[]): TttExample[] {
  const seen = new Set<string>();
  const out: TttExample[] = [];
  for (const t of tasks) {
    const k = taskKey(t);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(t);
    }
  }
  return out;
}

function permuteCopy(task: TttExample, permuteColours: boolean, rng: Rng): TttExample {
  let t = task;
  if (permuteColours) {
    const perm = randomColourPerm(rng);
    t = mapTaskGrids(t, (g) => applyColourPerm(g, perm));
  }
  return { ...t, train: rng.shuffle(t.train) };
}

/**
 * Build the TTT examples a self-edit's `data_generation` asks for. Deterministic given `opts.seed`.
 * Accepts a whole self-edit or just `{ data_generation }`, or an explicit augmenter list.
 */
export function buildTttData(
  task: ArcTask,
  edit: { data_generation: DataGenerationFlags } | { augmenters: readonly Augmenter[] },
  opts: TttOptions,
): TttData {
  const maxExamples = opts.maxExamples ?? DEFAULT_MAX_EXAMPLES;
  const maxGrid = opts.maxGrid ?? DEFAULT_MAX_GRID;
  const augmenters = 'augmenters' in edit ? edit.augmenters : augmentersFor(edit.data_generation);
  const rng = new Rng(opts.seed);
  const fits = (t: TttExample) => {
    const [h, w] = taskMaxShape(t);
    return h <= maxGrid && w <= maxGrid;
  };

  const l1 = leaveOneOut(task.train);
  const l2 = leaveTwoOut(task.train);
  const allSub = [...l1, ...l2];
  const subtasks = allSub.filter(fits);
  let droppedTooLarge = allSub.length - subtasks.length;

  const augmented: TttExample[] = [];
  const perAugmenter: Record<string, number> = {};
  for (const aug of augmenters) {
    let kept = 0;
    for (const sub of subtasks) {
      const t = applyToTask(aug, sub, rng);
      if (fits(t)) {
        augmented.push(t);
        kept++;
      } else droppedTooLarge++;
    }
    perAugmenter[aug.name] = kept;
  }

  const base = dedup([...subtasks, ...augmented]);
  const permuteColours = augmenters.length > 0;
  const permuted = base.map((t) => permuteCopy(t, permuteColours, rng));
  const unique = dedup([...base, ...permuted]);

  let pool = unique;
  let droppedTokens = 0;
  if (opts.tokenBudget) {
    const { count, max } = opts.tokenBudget;
    pool = unique.filter((t) => count(t) <= max);
    droppedTokens = unique.length - pool.length;
  }
  const sampled = rng.shuffle(pool).slice(0, Math.max(0, maxExamples));

  return {
    examples: sampled,
    stats: {
      demos: task.train.length,
      augmenters: augmenters.length,
      leave1: l1.length,
      leave2: l2.length,
      subtasks: subtasks.length,
      augmented: augmented.length,
      droppedTooLarge,
      base: base.length,
      permuted: permuted.length,
      unique: unique.length,
      droppedTokens,
      droppedCap: pool.length - sampled.length,
      final: sampled.length,
      perAugmenter,
    },
  };
}

/** The spec's rule: a configuration needing more than `cap` steps is rejected (reward 0). */
export function exceedsStepCap(numExamples: number, epochs: number, cap = DEFAULT_STEP_CAP, batchSize = DEFAULT_BATCH_SIZE): boolean {
  return trainingSteps(numExamples, epochs, batchSize) > cap;
}
