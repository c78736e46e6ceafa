// GPU memory: the estimate (src/engine/model/memory.ts) is what the engine allocates, part by part, and a model
// that does not fit is refused with a GpuMemoryError before anything is allocated.
import { describe, expect, it } from 'vitest';
import { gpuCase, testGpu } from './device.ts';
import { GpuMemoryError, maxBinding } from '../../src/engine/gpu/context.ts';
import { LoraAdapter } from '../../src/engine/model/lora.ts';
import { LoraTrainer } from '../../src/engine/train/trainer.ts';
import { Workspace } from '../../src/engine/model/workspace.ts';
import { estimateMemory, type MemoryPart, type MemoryPlan } from '../../src/engine/model/memory.ts';
import type { Projection } from '../../src/engine/model/weights.ts';
import type { Quantization } from '../../src/engine/model/matrix.ts';
import { goldenConfig, loadGolden } from './quant_models.ts';

const targets: Projection[] = ['q_proj', 'v_proj', 'down_proj'];
const plan: MemoryPlan = { batch: 2, seqLen: 40, rows: 24, trainRows: 30, loraRank: 4, loraTargets: targets };

const CASES: [string, Quantization, number | null][] = [
  ['llama3-f32', 'none', null],
  ['llama3-bf16', 'q8', null],
  ['qwen2-f32', 'q4', 4000], // tied, biases, and weights split into shards of ≤ 4000 bytes
];

describe('the memory estimate is what gets allocated', () => {
  for (const [name, quantize, split] of CASES) {
    it(`${name} ${quantize}${split ? ', split' : ''}: weights, adapter, optimizer, activations, KV cache`, () =>
      gpuCase(async (gpu) => {
        const cfg = await goldenConfig(name);
        const saved = gpu.options.maxBindingBytes;
        if (split) gpu.options.maxBindingBytes = split;
        const est = estimateMemory(cfg, { ...plan, quantize, dtype: cfg.dtype!, maxBindingBytes: gpu.options.maxBindingBytes });
        const part = (n: MemoryPart['name']) => est.parts.find((p) => p.name === n)!.bytes;
        let at = gpu.allocatedBytes;
        const delta = () => { const d = gpu.allocatedBytes - at; at = gpu.allocatedBytes; return d; };
        const model = await loadGolden(gpu, name, { quantize, plan }).finally(() => { gpu.options.maxBindingBytes = saved; });
        let adapter: LoraAdapter | null = null;
        let trainer: LoraTrainer | null = null;
        try {
          expect(delta(), 'weights').toBe(part('weights'));
          expect(model.weights.bytes).toBe(part('weights'));
          adapter = new LoraAdapter(gpu, cfg, { r: 4, alpha: 8, targets });
          adapter.reset(1);
          expect(delta(), 'adapter').toBe(part('adapter'));
          expect(adapter.size).toBe(est.loraSize);
          trainer = new LoraTrainer(model, adapter, { lr: 1e-3, warmupSteps: 0, totalSteps: 1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 });
          expect(delta(), 'optimizer').toBe(part('optimizer'));
          // a forward of `rows` (2 × 12) with the adapter, then a training step of `trainRows` (1 × 30)
          const tok = (n: number) => Int32Array.from({ length: n }, (_, i) => (i * 7) % cfg.vocabSize);
          await model.forward({ B: 2, T: 12, tokens: tok(24), mask: new Int32Array(24).fill(1) }, { adapter, logits: false });
          const train = { B: 1, T: 30, tokens: tok(30), mask: new Int32Array(30).fill(1) };
          await trainer.step([{ batch: train, lossMask: train.mask }]);
          expect(delta(), 'activations').toBe(part('activations'));
          const cache = model.createCache(2, 40);
          expect(delta(), 'KV cache').toBe(part('kvCache'));
          cache.destroy();
          console.info(`${name} ${quantize}: ${est.parts.map((p) => `${p.name} ${p.bytes}`).join(', ')}; largest ${est.largest.name} ${est.largest.bytes}`);
        } finally {
          trainer?.destroy();
          adapter?.destroy();
          model.destroy();
        }
      }));
  }
});

describe('adapter slots in the memory plan', () => {
  it('3 slots: the adapter and its optimizer state three times, activations for all their rows', () =>
    gpuCase(async (gpu) => {
      const cfg = await goldenConfig('llama3-f32');
      const slotted: MemoryPlan = { ...plan, loraSlots: 3, trainRows: 3 * 10 };
      const est = estimateMemory(cfg, { ...slotted, dtype: cfg.dtype!, maxBindingBytes: gpu.options.maxBindingBytes });
      const one = estimateMemory(cfg, { ...plan, dtype: cfg.dtype!, maxBindingBytes: gpu.options.maxBindingBytes });
      const part = (e: typeof est, n: MemoryPart['name']) => e.parts.find((p) => p.name === n)!.bytes;
      expect(part(est, 'adapter')).toBe(3 * part(one, 'adapter'));
      const model = await loadGolden(gpu, 'llama3-f32', { plan: slotted });
      let at = gpu.allocatedBytes;
      const delta = () => { const d = gpu.allocatedBytes - at; at = gpu.allocatedBytes; return d; };
      const adapter = new LoraAdapter(gpu, cfg, { r: 4, alpha: 8, targets }, 3);
      const trainer = new LoraTrainer(model, adapter, { lr: 1e-3, warmupSteps: 0, totalSteps: 1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 });
      try {
        expect(delta(), 'adapter + optimizer').toBe(part(est, 'adapter') + part(est, 'optimizer'));
        const tok = (n: number) => Int32Array.from({ length: n }, (_, i) => (i * 7) % cfg.vocabSize);
        await model.forward({ B: 2, T: 12, tokens: tok(24), mask: new Int32Array(24).fill(1) }, { logits: false });
        const train = { B: 3, T: 10, tokens: tok(30), mask: new Int32Array(30).fill(1) }; // one sequence per slot
        await trainer.stepSlots([{ batch: train, lossMask: train.mask }], [0, 1, 2].map(() => ({ lr: 1e-3, warmupSteps: 0, totalSteps: 1 })));
        expect(delta(), 'activations').toBe(part(est, 'activations'));
      } finally {
        trainer.destroy();
        adapter.destroy();
        model.destroy();
      }
    }));
});

describe('too large: a clear GpuMemoryError and nothing allocated', () => {
  it('a budget the weights exceed refuses the load and says what would fit', () =>
    gpuCase(async (gpu) => {
      const cfg = await goldenConfig('llama3-f32');
      const q4 = estimateMemory(cfg, { ...plan, quantize: 'q4', dtype: 'f32', maxBindingBytes: gpu.options.maxBindingBytes });
      const before = gpu.allocatedBytes;
      const e = await loadGolden(gpu, 'llama3-f32', { plan, memoryBudget: q4.total + 1 }).then(() => null, (x: Error) => x);
      expect(e).toBeInstanceOf(GpuMemoryError);
      expect(e!.message).toMatch(/needs .* but the budget is/);
      expect(e!.message).toMatch(/weights .*activations/s);
      expect(e!.message).toMatch(/What would fit: .*q4/);
      expect(gpu.allocatedBytes).toBe(before);
    }));

  it("quantize 'auto' picks the widest format within the budget", () =>
    gpuCase(async (gpu) => {
      const cfg = await goldenConfig('llama3-bf16');
      const total = (q: Quantization) => estimateMemory(cfg, { ...plan, quantize: q, dtype: 'bf16', maxBindingBytes: gpu.options.maxBindingBytes }).total;
      const picks: [number, Quantization | null][] = [
        [total('none'), 'none'], [total('none') - 1, 'q8'], [total('q8') - 1, 'q4'], [total('q4') - 1, null],
      ];
      for (const [budget, want] of picks) {
        const before = gpu.allocatedBytes;
        const got = await loadGolden(gpu, 'llama3-bf16', { quantize: 'auto', memoryBudget: budget, plan }).then((m) => m, (x: Error) => x);
        if (want === null) {
          expect(got).toBeInstanceOf(GpuMemoryError);
          expect(gpu.allocatedBytes).toBe(before);
        } else {
          if (got instanceof Error) throw got;
          expect(got.weights.quantization, `budget ${budget}`).toBe(want);
          got.destroy();
        }
      }
    }));

  it('activations beyond the binding limit are refused before any buffer is made', async () => {
    const gpu = await testGpu();
    const cfg = await goldenConfig('llama3-f32');
    const rows = Math.floor(maxBinding(gpu.limits) / (cfg.intermediate * 4)) + 1;
    const before = gpu.allocatedBytes;
    expect(() => new Workspace(gpu, cfg, rows, 0)).toThrow(/ws\.gate needs .* shorter sequences/);
    expect(gpu.allocatedBytes).toBe(before);
  });
});
