// How Gpu.dispatch records work. Bind groups (engine/gpu/bind_groups.ts) are made once per pipeline and buffers and
// reused with the Params slot as a dynamic offset: a repeated dispatch must make no new one and still see its own
// parameters. The benchmark's kernel profile (engine/gpu/profiler.ts via Gpu.profile): every dispatch timed in its
// own pass, totals per pipeline label, and the work itself unchanged. SwiftShader's adapter has 'timestamp-query';
// the engine asks for it, so a profile here must come back with times (null would mean the request was dropped).
import { describe, expect, it } from 'vitest';
import { fill_forward } from '../../src/engine/kernels/elementwise/copy.ts';
import { generate } from '../../src/engine/model/generate.ts';
import { httpFolder, loadModel } from '../../src/engine/model/loader.ts';
import { matmul_forward } from '../../src/engine/kernels/matmul/matmul.ts';
import { matmul_twin } from '../../src/engine/kernels/matmul/matmul.twin.ts';
import { errors, gpuCase, randn } from './device.ts';

describe('bind groups', () => {
  it('are made once per pipeline and buffers; each dispatch still reads its own parameters', () =>
    gpuCase(async (gpu, track) => {
      const [x, y] = [gpu.buffer('x', 64 * 4), gpu.buffer('y', 64 * 4)].map(track);
      const made = gpu.bindGroups.created;
      fill_forward(gpu, x, 64, 1);
      fill_forward(gpu, x, 32, 2); // same pipeline and buffer, other parameters: reused
      expect(gpu.bindGroups.created - made).toBe(1);
      fill_forward(gpu, y, 64, 5);
      expect(gpu.bindGroups.created - made).toBe(2);
      expect([...(await gpu.readF32(x, 64))]).toEqual([...Array(32).fill(2), ...Array(32).fill(1)]);
      expect((await gpu.readF32(y, 64)).every((v) => v === 5)).toBe(true);
    }));

  it('a decode step after the first makes none at all', () =>
    gpuCase(async (gpu) => {
      const model = await loadModel(gpu, httpFolder('/tests/golden/llama3-f32/model'));
      try {
        const made: number[] = [];
        await generate(model, [[1, 2, 3, 4]], { maxNewTokens: 6, stopTokens: [], onStep: () => void made.push(gpu.bindGroups.created) });
        expect(made.length).toBe(6);
        // made[0]: after the prefill; made[1]: after the first decode step (its own pipelines); later steps reuse all
        expect(made[1]).toBeGreaterThan(made[0]);
        expect(made.slice(1)).toEqual(Array(5).fill(made[1]));
      } finally {
        model.destroy();
      }
    }));
});

describe('kernel profile', () => {
  it('times each dispatch per pipeline and leaves the results as an unprofiled run gives them', () =>
    gpuCase(async (gpu, track) => {
      expect(gpu.device.features.has('timestamp-query'), 'the engine requests timestamp-query where the adapter has it').toBe(true);
      const n = 192;
      const a = randn(n * n, 1), b = randn(n * n, 2);
      const [ga, gb, gc, gz] = [gpu.upload('a', a), gpu.upload('b', b), gpu.buffer('c', n * n * 4), gpu.buffer('z', 1024 * 4)].map(track);
      const dispatches = gpu.dispatches;
      const run = await gpu.profile(async () => {
        fill_forward(gpu, gz, 1024, 3);
        matmul_forward(gpu, gc, ga, gb, { M: n, N: n, K: n, transB: true });
        matmul_forward(gpu, gc, ga, gb, { M: n, N: n, K: n, transB: true, beta: 1 });
        return gpu.readF32(gc, n * n);
      });
      expect(gpu.dispatches - dispatches).toBe(3);
      expect(run.dropped).toBe(0);
      const want = new Float32Array(n * n);
      matmul_twin(want, a, b, { M: n, N: n, K: n, transB: true, alpha: 2 });
      expect(errors(run.value, want).relNorm).toBeLessThan(1e-5);
      expect((await gpu.readF32(gz, 1024)).every((x) => x === 3)).toBe(true);
      const kernels = run.kernels!;
      expect(kernels.map((k) => k.dispatches).sort()).toEqual([1, 2]);
      const matmul = kernels.find((k) => k.label.startsWith('matmul'))!;
      expect(matmul.dispatches).toBe(2);
      // 2 · 192³ = 14 MFLOP at SwiftShader's ≤ 10 GFLOP/s is over a millisecond: a real time, not a zero
      expect(matmul.ns).toBeGreaterThan(1e6);
      expect(kernels[0]).toBe(matmul); // largest first
      // a later run is unprofiled again: dispatches share one pass and nothing is timed
      const after = await gpu.profile(async () => 0);
      expect(after.kernels).toEqual([]);
    }));
});
