import { describe, expect, it } from 'vitest';
import { bootstrapInterval } from '../../src/seal/core/interval.ts';
import { Tally } from '../../src/seal/core/loop.ts';

describe('bootstrap interval over held-out items', () => {
  it('is null without graded units', () => {
    expect(bootstrapInterval([], 1)).toBeNull();
    expect(bootstrapInterval([{ solved: 0, total: 0 }], 1)).toBeNull();
  });

  it('is a point when every item has the same rate, and brackets the rate otherwise', () => {
    expect(bootstrapInterval(Array.from({ length: 8 }, () => ({ solved: 3, total: 5 })), 7)).toEqual([0.6, 0.6]);
    const items = Array.from({ length: 16 }, (_, i) => ({ solved: i % 4 === 0 ? 5 : i % 2, total: 5 }));
    const rate = items.reduce((a, x) => a + x.solved, 0) / items.reduce((a, x) => a + x.total, 0);
    const [lo, hi] = bootstrapInterval(items, 7)!;
    expect(lo).toBeLessThan(rate);
    expect(hi).toBeGreaterThan(rate);
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
  });

  it('is reproducible from its seed and narrows with more items', () => {
    const few = Array.from({ length: 8 }, (_, i) => ({ solved: i % 2, total: 1 }));
    const many = Array.from({ length: 128 }, (_, i) => ({ solved: i % 2, total: 1 }));
    expect(bootstrapInterval(few, 3)).toEqual(bootstrapInterval(few, 3));
    const width = (x: [number, number] | null) => x![1] - x![0];
    expect(width(bootstrapInterval(many, 3))).toBeLessThan(width(bootstrapInterval(few, 3)) / 2);
    // a binomial proportion of 0.5 over 128 items: the 95 % half-width is ≈ 1.96 · sqrt(0.25 / 128) = 0.087
    expect(width(bootstrapInterval(many, 3)) / 2).toBeCloseTo(0.087, 1);
  });

  it('resamples items, not answers: the rollouts of one item move together', () => {
    const t = new Tally();
    t.add({ solved: 2, total: 5 }, 'p1');
    t.add({ solved: 3, total: 5 }, 'p1');
    t.add({ solved: 0, total: 5 }, 'p2');
    expect([...t.items.entries()]).toEqual([['p1', { solved: 5, total: 10 }], ['p2', { solved: 0, total: 5 }]]);
    expect([t.solved, t.total]).toEqual([5, 15]);
  });
});
