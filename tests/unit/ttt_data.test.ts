import { describe, expect, it } from 'vitest';
import { ALL_AUGMENTERS, augmentersFor } from '../../src/seal/arc/augment.ts';
import { exampleToText } from '../../src/seal/arc/format.ts';
import { gridKey, pairKey, taskKey, taskMaxShape } from '../../src/seal/arc/grid.ts';
import { Rng } from '../../src/seal/core/rng.ts';
import { ORACLE_SELF_EDIT, type DataGeneration } from '../../src/seal/arc/self_edit.ts';
import {
  buildTttData,
  exceedsStepCap,
  leaveOneOut,
  leaveTwoOut,
  type TttExample,
} from '../../src/seal/arc/ttt_data.ts';
import type { ArcTask, Grid, Pair } from '../../src/seal/arc/task.ts';

function randomGrid(rng: Rng, h: number, w: number): Grid {
  return Array.from({ length: h }, () => Array.from({ length: w }, () => Math.floor(rng.next() * 10)));
}

/** Demos with distinct random 4×5 → 5×3 grids (no symmetry, so no augmenter output coincides with another). */
function makeTask(demos: number, seed = 1, h = 4, w = 5): ArcTask {
  const rng = new Rng(seed);
  return {
    train: Array.from({ length: demos }, () => ({ input: randomGrid(rng, h, w), output: randomGrid(rng, h + 1, w - 2) })),
    test: [{ input: [[7, 7, 7, 7, 7, 7, 7]] }],
  };
}

const flags = (b: boolean, s: boolean, c: boolean, r: boolean): { data_generation: DataGeneration } => ({
  data_generation: { use_basic_augmentations: b, use_size_augmentations: s, use_chain_augmentations: c, use_repeat_augmentations: r },
});
const NONE = flags(false, false, false, false);
const TASK4 = makeTask(4);

function checkExampleShape(ex: TttExample) {
  expect(ex.test).toHaveLength(1);
  expect(ex.test[0].output).toBeDefined();
  expect(ex.train.length).toBeGreaterThanOrEqual(1);
}

describe('sub-tasks', () => {
  it('leave-1-out: each demo in turn is the query, the others stay in order', () => {
    const subs = leaveOneOut(TASK4.train);
    expect(subs).toHaveLength(4);
    subs.forEach((s, i) => {
      expect(s.test).toEqual([TASK4.train[i]]);
      expect(s.train).toEqual(TASK4.train.filter((_, k) => k !== i));
    });
    expect(leaveOneOut(TASK4.train.slice(0, 1))).toEqual([]);
  });
  it('leave-2-out: ordered pairs (query i, dropped j)', () => {
    const subs = leaveTwoOut(TASK4.train);
    expect(subs).toHaveLength(12);
    for (const s of subs) {
      expect(s.train).toHaveLength(2);
      expect(s.train.map(pairKey)).not.toContain(pairKey(s.test[0]));
    }
    expect(new Set(subs.map(taskKey)).size).toBe(12);
    expect(leaveTwoOut(TASK4.train.slice(0, 2))).toEqual([]);
    expect(leaveTwoOut(TASK4.train.slice(0, 3))).toHaveLength(6);
  });
});

describe('buildTttData: counts at each stage on a 4-demo task', () => {
  it('all augmentations (oracle): 16 sub-tasks × 23 augmenters, colour-permuted copies, cap 250', () => {
    const { examples, stats } = buildTttData(TASK4, ORACLE_SELF_EDIT, { seed: 0 });
    expect(stats).toMatchObject({
      demos: 4,
      augmenters: 23,
      leave1: 4,
      leave2: 12,
      subtasks: 16,
      augmented: 368,
      droppedTooLarge: 0,
      base: 384,
      permuted: 384,
      unique: 768,
      droppedTokens: 0,
      droppedCap: 518,
      final: 250,
    });
    expect(Object.keys(stats.perAugmenter)).toEqual(ALL_AUGMENTERS.map((a) => a.name));
    expect(Object.values(stats.perAugmenter).every((n) => n === 16)).toBe(true);
    expect(examples).toHaveLength(250);
    examples.forEach(checkExampleShape);
    expect(new Set(examples.map(taskKey)).size).toBe(250);
  });

  it('basic only: 16 + 16·11 base tasks, every copy colour-permuted', () => {
    const { stats, examples } = buildTttData(TASK4, flags(true, false, false, false), { seed: 3, maxExamples: 10_000 });
    expect(stats).toMatchObject({ subtasks: 16, augmented: 176, base: 192, permuted: 192, unique: 384, final: 384, droppedCap: 0 });
    expect(examples).toHaveLength(384);
  });

  it('no augmentation: sub-tasks plus demo-order shuffles only, colours untouched', () => {
    const { stats, examples } = buildTttData(TASK4, NONE, { seed: 5, maxExamples: 10_000 });
    expect(stats).toMatchObject({ augmenters: 0, subtasks: 16, augmented: 0, base: 16, permuted: 16 });
    // A shuffle that happens to keep the order duplicates its source and is removed.
    expect(stats.unique).toBeGreaterThan(16);
    expect(stats.unique).toBeLessThanOrEqual(32);
    expect(examples).toHaveLength(stats.unique);
    const known = new Set(TASK4.train.map(pairKey));
    for (const ex of examples) {
      for (const p of [...ex.train, ...ex.test]) expect(known.has(pairKey(p))).toBe(true);
      // Same demo multiset as one of the 16 sub-tasks.
      const keys = [...ex.train.map(pairKey)].sort().join(';') + '=>' + pairKey(ex.test[0]);
      const subs = [...leaveOneOut(TASK4.train), ...leaveTwoOut(TASK4.train)].map((s) => [...s.train.map(pairKey)].sort().join(';') + '=>' + pairKey(s.test[0]));
      expect(subs).toContain(keys);
    }
  });

  it('never uses the test input of the task', () => {
    const { examples } = buildTttData(TASK4, ORACLE_SELF_EDIT, { seed: 1, maxExamples: 10_000 });
    const testKeys = new Set([gridKey(TASK4.test[0].input)]);
    for (const ex of examples) for (const p of [...ex.train, ...ex.test]) expect(testKeys.has(gridKey(p.input))).toBe(false);
  });

  it('is deterministic given the seed; another seed samples differently', () => {
    const a = buildTttData(TASK4, ORACLE_SELF_EDIT, { seed: 42 });
    const b = buildTttData(TASK4, ORACLE_SELF_EDIT, { seed: 42 });
    const c = buildTttData(TASK4, ORACLE_SELF_EDIT, { seed: 43 });
    expect(a).toEqual(b);
    expect(a.examples.map(taskKey)).not.toEqual(c.examples.map(taskKey));
  });

  it('does not mutate the task', () => {
    const task = makeTask(4, 9);
    const copy = JSON.parse(JSON.stringify(task));
    buildTttData(task, ORACLE_SELF_EDIT, { seed: 0 });
    expect(task).toEqual(copy);
  });
});

describe('buildTttData: grid limit, dedup, caps', () => {
  it('drops tasks with a grid larger than maxGrid (default 30)', () => {
    const big = makeTask(4, 2, 20, 18); // 20×18 inputs, 21×16 outputs: doubling any side exceeds 30
    const { stats, examples } = buildTttData(big, ORACLE_SELF_EDIT, { seed: 0, maxExamples: 10_000 });
    // Kept: rotate×3, flip×2, random translate, transpose = 7 per sub-task; the other 16 augmenters double a side.
    expect(stats.augmented).toBe(16 * 7);
    expect(stats.droppedTooLarge).toBe(16 * 16);
    expect(stats.perAugmenter.resolution2).toBe(0);
    expect(stats.perAugmenter.reflect0).toBe(0);
    expect(stats.perAugmenter.rotate90).toBe(16);
    for (const ex of examples) expect(Math.max(...taskMaxShape(ex))).toBeLessThanOrEqual(30);

    const small = buildTttData(TASK4, ORACLE_SELF_EDIT, { seed: 0, maxGrid: 9, maxExamples: 10_000 });
    for (const ex of small.examples) expect(Math.max(...taskMaxShape(ex))).toBeLessThanOrEqual(9);
    // 4×5 inputs, 5×3 outputs: height ×2 gives 10 rows, width ×2 gives 10 columns — both over 9.
    expect(small.stats.perAugmenter.rotate90).toBe(16);
    expect(small.stats.perAugmenter.height2).toBe(0);
    expect(small.stats.perAugmenter.width2).toBe(0);
    expect(small.stats.perAugmenter.repeat_both).toBe(0);
    expect(small.stats.droppedTooLarge).toBe(16 * 16);
  });

  it('sub-tasks that are too large are dropped too', () => {
    const huge = makeTask(3, 4, 31, 2);
    const { stats, examples } = buildTttData(huge, NONE, { seed: 0 });
    expect(stats.leave1 + stats.leave2).toBe(9);
    expect(stats.subtasks).toBe(0);
    expect(stats.droppedTooLarge).toBe(9);
    expect(examples).toEqual([]);
  });

  it('de-duplicates by content', () => {
    const t = makeTask(3, 6);
    const dup: ArcTask = { ...t, train: [t.train[0], t.train[0], t.train[1], t.train[2]] };
    const { stats, examples } = buildTttData(dup, flags(true, false, false, false), { seed: 0, maxExamples: 10_000 });
    expect(stats.subtasks).toBe(16);
    expect(stats.base).toBeLessThan(stats.subtasks + stats.augmented);
    expect(new Set(examples.map(taskKey)).size).toBe(examples.length);
    expect(examples.length).toBe(stats.unique);
  });

  it('a symmetric grid makes augmenters coincide and dedup removes them', () => {
    const sym: Grid = [[1, 2, 1], [3, 4, 3], [1, 2, 1]]; // flip1(g) == g, flip0(g) == g, rotate180(g) == g
    const pair = (c: number): Pair => ({ input: sym.map((r) => r.map((x) => (x === 4 ? c : x))), output: [[c]] });
    const task: ArcTask = { train: [pair(4), pair(5), pair(6)], test: [{ input: sym }] };
    const { stats } = buildTttData(task, { augmenters: ALL_AUGMENTERS.filter((a) => ['flip0', 'flip1', 'rotate180'].includes(a.name)) }, { seed: 0 });
    expect(stats.subtasks).toBe(9);
    expect(stats.augmented).toBe(27);
    expect(stats.base).toBe(9);
  });

  it('caps at maxExamples with a seeded sample of the unique set', () => {
    const full = buildTttData(TASK4, ORACLE_SELF_EDIT, { seed: 8, maxExamples: 10_000 });
    const all = new Set(full.examples.map(taskKey));
    const capped = buildTttData(TASK4, ORACLE_SELF_EDIT, { seed: 8, maxExamples: 10 });
    expect(capped.examples).toHaveLength(10);
    expect(capped.stats).toMatchObject({ final: 10, droppedCap: full.stats.unique - 10, unique: full.stats.unique });
    for (const ex of capped.examples) expect(all.has(taskKey(ex))).toBe(true);
    expect(buildTttData(TASK4, ORACLE_SELF_EDIT, { seed: 8, maxExamples: 0 }).examples).toEqual([]);
  });

  it('applies the token budget (examples over max are dropped) before the cap', () => {
    const count = (ex: TttExample) => {
      const { prompt, target } = exampleToText(ex);
      return prompt.length + target.length;
    };
    const full = buildTttData(TASK4, ORACLE_SELF_EDIT, { seed: 2, maxExamples: 10_000 });
    const lengths = full.examples.map(count).sort((a, b) => a - b);
    const max = lengths[Math.floor(lengths.length / 2)];
    const expectedKept = lengths.filter((n) => n <= max).length;
    const r = buildTttData(TASK4, ORACLE_SELF_EDIT, { seed: 2, maxExamples: 10_000, tokenBudget: { count, max } });
    expect(r.stats.droppedTokens).toBe(full.stats.unique - expectedKept);
    expect(r.examples).toHaveLength(expectedKept);
    for (const ex of r.examples) expect(count(ex)).toBeLessThanOrEqual(max);
    const capped = buildTttData(TASK4, ORACLE_SELF_EDIT, { seed: 2, tokenBudget: { count, max } });
    expect(capped.examples).toHaveLength(Math.min(250, expectedKept));
  });

  it('tasks with few demos', () => {
    expect(buildTttData(makeTask(2), ORACLE_SELF_EDIT, { seed: 0 }).stats).toMatchObject({ leave1: 2, leave2: 0, subtasks: 2, augmented: 46 });
    const one = buildTttData(makeTask(1), ORACLE_SELF_EDIT, { seed: 0 });
    expect(one.examples).toEqual([]);
    expect(one.stats.final).toBe(0);
  });

  it('augmentersFor and an explicit augmenter list give the same data', () => {
    const dg = flags(false, true, false, true);
    const a = buildTttData(TASK4, dg, { seed: 4 });
    const b = buildTttData(TASK4, { augmenters: augmentersFor(dg.data_generation) }, { seed: 4 });
    expect(a).toEqual(b);
  });
});

describe('training steps and the step cap', () => {
  it('exceedsStepCap: more than 375 steps (default) is rejected; cap and batch are parameters', () => {
    expect(exceedsStepCap(250, 3)).toBe(false); // exactly 375
    expect(exceedsStepCap(250, 4)).toBe(true);
    expect(exceedsStepCap(751, 1)).toBe(true); // 376
    expect(exceedsStepCap(750, 1)).toBe(false);
    expect(exceedsStepCap(100, 5, 200)).toBe(true);
    expect(exceedsStepCap(100, 5, 250)).toBe(false);
    expect(exceedsStepCap(100, 5, 200, 4)).toBe(false);
  });
});
