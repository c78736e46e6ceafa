import { describe, expect, it } from 'vitest';
import { ALL_AUGMENTERS, applyToTask } from '../../src/seal/arc/augment.ts';
import { gridKey, rotate90, transpose } from '../../src/seal/arc/grid.ts';
import { Rng } from '../../src/seal/core/rng.ts';
import type { ArcTask, Grid } from '../../src/seal/arc/task.ts';
import { evaluationViews, mapBack, solved, tally, taskReward, vote, voteViews } from '../../src/seal/arc/vote.ts';

function randomGrid(rng: Rng, h: number, w: number): Grid {
  return Array.from({ length: h }, () => Array.from({ length: w }, () => Math.floor(rng.next() * 10)));
}

const A: Grid = [[1, 2], [3, 4]];
const B: Grid = [[5]];
const C: Grid = [[6, 6]];
const D: Grid = [[7], [7]];

/** A task whose rule is "rotate 90° clockwise", with a known solution. */
function rotateTask(seed: number, demos = 3): { task: ArcTask; truth: Grid } {
  const rng = new Rng(seed);
  const train = Array.from({ length: demos }, () => {
    const g = randomGrid(rng, 3, 4);
    return { input: g, output: rotate90(g) };
  });
  const testIn = randomGrid(rng, 2, 5);
  return { task: { train, test: [{ input: testIn }] }, truth: rotate90(testIn) };
}

describe('vote', () => {
  it('majority first, then the runner-up', () => {
    expect(vote([A, B, B, C, B, A])).toEqual([B, A]);
    expect(vote([A])).toEqual([A]);
    expect(vote([])).toEqual([]);
  });
  it('ties are broken by first occurrence', () => {
    expect(vote([C, A, B, A, B, C])).toEqual([C, A]);
    expect(vote([B, A, A, B])).toEqual([B, A]);
    expect(vote([D, C, B, A])).toEqual([D, C]);
  });
  it('ignores nulls, undefined and invalid grids', () => {
    expect(vote([null, null, A, null, B, B])).toEqual([B, A]);
    expect(vote([null, null])).toEqual([]);
    expect(vote([[], [[1, 2], [3]], [[12]], A] as Grid[])).toEqual([A]);
    expect(vote([undefined, A])).toEqual([A]);
  });
  it('counts equal grids as one answer regardless of identity', () => {
    expect(vote([[[1, 2], [3, 4]], A.map((r) => r.slice()), B])).toEqual([A, B]);
    expect(tally([A, B, A.map((r) => r.slice())])).toEqual([
      { grid: A, count: 2, first: 0 },
      { grid: B, count: 1, first: 1 },
    ]);
  });
  it('same shape, different content are different answers; other attempt counts', () => {
    expect(vote([[[1]], [[2]], [[2]]], 1)).toEqual([[[2]]]);
    expect(vote([A, B, C, C], 3)).toEqual([C, A, B]);
  });
});

describe('solved / taskReward (pass@2)', () => {
  it('solved when any attempt equals the truth', () => {
    expect(solved([A, B], B)).toBe(true);
    expect(solved([A, B], C)).toBe(false);
    expect(solved([], A)).toBe(false);
    expect(solved([[[1, 2]]], [[1, 2], [3, 4]])).toBe(false);
  });
  it('reward 1 only when every test output is solved', () => {
    expect(taskReward([[A, B], [C]], [B, C])).toBe(1);
    expect(taskReward([[A, B], [C]], [B, D])).toBe(0);
    expect(taskReward([[A]], [A, B])).toBe(0);
    expect(taskReward([], [])).toBe(0);
  });
});

describe('evaluationViews', () => {
  it('identity first, then 6 geometric views, colour views, leave-one-out views', () => {
    const { task } = rotateTask(1, 3);
    const views = evaluationViews(task, 0);
    expect(views.map((v) => v.name)).toEqual([
      'identity',
      'rotate90', 'rotate270', 'rotate180', 'flip0', 'flip1', 'transpose',
      'colours1', 'colours2',
      'drop_demo0', 'drop_demo1', 'drop_demo2',
    ]);
    expect(views[0].task).toBe(task);
    expect(evaluationViews(task, 0, { geometric: false, colourPermutations: 0, leaveOneOut: false }).map((v) => v.name)).toEqual(['identity']);
    expect(evaluationViews(task, 0, { colourPermutations: 5 }).filter((v) => v.kind === 'colour')).toHaveLength(5);
    expect(evaluationViews({ ...task, train: task.train.slice(0, 1) }, 0).filter((v) => v.kind === 'leave_one_out')).toHaveLength(0);
  });

  it('views transform demos and test inputs alike; leave-one-out drops exactly one demo', () => {
    const { task } = rotateTask(2, 3);
    for (const v of evaluationViews(task, 3)) {
      expect(v.task.test).toHaveLength(task.test.length);
      if (v.kind === 'leave_one_out') {
        expect(v.task.train).toHaveLength(2);
        expect(v.task.test).toEqual(task.test);
      } else {
        expect(v.task.train).toHaveLength(3);
      }
      if (v.name === 'transpose') {
        expect(v.task.test[0].input).toEqual(transpose(task.test[0].input));
        expect(v.task.train[1].output).toEqual(transpose(task.train[1].output));
      }
      if (v.kind === 'colour') {
        // Background 0 stays where it was.
        const zeros = (g: Grid) => g.flatMap((r, i) => r.flatMap((c, j) => (c === 0 ? [`${i},${j}`] : [])));
        expect(zeros(v.task.test[0].input)).toEqual(zeros(task.test[0].input));
      }
    }
  });

  it('each view inverse maps the view-frame answer back to the truth', () => {
    // A perfect solver of "rotate 90°" answers each view with the transform of the truth in that frame; mapped
    // back, every view agrees with the truth.
    for (let seed = 0; seed < 10; seed++) {
      const { task, truth } = rotateTask(seed);
      const views = evaluationViews(task, seed);
      const viewTruths = views.map((v) => {
        if (v.kind === 'leave_one_out' || v.kind === 'identity') return truth;
        if (v.kind === 'geometric') {
          const aug = ALL_AUGMENTERS.find((a) => a.name === v.name)!;
          return aug.apply(truth);
        }
        // Colour view: the view's truth is the truth in the view's colours, found through the view's own task.
        const t = { train: [{ input: truth, output: truth }], test: [] };
        return (applyViewColours(task, v.task, t).train[0].input);
      });
      const back = mapBack(views, viewTruths);
      for (const g of back) expect(g).toEqual(truth);
      expect(voteViews(views, viewTruths)).toEqual([truth]);
    }
  });

  it('invert is the exact inverse of the view transform for random grids', () => {
    const rng = new Rng(17);
    const { task } = rotateTask(5);
    const views = evaluationViews(task, 7);
    for (const v of views.filter((x) => x.kind === 'geometric')) {
      const aug = ALL_AUGMENTERS.find((a) => a.name === v.name)!;
      for (let i = 0; i < 20; i++) {
        const g = randomGrid(rng, 1 + Math.floor(rng.next() * 6), 1 + Math.floor(rng.next() * 6));
        expect(v.invert(aug.apply(g))).toEqual(g);
      }
      expect(v.task).toEqual(applyToTask(aug, task));
    }
  });

  it('colour views: different permutations, deterministic by seed, exact inverses', () => {
    const { task } = rotateTask(3);
    const a = evaluationViews(task, 11).filter((v) => v.kind === 'colour');
    const b = evaluationViews(task, 11).filter((v) => v.kind === 'colour');
    const c = evaluationViews(task, 12).filter((v) => v.kind === 'colour');
    expect(a.map((v) => v.task)).toEqual(b.map((v) => v.task));
    expect(a.map((v) => gridKey(v.task.test[0].input))).not.toEqual(c.map((v) => gridKey(v.task.test[0].input)));
    for (const v of a) expect(v.invert(v.task.test[0].input)).toEqual(task.test[0].input);
  });

  it('voteViews: nulls and invalid predictions are dropped; a wrong majority in the view frame is still counted', () => {
    const { task, truth } = rotateTask(4);
    const views = evaluationViews(task, 0, { colourPermutations: 0, leaveOneOut: false });
    expect(views).toHaveLength(7);
    const other: Grid = [[9]];
    const preds: Array<Grid | null> = views.map((v, i) => {
      if (i === 0) return truth;
      if (i === 1) return null;
      if (i === 2) return [[1, 2], [3]] as Grid;
      if (i >= 5) return other;
      return ALL_AUGMENTERS.find((a) => a.name === v.name)!.apply(truth);
    });
    // truth: views 0, 3, 4 → 3 votes; [[9]] from views 5, 6 (flip1, transpose of [[9]] is [[9]]) → 2 votes.
    expect(voteViews(views, preds)).toEqual([truth, other]);
    expect(() => mapBack(views, preds.slice(1))).toThrow();
  });
});

/** The colour map a colour view applied, read off the view's task, applied to `t`. */
function applyViewColours(orig: ArcTask, viewTask: ArcTask, t: ArcTask): ArcTask {
  const map = new Map<number, number>([[0, 0]]);
  orig.train.forEach((p, i) => {
    p.input.forEach((r, y) => r.forEach((c, x) => map.set(c, viewTask.train[i].input[y][x])));
    p.output.forEach((r, y) => r.forEach((c, x) => map.set(c, viewTask.train[i].output[y][x])));
  });
  orig.test.forEach((p, i) => p.input.forEach((r, y) => r.forEach((c, x) => map.set(c, viewTask.test[i].input[y][x]))));
  const f = (g: Grid) =>
    g.map((r) =>
      r.map((c) => {
        const m = map.get(c);
        if (m === undefined) throw new Error(`colour ${c} not seen`);
        return m;
      }),
    );
  return { train: t.train.map((p) => ({ input: f(p.input), output: f(p.output) })), test: [] };
}
