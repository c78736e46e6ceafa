// Weight-only quantisation (q8 / q4, f16 scale per 32 weights; formats in src/engine/gpu/dtype.ts).
// What is checked, and the tolerances:
//  - quantize_forward against its twin: f16 scale bits and codes equal (a code may differ by one step in a rare
//    tie, because WGSL's f32 reciprocal may differ from the correctly rounded one by an ulp: ≤ 1 in 1000 codes).
//  - every quantised kernel (matmul with quantised B in all four transpose cases, the embedding gather, the
//    dequantize kernel) against the same computation on the dequantised weights: same maths, so the bound is
//    the f32 GEMM's (max abs 1e-5·√K) and exact for gathers.
//  - a whole quantised model against the same model whose weights are the dequantised values (f32): logits,
//    loss and every LoRA gradient within 1e-5 relative (only summation order differs).
//  - quantisation error itself (reported, bounds loose): against the original weights, relative norm error
//    3.8e-3 / 5.1e-3 (q8) and 6.5e-2 / 8.2e-2 (q4) for uniform / Gaussian-like weights, as step / √12 predicts;
//    on the golden models (random weights, every matrix quantised) the logits move by 1.6–2.1e-2 (q8) and
//    0.23–0.35 (q4) relative, the loss by ≤ 8e-3 (q8) and ≤ 0.15 (q4); bounds and reasons at the assertions.
//  - LoRA trained on a q4 base still lowers the loss.
import { describe, expect, it } from 'vitest';
import { errors, gpuCase, randn } from './device.ts';
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16, QGROUP, type QuantFormat, type WeightDType } from '../../src/engine/gpu/dtype.ts';
import { quantize_forward } from '../../src/engine/kernels/quant/quantize.ts';
import { dequantize_forward } from '../../src/engine/kernels/quant/dequantize.ts';
import { quantize_twin } from '../../src/engine/kernels/quant/quantize.twin.ts';
import { dequantize_twin } from '../../src/engine/kernels/quant/dequantize.twin.ts';
import { matmul_forward, type MatmulArgs } from '../../src/engine/kernels/matmul/matmul.ts';
import { matmul_twin } from '../../src/engine/kernels/matmul/matmul.twin.ts';
import { embedding_forward } from '../../src/engine/kernels/elementwise/embedding.ts';
import { embedding_twin } from '../../src/engine/kernels/elementwise/embedding.twin.ts';
import { LoraAdapter } from '../../src/engine/model/lora.ts';
import { GRADIENTS_ONLY, LoraTrainer } from '../../src/engine/train/trainer.ts';
import { generate } from '../../src/engine/model/generate.ts';
import { PROJECTIONS } from '../../src/engine/model/weights.ts';
import { dequantizedTwin, destroyAll, GOLDEN, golden, goldenAdapter, goldenBatch, loadGolden } from './quant_models.ts';

const FORMATS: QuantFormat[] = ['q8', 'q4'];

/** Gaussian-ish values (sum of 4 uniforms), rows scaled over 4 decades so small groups are exercised too. */
function weights(rows: number, cols: number, seed: number): Float32Array {
  const u = [0, 1, 2, 3].map((k) => randn(rows * cols, seed + k));
  const w = new Float32Array(rows * cols);
  for (let i = 0; i < w.length; i++) w[i] = (u[0][i] + u[1][i] + u[2][i] + u[3][i]) * 0.5 * 10 ** ((Math.floor(i / cols) % 5) - 3);
  return w;
}

/** The bytes of `w` stored as dtype, and the values that storage holds. */
function stored(w: Float32Array, dtype: WeightDType): { bytes: ArrayBufferView; values: Float32Array } {
  if (dtype === 'bf16') { const b = f32ToBf16(w); return { bytes: b, values: bf16ToF32(b) }; }
  if (dtype === 'f16') { const b = f32ToF16(w); return { bytes: b, values: f16ToF32(b) }; }
  return { bytes: w, values: w };
}

const scaleWords = (groups: number) => Math.ceil(groups / 2);

describe('quantize_forward', () => {
  for (const format of FORMATS) {
    for (const dtype of ['f32', 'bf16', 'f16'] as const) {
      it(`${format} from ${dtype} matches the twin, in two chunks (odd groups per row)`, () =>
        gpuCase(async (gpu, track) => {
          const [rows, cols] = [10, 160]; // 5 groups per row, 50 in all
          const { bytes, values } = stored(weights(rows, cols, 3), dtype);
          const groups = (rows * cols) / QGROUP;
          const perWord = format === 'q8' ? 4 : 8;
          const q = track(gpu.buffer('q', (rows * cols) / perWord * 4));
          const s = track(gpu.buffer('s', scaleWords(groups) * 4));
          const w = track(gpu.upload('w', bytes));
          // rows 0..3 (20 groups), then rows 4..9 from element 640 into group 20
          quantize_forward(gpu, q, s, w, { format, dtype, groups: 20 });
          quantize_forward(gpu, q, s, w, { format, dtype, groups: groups - 20, wOff: 4 * cols, sOff: 20 });
          const gotQ = new Uint32Array(await gpu.read(q, (rows * cols) / perWord * 4));
          const gotS = new Uint16Array(await gpu.read(s, scaleWords(groups) * 4)).slice(0, groups);
          const want = quantize_twin(values, format);
          expect([...gotS]).toEqual([...want.scales.slice(0, groups)]);
          const deqGot = dequantize_twin(gotQ, gotS, format, rows * cols);
          const deqWant = dequantize_twin(want.q, want.scales, format, rows * cols);
          let differ = 0;
          const sc = f16ToF32(gotS);
          for (let i = 0; i < deqGot.length; i++) {
            if (deqGot[i] === deqWant[i]) continue;
            differ++;
            expect(Math.abs(deqGot[i] - deqWant[i])).toBeLessThanOrEqual(Math.abs(sc[Math.floor(i / QGROUP)]) * 1.0001);
          }
          expect(differ).toBeLessThanOrEqual(Math.ceil(deqGot.length / 1000));
          // every code is the nearest level (clamped codes aside): |w − deq| ≤ |scale| / 2
          for (let i = 0; i < deqGot.length; i++) {
            const d = sc[Math.floor(i / QGROUP)];
            const x = d ? values[i] / d : 0;
            const inRange = format === 'q8' ? Math.abs(x) <= 127.5 : x >= -8.5 && x <= 7.5;
            if (inRange) expect(Math.abs(values[i] - deqGot[i])).toBeLessThanOrEqual(Math.abs(d) * 0.5001 + 1e-12);
          }
        }));
    }
  }

  it('quantisation error against the original weights (uniform and Gaussian-like)', () => {
    const n = 256 * 256;
    const uniform = randn(n, 9);
    const gauss = weights(256, 256, 11).map((x, i) => x / 10 ** ((Math.floor(i / 256) % 5) - 3));
    const out: string[] = [];
    for (const [what, w] of [['uniform', uniform], ['gaussian', gauss]] as const) {
      for (const format of FORMATS) {
        const { q, scales } = quantize_twin(w, format);
        const e = errors(dequantize_twin(q, scales, format, n), w);
        out.push(`${what} ${format}: rel ${e.relNorm.toExponential(2)} max ${e.maxAbs.toExponential(2)}`);
        expect(e.relNorm).toBeLessThan(format === 'q8' ? 1e-2 : 1e-1);
        expect(e.relNorm).toBeGreaterThan(format === 'q8' ? 1e-3 : 2e-2); // not silently lossless (i.e. unquantised)
      }
    }
    console.info(`quantisation error: ${out.join('; ')}`);
  });
});

describe('dequantize_forward and the quantised embedding gather', () => {
  for (const format of FORMATS) {
    it(`${format}: dequantize from an offset equals the twin; gather over two shards`, () =>
      gpuCase(async (gpu, track) => {
        const [V, C] = [13, 64];
        const table = weights(V, C, 21);
        // two shards, each quantised on its own as the loader does: rows 0..7 and 8..12
        const parts = [[0, 8], [8, 5]].map(([row0, rows]) => ({ row0, rows, ...quantize_twin(table.slice(row0 * C, (row0 + rows) * C), format) }));
        const tokens = Int32Array.from([12, 0, 7, 8, 3, 8]);
        const gTok = track(gpu.upload('tok', tokens));
        const out = track(gpu.buffer('out', tokens.length * C * 4));
        const want = new Float32Array(tokens.length * C);
        for (const p of parts) {
          const q = track(gpu.upload('q', p.q));
          const s = track(gpu.upload('s', p.scales));
          embedding_forward(gpu, out, gTok, q, { M: tokens.length, C, dtype: format, scales: s, row0: p.row0, rows: p.rows });
          embedding_twin(want, tokens, p.q, { M: tokens.length, C, dtype: format, scales: p.scales, row0: p.row0, rows: p.rows });
          if (p.row0 === 8) {
            const deq = dequantize_twin(p.q, p.scales, format, p.rows * C);
            const d = track(gpu.buffer('deq', 3 * C * 4));
            dequantize_forward(gpu, d, q, s, { format, n: 3 * C, qOff: 2 * C });
            expect([...(await gpu.readF32(d, 3 * C))]).toEqual([...deq.subarray(2 * C, 5 * C)]);
          }
        }
        expect([...(await gpu.readF32(out, want.length))]).toEqual([...want]);
      }));
  }
});

async function checkMatmul(args: MatmulArgs & { bType: QuantFormat }, seed: number, withBias: boolean) {
  const { M, N, K, transA = false, transB = false } = args;
  const aLen = (args.aOff ?? 0) + (transA ? K : M) * (args.lda ?? (transA ? M : K));
  const bLen = (args.bOff ?? 0) + (transB ? N : K) * (args.ldb ?? (transB ? K : N));
  const cLen = (args.cOff ?? 0) + M * (args.ldc ?? N);
  const bPadded = Math.ceil(bLen / QGROUP) * QGROUP; // quantised buffers hold whole groups
  await gpuCase(async (gpu, track) => {
    const a = randn(aLen, seed);
    const { q, scales } = quantize_twin(randn(bPadded, seed + 1), args.bType);
    const b = dequantize_twin(q, scales, args.bType, bPadded);
    const biasBits = withBias ? f32ToBf16(randn(N, seed + 3)) : undefined;
    const c0 = randn(cLen, seed + 2);
    const gc = track(gpu.upload('c', c0));
    matmul_forward(gpu, gc, track(gpu.upload('a', a)), track(gpu.upload('b', q)), {
      ...args, bScales: track(gpu.upload('s', scales)),
      bias: biasBits ? track(gpu.upload('bias', biasBits)) : undefined, biasType: 'bf16',
    });
    const got = await gpu.readF32(gc, cLen);
    const want = c0.slice();
    matmul_twin(want, a, b, { ...args, biasV: biasBits ? bf16ToF32(biasBits) : undefined });
    const e = errors(got, want);
    expect(e.maxAbs, JSON.stringify({ M, N, K, transA, transB, bType: args.bType })).toBeLessThan(1e-5 * Math.sqrt(K) + 1e-6);
  });
}

describe('matmul with a quantised B equals matmul on the dequantised B', () => {
  for (const bType of FORMATS) {
    for (const [transA, transB] of [[false, true], [false, false], [true, false], [true, true]] as const) {
      it(`${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} ${bType}`, async () => {
        for (let t = 0; t < 3; t++) {
          const M = 1 + ((t * 37 + 11) % 45);
          const N = 8 * (1 + ((t * 13 + 5) % 9));
          const K = 32 * (1 + ((t * 7 + 2) % 4)) + (t === 2 ? 4 : 0); // K = 4 mod 32 once: runs cross group ends
          await checkMatmul({ M, N, K, transA, transB, bType, alpha: 0.5, beta: t % 2 }, 100 * t + 7, t === 1 && transB);
        }
      });
    }
    it(`${bType}: offsets and strides, decode shape, and the plain baseline kernel`, async () => {
      await checkMatmul({ M: 6, N: 8, K: 12, lda: 20, ldb: 16, ldc: 12, aOff: 3, bOff: 4, cOff: 2, transB: true, bType }, 9, false);
      await checkMatmul({ M: 1, N: 96, K: 64, transB: true, bType }, 3, true);
      for (const M of [2, 3]) await checkMatmul({ M, N: 40, K: 96, transB: true, bType }, 3 + M, M === 3); // M×4 tiles, grouped
      const { testGpu } = await import('./device.ts');
      const gpu = await testGpu();
      gpu.options.naiveMatmul = true;
      try {
        await checkMatmul({ M: 9, N: 12, K: 32, transB: true, bType, alpha: 2, beta: 1 }, 5, true);
        await checkMatmul({ M: 7, N: 8, K: 16, bType }, 6, false);
      } finally {
        gpu.options.naiveMatmul = false;
      }
    });
  }
});

describe('quantised golden models', () => {
  for (const name of GOLDEN) {
    it(`${name}: q8 and q4 forward and LoRA gradients equal the dequantised f32 model; error vs the reference`, () =>
      gpuCase(async (gpu) => {
        const g = await golden(name);
        const batch = goldenBatch(g);
        const report: string[] = [];
        for (const format of FORMATS) {
          const model = await loadGolden(gpu, name, { quantize: format });
          const twin = await dequantizedTwin(gpu, model);
          const adapter = await goldenAdapter(model, name);
          const trainers = [model, twin].map((m) => new LoraTrainer(m, adapter, GRADIENTS_ONLY));
          try {
            expect(model.weights.quantization).toBe(format);
            expect(model.weights.layers[0].proj.gate_proj.w.format).toBe(format);
            // the quantised kernels vs the same maths on dequantised weights
            const [fq, ft] = [await model.forward(batch, { adapter }), await twin.forward(batch, { adapter })];
            const e = errors(fq.logits!, ft.logits!);
            expect(e.relNorm, `${format} logits vs dequantised`).toBeLessThan(1e-5);
            expect(Math.abs(fq.loss - ft.loss)).toBeLessThan(1e-5);
            const [lq, lt] = [await trainers[0].computeGradients([{ batch, lossMask: batch.mask }]), await trainers[1].computeGradients([{ batch, lossMask: batch.mask }])];
            expect(Math.abs(lq - lt)).toBeLessThan(1e-5);
            const ge = errors(await gpu.readF32(trainers[0].grads, adapter.size), await gpu.readF32(trainers[1].grads, adapter.size));
            expect(ge.relNorm, `${format} LoRA gradients vs dequantised`).toBeLessThan(1e-5);
            // the quantisation error itself, against the PyTorch reference of the unquantised model
            const base = await model.forward(batch);
            const eb = errors(base.logits!, g.file.f32('logits'));
            const lossErr = Math.abs(base.loss - g.file.f32('loss')[0]);
            const prompt = [...g.file.i32('greedy_prompt')];
            const [greedy] = await generate(model, [prompt], { maxNewTokens: 32, stopTokens: [] });
            const ref = [...g.file.i32('greedy')];
            const same = ref.findIndex((t, i) => greedy[i] !== t);
            report.push(`${format}: logits rel ${eb.relNorm.toExponential(2)} max abs ${eb.maxAbs.toExponential(2)}, loss ${lossErr.toExponential(2)}, ` +
              `greedy tokens equal ${same < 0 ? 32 : same}/32; vs dequantised: logits ${e.relNorm.toExponential(1)}, LoRA grads ${ge.relNorm.toExponential(1)}`);
            // Loose bounds. Every matrix on the path is quantised (embedding, 7 projections × 2 layers, head: 16),
            // each with a relative error of ~5e-3 (q8) or ~8e-2 (q4) that the random golden weights pass on
            // undamped, so the logits move by about √16 × that: measured 1.6–2.1e-2 (q8) and 0.23–0.35 (q4).
            // Greedy paths diverge early at q4 (the golden top-1/top-2 gaps are ≥ 3e-3, far below that error).
            expect(eb.relNorm).toBeLessThan(format === 'q8' ? 3e-2 : 0.5);
            expect(lossErr).toBeLessThan(format === 'q8' ? 1.5e-2 : 0.25);
          } finally {
            for (const t of trainers) t.destroy();
            destroyAll(adapter, twin, model);
          }
        }
        console.info(`${name} quantised: ${report.join(' | ')}`);
      }));
  }

  it('LoRA training on a q4 base lowers the loss; merging it into the q4 base keeps its effect', () =>
    gpuCase(async (gpu) => {
      const name = 'llama3-f32';
      const batch = goldenBatch(await golden(name));
      const model = await loadGolden(gpu, name, { quantize: 'q4' });
      const adapter = new LoraAdapter(gpu, model.cfg, { r: 8, alpha: 16, targets: [...PROJECTIONS] });
      adapter.reset(5);
      const trainer = new LoraTrainer(model, adapter, { lr: 2e-2, warmupSteps: 0, totalSteps: 8, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 });
      try {
        const losses: number[] = [];
        for (let s = 0; s < 8; s++) losses.push((await trainer.step([{ batch, lossMask: batch.mask }])).loss);
        console.info(`q4 base + LoRA losses: ${losses.map((l) => l.toFixed(4)).join(' ')}`);
        expect(losses[7]).toBeLessThan(losses[0] - 0.1);
        const withAdapter = await model.forward(batch, { adapter });
        await adapter.mergeInto(model.weights); // dequantise, add, quantise again
        const merged = await model.forward(batch);
        const e = errors(merged.logits!, withAdapter.logits!);
        console.info(`q4 merge: logits rel ${e.relNorm.toExponential(2)}, loss ${merged.loss.toFixed(4)} vs ${withAdapter.loss.toFixed(4)} (base ${losses[0].toFixed(4)})`);
        // re-quantising adds about one q4 error on the changed weights: far less than what training moved
        expect(Math.abs(merged.loss - withAdapter.loss)).toBeLessThan((losses[0] - withAdapter.loss) / 2);
      } finally {
        trainer.destroy();
        destroyAll(adapter, model);
      }
    }));
});
