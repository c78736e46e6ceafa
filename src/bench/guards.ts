// What the numerical guards cost. Training: LoRA steps with the trainer's non-finite check on and off, in turns
// over several rounds (median) — the check only reads the loss and gradient norm each step reads anyway. Loading:
// the GPU pass that counts NaN/±Inf in every weight, timed over the loaded model's buffers.
import type { Gpu } from '../engine/gpu/context.ts';
import { isQuant, type WeightDType } from '../engine/gpu/dtype.ts';
import { count_nonfinite_forward } from '../engine/kernels/checks/count_nonfinite.ts';
import type { LlamaModel, TokenBatch } from '../engine/model/llama.ts';
import { LoraAdapter } from '../engine/model/lora.ts';
import { PROJECTIONS, type GpuMatrix, type GpuTensor } from '../engine/model/weights.ts';
import { LoraTrainer } from '../engine/train/trainer.ts';
import { measure, median, randomTokens, round, timed } from './measure.ts';
import { BENCH_HYPER } from './model.ts';
import type { BenchRequest, GuardsReport } from './types.ts';

const ROUNDS = 5;

export async function guardsSection(gpu: Gpu, model: LlamaModel, req: BenchRequest, log: (m: string) => void): Promise<GuardsReport> {
  const T = req.trainTokens;
  const batch: TokenBatch = { B: 1, T, tokens: randomTokens(T, model.cfg.vocabSize, 41), mask: new Int32Array(T).fill(1) };
  const adapter = new LoraAdapter(gpu, model.cfg, { r: req.loraRank, alpha: 2 * req.loraRank, targets: [...PROJECTIONS] });
  const trainer = new LoraTrainer(model, adapter, BENCH_HYPER);
  const counts = gpu.buffer('bench-nonfinite-counts', 4);
  try {
    adapter.reset(42);
    const rate = { on: [] as number[], off: [] as number[] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const guard of [true, false]) {
        trainer.guard = guard;
        rate[guard ? 'on' : 'off'].push(T / (await measure(() => timed(() => trainer.step([{ batch, lossMask: batch.mask }])))));
      }
    }
    trainer.guard = true;
    const on = median(rate.on);
    const off = median(rate.off);
    // Every float weight buffer, as the load checks them (quantised matrices are checked before quantising: here
    // the same element count is read from their codes, which bounds the cost from above).
    const w = model.weights;
    const parts: Array<{ buffer: GPUBuffer; n: number; dtype: WeightDType }> = [];
    const matrix = (m: GpuMatrix) => {
      for (const s of m.shards) parts.push({ buffer: s.data, n: isQuant(m.format) ? Math.floor(s.data.size / 4) : s.rows * m.cols, dtype: isQuant(m.format) ? 'f32' : m.format });
    };
    const vector = (t: GpuTensor) => parts.push({ buffer: t.buffer, n: t.shape.reduce((a, b) => a * b, 1), dtype: t.dtype });
    matrix(w.embed);
    for (const l of w.layers) {
      vector(l.inputNorm);
      vector(l.postNorm);
      for (const p of PROJECTIONS) matrix(l.proj[p].w);
    }
    vector(w.norm);
    if (w.head !== w.embed) matrix(w.head);
    const loadCheck = await measure(async () => {
      const t = performance.now();
      for (const p of parts) count_nonfinite_forward(gpu, counts, p.buffer, { n: p.n, dtype: p.dtype, slot: 0 });
      await gpu.read(counts, 4);
      return (performance.now() - t) / 1000;
    });
    const report = {
      trainTokPerS: round(on), trainTokPerSWithoutGuard: round(off), trainCostPct: round((100 * (off - on)) / off, 2),
      loadCheckSeconds: round(loadCheck), loadCheckElements: parts.reduce((a, p) => a + p.n, 0), rounds: ROUNDS,
    };
    log(`guards: training ${report.trainTokPerS} tok/s with the check, ${report.trainTokPerSWithoutGuard} without (${report.trainCostPct} %); ` +
      `load-time NaN/Inf count over ${report.loadCheckElements} weights: ${report.loadCheckSeconds} s`);
    return report;
  } finally {
    gpu.release(counts);
    trainer.destroy();
    adapter.destroy();
  }
}
