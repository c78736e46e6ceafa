// What one dispatch costs apart from its work: a tiny fill kernel dispatched many times in a row, timed twice —
// recording only (the engine's JS: parameters, the cached bind group, the pass calls) and through to a read
// (plus the queue and the GPU's per-dispatch cost). Times dispatches per decode step, it bounds what fusing
// kernels can still save.
import type { Gpu } from '../engine/gpu/context.ts';
import { fill_forward } from '../engine/kernels/elementwise/copy.ts';
import { round } from './measure.ts';
import type { DispatchOverhead } from './types.ts';

const N = 2000; // below the parameter ring's 2048 slots, so recording never flushes in the middle

export async function measureDispatchOverhead(gpu: Gpu): Promise<DispatchOverhead> {
  const bufs = Array.from({ length: 8 }, (_, i) => gpu.buffer(`bench-dispatch-${i}`, 256));
  try {
    const record: number[] = [];
    const total: number[] = [];
    for (let rep = 0; rep < 5; rep++) {
      await gpu.readF32(bufs[0], 1);
      const t = performance.now();
      for (let i = 0; i < N; i++) fill_forward(gpu, bufs[i % bufs.length], 64, i);
      record.push(performance.now() - t);
      await gpu.readF32(bufs[0], 1);
      total.push(performance.now() - t);
    }
    const median = (x: number[]) => x.sort((a, b) => a - b)[x.length >> 1];
    return {
      dispatches: N, recordUs: round((1000 * median(record)) / N), totalUs: round((1000 * median(total)) / N),
      method: `${N} dispatches of a 64-element fill over 8 buffers; median of 5; µs per dispatch recording, and through to a read`,
    };
  } finally {
    gpu.release(...bufs);
  }
}
