// The GPU-class GEMM variants (kernels/matmul/matmul_tiled.ts, matmul_gemv.ts) against the GEMM twin, forced on
// here with gpu.options.kernels = 'gpu' (SwiftShader's adapter gets the register kernel by default: gpu/context.ts).
// Shapes cut 64 × 64 tiles and 16-deep K steps at every edge; the GEMV runs 1..8 rows, every weight format, with
// offsets, strides, α, β and a bias. Bound as matmul.test.ts: f32 accumulation over K, 1e-5·√K.
// gpu_kernels.test.ts runs the GEMM, quantisation and golden suites again on this path.
import { describe, expect, it } from 'vitest';
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16, QGROUP, type MatrixFormat } from '../../src/engine/gpu/dtype.ts';
import { kernelClass, type Gpu } from '../../src/engine/gpu/context.ts';
import { matmul_forward, type MatmulArgs } from '../../src/engine/kernels/matmul/matmul.ts';
import { matmulLengths } from '../../src/engine/kernels/matmul/matmul.twin.ts';
import { matmul_gemv_twin } from '../../src/engine/kernels/matmul/matmul_gemv.twin.ts';
import { matmul_tiled_twin } from '../../src/engine/kernels/matmul/matmul_tiled.twin.ts';
import { dequantize_twin } from '../../src/engine/kernels/quant/dequantize.twin.ts';
import { quantize_twin } from '../../src/engine/kernels/quant/quantize.twin.ts';
import { errors, gpuCase, randn, testGpu } from './device.ts';

/** B's bytes in `format` and the f32 values they hold (quantised: whole groups, with scales). */
function storedB(n: number, format: MatrixFormat, seed: number): { bytes: ArrayBufferView; values: Float32Array; scales?: ArrayBufferView } {
  const x = randn(Math.ceil(n / QGROUP) * QGROUP, seed);
  if (format === 'q8' || format === 'q4') {
    const { q, scales } = quantize_twin(x, format);
    return { bytes: q, values: dequantize_twin(q, scales, format, x.length), scales };
  }
  if (format === 'bf16') { const b = f32ToBf16(x); return { bytes: b, values: bf16ToF32(b) }; }
  if (format === 'f16') { const b = f32ToF16(x); return { bytes: b, values: f16ToF32(b) }; }
  return { bytes: x, values: x };
}

async function check(gpu: Gpu, args: MatmulArgs, seed: number, twin: typeof matmul_tiled_twin, withBias = false) {
  const { N, K, bType = 'f32' } = args;
  const { a: aLen, b: bLen, c: cLen } = matmulLengths(args);
  await gpuCase(async (_, track) => {
    const a = randn(aLen, seed);
    const b = storedB(bLen, bType, seed + 1);
    const biasBits = withBias ? f32ToBf16(randn(N, seed + 3)) : undefined;
    const c0 = randn(cLen, seed + 2);
    const gc = track(gpu.upload('c', c0));
    matmul_forward(gpu, gc, track(gpu.upload('a', a)), track(gpu.upload('b', b.bytes)), {
      ...args, bScales: b.scales ? track(gpu.upload('s', b.scales)) : undefined,
      bias: biasBits ? track(gpu.upload('bias', biasBits)) : undefined, biasType: 'bf16',
    });
    const got = await gpu.readF32(gc, cLen);
    const want = c0.slice();
    twin(want, a, b.values, { ...args, biasV: biasBits ? bf16ToF32(biasBits) : undefined });
    expect(errors(got, want).maxAbs, JSON.stringify(args)).toBeLessThan(1e-5 * Math.sqrt(K) + 1e-6);
  });
}

/**
 * Runs `fn` with the GPU-class kernels on and checks that the variant named made the GEMMs; `subgroups` false turns
 * the subgroup reduction off (the GEMV's workgroup-memory path); true checks it ran wherever the device has it.
 */
async function gpuClass(variant: 'matmul_tiled' | 'matmul_gemv', fn: (gpu: Gpu) => Promise<void>, subgroups = true) {
  const gpu = await testGpu();
  const keys: string[] = [];
  const pipeline = gpu.pipeline.bind(gpu);
  gpu.pipeline = (key, code) => (keys.push(key), pipeline(key, code));
  gpu.options.kernels = 'gpu';
  const has = gpu.device.features.has('subgroups');
  gpu.options.subgroups = subgroups && has;
  try {
    await fn(gpu);
  } finally {
    gpu.options.kernels = kernelClass(gpu.device.adapterInfo);
    gpu.options.subgroups = has;
    gpu.pipeline = pipeline;
  }
  expect(keys.some((k) => k.startsWith(variant)), `${variant} ran (${keys.join(', ')})`).toBe(true);
  if (variant === 'matmul_gemv') expect(keys.some((k) => k.includes('_sg_'))).toBe(subgroups && has);
}

describe('per-adapter kernel class', () => {
  it('CPU adapters keep the register kernel; GPUs get the GPU-class ones', async () => {
    expect(kernelClass({ vendor: 'google', architecture: 'swiftshader', description: '' })).toBe('cpu');
    expect(kernelClass({ vendor: 'mesa', architecture: '', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe('cpu');
    expect(kernelClass({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200' })).toBe('gpu');
    expect(kernelClass({ vendor: 'apple', architecture: 'metal-3', description: '', isFallbackAdapter: true })).toBe('cpu');
    expect(kernelClass(undefined)).toBe('cpu'); // a browser that does not say: today's path
    const gpu = await testGpu();
    expect(gpu.options.kernels).toBe(kernelClass(gpu.device.adapterInfo));
  });
});

describe('matmul_tiled (M > 8)', () => {
  for (const bType of ['f32', 'bf16', 'f16', 'q8', 'q4'] as const) {
    for (const [transA, transB] of [[false, true], [false, false], [true, false], [true, true]] as const) {
      it(`${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} ${bType}: partial tiles in M, N and K`, () =>
        gpuClass('matmul_tiled', async (gpu) => {
          const packed = bType !== 'f32';
          // N and K multiples of 4 (packed weights) or of 32 (quantised rows), never of the 64 × 64 × 16 tile
          const shapes = bType === 'q8' || bType === 'q4'
            ? [{ M: 9, N: 40, K: 96 }, { M: 70, N: 68, K: 32 }]
            : packed ? [{ M: 9, N: 12, K: 20 }, { M: 70, N: 68, K: 36 }] : [{ M: 9, N: 7, K: 5 }, { M: 70, N: 65, K: 33 }];
          for (const [i, s] of shapes.entries()) await check(gpu, { ...s, transA, transB, bType, alpha: 0.5, beta: i % 2 }, 10 * i + 1, matmul_tiled_twin, i === 1);
        }));
    }
  }
  it('two full tiles and a part, offsets and strides', () =>
    gpuClass('matmul_tiled', async (gpu) => {
      await check(gpu, { M: 130, N: 129, K: 50, transB: true }, 5, matmul_tiled_twin);
      await check(gpu, { M: 12, N: 8, K: 12, lda: 20, ldb: 16, ldc: 12, aOff: 3, bOff: 4, cOff: 2, transB: true, bType: 'bf16' }, 9, matmul_tiled_twin);
    }));
});

describe('matmul_gemv (y = x Wᵀ, M ≤ 8)', () => {
  it('the engine asks for subgroups where the adapter has them (SwiftShader does: its subgroup reduction is tested)', async () => {
    const gpu = await testGpu();
    expect(gpu.options.subgroups).toBe(gpu.device.features.has('subgroups'));
    if (gpu.device.adapterInfo.architecture === 'swiftshader') expect(gpu.options.subgroups).toBe(true);
  });
  for (const subgroups of [true, false]) {
    for (const bType of ['f32', 'bf16', 'f16', 'q8', 'q4'] as const) {
      it(`${bType}${subgroups ? '' : ', workgroup-memory reduction'}: 1 to 8 rows, K not a multiple of the 512-wide step, N not of 4`, () =>
        gpuClass('matmul_gemv', async (gpu) => {
          for (const M of [1, 2, 3, 8]) {
            await check(gpu, { M, N: bType === 'f32' ? 13 : 12, K: 1056, transB: true, bType, alpha: 2, beta: M % 2 }, M, matmul_gemv_twin, M === 3);
          }
        }, subgroups));
    }
  }
  it('offsets and strides; a K that is not a multiple of 8 falls back', () =>
    gpuClass('matmul_gemv', async (gpu) => {
      await check(gpu, { M: 2, N: 8, K: 16, lda: 20, ldb: 24, ldc: 12, aOff: 4, bOff: 8, cOff: 2, transB: true, bType: 'bf16' }, 9, matmul_gemv_twin);
      await check(gpu, { M: 1, N: 5, K: 12, transB: true }, 4, matmul_gemv_twin);
      await check(gpu, { M: 4, N: 9, K: 24, lda: 25, aOff: 1, transB: true }, 6, matmul_gemv_twin); // unaligned x: scalar loads
    }));
  it('more than 65535 workgroups of rows spread over two dimensions', () =>
    gpuClass('matmul_gemv', async (gpu) => {
      await check(gpu, { M: 1, N: 4 * 65535 + 12, K: 8, transB: true, bType: 'bf16' }, 2, matmul_gemv_twin); // 65538 groups
    }));
});
