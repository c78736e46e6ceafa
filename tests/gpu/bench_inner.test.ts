// The benchmark's `inner` section (src/bench/inner.ts) at a tiny size on the golden model: every slot count gets a
// row, the S = 1 row is the baseline of the ratios, and the adapters' memory grows with S; a last S = 1 row
// recomputes the intermediates in the backward, and the model is left keeping them.
import { expect, it } from 'vitest';
import { innerSection } from '../../src/bench/inner.ts';
import { httpFolder, loadModel } from '../../src/engine/model/loader.ts';
import { gpuCase } from './device.ts';

it('inner: rollouts per second at S = 1 and 2 (and S = 1 recomputing), with the ratio to S = 1 and each S\'s memory', () =>
  gpuCase(async (gpu) => {
    const model = await loadModel(gpu, httpFolder('/tests/golden/llama3-f32/model'));
    try {
      const r = await innerSection(gpu, model, {
        track: 'test', seqLens: [5, 9], epochs: 1, batchSize: 1, loraRank: 4, targets: ['q_proj', 'v_proj'],
        prompts: 2, promptTokens: 4, newTokens: 2, slots: [1, 2], rollouts: 2,
      }, () => {});
      expect(r.workload.stepsPerRollout).toBe(2);
      expect(r.rows.map((x) => [x.slots, x.intermediates])).toEqual([[1, 'kept'], [2, 'kept'], [1, 'recomputed']]);
      expect(model.recompute).toBe(false);
      expect(r.rows[0].ratio).toBe(1);
      for (const row of r.rows) expect(row.rolloutsPerSecond).toBeGreaterThan(0);
      expect(r.rows[1].ratio).toBeCloseTo(r.rows[1].rolloutsPerSecond / r.rows[0].rolloutsPerSecond, 2);
      expect(r.rows[1].loraBytes).toBeGreaterThan(r.rows[0].loraBytes);
    } finally {
      model.destroy();
    }
  }));
