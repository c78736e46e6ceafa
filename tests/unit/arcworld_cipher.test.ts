import { describe, expect, it } from 'vitest';
import {
  CIPHER_FAMILIES, OPS, PRETRAIN_FAMILIES, applyOp, applyRule, familiesOf, generateCipherTasks, getFamily, isAmbiguous,
} from '../../src/seal/worlds/cipher/index.ts';
import type { Grid } from '../../src/seal/arc/task.ts';

const row = (g: Grid) => g[0];

describe('cipher world: operations', () => {
  const r = [1, 0, 2, 3, 0, 4];
  it('hand-checked rows', () => {
    expect(applyOp('identity', r)).toEqual(r);
    expect(applyOp('reverse', r)).toEqual([4, 0, 3, 2, 0, 1]);
    expect(applyOp('shift_right', r)).toEqual([4, 1, 0, 2, 3, 0]);
    expect(applyOp('shift_left', r)).toEqual([0, 2, 3, 0, 4, 1]);
    expect(applyOp('shift_right2', r)).toEqual([0, 4, 1, 0, 2, 3]);
    expect(applyOp('shift_left2', r)).toEqual([2, 3, 0, 4, 1, 0]);
    expect(applyOp('gravity_right', r)).toEqual([0, 0, 1, 2, 3, 4]);
    expect(applyOp('gravity_left', r)).toEqual([1, 2, 3, 4, 0, 0]);
    expect(applyOp('sort_asc', r)).toEqual([0, 0, 1, 2, 3, 4]);
    expect(applyOp('sort_desc', r)).toEqual([4, 3, 2, 1, 0, 0]);
    expect(r).toEqual([1, 0, 2, 3, 0, 4]); // untouched
  });
  it('every operation permutes the cells', () => {
    for (const op of OPS) expect(applyOp(op, r).slice().sort()).toEqual(r.slice().sort());
  });
  it('rule = operation then colour map', () => {
    expect(applyRule('reverse', { 1: 7, 4: 9 }, [r])).toEqual([[9, 0, 3, 2, 0, 7]]);
  });
});

describe('cipher world: families and splits', () => {
  it('pretraining never has a cipher; ReST-EM and held-out only ciphers', () => {
    expect(PRETRAIN_FAMILIES.every((f) => f.colour !== 'cipher')).toBe(true);
    expect(PRETRAIN_FAMILIES.some((f) => f.name === 'identity')).toBe(true);
    expect(CIPHER_FAMILIES.every((f) => f.colour === 'cipher')).toBe(true);
    expect(familiesOf('restem')).toEqual(familiesOf('heldout'));
    expect(getFamily('reverse+cipher').op).toBe('reverse');
    expect(() => getFamily('nope')).toThrow(/unknown family/);
  });
});

describe('cipher world: generated tasks', () => {
  const sets = (['pretrain', 'restem', 'heldout'] as const).map((split) => generateCipherTasks({ seed: 7, count: 120, split }));
  it('is deterministic and prefix-stable', () => {
    const a = generateCipherTasks({ seed: 7, count: 120, split: 'heldout' });
    expect(a).toEqual(sets[2]);
    const b = generateCipherTasks({ seed: 7, count: 30, split: 'heldout' });
    expect(Object.keys(b.challenges)).toEqual(Object.keys(a.challenges).slice(0, 30));
    expect(generateCipherTasks({ seed: 8, count: 5, split: 'heldout' }).challenges).not.toEqual(b.challenges);
  });
  it('valid ARC tasks whose outputs follow the rule, unambiguous, test colours demonstrated', () => {
    for (const set of sets) {
      for (const [id, task] of Object.entries(set.challenges)) {
        const m = set.meta[id];
        expect(task.train.length).toBe(4);
        expect(task.test.length).toBe(1);
        const truth = set.solutions[id][0];
        for (const p of [...task.train, { input: task.test[0].input, output: truth }]) {
          expect(p.input.length).toBe(1);
          expect(row(p.input).length).toBe(m.width);
          expect(row(p.input).every((c) => Number.isInteger(c) && c >= 0 && c <= 9)).toBe(true);
          expect(applyRule(m.op, m.map, p.input)).toEqual(p.output);
        }
        if (m.family !== 'identity') expect(task.train.every((p) => row(p.input).join() !== row(p.output).join())).toBe(true);
        const seen = new Set(task.train.flatMap((p) => row(p.input)));
        expect(row(task.test[0].input).every((c) => seen.has(c))).toBe(true);
        expect(isAmbiguous(task.train, task.test[0].input, truth, m.map)).toBe(false);
        if (m.colour === 'cipher') {
          expect(Object.keys(m.map).map(Number).sort()).toEqual(m.palette);
          expect(m.palette.every((c) => m.map[c] !== c && m.map[c] >= 1 && m.map[c] <= 9)).toBe(true);
          expect(new Set(Object.values(m.map)).size).toBe(m.palette.length);
        }
      }
    }
  });
  it('splits are disjoint in content and ids', () => {
    const keys = sets.map((s) => new Set(Object.values(s.challenges).map((t) => JSON.stringify(t))));
    for (const k of keys[1]) expect(keys[2].has(k)).toBe(false);
    const ids = sets.flatMap((s) => Object.keys(s.challenges));
    expect(new Set(ids).size).toBe(ids.length);
  });
  it('deals every family of the split', () => {
    expect(new Set(Object.values(sets[0].meta).map((m) => m.family)).size).toBe(PRETRAIN_FAMILIES.length);
    expect(new Set(Object.values(sets[2].meta).map((m) => m.family)).size).toBe(CIPHER_FAMILIES.length);
  });
  it('options: families, demos, width, palette, and their errors', () => {
    const s = generateCipherTasks({ seed: 1, count: 10, split: 'heldout', families: ['reverse+cipher'], demos: [3, 5], width: [6, 6], palette: [4, 4] });
    for (const [id, t] of Object.entries(s.challenges)) {
      expect(s.meta[id].family).toBe('reverse+cipher');
      expect(t.train.length).toBeGreaterThanOrEqual(3);
      expect(t.train.length).toBeLessThanOrEqual(5);
      expect(s.meta[id].width).toBe(6);
      expect(s.meta[id].palette.length).toBe(4);
    }
    expect(() => generateCipherTasks({ seed: 1, count: 1, split: 'pretrain', families: ['reverse+cipher'] })).toThrow(/not in split/);
    expect(() => generateCipherTasks({ seed: 1, count: -1, split: 'pretrain' })).toThrow();
    expect(() => generateCipherTasks({ seed: 1, count: 1, split: 'pretrain', width: [2, 4] })).toThrow(/width/);
  });
  it('ambiguity check catches a second explanation', () => {
    // a palindrome-only set: reverse and identity both explain it
    const train = [{ input: [[1, 2, 1]], output: [[1, 2, 1]] }, { input: [[2, 1, 2]], output: [[2, 1, 2]] }];
    expect(isAmbiguous(train, [[1, 1, 2]], [[1, 1, 2]], {})).toBe(true);
  });
  it('task ids are pinned (the exported PyTorch data of tools/models/arcworld depends on them)', () => {
    const ids = (split: 'pretrain' | 'restem' | 'heldout', n: number) => Object.keys(generateCipherTasks({ seed: 3000, count: n, split }).challenges);
    expect(ids('heldout', 3)).toEqual(['identity+cipher.e3299a5d', 'shift_left+cipher.26d65da3', 'reverse+cipher.d4afa5d3']);
    expect(ids('restem', 2)).toEqual(['shift_right+cipher.419ec61d', 'shift_left+cipher.0651d1b9']);
    expect(ids('pretrain', 2)).toEqual(['shift_right.910460d0', 'identity.fc002530']);
  });
});
