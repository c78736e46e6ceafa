// The track-independent SEAL core (src/seal/core/): run control, the seeded stream, padded batches, step counts.
// The loop itself runs a toy track on the GPU in tests/gpu/seal_core.test.ts.
import { describe, expect, it } from 'vitest';
import { allTokens, padBatch } from '../../src/seal/core/batch.ts';
import { RunControl, RunStopped } from '../../src/seal/core/control.ts';
import { slotBatch, trainingSteps } from '../../src/seal/core/fine_tune.ts';
import { hashSeed, Rng } from '../../src/seal/core/rng.ts';

describe('RunControl', () => {
  it('step mode stops at every checkpoint until step', async () => {
    const c = new RunControl();
    c.apply('step-mode');
    let passed = 0;
    const loop = (async () => { for (let i = 0; i < 3; i++) { await c.checkpoint(); passed++; } })();
    await new Promise((r) => setTimeout(r, 10));
    expect(passed).toBe(0);
    c.apply('step');
    await new Promise((r) => setTimeout(r, 10));
    expect(passed).toBe(1);
    c.apply('run-mode');
    await loop;
    expect(passed).toBe(3);
  });
  it('pause waits, stop ends the run with RunStopped', async () => {
    const c = new RunControl();
    c.apply('pause');
    const p = c.checkpoint();
    c.apply('stop');
    await expect(p).rejects.toBeInstanceOf(RunStopped);
    await expect(c.checkpoint()).rejects.toThrow(/stopped/);
  });
  it('work handed to a held run is done at its checkpoint, which stays held; a failure is the caller\'s; after the run it fails', async () => {
    const c = new RunControl();
    c.apply('step-mode');
    const order: string[] = [];
    let passed = 0;
    const loop = (async () => { await c.checkpoint(); passed++; })();
    await new Promise((r) => setTimeout(r, 10));
    expect(await c.atCheckpoint(async () => (order.push('job'), 7))).toBe(7); // served while held
    await expect(c.atCheckpoint(async () => { throw new RangeError('bad edit'); })).rejects.toThrow('bad edit');
    expect(passed).toBe(0); // still held: the run goes on only when asked
    c.apply('step');
    await loop;
    expect([order, passed]).toEqual([['job'], 1]);
    const late = c.atCheckpoint(async () => 1);
    c.close();
    await expect(late).rejects.toBeInstanceOf(RunStopped);
    await expect(c.atCheckpoint(async () => 1)).rejects.toThrow(/ended/);
  });
});

describe('Rng (mulberry32)', () => {
  it('is the same stream as before the core existed (task sets, augmentations and orders depend on it)', () => {
    const r = new Rng(42);
    expect([r.next(), r.next(), r.next()].map((x) => Math.floor(x * 2 ** 32))).toEqual([2581720956, 1925393290, 3661312704]);
  });
  it('is reproducible and in [0, 1)', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b.next()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(xs).size).toBeGreaterThan(990);
    expect(new Rng(43).next()).not.toBe(new Rng(42).next());
  });
  it('draws integers, picks and shuffles deterministically per seed', () => {
    const a = new Rng(42), b = new Rng(42), c = new Rng(43);
    const xs = Array.from({ length: 50 }, () => a.int(10));
    expect(Array.from({ length: 50 }, () => b.int(10))).toEqual(xs);
    expect(Array.from({ length: 50 }, () => c.int(10))).not.toEqual(xs);
    expect(xs.every((x) => Number.isInteger(x) && x >= 0 && x < 10)).toBe(true);
    expect(new Set(xs).size).toBeGreaterThan(5);
    const r = new Rng(1);
    for (let i = 0; i < 200; i++) expect([3, 4, 5]).toContain(r.range(3, 5));
    expect(['a', 'b']).toContain(r.pick(['a', 'b']));
    const seeds = Array.from({ length: 20 }, () => r.seed());
    expect(seeds.every((s) => Number.isInteger(s) && s >= 0 && s < 2 ** 32)).toBe(true);
  });
  it('shuffle is a permutation and does not mutate', () => {
    const xs = [1, 2, 3, 4, 5, 6, 7, 8];
    const s = new Rng(1).shuffle(xs);
    expect(xs).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...s].sort()).toEqual(xs);
  });
  it('hashSeed is a function of its parts', () => {
    expect(hashSeed(1, 'x')).toBe(hashSeed(1, 'x'));
    expect(hashSeed(1, 'x')).not.toBe(hashSeed(1, 'y'));
  });
});

describe('trainingSteps', () => {
  it('= ceil(examples / batch) · epochs', () => {
    expect(trainingSteps(250, 2, 2)).toBe(250);
    expect(trainingSteps(251, 1, 2)).toBe(126);
    expect(trainingSteps(5, 3, 4)).toBe(6);
    expect(trainingSteps(0, 5, 2)).toBe(0);
    expect(trainingSteps(7, 2, 1)).toBe(14);
    expect(() => trainingSteps(7, 2, 0)).toThrow();
  });
});

describe('padBatch', () => {
  it('right-pads tokens, masks and loss weights', () => {
    const { batch, lossMask } = padBatch([{ ids: [1, 2, 3], weights: [0, 1, 1] }, { ids: [4], weights: [1] }]);
    expect(batch.T).toBe(3);
    expect([...batch.tokens]).toEqual([1, 2, 3, 4, 0, 0]);
    expect([...batch.mask]).toEqual([1, 1, 1, 1, 0, 0]);
    expect([...lossMask]).toEqual([0, 1, 1, 1, 0, 0]);
  });
});

describe('slotBatch (the adapter slots\' shared batch)', () => {
  const a = { ids: [1, 2, 3], weights: [0, 1, 1] };
  const b = { ids: [4], weights: [1] };
  it('with one slot it is padBatch itself', () => {
    expect(slotBatch([[a, b]])).toEqual(padBatch([a, b]));
  });
  it('gives every slot as many rows as the fullest, its own first; fillers and idle slots are one weightless token', () => {
    const { batch, lossMask } = slotBatch([[a], [], [b, a]]);
    expect([batch.B, batch.T]).toEqual([6, 3]);
    expect(Array.from(batch.tokens)).toEqual([1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 1, 2, 3]);
    expect(Array.from(batch.mask)).toEqual([1, 1, 1, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 1, 1]);
    expect(Array.from(lossMask)).toEqual([0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1]);
  });
});

describe('allTokens', () => {
  it('weights every token', () => {
    expect(allTokens([5, 6, 7])).toEqual({ ids: [5, 6, 7], weights: [1, 1, 1] });
  });
  it('padBatch refuses an empty sequence', () => {
    expect(() => padBatch([allTokens([])])).toThrow(/at least one token/);
  });
});
