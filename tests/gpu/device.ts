// Shared GPU test fixture. No adapter is a failure, never a skip.
import { expect } from 'vitest';
import { Gpu } from '../../src/engine/gpu/context.ts';
import { requestEngineDevice } from '../../src/engine/gpu/device.ts';

let cached: Promise<Gpu> | null = null;

/** One device per test file (each file runs in its own page). */
export function testGpu(): Promise<Gpu> {
  cached ??= requestEngineDevice(navigator.gpu).then(({ device, info }) => {
    console.info(`WebGPU adapter: ${info.vendor} ${info.architecture} ${info.description}`);
    return new Gpu(device);
  });
  return cached;
}

/**
 * Runs `fn` inside validation and out-of-memory error scopes, destroys every buffer it registered with `track`,
 * and fails the test if the GPU reported an error.
 */
export async function gpuCase<T>(fn: (gpu: Gpu, track: <B extends GPUBuffer>(b: B) => B) => Promise<T>): Promise<T> {
  const gpu = await testGpu();
  const made: GPUBuffer[] = [];
  gpu.device.pushErrorScope('validation');
  gpu.device.pushErrorScope('out-of-memory');
  try {
    return await fn(gpu, (b) => (made.push(b), b));
  } finally {
    gpu.flush();
    const oom = await gpu.device.popErrorScope();
    const validation = await gpu.device.popErrorScope();
    for (const b of made) b.destroy();
    expect(validation?.message ?? null, 'WebGPU validation error').toBeNull();
    expect(oom?.message ?? null, 'WebGPU out-of-memory error').toBeNull();
  }
}

/** Deterministic pseudo-random floats in [-1, 1) (tests only). */
export function randn(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    out[i] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return out;
}

/** max |a - b| / (max |b| + floor), and the relative norm error ||a - b|| / ||b||. */
export function errors(a: ArrayLike<number>, b: ArrayLike<number>): { maxAbs: number; relNorm: number } {
  expect(a.length).toBe(b.length);
  let maxAbs = 0, num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    if (!Number.isFinite(a[i])) return { maxAbs: Infinity, relNorm: Infinity };
    maxAbs = Math.max(maxAbs, Math.abs(d));
    num += d * d;
    den += b[i] * b[i];
  }
  return { maxAbs, relNorm: Math.sqrt(num / Math.max(den, 1e-30)) };
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}
