// GEMM throughput: C = A·Bᵀ (the weight layout) at square sizes in f32 against the plain one-thread-per-output
// kernel, bf16 / q8 / q4 weights, the model's own projection shapes, and a plain JavaScript loop on the CPU.
import type { Gpu } from '../engine/gpu/context.ts';
import { f32ToBf16, QGROUP, rowBytes, scaleBytes, type MatrixFormat } from '../engine/gpu/dtype.ts';
import { matmul_forward } from '../engine/kernels/matmul/matmul.ts';
import { quantize_forward } from '../engine/kernels/quant/quantize.ts';
import type { LlamaModel } from '../engine/model/llama.ts';
import { matrixForward, type GpuMatrix } from '../engine/model/matrix.ts';
import { PROJECTIONS } from '../engine/model/weights.ts';
import { CPU_MAX_SECONDS, gflops, measure, randomF32, round } from './measure.ts';
import type { BenchReport, CpuRow, MatmulRow } from './types.ts';

/** Makes a buffer that the run releases at its end. */
export type MakeBuffer = (label: string, data: ArrayBufferView) => GPUBuffer;

/** C (M, N) = A (M, K) · Bᵀ with B (N, K) stored as `bType` (with its scales when quantised): seconds per GEMM. */
function gemmSeconds(gpu: Gpu, c: GPUBuffer, a: GPUBuffer, b: GPUBuffer, M: number, N: number, K: number, bType: MatrixFormat, bScales?: GPUBuffer) {
  return measure(async (n) => {
    const t = performance.now();
    for (let i = 0; i < n; i++) matmul_forward(gpu, c, a, b, { M, N, K, transB: true, bType, bScales });
    await gpu.read(c, 4);
    return (performance.now() - t) / 1000 / n;
  }, true);
}

/** y (M, rows) = x · Wᵀ for a model matrix (every shard): seconds per product. */
function matrixSeconds(gpu: Gpu, y: GPUBuffer, x: GPUBuffer, w: GpuMatrix, M: number) {
  return measure(async (n) => {
    const t = performance.now();
    for (let i = 0; i < n; i++) matrixForward(gpu, y, x, w, { M });
    await gpu.read(y, 4);
    return (performance.now() - t) / 1000 / n;
  }, true);
}

/** The plain CPU baseline: C = A·B, i-k-j loop (unit-stride inner loop), f32 storage. Seconds per GEMM. */
function cpuSeconds(N: number): Promise<number> {
  const a = randomF32(N * N, 1);
  const b = randomF32(N * N, 2);
  const c = new Float32Array(N * N);
  return measure(async (reps) => {
    const t = performance.now();
    for (let r = 0; r < reps; r++) {
      c.fill(0);
      for (let i = 0; i < N; i++) {
        const ci = i * N;
        for (let k = 0; k < N; k++) {
          const av = a[ci + k];
          const bk = k * N;
          for (let j = 0; j < N; j++) c[ci + j] += av * b[bk + j];
        }
      }
    }
    return (performance.now() - t) / 1000 / reps;
  }, true);
}

/** Square f32 GEMMs against the plain kernel, then bf16, q8 and q4 weights at the largest size. */
export async function squareGemms(gpu: Gpu, sizes: number[], buf: MakeBuffer, log: (m: string) => void) {
  const nMax = Math.max(...sizes, 512); // the CPU comparison may need 512
  const a = buf('bench-a', randomF32(nMax * nMax, 11));
  const bF32 = buf('bench-b', randomF32(nMax * nMax, 12));
  const c = buf('bench-c', new Float32Array(nMax * nMax));
  const matmul: MatmulRow[] = [];
  const tiledAt = new Map<number, number>();
  const tiled = async (n: number) => {
    if (!tiledAt.has(n)) tiledAt.set(n, gflops(n, n, n, await gemmSeconds(gpu, c, a, bF32, n, n, n, 'f32')));
    return tiledAt.get(n)!;
  };
  for (const n of sizes) {
    const fast = await tiled(n);
    gpu.options.naiveMatmul = true;
    let plain: number;
    try {
      plain = gflops(n, n, n, await gemmSeconds(gpu, c, a, bF32, n, n, n, 'f32'));
    } finally {
      gpu.options.naiveMatmul = false;
    }
    matmul.push({ case: 'NT f32', M: n, N: n, K: n, gflops: fast, baselineGflops: plain, ratio: round(fast / plain) });
    log(`matmul NT f32 ${n}³: ${fast} GFLOP/s (plain kernel ${plain}, ×${round(fast / plain)})`);
  }
  const nTop = sizes[sizes.length - 1];
  const bBf16 = buf('bench-b-bf16', f32ToBf16(randomF32(nTop * nTop, 13)));
  const bf16 = gflops(nTop, nTop, nTop, await gemmSeconds(gpu, c, a, bBf16, nTop, nTop, nTop, 'bf16'));
  matmul.push({ case: 'NT bf16', M: nTop, N: nTop, K: nTop, gflops: bf16 });
  log(`matmul NT bf16 ${nTop}³: ${bf16} GFLOP/s`);
  if (nTop % QGROUP === 0) {
    for (const format of ['q8', 'q4'] as const) {
      const q = buf(`bench-b-${format}`, new Uint8Array(nTop * rowBytes(format, nTop)));
      const sc = buf(`bench-b-${format}.scales`, new Uint8Array(scaleBytes(format, nTop, nTop)));
      quantize_forward(gpu, q, sc, bF32, { format, dtype: 'f32', groups: (nTop * nTop) / QGROUP });
      const g = gflops(nTop, nTop, nTop, await gemmSeconds(gpu, c, a, q, nTop, nTop, nTop, format, sc));
      matmul.push({ case: `NT ${format}`, M: nTop, N: nTop, K: nTop, gflops: g, ratioToBf16: round(g / bf16) });
      log(`matmul NT ${format} ${nTop}³: ${g} GFLOP/s (bf16 ×${round(g / bf16)})`);
    }
  }
  return { matmul, tiled };
}

/**
 * The two kernel classes (gpu.options.kernels) on one adapter: an n³ f32 GEMM (register-blocked vs workgroup-tiled)
 * and a decode product, one row times an n × n bf16 weight (register-blocked vs the K-split GEMV). Whichever the
 * adapter is given by default is marked; on SwiftShader the 'cpu' rows are the fast ones, on a GPU they should not be.
 */
export async function kernelClassGemms(gpu: Gpu, n: number, buf: MakeBuffer, log: (m: string) => void): Promise<MatmulRow[]> {
  const a = buf('bench-kc-a', randomF32(n * n, 15));
  const b = buf('bench-kc-b', randomF32(n * n, 16));
  const bBf16 = buf('bench-kc-b-bf16', f32ToBf16(randomF32(n * n, 17)));
  const c = buf('bench-kc-c', new Float32Array(n * n));
  const own = gpu.options.kernels;
  const rows: MatmulRow[] = [];
  try {
    for (const kernels of ['cpu', 'gpu'] as const) {
      gpu.options.kernels = kernels;
      const sq = gflops(n, n, n, await gemmSeconds(gpu, c, a, b, n, n, n, 'f32'));
      const gv = gflops(1, n, n, await gemmSeconds(gpu, c, a, bBf16, 1, n, n, 'bf16'));
      const tag = `${kernels}${kernels === own ? ', this adapter\'s' : ''}`;
      rows.push({ case: `NT f32 (${tag})`, M: n, N: n, K: n, gflops: sq, kernels }, { case: `decode NT bf16 (${tag})`, M: 1, N: n, K: n, gflops: gv, kernels });
      log(`kernel class ${kernels}: NT f32 ${n}³ ${sq} GFLOP/s; decode 1×${n}·${n}×${n}ᵀ bf16 ${gv} GFLOP/s`);
    }
  } finally {
    gpu.options.kernels = own;
  }
  return rows;
}

/** GEMMs at the model's shapes: M = prefill rows against its real weights, one row per distinct shape. */
export async function modelGemms(gpu: Gpu, model: LlamaModel, M: number, buf: MakeBuffer, log: (m: string) => void): Promise<MatmulRow[]> {
  const matmul: MatmulRow[] = [];
  const lw = model.weights.layers[0].proj;
  const shapes = new Map<string, { names: string[]; w: GpuMatrix; out: number; in: number }>();
  const add = (name: string, w: GpuMatrix, out: number, inp: number) => {
    const key = `${out}x${inp}`;
    const s = shapes.get(key);
    if (s) s.names.push(name);
    else shapes.set(key, { names: [name], w, out, in: inp });
  };
  for (const p of PROJECTIONS) add(p, lw[p].w, lw[p].out, lw[p].in);
  add('lm_head', model.weights.head, model.cfg.vocabSize, model.cfg.hidden);
  const maxIn = Math.max(...[...shapes.values()].map((s) => s.in));
  const maxOut = Math.max(...[...shapes.values()].map((s) => s.out));
  const x = buf('bench-x', randomF32(M * maxIn, 14));
  const y = buf('bench-y', new Float32Array(M * maxOut));
  for (const s of shapes.values()) {
    const g = gflops(M, s.out, s.in, await matrixSeconds(gpu, y, x, s.w, M));
    matmul.push({ case: `model ${s.names.join(',')}`, M, N: s.out, K: s.in, dtype: s.w.format, gflops: g });
    log(`matmul ${s.names.join(',')} (${M}×${s.in} · ${s.out}×${s.in}ᵀ, ${s.w.format}): ${g} GFLOP/s`);
  }
  return matmul;
}

/** A plain JavaScript loop at 256³ (and 512³ when that stays under CPU_MAX_SECONDS), against the GPU's rate. */
export async function cpuBaseline(tiled: (n: number) => Promise<number>, log: (m: string) => void): Promise<BenchReport['cpuBaseline']> {
  const cpu: CpuRow[] = [];
  for (const n of [256, 512]) {
    const prev = cpu[cpu.length - 1];
    if (prev && prev.seconds * (n / prev.n) ** 3 > CPU_MAX_SECONDS) break;
    const s = await cpuSeconds(n);
    const g = gflops(n, n, n, s);
    const gpuG = await tiled(n);
    cpu.push({ n, seconds: round(s), gflops: g, gpuGflops: gpuG, ratio: round(gpuG / g) });
    log(`CPU JS ${n}³: ${g} GFLOP/s; GPU NT f32 ×${round(gpuG / g)}`);
  }
  return { method: 'JavaScript i-k-j triple loop on Float32Array, one thread (the engine worker)', results: cpu };
}
