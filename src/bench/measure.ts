// Timing and random inputs shared by every benchmark section. Each number is the median after one warm-up run,
// repeating until MIN_SECONDS of measuring or MAX_REPS; a GPU run ends with a read of a small buffer, which
// waits for all submitted work.
import { Xoshiro128 } from '../engine/model/xoshiro.ts';

export const MIN_SECONDS = 0.5;
export const MAX_REPS = 30;
/** Short runs are batched so the sync round trip stays a small part of each timing. */
const BATCH_SECONDS = 0.02;
export const CPU_MAX_SECONDS = 3;

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};
export const round = (x: number, digits = 3) => Number(x.toPrecision(digits));
export const gflops = (M: number, N: number, K: number, s: number) => round((2 * M * N * K) / s / 1e9);

/** How far logits `x` are from `ref`: the largest absolute difference and the relative norm ‖x − ref‖ / ‖ref‖. */
export function logitDiff(x: Float32Array, ref: Float32Array): { maxAbs: number; rel: number } {
  let num = 0, den = 0, maxAbs = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - ref[i];
    num += d * d;
    den += ref[i] ** 2;
    maxAbs = Math.max(maxAbs, Math.abs(d));
  }
  return { maxAbs: round(maxAbs), rel: round(Math.sqrt(num / Math.max(den, 1e-30))) };
}

/** Median seconds per unit of `run(n)` (which does n units and returns seconds per unit). */
export async function measure(run: (n: number) => Promise<number>, batchable = false): Promise<number> {
  await run(1);
  const times: number[] = [];
  let n = 1;
  const t0 = performance.now();
  do {
    const s = await run(n);
    times.push(s);
    if (batchable && times.length === 1) n = Math.max(1, Math.min(64, Math.floor(BATCH_SECONDS / s)));
  } while (times.length < MAX_REPS && performance.now() - t0 < MIN_SECONDS * 1000);
  return median(times);
}

export function randomF32(n: number, seed: number): Float32Array {
  const rng = new Xoshiro128(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = rng.next() * 2 - 1;
  return x;
}

export const randomTokens = (n: number, vocab: number, seed: number) => {
  const rng = new Xoshiro128(seed);
  return Int32Array.from({ length: n }, () => Math.floor(rng.next() * vocab));
};

/** Seconds `f` took. */
export async function timed(f: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await f();
  return (performance.now() - t) / 1000;
}
