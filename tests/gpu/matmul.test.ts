import { describe, expect, it } from 'vitest';
import { matmul_forward, type MatmulArgs } from '../../src/engine/kernels/matmul/matmul.ts';
import { matmul_twin, matmulLengths } from '../../src/engine/kernels/matmul/matmul.twin.ts';
import { bf16ToF32, f32ToBf16, type WeightDType } from '../../src/engine/gpu/dtype.ts';
import type { Gpu } from '../../src/engine/gpu/context.ts';
import { errors, gpuCase, randn, rejection, testGpu } from './device.ts';

function f16bits(x: Float32Array): Uint16Array {
  // Round-trip through a Float16-capable path: Math.fround is not enough, so use the DataView setter when present.
  const out = new Uint16Array(x.length);
  const dv = new DataView(new ArrayBuffer(2)) as DataView & { setFloat16?: (o: number, v: number, le: boolean) => void };
  for (let i = 0; i < x.length; i++) {
    if (!dv.setFloat16) throw new Error('DataView.setFloat16 missing');
    dv.setFloat16(0, x[i], true);
    out[i] = dv.getUint16(0, true);
  }
  return out;
}

async function check(args: MatmulArgs, seed: number, withBias = false) {
  const { M, N, K, transA = false, transB = false, bType = 'f32' } = args;
  const { a: aLen, b: bLen, c: cLen } = matmulLengths(args);
  await gpuCase(async (gpu, track) => {
    const a = randn(aLen, seed);
    let b = randn(bLen, seed + 1);
    let bBytes: ArrayBufferView = b;
    let bias = withBias ? randn(N, seed + 3) : undefined;
    let biasBytes: ArrayBufferView | undefined = bias;
    if (bType !== 'f32') {
      const pack = (x: Float32Array) => (bType === 'bf16' ? f32ToBf16(x) : f16bits(x));
      const bits = pack(b);
      bBytes = bits;
      b = bType === 'bf16' ? bf16ToF32(bits) : new Float32Array(Array.from(bits, (h) => new DataView(new Uint16Array([h]).buffer).getFloat16!(0, true)));
      if (bias) {
        const bb = pack(bias);
        biasBytes = bb;
        bias = bType === 'bf16' ? bf16ToF32(bb) : new Float32Array(Array.from(bb, (h) => new DataView(new Uint16Array([h]).buffer).getFloat16!(0, true)));
      }
    }
    const c0 = randn(cLen, seed + 2);
    const ga = track(gpu.upload('a', a));
    const gb = track(gpu.upload('b', bBytes));
    const gc = track(gpu.upload('c', c0));
    const gbias = biasBytes ? track(gpu.upload('bias', biasBytes)) : undefined;
    matmul_forward(gpu, gc, ga, gb, { ...args, bias: gbias });
    const got = await gpu.readF32(gc, cLen);
    const want = c0.slice();
    matmul_twin(want, a, b, { ...args, biasV: bias });
    const e = errors(got, want);
    // f32 accumulation over K terms of size ≤ 1: rounding grows like sqrt(K)·2^-24.
    expect(e.maxAbs, `${JSON.stringify({ M, N, K, transA, transB, bType })}`).toBeLessThan(1e-5 * Math.sqrt(K) + 1e-6);
  });
}

describe('matmul_forward', () => {
  it('matches the twin on a fixed 5x7x8 NT case', () => check({ M: 5, N: 7, K: 8, transB: true }, 1));
  const dtypes: WeightDType[] = ['f32', 'bf16', 'f16'];
  for (const bType of dtypes) {
    for (const [transA, transB] of [[false, true], [false, false], [true, false], [true, true]] as const) {
      it(`random shapes ${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} ${bType}`, async () => {
        for (let t = 0; t < 3; t++) {
          const M = 1 + ((t * 37 + 11) % 45);
          const N = 4 * (1 + ((t * 13 + 5) % 17));
          const K = bType === 'f32' ? 1 + ((t * 29 + 3) % 70) : 4 * (1 + ((t * 7 + 2) % 19));
          await check({ M, N, K, transA, transB, bType, alpha: 0.5, beta: t % 2 }, 100 * t + 7, t === 1);
        }
      });
    }
  }
  it('honours offsets and strides (a sub-block of larger matrices)', () =>
    check({ M: 6, N: 8, K: 12, lda: 20, ldb: 16, ldc: 12, aOff: 3, bOff: 4, cOff: 2, transB: true, bType: 'bf16' }, 9));
  it('decode shape M=1 uses the wide workgroup', () => check({ M: 1, N: 96, K: 64, transB: true, bType: 'bf16' }, 3));
  it('fewer than 4 rows (M×4 tiles): NT and NN, f32 with a K tail, bf16, β and bias', async () => {
    for (const M of [1, 2, 3]) {
      for (const transB of [true, false]) {
        await check({ M, N: 20, K: 23, transB, alpha: 0.5, beta: 1 }, 40 + M, true);
        await check({ M, N: 24, K: 36, transB, bType: 'bf16' }, 50 + M, M === 2);
      }
    }
  });
});

describe('naive baseline matmul (used by the benchmark)', () => {
  it('computes the same products', async () => {
    const { testGpu } = await import('./device.ts');
    const gpu = await testGpu();
    gpu.options.naiveMatmul = true;
    try {
      await check({ M: 9, N: 12, K: 20, transB: true, bType: 'bf16', alpha: 2, beta: 1 }, 5, true);
      await check({ M: 7, N: 8, K: 5, transA: true }, 6);
    } finally {
      gpu.options.naiveMatmul = false;
    }
  });
});

// Batches (adapter slots: S LoRA products of one shape at regular strides). Each variant is forced on in turn, so
// this file alone covers the GEMV (M = 1, NT) and the tiled kernel (M > 8) of the 'gpu' class as well.
type Variant = 'cpu' | 'gpu' | 'naive';

/** Runs `fn` with `variant` making the GEMMs; returns the pipeline keys it asked for. */
async function withVariant(variant: Variant, fn: (gpu: Gpu) => Promise<void>): Promise<string[]> {
  const gpu = await testGpu();
  const keys: string[] = [];
  const pipeline = gpu.pipeline.bind(gpu);
  const { kernels, naiveMatmul } = gpu.options; // gpu_kernels.test.ts reruns this file with 'gpu': restore, not reset
  gpu.pipeline = (key, code) => (keys.push(key), pipeline(key, code));
  gpu.options.kernels = variant === 'gpu' ? 'gpu' : 'cpu';
  gpu.options.naiveMatmul = variant === 'naive';
  try {
    await fn(gpu);
  } finally {
    Object.assign(gpu.options, { kernels, naiveMatmul });
    gpu.pipeline = pipeline;
  }
  return keys;
}

/**
 * A batch of 3 products with offsets and padded rows (4-aligned, so only the product strides decide vec4 or scalar
 * loads): `aligned` strides are multiples of 4, else 3 more than one.
 */
function batched(shape: { M: number; N: number; K: number; transA: boolean; transB: boolean }, aligned: boolean, extra: Partial<MatmulArgs> = {}): MatmulArgs {
  const { M, N, K, transA, transB } = shape;
  const pad = (x: number) => Math.ceil(x / 4) * 4;
  const [lda, ldb, ldc] = [pad(transA ? M : K), pad(transB ? K : N), pad(N)];
  const gap = aligned ? 4 : 3;
  return {
    ...shape, batch: 3, lda, ldb, ldc, aOff: 4, bOff: 8, cOff: 2,
    strideA: (transA ? K : M) * lda + gap, strideB: (transB ? N : K) * ldb + gap, strideC: M * ldc + gap, ...extra,
  };
}

/**
 * The batch against the twin, and each product z against the same product run alone (batch 1 at product z's
 * offsets): those must be bit-identical, a product's arithmetic may not depend on its neighbours.
 */
async function checkBatch(args: MatmulArgs, seed: number, withBias = false) {
  const { M, N, K, batch = 1, ldc = N, bType = 'f32' } = args;
  const { a: aLen, b: bLen, c: cLen } = matmulLengths(args);
  const a = randn(aLen, seed);
  const bf = randn(bLen, seed + 1);
  const bBytes = bType === 'bf16' ? f32ToBf16(bf) : bf;
  const b = bType === 'bf16' ? bf16ToF32(bBytes as Uint16Array) : bf;
  const bias = withBias ? randn(N, seed + 3) : undefined;
  const c0 = randn(cLen, seed + 2);
  const run = (x: MatmulArgs) => gpuCase(async (gpu, track) => {
    const gc = track(gpu.upload('c', c0));
    const gbias = bias ? track(gpu.upload('bias', bias)) : undefined;
    matmul_forward(gpu, gc, track(gpu.upload('a', a)), track(gpu.upload('b', bBytes)), { ...x, bias: gbias, biasType: 'f32' });
    return gpu.readF32(gc, cLen);
  });
  const got = await run(args);
  const want = c0.slice();
  matmul_twin(want, a, b, { ...args, biasV: bias });
  // f32 accumulation over K terms of size ≤ 1: rounding grows like sqrt(K)·2^-24 (gaps between products: exact).
  expect(errors(got, want).maxAbs, JSON.stringify(args)).toBeLessThan(1e-5 * Math.sqrt(K) + 1e-6);
  for (let z = 0; z < batch; z++) {
    const { aOff = 0, bOff = 0, cOff = 0, strideA = 0, strideB = 0, strideC = 0 } = args;
    const alone = await run({ ...args, batch: 1, aOff: aOff + z * strideA, bOff: bOff + z * strideB, cOff: cOff + z * strideC });
    let differ = 0;
    for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) if (alone[cOff + z * strideC + m * ldc + n] !== got[cOff + z * strideC + m * ldc + n]) differ++;
    expect(differ, `product ${z} alone vs in the batch (tolerance 0): ${JSON.stringify(args)}`).toBe(0);
  }
}

describe('batched products (batch 3)', () => {
  for (const variant of ['cpu', 'gpu', 'naive'] as const) {
    for (const [transA, transB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
      const layout = `${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}`;
      it(`${variant} ${layout}: M = 5 (K tail), M = 1 (decode), M = 10 (tiled), strides aligned and not, α, β = 1, bias`, async () => {
        const keys = await withVariant(variant, async () => {
          await checkBatch(batched({ M: 5, N: 6, K: 7, transA, transB }, false, { alpha: 0.5, beta: 1 }), 11);
          await checkBatch(batched({ M: 1, N: 12, K: 16, transA, transB }, true, { alpha: 2, beta: 1 }), 12, true);
          await checkBatch(batched({ M: 10, N: 9, K: 6, transA, transB }, !transA, { alpha: 1.5 }), 13, transB);
          // packed 16-bit weights, every product's rows on a u32 pair (y = x Wᵀ: the GEMV with K % 8 == 0)
          if (transB && !transA) await checkBatch(batched({ M: 2, N: 8, K: 16, transA, transB }, true, { bType: 'bf16', beta: 1 }), 14, true);
        });
        if (variant === 'naive') expect(keys.every((k) => k.startsWith('matmul_naive')), keys.join()).toBe(true);
        if (variant === 'cpu') expect(keys.some((k) => /^matmul_(naive|tiled|gemv)/.test(k)), keys.join()).toBe(false);
        if (variant === 'gpu') {
          expect(keys.some((k) => k.startsWith('matmul_tiled')), keys.join()).toBe(true);
          if (transB && !transA) expect(keys.some((k) => k.startsWith('matmul_gemv')), keys.join()).toBe(true);
        }
      });
    }
  }
  it('rejects bad batches and strides with a clear error', async () => {
    const gpu = await testGpu();
    const base = batched({ M: 2, N: 8, K: 16, transA: false, transB: true }, true);
    const fails = (x: Partial<MatmulArgs>) => rejection(gpuCase(async (_, track) => {
      const buf = () => track(gpu.upload('x', new Float32Array(4096)));
      matmul_forward(gpu, buf(), buf(), buf(), { ...base, ...x });
    }));
    for (const batch of [0, -1, 1.5, NaN]) expect((await fails({ batch })).message).toMatch(/^matmul: batch must be a positive integer/);
    expect((await fails({ batch: gpu.limits.maxComputeWorkgroupsPerDimension + 1 })).message).toMatch(/^matmul: batch \d+ exceeds/);
    expect((await fails({ strideC: 0 })).message).toMatch(/^matmul: strideC must be given/);
    expect((await fails({ strideA: -4 })).message).toMatch(/^matmul: strideA must be a non-negative integer/);
    expect((await fails({ bType: 'bf16', strideB: 18 })).message).toMatch(/^matmul: packed bf16 operand needs 4-aligned rows.*strideB=18/);
  });
});
