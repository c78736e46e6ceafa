// matmul_forward: C = alpha · A · op(B) + beta · C (+ bias), the one GEMM every layer, LoRA and gradient uses.
//
//   A  f32,            (M, K) row-major, or (K, M) when transA           — activations, gradients
//   B  f32|f16|bf16,   (N, K) when transB (nn.Linear weight layout), else (K, N)
//      or q8|q4        with bScales: f16 scale per group of 32 consecutive elements (gpu/dtype.ts), so a frozen
//                      quantised weight serves both y = x Wᵀ (transB) and the backward dx = dy W (NN)
//   C  f32,            (M, N), row stride ldc; beta = 1 accumulates (residual adds, gradient accumulation)
//   batch products of that shape (adapter slots' LoRA products), product z at offsets + z·strides, dispatch z
//
// Three variants, chosen per adapter (Gpu.options.kernels, set from the adapter: gpu/context.ts):
//   'cpu' (SwiftShader and other CPU adapters, where barriers are very slow): the register-blocked kernel below for
//     every product — no shared memory and no barriers; each invocation owns a 4×4 tile of C (M×4 below 4 rows, so a
//     decode step does not compute its one row four times) in registers and walks
//     K four at a time, loading 4-wide runs along each operand's contiguous axis (packed 16-bit weights: two u32
//     per run) and doing 4 vec4×mat4 products;
//   'gpu' (real GPUs): the workgroup-tiled GEMM (matmul_tiled.ts) when M > 8, and for y = x Wᵀ with M ≤ 8 (decode)
//     the K-split GEMV with fused dequantisation (matmul_gemv.ts); anything else falls back to the register kernel.
// All three compute the same maths from the same parameters (matmul_common.ts) and are tested against one twin.
import type { Gpu } from '../../gpu/context.ts';
import { isQuant, type MatrixFormat, type WeightDType } from '../../gpu/dtype.ts';
import { MATMUL_PARAMS, matmulHeader, type Operand } from './matmul_common.ts';
import { gemvApplies, GEMV_MAX_ROWS, matmul_gemv_dispatch } from './matmul_gemv.ts';
import { matmul_tiled_dispatch } from './matmul_tiled.ts';

export interface MatmulArgs {
  M: number;
  N: number;
  K: number;
  /** A is stored (K, M). */
  transA?: boolean;
  /** B is stored (N, K). */
  transB?: boolean;
  bType?: MatrixFormat;
  /** Group scales of a quantised B (q8/q4). */
  bScales?: GPUBuffer;
  alpha?: number;
  beta?: number;
  /** Element offsets and row strides (defaults: 0 and contiguous). */
  aOff?: number;
  bOff?: number;
  cOff?: number;
  lda?: number;
  ldb?: number;
  ldc?: number;
  /** Optional bias (N) added to every row, stored as biasType (default: like B, f32 when B is quantised). */
  bias?: GPUBuffer;
  biasOff?: number;
  biasType?: WeightDType;
  /**
   * Independent products of this shape, one per dispatch z; product z reads A at aOff + z·strideA, B at
   * bOff + z·strideB and writes C at cOff + z·strideC (elements; default 1 product). Strides default to 0 (an
   * operand every product shares); strideC must not be 0 when batch > 1. The bias is shared, at biasOff.
   */
  batch?: number;
  strideA?: number;
  strideB?: number;
  strideC?: number;
}

/**
 * `grouped` (quantised B with transB, K, ldb and bOff multiples of 32): K is walked a group at a time; the four
 * rows' scales are read once per group and applied to the group's partial sums (Σ a·code)·scale, instead of
 * to every weight — fewer loads and multiplies on the decode and prefill path.
 * `R` rows of C per invocation (4 columns always): 4, or M itself below 4 without transA — a decode step (M = 1)
 * would otherwise multiply its one row four times (the clamped edge rows), a CPU adapter's whole decode cost.
 */
function shader(
  transA: boolean, transB: boolean, aType: Operand, bType: Operand, biasType: WeightDType | null, wg: [number, number], grouped = false, R = 4,
): string {
  const aIdx = (m: string, k: string) => (transA ? `aO + (${k}) * p.lda + ${m}` : `aO + (${m}) * p.lda + ${k}`);
  const bIdx = (k: string, n: string) => (transB ? `bO + (${n}) * p.ldb + ${k}` : `bO + (${k}) * p.ldb + ${n}`);
  const rows = Array.from({ length: R }, (_, i) => i); // rows of C (and A)
  const cols = [0, 1, 2, 3]; // columns of C (rows of B when transB), and the 4 k of a step
  if (transA && R !== 4) throw new Error('matmul: transA tiles are 4 rows (A is read 4 rows at a time)');
  // A tile: a[i] = A[m_i, k..k+3]
  const aTile = transA
    ? `let at = transpose(mat4x4<f32>(${cols.map((j) => `ld4_a(${aIdx('m0', `k + ${j}u`)})`).join(', ')}));
    ${rows.map((i) => `let a${i} = at[${i}];`).join(' ')}`
    : rows.map((i) => `let a${i} = ld4_a(${aIdx(`mr${i}`, 'k')});`).join('\n    ');
  // B tile and product: acc[i] += A[m_i, k..k+3] · B[k..k+3, n0..n0+3]
  const bTile = transB
    ? `let w = mat4x4<f32>(${cols.map((j) => `ld4_b(${bIdx('k', `nr${j}`)})`).join(', ')});
    ${rows.map((i) => `acc[${i}] += a${i} * w;`).join(' ')}`
    : `let w = mat4x4<f32>(${cols.map((j) => `ld4_b(${bIdx(`k + ${j}u`, 'n0')})`).join(', ')});
    ${rows.map((i) => `acc[${i}] += w * a${i};`).join(' ')}`;
  const plainLoop = `let K4 = p.K & ~3u;
  for (var k = 0u; k < K4; k += 4u) {
    ${aTile}
    ${bTile}
  }
  for (var k = K4; k < p.K; k++) {
    let bv = vec4<f32>(${cols.map((j) => `ld_b(${bIdx('k', `nr${j}`)})`).join(', ')});
    ${rows.map((i) => `acc[${i}] += ld_a(${aIdx(`mr${i}`, 'k')}) * bv;`).join(' ')}
  }`;
  const groupedLoop = `for (var g = 0u; g < p.K; g += 32u) {
    let s = vec4<f32>(${cols.map((j) => `sc_b((${bIdx('g', `nr${j}`)}) >> 5u)`).join(', ')});
    // zeroed explicitly: SwiftShader did not re-zero an uninitialised loop-scoped var on each iteration
    var part = array<vec4<f32>, ${R}>(${rows.map(() => 'vec4<f32>(0.0)').join(', ')});
    for (var k = g; k < g + 32u; k += 4u) {
      ${aTile}
      let w = mat4x4<f32>(${cols.map((j) => `lq4_b(${bIdx('k', `nr${j}`)})`).join(', ')});
      ${rows.map((i) => `part[${i}] += a${i} * w;`).join(' ')}
    }
    ${rows.map((i) => `acc[${i}] += part[${i}] * s;`).join(' ')}
  }`;
  return /* wgsl */ `
${matmulHeader(transA, transB, aType, bType, biasType)}

@compute @workgroup_size(${wg[0]}, ${wg[1]})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  zb = gid.z;
  let aO = a_off();
  let bO = b_off();
  let n0 = gid.x * 4u;
  let m0 = gid.y * ${R}u;
  if (n0 >= p.N || m0 >= p.M) { return; }
  // Edge tiles read a clamped row/column; those results are never stored.
  ${rows.map((i) => `let mr${i} = min(m0 + ${i}u, p.M - 1u);`).join(' ')}
  ${cols.map((i) => `let nr${i} = min(n0 + ${i}u, p.N - 1u);`).join(' ')}
  var acc: array<vec4<f32>, ${R}>;
  ${grouped ? groupedLoop : plainLoop}
  for (var i = 0u; i < ${R}u; i++) {
    let m = m0 + i;
    if (m >= p.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let n = n0 + j;
      if (n >= p.N) { break; }
      store_c(m, n, acc[i][j]);
    }
  }
}`;
}

/** The plain baseline the benchmark compares against: one invocation per output element, scalar loads. */
function naiveShader(transA: boolean, transB: boolean, bType: MatrixFormat, biasType: WeightDType | null): string {
  return /* wgsl */ `
${matmulHeader(transA, transB, 'f32', bType, biasType)}
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  zb = gid.z;
  let aO = a_off();
  let bO = b_off();
  let n = gid.x;
  let m = gid.y;
  if (n >= p.N || m >= p.M) { return; }
  var acc = 0.0;
  for (var k = 0u; k < p.K; k++) {
    acc += a[${transA ? 'aO + k * p.lda + m' : 'aO + m * p.lda + k'}] * ld_b(${transB ? 'bO + n * p.ldb + k' : 'bO + k * p.ldb + n'});
  }
  store_c(m, n, acc);
}`;
}

/** Checks the batch arguments; returns the batch and the three strides (0 unless given). */
function batchArgs(gpu: Gpu, args: MatmulArgs): { batch: number; sA: number; sB: number; sC: number } {
  const { batch = 1, strideA: sA = 0, strideB: sB = 0, strideC: sC = 0 } = args;
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`matmul: batch must be a positive integer (got ${batch})`);
  const max = gpu.limits.maxComputeWorkgroupsPerDimension;
  if (batch > max) throw new Error(`matmul: batch ${batch} exceeds the device's ${max} workgroups per dimension`);
  for (const [name, v] of [['strideA', sA], ['strideB', sB], ['strideC', sC]] as const) {
    if (!Number.isInteger(v) || v < 0 || v >= 2 ** 32) throw new Error(`matmul: ${name} must be a non-negative integer element count (got ${v})`);
  }
  // every product would write the same C: a race, not a batch
  if (batch > 1 && sC === 0) throw new Error('matmul: strideC must be given (non-zero) when batch > 1');
  return { batch, sA, sB, sC };
}

export function matmul_forward(gpu: Gpu, c: GPUBuffer, a: GPUBuffer, b: GPUBuffer, args: MatmulArgs): void {
  const { M, N, K, transA = false, transB = false, bType = 'f32', bias } = args;
  const lda = args.lda ?? (transA ? M : K);
  const ldb = args.ldb ?? (transB ? K : N);
  const ldc = args.ldc ?? N;
  const { batch, sA, sB, sC } = batchArgs(gpu, args);
  // With one product the strides are never used, so they must not affect the choice of kernel.
  const [zA, zB] = batch > 1 ? [sA, sB] : [0, 0];
  if (bType !== 'f32') {
    // Packed 16-bit runs must start on a u32 pair boundary; quantised runs of 4 lie inside one word and group.
    // Every product's B (bOff + z·strideB) must be, hence strideB too.
    const bOff = args.bOff ?? 0;
    if (ldb % 4 || bOff % 4 || zB % 4 || (!transB && N % 4) || (transB && K % 4)) {
      throw new Error(`matmul: packed ${bType} operand needs 4-aligned rows (ldb=${ldb}, bOff=${bOff}, strideB=${zB}, N=${N}, K=${K})`);
    }
  }
  const quant = isQuant(bType);
  if (quant !== !!args.bScales) throw new Error(`matmul: ${quant ? `${bType} B needs bScales` : 'bScales given for an unquantised B'}`);
  const biasType: WeightDType | null = bias ? args.biasType ?? (quant ? 'f32' : (bType as WeightDType)) : null;
  const values = {
    M, N, K, lda, ldb, ldc,
    aOff: args.aOff ?? 0, bOff: args.bOff ?? 0, cOff: args.cOff ?? 0, biasOff: args.biasOff ?? 0,
    alpha: args.alpha ?? 1, beta: args.beta ?? 0,
    sA: zA, sB: zB, sC: batch > 1 ? sC : 0,
  };
  const buffers = [c, a, b, ...(args.bScales ? [args.bScales] : []), ...(bias ? [bias] : [])];
  const biasKey = biasType ? `_bias${biasType}` : '';
  if (gpu.options.naiveMatmul) {
    const key = `matmul_naive_${transA ? 't' : 'n'}${transB ? 't' : 'n'}_${bType}${biasKey}`;
    gpu.dispatch(gpu.pipeline(key, () => naiveShader(transA, transB, bType, biasType)), MATMUL_PARAMS, values, buffers, [Math.ceil(N / 8), Math.ceil(M / 8), batch]);
    return;
  }
  // f32 operands whose runs are 16-byte aligned in every product are read as vec4 (about 2x faster on SwiftShader).
  const aType: Operand = lda % 4 === 0 && (args.aOff ?? 0) % 4 === 0 && zA % 4 === 0 ? 'f32x4' : 'f32';
  const bOp: Operand = bType === 'f32' && ldb % 4 === 0 && (args.bOff ?? 0) % 4 === 0 && zB % 4 === 0 ? 'f32x4' : bType;
  if (gpu.options.kernels === 'gpu') {
    const variant = `${transA ? 't' : 'n'}${transB ? 't' : 'n'}_${aType}_${bOp}${biasKey}`;
    if (gemvApplies({ M, K, transA, transB })) return matmul_gemv_dispatch(gpu, variant, values, buffers, { M, N, batch, aType, bType: bOp, biasType });
    if (M > GEMV_MAX_ROWS) return matmul_tiled_dispatch(gpu, variant, values, buffers, { M, N, batch, transA, transB, aType, bType: bOp, biasType });
  }
  const wg: [number, number] = M <= 4 ? [64, 1] : [8, 8];
  const R = M < 4 && !transA ? M : 4;
  // (a product's groups must start at its B: strideB too, else the per-element scales of the plain loop)
  const grouped = quant && transB && K % 32 === 0 && ldb % 32 === 0 && (args.bOff ?? 0) % 32 === 0 && zB % 32 === 0;
  const key = `matmul_${transA ? 't' : 'n'}${transB ? 't' : 'n'}_${aType}_${bOp}${grouped ? '_grouped' : ''}${biasKey}_${wg.join('x')}${R < 4 ? `_r${R}` : ''}`;
  const pipeline = gpu.pipeline(key, () => shader(transA, transB, aType, bOp, biasType, wg, grouped, R));
  gpu.dispatch(pipeline, MATMUL_PARAMS, values, buffers, [Math.ceil(N / (4 * wg[0])), Math.ceil(M / (R * wg[1])), batch]);
}
