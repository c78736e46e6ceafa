// The benchmark's random-weight model of a real shape (src/bench/shape_model.ts, shape.ts): the random fill
// kernel against its twin in every storage type, the formats of one shaped model agreeing, and the whole
// section running at a tiny cut (one layer at full width, a small vocabulary, a few tokens).
import { describe, expect, it } from 'vitest';
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from '../../src/engine/gpu/dtype.ts';
import { random_fill_forward } from '../../src/engine/kernels/elementwise/random_fill.ts';
import { random_fill_twin } from '../../src/engine/kernels/elementwise/random_fill.twin.ts';
import { randomTokens } from '../../src/bench/measure.ts';
import { checkKernelClasses, shapeSection } from '../../src/bench/shape.ts';
import { buildShapeModel, shapeConfig } from '../../src/bench/shape_model.ts';
import { errors, gpuCase } from './device.ts';

describe('random_fill_forward', () => {
  for (const dtype of ['f32', 'bf16', 'f16'] as const) {
    it(`${dtype}: equals the twin from an offset, odd length, constant fill`, () =>
      gpuCase(async (gpu, track) => {
        const n = 1001;
        const buf = track(gpu.buffer('x', 4096 * 4));
        const args = { n, seed: 7, scale: 0.5, offset: 0.25, i0: 1_000_000 };
        random_fill_forward(gpu, buf, { ...args, dtype });
        const want = random_fill_twin(args);
        if (dtype === 'f32') {
          const got = await gpu.readF32(buf, n);
          // one multiply and one add: a GPU may fuse them (one rounding instead of two), hence 1 ulp at 0.75
          expect(errors(got, want).maxAbs).toBeLessThanOrEqual(2 ** -24);
        } else {
          const bits = new Uint16Array(await gpu.read(buf, Math.ceil(n / 2) * 4));
          expect(bits[n]).toBe(0); // the odd tail's high half
          const got = dtype === 'bf16' ? bf16ToF32(bits.slice(0, n)) : f16ToF32(bits.slice(0, n));
          const ref = dtype === 'bf16' ? bf16ToF32(f32ToBf16(want)) : f16ToF32(f32ToF16(want));
          // the same rounding of (at most 1 ulp apart) f32 values: equal, or one step of the 16-bit type apart
          expect(errors(got, ref).maxAbs).toBeLessThanOrEqual(dtype === 'bf16' ? 2 ** -8 : 2 ** -11);
          expect(got.filter((v, i) => v !== ref[i]).length).toBeLessThan(3);
        }
        // uniform on [offset − scale, offset + scale): mean and spread of 1001 values
        const mean = want.reduce((s, v) => s + v, 0) / n;
        expect(Math.abs(mean - 0.25)).toBeLessThan(0.05);
        expect(Math.min(...want)).toBeGreaterThanOrEqual(-0.25);
        expect(Math.max(...want)).toBeLessThan(0.75);
        random_fill_forward(gpu, buf, { n: 5, dtype, seed: 1, scale: 0, offset: 1 });
        const ones = dtype === 'f32' ? await gpu.readF32(buf, 5) : bf16OrF16(dtype, new Uint16Array(await gpu.read(buf, 12)).slice(0, 5));
        expect([...ones]).toEqual([1, 1, 1, 1, 1]);
      }));
  }
});

const bf16OrF16 = (dtype: 'bf16' | 'f16', b: Uint16Array) => (dtype === 'bf16' ? bf16ToF32(b) : f16ToF32(b));

describe('Llama-3.2-1B-shaped model', () => {
  it('bf16, q8 and q4 builds are the same model (logits within each format\'s error)', () =>
    gpuCase(async (gpu) => {
      const cfg = shapeConfig('llama-3.2-1b', { layers: 1, vocab: 256 });
      const T = 6;
      const batch = { B: 1, T, tokens: randomTokens(T, cfg.vocabSize, 3), mask: new Int32Array(T).fill(1) };
      const logits: Record<string, Float32Array> = {};
      const before = gpu.allocatedBytes;
      for (const quant of ['bf16', 'q8', 'q4'] as const) {
        const m = buildShapeModel(gpu, cfg, quant, 5);
        try {
          expect(m.weights.quantization).toBe(quant === 'bf16' ? 'none' : quant);
          logits[quant] = (await m.forward(batch)).logits!;
        } finally {
          m.destroy();
        }
      }
      expect(gpu.allocatedBytes).toBe(before); // the staging buffer and every weight released
      const scale = Math.max(...logits.bf16.map(Math.abs));
      expect(scale).toBeGreaterThan(0.1); // not all zero: the weights were filled
      expect(Number.isFinite(scale)).toBe(true);
      // measured here: q8 ~1e-2, q4 ~0.15 relative (the quantisation error through one layer and the head)
      expect(errors(logits.q8, logits.bf16).relNorm).toBeLessThan(3e-2);
      expect(errors(logits.q4, logits.bf16).relNorm).toBeLessThan(0.4);
    }));

  it('the bench section runs at a tiny cut and reports every row', () =>
    gpuCase(async (gpu) => {
      const info = { vendor: '', architecture: '', device: '', description: 'test adapter', features: [], limits: {} };
      const before = gpu.allocatedBytes;
      const r = await shapeSection(gpu, info, {
        name: 'llama-3.2-1b', quant: 'q4', layers: 1, vocab: 512, prefillTokens: 8, promptTokens: 3, decodeTokens: 3, batch: 2, trainTokens: [8], kernelCheck: false,
      }, () => {});
      expect(gpu.allocatedBytes).toBe(before);
      expect(r.cuts).toEqual({
        layers: { real: 16, used: 1 }, vocab: { real: 128256, used: 512 }, prefillTokens: { real: 512, used: 8 }, trainTokens: { real: [512, 2048], used: [8] },
      });
      expect(r.model).toMatchObject({ layers: 1, hidden: 2048, intermediate: 8192, heads: 32, kvHeads: 8, headDim: 64, vocab: 512, quantization: 'q4' });
      expect(r.decode.map((d) => d.batch)).toEqual([1, 2]);
      expect(r.train.map((t) => `${t.setting}@${t.tokens}`)).toEqual(['r16-all@8', 'r128-arc@8']);
      for (const x of [r.prefill, ...r.decode, ...r.train]) {
        expect(x.tokPerS).toBeGreaterThan(0);
        expect(x.peakBytes).toBeGreaterThan(r.model.weightBytes);
        // the estimate is what the engine allocates (memory.test.ts), bar the bench's own small buffers
        expect(Math.abs(x.peakBytes - x.estimatedBytes) / x.estimatedBytes).toBeLessThan(0.05);
      }
      // per step: the embedding, 12 per layer (2 norms, 7 projections, RoPE + KV append, attention, SwiGLU), the
      // final norm and the head — the same at any batch (the cache append is one dispatch for every sequence)
      for (const d of r.decode) expect(d.dispatchesPerStep).toBe(1 + 12 * r.model.layers + 2);
      for (const d of r.decode) {
        const labels = d.profile!.kernels.map((k) => k.label);
        expect(labels).toContain('rope_append');
        expect(d.profile!.kernels.reduce((s, k) => s + k.dispatchesPerStep, 0)).toBeCloseTo(d.dispatchesPerStep, 5);
        expect(d.profile!.kernelMsPerStep).toBeGreaterThan(0);
      }
      expect(r.dispatchOverhead.totalUs).toBeGreaterThan(0);
      expect(r.dispatchOverhead.recordUs).toBeGreaterThan(0);
      expect(r.bandwidth.copyKernelGBps).toBeGreaterThan(0);
      expect(r.kernels).toBe(gpu.options.kernels);
      expect(r.kernelCheck).toBeNull(); // checked on a narrow model below
      expect(r.decode[0].fractionOfCeiling).toBeGreaterThan(0);
      // a decode step reads every matrix once (the tied head is the embedding, read whole) plus one embedding row
      expect(r.weightBytesPerToken).toBeGreaterThan(r.model.weightBytes);
      expect(r.weightBytesPerToken).toBeLessThan(r.model.weightBytes + 2 * 2048 * 2);
    }));

  // The bench section's check of both kernel classes on the 1B shape narrowed 8x (hidden 256, 4 query / 1 KV heads of
  // 64 as the 1B's 4:1 grouping, FFN 1024): at full width SwiftShader spends ~40 s in the 'gpu' class, here ~5 s.
  it('the kernel-class check: the \'gpu\' class gives the \'cpu\' class\'s logits, decode step and LoRA gradient', () =>
    gpuCase(async (gpu) => {
      const cfg = { ...shapeConfig('llama-3.2-1b', { layers: 1, vocab: 512 }), hidden: 256, intermediate: 1024, heads: 4, kvHeads: 1 };
      const model = buildShapeModel(gpu, cfg, 'q4', 1);
      try {
        const check = await checkKernelClasses(gpu, model);
        // only the summation order differs
        expect(check.forwardRel).toBeLessThan(1e-5);
        expect(check.decodeRel).toBeLessThan(1e-5);
        expect(check.gradientRel).toBeLessThan(1e-5);
        expect(check.gradientRel).toBeGreaterThan(0); // two real computations, not one read twice
        expect(gpu.options.kernels).toBe('cpu'); // the switch is undone
      } finally {
        model.destroy();
      }
    }));
});
