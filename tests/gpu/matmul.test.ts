import { describe, expect, it } from 'vitest';
import { matmul_forward, type MatmulArgs } from '../../src/engine/kernels/matmul/matmul.ts';
import { matmul_twin, matmulLengths } from '../../src/engine/kernels/matmul/matmul.twin.ts';
import { bf16ToF32, f32ToBf16, type WeightDType } from '../../src/engine/gpu/dtype.ts';
import { errors, gpuCase, randn } from './device.ts';

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
