import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  COMPOSITIONS, FAMILIES, HELDOUT_FAMILIES, MINI_ARC_DEFAULT, PRETRAIN_FAMILIES, PRIMITIVES, RESTEM_FAMILIES, explanations,
  familyKinds, generateTasks, getFamily, miniArcDefault, miniArcStats, splitOf, type MiniArc,
} from '../../src/seal/worlds/minarc/index.ts';
import type { Grid } from '../../src/seal/arc/task.ts';
import { taskText } from '../../src/seal/arc/format.ts';
import { hashSeed, Rng } from '../../src/seal/core/rng.ts';

const apply = (family: string, g: Grid, params: unknown = {}) => getFamily(family).apply(g, params);

describe('mini-ARC families: hand-checked examples', () => {
  const A = [[1, 2, 0], [0, 3, 0]];
  it('geometric', () => {
    expect(apply('rotate90', A)).toEqual([[0, 1], [3, 2], [0, 0]]);
    expect(apply('rotate180', A)).toEqual([[0, 3, 0], [0, 2, 1]]);
    expect(apply('rotate270', A)).toEqual([[0, 0], [2, 3], [1, 0]]);
    expect(apply('flip_h', A)).toEqual([[0, 2, 1], [0, 3, 0]]);
    expect(apply('flip_v', A)).toEqual([[0, 3, 0], [1, 2, 0]]);
    expect(apply('transpose', A)).toEqual([[1, 0], [2, 3], [0, 0]]);
  });
  it('colour', () => {
    expect(apply('colour_swap', A, { a: 1, b: 3 })).toEqual([[3, 2, 0], [0, 1, 0]]);
    expect(apply('colour_map', A, { map: [[1, 5], [2, 5]] })).toEqual([[5, 5, 0], [0, 3, 0]]);
    expect(apply('colour_map', A, { map: [[1, 2], [2, 3], [3, 1]] })).toEqual([[2, 3, 0], [0, 1, 0]]);
  });
  it('gravity', () => {
    const g = [[1, 0, 2], [0, 0, 0], [3, 0, 0]];
    expect(apply('gravity', g, { dir: 'down' })).toEqual([[0, 0, 0], [1, 0, 0], [3, 0, 2]]);
    expect(apply('gravity', g, { dir: 'up' })).toEqual([[1, 0, 2], [3, 0, 0], [0, 0, 0]]);
    expect(apply('gravity', g, { dir: 'left' })).toEqual([[1, 2, 0], [0, 0, 0], [3, 0, 0]]);
    expect(apply('gravity', g, { dir: 'right' })).toEqual([[0, 1, 2], [0, 0, 0], [0, 0, 3]]);
  });
  it('fill', () => {
    const box = [[0, 5, 5, 5, 0], [0, 5, 0, 5, 0], [0, 5, 5, 5, 0], [0, 0, 0, 0, 0]];
    expect(apply('fill_rect', box, { colour: 4 })).toEqual([[0, 5, 5, 5, 0], [0, 5, 4, 5, 0], [0, 5, 5, 5, 0], [0, 0, 0, 0, 0]]);
    const cup = [[5, 5, 5], [5, 0, 5], [5, 0, 5]]; // open at the bottom: nothing enclosed
    expect(apply('fill_rect', cup, { colour: 4 })).toEqual(cup);
    const m = [[0, 0, 0], [0, 3, 1], [0, 0, 0]];
    expect(apply('fill_rows', m, { colour: 3, axis: 'row' })).toEqual([[0, 0, 0], [3, 3, 1], [0, 0, 0]]);
    expect(apply('fill_rows', m, { colour: 3, axis: 'col' })).toEqual([[0, 3, 0], [0, 3, 1], [0, 3, 0]]);
    const dot = [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 3, 0], [0, 0, 0, 0]];
    expect(apply('outline', dot, { colour: 4 })).toEqual([[0, 0, 0, 0], [0, 4, 4, 4], [0, 4, 3, 4], [0, 4, 4, 4]]);
  });
  it('scale and tile', () => {
    expect(apply('scale', [[1, 2]], { fy: 2, fx: 2 })).toEqual([[1, 1, 2, 2], [1, 1, 2, 2]]);
    expect(apply('scale', [[1, 2]], { fy: 1, fx: 2 })).toEqual([[1, 1, 2, 2]]);
    expect(apply('scale', [[1, 2]], { fy: 2, fx: 1 })).toEqual([[1, 2], [1, 2]]);
    const B = [[1, 2], [3, 0]];
    expect(apply('tile', B, { mode: '1x2' })).toEqual([[1, 2, 1, 2], [3, 0, 3, 0]]);
    expect(apply('tile', B, { mode: '2x1' })).toEqual([[1, 2], [3, 0], [1, 2], [3, 0]]);
    expect(apply('tile', B, { mode: '2x2' })).toEqual([[1, 2, 1, 2], [3, 0, 3, 0], [1, 2, 1, 2], [3, 0, 3, 0]]);
    expect(apply('tile', B, { mode: 'mirror_1x2' })).toEqual([[1, 2, 2, 1], [3, 0, 0, 3]]);
    expect(apply('tile', B, { mode: 'mirror_2x1' })).toEqual([[1, 2], [3, 0], [3, 0], [1, 2]]);
    expect(apply('tile', B, { mode: 'mirror_2x2' })).toEqual([[1, 2, 2, 1], [3, 0, 0, 3], [3, 0, 0, 3], [1, 2, 2, 1]]);
  });
  it('objects', () => {
    const g = [[2, 0, 2], [0, 1, 0]];
    expect(apply('move', g, { colour: 2, dir: 'right', wrap: true })).toEqual([[2, 2, 0], [0, 1, 0]]);
    expect(apply('move', g, { colour: 2, dir: 'right', wrap: false })).toEqual([[0, 2, 2], [0, 1, 0]]);
    expect(apply('move', g, { colour: 1, dir: 'up', wrap: false })).toEqual([[2, 1, 2], [0, 0, 0]]);
    expect(apply('crop', [[0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 2, 0], [0, 0, 0, 0]])).toEqual([[1, 0], [0, 2]]);
    const objs = [[1, 1, 0, 2], [0, 0, 0, 2], [1, 0, 0, 2]];
    expect(apply('recolour_largest', objs, { colour: 7 })).toEqual([[1, 1, 0, 7], [0, 0, 0, 7], [1, 0, 0, 7]]);
  });
  it('compositions apply their parts in order', () => {
    expect(apply('flip_h+colour_map', A, [{}, { map: [[1, 5]] }])).toEqual([[0, 2, 5], [0, 3, 0]]);
    expect(apply('gravity+rotate90', [[1, 0, 2], [0, 0, 0], [3, 0, 0]], [{ dir: 'down' }, {}])).toEqual([[3, 1, 0], [0, 0, 0], [2, 0, 0]]);
    expect(apply('tile+transpose', [[1, 2]], [{ mode: '2x1' }, {}])).toEqual([[1, 1], [2, 2]]);
    for (const f of COMPOSITIONS) expect(f.name).toBe(f.parts.join('+'));
  });
});

describe('mini-ARC families: inputs', () => {
  it('every family makes in-bounds inputs on which its rule is consistent', () => {
    for (const f of FAMILIES) {
      const rng = new Rng(hashSeed('inputs', f.name));
      const maxDim = Math.min(6, Math.floor(8 / f.growth));
      for (let k = 0; k < 30; k++) {
        const p = f.sample(rng);
        const x = f.makeInput(rng, p, { maxDim });
        const y = f.apply(x, p);
        for (const g of [x, y]) {
          expect(g.length, f.name).toBeGreaterThanOrEqual(1);
          expect(g.length, f.name).toBeLessThanOrEqual(8);
          for (const row of g) {
            expect(row.length, f.name).toBe(g[0].length);
            expect(row.length, f.name).toBeLessThanOrEqual(8);
            for (const v of row) expect(Number.isInteger(v) && v >= 0 && v <= 9, f.name).toBe(true);
          }
        }
        expect(Math.max(x.length, x[0].length), f.name).toBeLessThanOrEqual(maxDim);
        expect(f.apply(x, p), 'deterministic').toEqual(y);
        expect(f.candidates([{ input: x, output: y }]).some((c) => JSON.stringify(f.apply(x, c)) === JSON.stringify(y)), f.name).toBe(true);
      }
    }
  });
});

describe('mini-ARC split', () => {
  it('is disjoint, covers every family and holds out only new compositions of pretrain primitives', () => {
    const all = FAMILIES.map((f) => f.name);
    expect(new Set(all).size).toBe(all.length);
    const splits = [PRETRAIN_FAMILIES, RESTEM_FAMILIES, HELDOUT_FAMILIES];
    expect(new Set(splits.flat()).size).toBe(splits.flat().length);
    expect(splits.flat().sort()).toEqual(all.slice().sort());
    for (const p of PRIMITIVES) expect(splitOf(p.name)).toBe('pretrain');
    for (const h of [...RESTEM_FAMILIES, ...HELDOUT_FAMILIES]) {
      expect(getFamily(h).parts).toHaveLength(2);
      for (const part of getFamily(h).parts) expect(PRETRAIN_FAMILIES).toContain(part);
    }
    const kinds = HELDOUT_FAMILIES.map(familyKinds);
    expect(kinds.filter((k) => k.includes('geometric')).length).toBeGreaterThanOrEqual(3);
    expect(kinds.filter((k) => k.includes('colour')).length).toBeGreaterThanOrEqual(3);
    expect(() => splitOf('nope')).toThrow();
  });
});

const sameGrid = (a: Grid, b: Grid) => JSON.stringify(a) === JSON.stringify(b);

function checkSet(set: MiniArc, maxSize = 8) {
  for (const [id, task] of Object.entries(set.challenges)) {
    const { family, params, split } = set.meta[id];
    const f = getFamily(family);
    expect(id).toMatch(new RegExp(`^mini-${family.replace('+', '\\+')}-\\d+-\\d+$`));
    expect(split).toBe(splitOf(family));
    expect(task.test).toHaveLength(1);
    const test = { input: task.test[0].input, output: set.solutions[id][0] };
    const pairs = [...task.train, test];
    const keys = pairs.map((p) => JSON.stringify(p.input));
    expect(new Set(keys).size, `${id}: distinct inputs`).toBe(keys.length);
    for (const p of pairs) {
      expect(sameGrid(f.apply(p.input, params), p.output), `${id}: consistent`).toBe(true);
      expect(sameGrid(p.input, p.output), `${id}: no identity pair`).toBe(false);
      for (const g of [p.input, p.output]) expect(Math.max(g.length, g[0].length)).toBeLessThanOrEqual(maxSize);
    }
    // Ambiguity, recomputed: the simplest explanations of the demos all predict the true test output; a
    // primitive that explains the demos always does; no pretrain family explains a held-out task's demos.
    const found = explanations(task.train);
    const simplest = Math.min(...found.map((e) => getFamily(e.family).parts.length));
    for (const e of found) {
      const agrees = sameGrid(getFamily(e.family).apply(test.input, e.params), test.output);
      if (getFamily(e.family).parts.length === simplest) expect(agrees, `${id}: ambiguous with ${e.family}`).toBe(true);
      if (split !== 'pretrain') expect(splitOf(e.family), `${id}: explained by ${e.family}`).not.toBe('pretrain');
    }
  }
}

describe('mini-ARC generation', () => {
  it('is deterministic per seed, and a longer set extends a shorter one', () => {
    const a = generateTasks({ seed: 7, count: 30, split: 'all' });
    expect(generateTasks({ seed: 7, count: 30, split: 'all' })).toEqual(a);
    const short = generateTasks({ seed: 7, count: 10, split: 'all' });
    for (const id of Object.keys(short.challenges)) expect(a.challenges[id]).toEqual(short.challenges[id]);
    const b = generateTasks({ seed: 8, count: 30, split: 'all' });
    expect(JSON.stringify(b.challenges)).not.toBe(JSON.stringify(a.challenges));
  });

  it('makes consistent, unambiguous, non-identity tasks for every family', () => {
    for (const [split, families] of [['pretrain', PRETRAIN_FAMILIES], ['restem', RESTEM_FAMILIES], ['heldout', HELDOUT_FAMILIES]] as const) {
      const set = generateTasks({ seed: 11, count: 3 * families.length, split });
      const perFamily = miniArcStats(set).perFamily;
      for (const f of families) expect(perFamily[f], f).toBe(3);
      checkSet(set);
    }
  });

  it('honours families, demos and maxSize, and rejects bad options', () => {
    const set = generateTasks({ seed: 3, count: 8, split: 'heldout', families: ['flip_h+colour_map', 'crop+rotate180'], demos: [2, 2] });
    expect(new Set(Object.values(set.meta).map((m) => m.family))).toEqual(new Set(['flip_h+colour_map', 'crop+rotate180']));
    for (const t of Object.values(set.challenges)) expect(t.train).toHaveLength(2);
    checkSet(set);
    const small = generateTasks({ seed: 3, count: 40, split: 'all', maxSize: 5 });
    expect(Object.values(small.meta).every((m) => getFamily(m.family).growth === 1)).toBe(true);
    checkSet(small, 5);
    expect(() => generateTasks({ seed: 3, count: 2, split: 'pretrain', families: ['flip_h+colour_map'] })).toThrow(/not in split/);
    expect(() => generateTasks({ seed: 3, count: 2, split: 'all', demos: [3, 2] })).toThrow();
    expect(() => generateTasks({ seed: 3, count: 2, split: 'all', maxSize: 2 })).toThrow();
    expect(() => generateTasks({ seed: 3, count: 2, split: 'all', families: ['nope'] })).toThrow();
  });

  it('has the default set: 12 ReST-EM training tasks and 20 held-out tasks over every held-out family', () => {
    expect(MINI_ARC_DEFAULT).toEqual({ seed: 2025, heldoutCount: 20, trainCount: 12 });
    const { train, eval: ev } = miniArcDefault();
    expect(Object.keys(train.challenges)).toHaveLength(12);
    expect(Object.keys(ev.challenges)).toHaveLength(20);
    expect(new Set(Object.values(train.meta).map((m) => m.family))).toEqual(new Set(RESTEM_FAMILIES));
    expect(new Set(Object.values(ev.meta).map((m) => m.family))).toEqual(new Set(HELDOUT_FAMILIES));
    for (const id of [...Object.keys(train.challenges), ...Object.keys(ev.challenges)]) expect(id).toMatch(/^mini-[a-z0-9_+]+-2025-\d+$/);
    checkSet(train);
    checkSet(ev);
  });

  it('keeps tasks short as text (character budget)', () => {
    const set = generateTasks({ seed: 5, count: 300, split: 'all' });
    const s = miniArcStats(set);
    expect(s.tasks).toBe(300);
    expect(s.chars.mean).toBeLessThan(450);
    expect(s.chars.p90).toBeLessThan(600);
    expect(s.over700 / s.tasks).toBeLessThan(0.03);
    expect(s.chars.max).toBeLessThan(1000);
    expect(Object.keys(s.sides).map(Number).every((side) => side <= 8)).toBe(true);
    const [id] = Object.keys(set.challenges);
    const text = taskText(set.challenges[id]);
    expect(text.startsWith('Input:\n')).toBe(true);
    expect(text.endsWith('\n\nOutput:\n')).toBe(true);
    expect(text.replace(/Input:|Output:/g, '')).toMatch(/^[0-9 \n]+$/);
  });
});

describe('make-mini-arc tool', () => {
  it('writes Kaggle-format challenges and solutions that round-trip', () => {
    const dir = mkdtempSync(join(tmpdir(), 'minarc-'));
    try {
      const out = execFileSync(process.execPath, ['--import', 'tsx', 'tools/models/arc/make-mini-arc.ts', '--seed', '9', '--count', '6', '--split', 'heldout', '--out', dir, '--name', 'm'], { encoding: 'utf8' });
      expect(out).toMatch(/tasks: 6/);
      expect(out).toMatch(/chars per task/);
      const challenges = JSON.parse(readFileSync(join(dir, 'm_challenges.json'), 'utf8'));
      const solutions = JSON.parse(readFileSync(join(dir, 'm_solutions.json'), 'utf8'));
      const set = generateTasks({ seed: 9, count: 6, split: 'heldout' });
      expect(challenges).toEqual(set.challenges);
      expect(solutions).toEqual(set.solutions);
      expect(Object.keys(solutions)).toEqual(Object.keys(challenges));
      for (const task of Object.values(challenges) as Array<Record<string, unknown>>) {
        expect(Object.keys(task).sort()).toEqual(['test', 'train']);
        for (const p of task.train as Array<Record<string, unknown>>) expect(Object.keys(p).sort()).toEqual(['input', 'output']);
        for (const t of task.test as Array<Record<string, unknown>>) expect(Object.keys(t)).toEqual(['input']);
      }
      for (const s of Object.values(solutions) as Grid[][]) expect(s).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
