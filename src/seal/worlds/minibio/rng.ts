// The mini-bio world's seeded draws as plain functions over the SEAL layer's mulberry32 stream (../../core/rng.ts),
// so a seed reproduces every person, passage and corpus document on any machine.
import { Rng as Stream } from '../../core/rng.ts';

export type Rng = () => number;

/** mulberry32: uniform in [0, 1) from a 32-bit seed (the same stream as core's Rng). */
export function mulberry32(seed: number): Rng {
  const s = new Stream(seed);
  return () => s.next();
}

/** A seed derived from a base seed and a label, so independent streams (people, corpus, …) never share draws. */
export function deriveSeed(seed: number, label: string): number {
  let h = (seed ^ 0x811c9dc5) >>> 0;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export const randInt = (rng: Rng, n: number): number => Math.floor(rng() * n);
export const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[randInt(rng, xs.length)];

/** Fisher–Yates on a copy. */
export function shuffled<T>(xs: readonly T[], rng: Rng): T[] {
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = randInt(rng, i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
