// matmul_tiled: the GPU-class GEMM behind matmul_forward (same arguments, same maths: C = α·A·op(B) + β·C + bias),
// chosen for adapters that are real GPUs (Gpu.options.kernels = 'gpu') and M > GEMV_MAX_ROWS.
//
// Each workgroup of 16 × 16 invocations owns a 64 × 64 tile of C; K is walked 16 at a time through workgroup
// memory: the 64 × 16 slice of A and the 16 × 64 slice of B are staged (B unpacked from f16/bf16/q8/q4 to f32 as it
// is staged, so a weight is read from memory once per tile instead of once per output row), then each invocation
// multiplies its 4 × 4 register tile (the register-blocked kernel's inner loop) out of shared memory. Loads are
// 4-wide along each operand's contiguous axis; A beyond K reads 0 and B's rows and columns beyond N/K are clamped,
// so edge tiles need no other branch. 8 KiB of workgroup memory (the WebGPU minimum is 16 KiB).
// On SwiftShader every barrier is slow (the register kernel is 5-10× faster there), hence the per-adapter choice.
import type { Gpu } from '../../gpu/context.ts';
import type { WeightDType } from '../../gpu/dtype.ts';
import { MATMUL_PARAMS, matmulHeader, type MatmulValues, type Operand } from './matmul_common.ts';

export const TILE = 64;
const BK = 16;

function shader(transA: boolean, transB: boolean, aType: Operand, bType: Operand, biasType: WeightDType | null): string {
  const aIdx = (m: string, k: string) => (transA ? `aO + (${k}) * p.lda + (${m})` : `aO + (${m}) * p.lda + (${k})`);
  const bIdx = (k: string, n: string) => (transB ? `bO + (${n}) * p.ldb + (${k})` : `bO + (${k}) * p.ldb + (${n})`);
  // A tile, As[k * 16 + m / 4][m % 4] = A[m0 + m, k0 + k], zero beyond M or K
  const loadA = transA
    ? `{ // (K, M): 4 consecutive m per invocation
    let kk = t / 16u; let mq = (t % 16u) * 4u; let k = k0 + kk; let m = m0 + mq;
    var v = vec4<f32>(0.0);
    if (k < p.K) {
      if (m + 3u < p.M) { v = ld4_a(${aIdx('m', 'k')}); }
      else { for (var j = 0u; j < 4u; j++) { if (m + j < p.M) { v[j] = ld_a(${aIdx('m + j', 'k')}); } } }
    }
    As[kk * 16u + mq / 4u] = v;
  }`
    : `{ // (M, K): 4 consecutive k per invocation
    let mi = t / 4u; let kq = (t % 4u) * 4u; let m = m0 + mi; let k = k0 + kq;
    var v = vec4<f32>(0.0);
    if (m < p.M) {
      if (k + 3u < p.K) { v = ld4_a(${aIdx('m', 'k')}); }
      else { for (var j = 0u; j < 4u; j++) { if (k + j < p.K) { v[j] = ld_a(${aIdx('m', 'k + j')}); } } }
    }
    for (var j = 0u; j < 4u; j++) { As[(kq + j) * 16u + mi / 4u][mi % 4u] = v[j]; }
  }`;
  // B tile, Bs[k * 16 + n / 4][n % 4] = B[k0 + k, n0 + n] (rows and columns clamped: A is 0 there, and the
  // clamped columns are never stored)
  const loadB = transB
    ? `{ // (N, K): 4 consecutive k per invocation
    let ni = t / 4u; let kq = (t % 4u) * 4u; let n = min(n0 + ni, p.N - 1u); let k = k0 + kq;
    var v: vec4<f32>;
    if (k + 3u < p.K) { v = ld4_b(${bIdx('k', 'n')}); }
    else { for (var j = 0u; j < 4u; j++) { v[j] = ld_b(${bIdx('min(k + j, p.K - 1u)', 'n')}); } }
    for (var j = 0u; j < 4u; j++) { Bs[(kq + j) * 16u + ni / 4u][ni % 4u] = v[j]; }
  }`
    : `{ // (K, N): 4 consecutive n per invocation
    let kk = t / 16u; let nq = (t % 16u) * 4u; let k = min(k0 + kk, p.K - 1u); let n = n0 + nq;
    var v: vec4<f32>;
    if (n + 3u < p.N) { v = ld4_b(${bIdx('k', 'n')}); }
    else { for (var j = 0u; j < 4u; j++) { v[j] = ld_b(${bIdx('k', 'min(n + j, p.N - 1u)')}); } }
    Bs[kk * 16u + nq / 4u] = v;
  }`;
  return /* wgsl */ `
${matmulHeader(transA, transB, aType, bType, biasType)}
var<workgroup> As: array<vec4<f32>, ${(BK * TILE) / 4}>;  // [k][m / 4]
var<workgroup> Bs: array<vec4<f32>, ${(BK * TILE) / 4}>;  // [k][n / 4]

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  zb = wid.z;
  let aO = a_off();
  let bO = b_off();
  let m0 = wid.y * ${TILE}u;
  let n0 = wid.x * ${TILE}u;
  var acc = array<vec4<f32>, 4>(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
  for (var k0 = 0u; k0 < p.K; k0 += ${BK}u) {
    ${loadA}
    ${loadB}
    workgroupBarrier();
    for (var kk = 0u; kk < ${BK}u; kk++) {
      let av = As[kk * 16u + lid.y];
      let bv = Bs[kk * 16u + lid.x];
      acc[0] += av[0] * bv; acc[1] += av[1] * bv; acc[2] += av[2] * bv; acc[3] += av[3] * bv;
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let m = m0 + lid.y * 4u + i;
    if (m >= p.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let n = n0 + lid.x * 4u + j;
      if (n >= p.N) { break; }
      store_c(m, n, acc[i][j]);
    }
  }
}`;
}

/** Records the tiled GEMM (matmul_forward has checked the arguments and packed `values`). */
export function matmul_tiled_dispatch(
  gpu: Gpu, key: string, values: MatmulValues, buffers: GPUBuffer[],
  o: { M: number; N: number; batch: number; transA: boolean; transB: boolean; aType: Operand; bType: Operand; biasType: WeightDType | null },
): void {
  const pipeline = gpu.pipeline(`matmul_tiled_${key}`, () => shader(o.transA, o.transB, o.aType, o.bType, o.biasType));
  gpu.dispatch(pipeline, MATMUL_PARAMS, values, buffers, [Math.ceil(o.N / TILE), Math.ceil(o.M / TILE), o.batch]);
}
