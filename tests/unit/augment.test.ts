import { describe, expect, it } from 'vitest';
import {
  ALL_AUGMENTERS,
  BASIC_AUGMENTERS,
  CHAIN_AUGMENTERS,
  INVERTIBLE_AUGMENTERS,
  REPEAT_AUGMENTERS,
  SIZE_AUGMENTERS,
  applyToTask,
  augmentersFor,
  reflect,
  type Augmenter,
} from '../../src/seal/arc/augment.ts';
import {
  applyColourPerm,
  downscale,
  flipH,
  flipV,
  gridKey,
  gridsEqual,
  invertColourPerm,
  isValidGrid,
  mapTaskGrids,
  randomColourPerm,
  rotate180,
  rotate270,
  rotate90,
  shape,
  taskKey,
  tile,
  translate,
  transpose,
  upscale,
} from '../../src/seal/arc/grid.ts';
import { Rng } from '../../src/seal/core/rng.ts';
import type { ArcTask, Grid } from '../../src/seal/arc/task.ts';

const G: Grid = [
  [1, 2, 3],
  [4, 5, 6],
];

function randomGrid(rng: Rng, maxSide = 7): Grid {
  const h = 1 + Math.floor(rng.next() * maxSide);
  const w = 1 + Math.floor(rng.next() * maxSide);
  return Array.from({ length: h }, () => Array.from({ length: w }, () => Math.floor(rng.next() * 10)));
}

const aug = (name: string): Augmenter => {
  const a = ALL_AUGMENTERS.find((x) => x.name === name);
  if (!a) throw new Error(`no augmenter ${name}`);
  return a;
};

describe('grid helpers', () => {
  it('shape, equality, keys, validity', () => {
    expect(shape(G)).toEqual([2, 3]);
    expect(shape([])).toEqual([0, 0]);
    expect(gridsEqual(G, [[1, 2, 3], [4, 5, 6]])).toBe(true);
    expect(gridsEqual(G, [[1, 2, 3]])).toBe(false);
    expect(gridsEqual([[1, 2]], [[1, 2, 3]])).toBe(false);
    expect(gridKey(G)).toBe(gridKey([[1, 2, 3], [4, 5, 6]]));
    expect(gridKey([[1, 2, 3, 4]])).not.toBe(gridKey([[1, 2], [3, 4]]));
    expect(isValidGrid(G)).toBe(true);
    for (const bad of [[], [[]], [[1, 2], [3]], [[10]], [[-1]], [[1.5]], 'x', null, [[1], 2]]) expect(isValidGrid(bad)).toBe(false);
  });
  it('rotations (clockwise), flips, transpose on a known grid', () => {
    expect(rotate90(G)).toEqual([[4, 1], [5, 2], [6, 3]]);
    expect(rotate270(G)).toEqual([[3, 6], [2, 5], [1, 4]]);
    expect(rotate180(G)).toEqual([[6, 5, 4], [3, 2, 1]]);
    expect(flipH(G)).toEqual([[3, 2, 1], [6, 5, 4]]);
    expect(flipV(G)).toEqual([[4, 5, 6], [1, 2, 3]]);
    expect(transpose(G)).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(rotate90(rotate90(G))).toEqual(rotate180(G));
    expect(rotate90(rotate180(G))).toEqual(rotate270(G));
    expect(G).toEqual([[1, 2, 3], [4, 5, 6]]); // not mutated
  });
  it('upscale / downscale, tile, reflect', () => {
    expect(upscale([[1, 2]], 2, 3)).toEqual([[1, 1, 1, 2, 2, 2], [1, 1, 1, 2, 2, 2]]);
    expect(upscale([[1, 2]], 2)).toEqual([[1, 1, 2, 2], [1, 1, 2, 2]]);
    expect(downscale(upscale(G, 3, 2), 3, 2)).toEqual(G);
    expect(tile([[1, 2]], 2, 2)).toEqual([[1, 2, 1, 2], [1, 2, 1, 2]]);
    expect(tile(G, 1, 1)).toEqual(G);
    expect(() => upscale(G, 0)).toThrow();
    expect(reflect(G, 0, false)).toEqual([[1, 2, 3], [4, 5, 6], [4, 5, 6], [1, 2, 3]]);
    expect(reflect(G, 0, true)).toEqual([[4, 5, 6], [1, 2, 3], [1, 2, 3], [4, 5, 6]]);
    expect(reflect(G, 1, false)).toEqual([[1, 2, 3, 3, 2, 1], [4, 5, 6, 6, 5, 4]]);
    expect(reflect(G, 1, true)).toEqual([[3, 2, 1, 1, 2, 3], [6, 5, 4, 4, 5, 6]]);
  });
  it('translate with wrap and with pad', () => {
    expect(translate(G, 0, 1, 'wrap')).toEqual([[3, 1, 2], [6, 4, 5]]);
    expect(translate(G, 1, 0, 'wrap')).toEqual([[4, 5, 6], [1, 2, 3]]);
    expect(translate(G, 0, -1, 'wrap')).toEqual([[2, 3, 1], [5, 6, 4]]);
    expect(translate(G, 2, 3, 'wrap')).toEqual(G);
    expect(translate(G, 1, 1, 'pad')).toEqual([[0, 0, 0], [0, 1, 2]]);
    expect(translate(G, 0, -1, 'pad', 7)).toEqual([[2, 3, 7], [5, 6, 7]]);
  });
  it('colour permutations keep 0 and invert exactly', () => {
    const rng = new Rng(9);
    for (let i = 0; i < 50; i++) {
      const perm = randomColourPerm(rng);
      expect(perm[0]).toBe(0);
      expect([...perm].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      const g = randomGrid(rng);
      expect(applyColourPerm(applyColourPerm(g, perm), invertColourPerm(perm))).toEqual(g);
      expect(applyColourPerm(g, perm).flat().filter((c) => c === 0).length).toBe(g.flat().filter((c) => c === 0).length);
    }
  });
  it('mapTaskGrids maps demo and test grids, test outputs when present', () => {
    const task = { train: [{ input: [[1]], output: [[2]] }], test: [{ input: [[3]], output: [[4]] }, { input: [[5]] }] };
    const m = mapTaskGrids(task as ArcTask, (g) => g.map((r) => r.map((c) => c + 1)));
    expect(m).toEqual({ train: [{ input: [[2]], output: [[3]] }], test: [{ input: [[4]], output: [[5]] }, { input: [[6]] }] });
    expect(taskKey(m)).not.toBe(taskKey(task));
  });
});

describe('augmenters', () => {
  it('families and counts as in the spec', () => {
    expect(BASIC_AUGMENTERS.map((a) => a.name)).toEqual([
      'rotate90', 'rotate270', 'rotate180', 'flip0', 'flip1',
      'reflect0', 'reflect0_reverse', 'reflect1', 'reflect1_reverse', 'random_translate', 'transpose',
    ]);
    expect(SIZE_AUGMENTERS.map((a) => a.name)).toEqual(['resolution2', 'height2', 'width2']);
    expect(CHAIN_AUGMENTERS.map((a) => a.name)).toEqual([
      'rotate90+resolution2', 'rotate270+resolution2', 'rotate180+resolution2',
      'flip0+resolution2', 'flip1+resolution2', 'transpose+resolution2',
    ]);
    expect(REPEAT_AUGMENTERS.map((a) => a.name)).toEqual(['repeat0', 'repeat1', 'repeat_both']);
    expect(ALL_AUGMENTERS).toHaveLength(23);
    expect(new Set(ALL_AUGMENTERS.map((a) => a.name)).size).toBe(23);
    for (const [list, fam] of [[BASIC_AUGMENTERS, 'basic'], [SIZE_AUGMENTERS, 'size'], [CHAIN_AUGMENTERS, 'chain'], [REPEAT_AUGMENTERS, 'repeat']] as const)
      for (const a of list) expect(a.family).toBe(fam);
    expect(INVERTIBLE_AUGMENTERS.map((a) => a.name).sort()).toEqual(['flip0', 'flip1', 'rotate180', 'rotate270', 'rotate90', 'transpose']);
  });

  it('augmentersFor follows the flags', () => {
    const f = (b: boolean, s: boolean, c: boolean, r: boolean) =>
      augmentersFor({ use_basic_augmentations: b, use_size_augmentations: s, use_chain_augmentations: c, use_repeat_augmentations: r });
    expect(f(false, false, false, false)).toEqual([]);
    expect(f(true, false, false, false)).toHaveLength(11);
    expect(f(false, true, false, false)).toHaveLength(3);
    expect(f(false, false, true, false)).toHaveLength(6);
    expect(f(false, false, false, true)).toHaveLength(3);
    expect(f(true, true, true, true).map((a) => a.name)).toEqual(ALL_AUGMENTERS.map((a) => a.name));
    expect(new Set(f(false, true, false, true).map((a) => a.family))).toEqual(new Set(['size', 'repeat']));
  });

  // Output shape of each augmenter for an h×w input.
  const SHAPES: Record<string, (h: number, w: number) => [number, number]> = {
    rotate90: (h, w) => [w, h],
    rotate270: (h, w) => [w, h],
    rotate180: (h, w) => [h, w],
    flip0: (h, w) => [h, w],
    flip1: (h, w) => [h, w],
    reflect0: (h, w) => [2 * h, w],
    reflect0_reverse: (h, w) => [2 * h, w],
    reflect1: (h, w) => [h, 2 * w],
    reflect1_reverse: (h, w) => [h, 2 * w],
    random_translate: (h, w) => [h, w],
    transpose: (h, w) => [w, h],
    resolution2: (h, w) => [2 * h, 2 * w],
    height2: (h, w) => [2 * h, w],
    width2: (h, w) => [h, 2 * w],
    'rotate90+resolution2': (h, w) => [2 * w, 2 * h],
    'rotate270+resolution2': (h, w) => [2 * w, 2 * h],
    'rotate180+resolution2': (h, w) => [2 * h, 2 * w],
    'flip0+resolution2': (h, w) => [2 * h, 2 * w],
    'flip1+resolution2': (h, w) => [2 * h, 2 * w],
    'transpose+resolution2': (h, w) => [2 * w, 2 * h],
    repeat0: (h, w) => [2 * h, w],
    repeat1: (h, w) => [h, 2 * w],
    repeat_both: (h, w) => [2 * h, 2 * w],
  };

  for (const a of ALL_AUGMENTERS) {
    it(`${a.name}: valid grid of the expected shape, same colour multiset up to the size factor, pure`, () => {
      const rng = new Rng(a.name.length * 7919);
      for (let i = 0; i < 40; i++) {
        const g = randomGrid(rng);
        const copy = g.map((r) => r.slice());
        const out = a.apply(g, rng);
        expect(g).toEqual(copy);
        expect(isValidGrid(out)).toBe(true);
        const [h, w] = shape(g);
        expect(shape(out)).toEqual(SHAPES[a.name](h, w));
        const factor = (out.length * out[0].length) / (h * w);
        const hist = (x: Grid) => {
          const c = new Array(10).fill(0);
          for (const v of x.flat()) c[v]++;
          return c;
        };
        expect(hist(out)).toEqual(hist(g).map((c: number) => c * factor));
      }
    });
  }

  for (const a of INVERTIBLE_AUGMENTERS) {
    it(`${a.name}: invert(apply(g)) == g and apply(invert(g)) == g on random grids`, () => {
      const rng = new Rng(a.name.length * 104729);
      for (let i = 0; i < 100; i++) {
        const g = randomGrid(rng, 12);
        expect(a.invert!(a.apply(g))).toEqual(g);
        expect(a.apply(a.invert!(g))).toEqual(g);
      }
    });
  }

  it('known outputs: size, chain and repeat', () => {
    const g: Grid = [[1, 2]];
    expect(aug('resolution2').apply(g)).toEqual([[1, 1, 2, 2], [1, 1, 2, 2]]);
    expect(aug('height2').apply(g)).toEqual([[1, 2], [1, 2]]);
    expect(aug('width2').apply(g)).toEqual([[1, 1, 2, 2]]);
    expect(aug('transpose+resolution2').apply(g)).toEqual([[1, 1], [1, 1], [2, 2], [2, 2]]);
    expect(aug('flip1+resolution2').apply(g)).toEqual([[2, 2, 1, 1], [2, 2, 1, 1]]);
    expect(aug('repeat0').apply(g)).toEqual([[1, 2], [1, 2]]);
    expect(aug('repeat1').apply(g)).toEqual([[1, 2, 1, 2]]);
    expect(aug('repeat_both').apply(g)).toEqual([[1, 2, 1, 2], [1, 2, 1, 2]]);
    expect(aug('flip0').apply(G)).toEqual(flipV(G));
    expect(aug('flip1').apply(G)).toEqual(flipH(G));
  });

  it('random translate: a wrap-around shift of 1–3 on each axis; (1, 1) without rng', () => {
    const g: Grid = Array.from({ length: 8 }, (_, i) => Array.from({ length: 8 }, (_, j) => (i * 8 + j) % 10));
    expect(aug('random_translate').apply(g)).toEqual(translate(g, 1, 1, 'wrap'));
    const seen = new Set<string>();
    const rng = new Rng(5);
    for (let i = 0; i < 200; i++) {
      const out = aug('random_translate').apply(g, rng);
      let match = '';
      for (let dy = 1; dy <= 3; dy++) for (let dx = 1; dx <= 3; dx++) if (gridsEqual(out, translate(g, dy, dx))) match = `${dy},${dx}`;
      expect(match).not.toBe('');
      seen.add(match);
    }
    expect(seen.size).toBe(9);
  });

  it('applyToTask applies one transform to every grid, random parameters drawn once per task', () => {
    const rng = new Rng(11);
    const g = randomGrid(rng, 9);
    const task: ArcTask = { train: [{ input: g, output: g }, { input: g, output: g }], test: [{ input: g }] };
    for (let i = 0; i < 30; i++) {
      const t = applyToTask(aug('random_translate'), task, rng);
      const first = t.train[0].input;
      for (const p of t.train) {
        expect(p.input).toEqual(first);
        expect(p.output).toEqual(first);
      }
      expect(t.test[0].input).toEqual(first);
    }
    const r1 = applyToTask(aug('random_translate'), task, new Rng(3));
    const r2 = applyToTask(aug('random_translate'), task, new Rng(3));
    expect(r1).toEqual(r2);
    const t = applyToTask(aug('rotate90'), task);
    expect(t.train[1].output).toEqual(rotate90(g));
    expect(t.test[0].input).toEqual(rotate90(g));
    expect(task.train[0].input).toBe(g);
  });
});
