// Plain TypeScript twin of random_fill_forward (random_fill.ts): the same counter-based hash, in f32 arithmetic.
import type { RandomFillArgs } from './random_fill.ts';

const mix32 = (x: number) => {
  let z = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
};

/** The n values as f32 (before any f16/bf16 rounding, which the test applies with dtype.ts's converters). */
export function random_fill_twin(a: Omit<RandomFillArgs, 'dtype'>): Float32Array {
  const { n, seed, scale, offset = 0, i0 = 0 } = a;
  const s = mix32(seed >>> 0);
  const out = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    const i = (i0 + j) >>> 0;
    const u = Math.fround((mix32((Math.imul(i, 0x9e3779b9) + s) >>> 0) >>> 8) / 8388608 - 1); // exact
    out[j] = Math.fround(offset + Math.fround(scale * u));
  }
  return out;
}
