// Next-token choice from a row of logits: greedy (temperature 0), or temperature with optional nucleus (top-p)
// sampling from a seeded Xoshiro128, so a seed reproduces a generation exactly.
import type { Xoshiro128 } from './xoshiro.ts';

export interface SamplingOptions {
  /** 0 = greedy (argmax, first index on ties, like torch.argmax). */
  temperature: number;
  /** Keep the smallest set of most likely tokens whose probability reaches topP (1 = all). */
  topP: number;
}

/** The greedy choice: the index of the largest logit, the first one on ties (like torch.argmax). */
export function argmax(logits: Float32Array): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return best;
}

export function sample(logits: Float32Array, o: SamplingOptions, rng: Xoshiro128): number {
  if (!(o.temperature >= 0)) throw new RangeError(`temperature must be ≥ 0, got ${o.temperature}`);
  if (!(o.topP > 0 && o.topP <= 1)) throw new RangeError(`top-p must be in (0, 1], got ${o.topP}`);
  const best = argmax(logits);
  if (o.temperature === 0) return best;
  const max = logits[best];
  const p = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < p.length; i++) sum += p[i] = Math.exp((logits[i] - max) / o.temperature);
  let ids: ArrayLike<number> = [];
  let mass = sum;
  if (o.topP < 1) {
    const order = Array.from(p.keys()).sort((a, b) => p[b] - p[a] || a - b);
    let keep = 0;
    mass = 0;
    while (keep < order.length && mass < o.topP * sum) mass += p[order[keep++]];
    ids = order.slice(0, keep);
  } else {
    ids = Array.from(p.keys());
  }
  let u = rng.next() * mass;
  for (let i = 0; i < ids.length; i++) {
    u -= p[ids[i]];
    if (u < 0) return ids[i];
  }
  return ids[ids.length - 1];
}
