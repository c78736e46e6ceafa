// matmul_gemv: the GPU-class decode product behind matmul_forward, y (M, N) = α·x (M, K)·Wᵀ + β·y + bias for M ≤
// GEMV_MAX_ROWS rows (one decode step of a batch of ≤ 8 sequences) and W (N, K) in the weight layout, chosen for
// real GPUs (Gpu.options.kernels = 'gpu'). Decode is bound by reading W once: here each workgroup of 64 invocations
// owns R = 4 rows of W and splits K between its invocations, 8 consecutive weights each per step, so a warp reads
// one contiguous run of every row (coalesced; the register-blocked kernel gives each invocation whole rows of W).
// q8/q4 weights are dequantised as they are loaded (the dtype.ts loaders: codes and the group's f16 scale), so the
// quantised path reads 8.5 / 4.5 bits per weight and nothing else. The partial sums meet in workgroup memory
// (one barrier), and R·M invocations each add one output's 64 partials; with subgroups (Gpu.options.subgroups),
// each subgroup first adds its partials with subgroupAdd, so only 64 / subgroup-size of them meet in memory.
// Needs K % 8 == 0 (every real projection) and 4-aligned rows of W; matmul_forward falls back otherwise.
import type { Gpu } from '../../gpu/context.ts';
import type { WeightDType } from '../../gpu/dtype.ts';
import { MATMUL_PARAMS, matmulHeader, type MatmulValues, type Operand } from './matmul_common.ts';

export const GEMV_MAX_ROWS = 8;
const R = 4;
const WG = 64;

function shader(M: number, aType: Operand, bType: Operand, biasType: WeightDType | null, subgroups: boolean): string {
  const RM = R * M;
  const rows = Array.from({ length: R }, (_, r) => r);
  const ms = Array.from({ length: M }, (_, m) => m);
  // The partials of each output meet in `part`: one per invocation, or one per subgroup (its subgroupAdd).
  const store = subgroups
    ? `for (var i = 0u; i < ${RM}u; i++) { let s = subgroupAdd(acc[i]); if (lane == 0u) { part[(t / sgs) * ${RM}u + i] = s; } }`
    : `for (var i = 0u; i < ${RM}u; i++) { part[t * ${RM}u + i] = acc[i]; }`;
  const parts = subgroups ? `(${WG}u + sgs - 1u) / sgs` : `${WG}u`;
  const laneArgs = subgroups ? ', @builtin(subgroup_invocation_id) lane: u32, @builtin(subgroup_size) sgs: u32' : '';
  return /* wgsl */ `${subgroups ? 'enable subgroups;' : ''}
${matmulHeader(false, true, aType, bType, biasType)}
var<workgroup> part: array<f32, ${WG * RM}>;  // [invocation or subgroup][r * M + m]

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) t: u32${laneArgs}) {
  zb = wid.z;
  let aO = a_off();
  let bO = b_off();
  let n0 = (wid.y * nwg.x + wid.x) * ${R}u;
  if (n0 >= p.N) { return; }  // the same for the whole workgroup
  ${rows.map((r) => `let b${r} = bO + min(n0 + ${r}u, p.N - 1u) * p.ldb;`).join(' ')}
  var acc: array<f32, ${RM}>;
  for (var i = 0u; i < ${RM}u; i++) { acc[i] = 0.0; }
  for (var k = t * 8u; k < p.K; k += ${WG * 8}u) {
    ${ms.map((m) => `let x${m}l = ld4_a(aO + ${m}u * p.lda + k); let x${m}h = ld4_a(aO + ${m}u * p.lda + k + 4u);`).join('\n    ')}
    ${rows.map((r) => `{
      let wl = ld4_b(b${r} + k); let wh = ld4_b(b${r} + k + 4u);
      ${ms.map((m) => `acc[${r * M + m}] += dot(wl, x${m}l) + dot(wh, x${m}h);`).join(' ')}
    }`).join('\n    ')}
  }
  ${store}
  workgroupBarrier();
  if (t < ${RM}u) {
    let n = n0 + t / ${M}u;
    let m = t % ${M}u;
    if (n < p.N) {
      var s = 0.0;
      for (var i = 0u; i < ${parts}; i++) { s += part[i * ${RM}u + t]; }
      store_c(m, n, s);
    }
  }
}`;
}

/** Whether the GEMV serves this product: W in the weight layout, few rows, whole runs of 8 weights. */
export function gemvApplies(a: { M: number; K: number; transA: boolean; transB: boolean }): boolean {
  return a.transB && !a.transA && a.M <= GEMV_MAX_ROWS && a.K % 8 === 0;
}

/** Records the GEMV (matmul_forward has checked the arguments and packed `values`). */
export function matmul_gemv_dispatch(
  gpu: Gpu, key: string, values: MatmulValues, buffers: GPUBuffer[],
  o: { M: number; N: number; batch: number; aType: Operand; bType: Operand; biasType: WeightDType | null },
): void {
  const sg = gpu.options.subgroups;
  const pipeline = gpu.pipeline(`matmul_gemv${o.M}${sg ? '_sg' : ''}_${key}`, () => shader(o.M, o.aType, o.bType, o.biasType, sg));
  const groups = Math.ceil(o.N / R);
  const max = gpu.limits.maxComputeWorkgroupsPerDimension;
  const y = Math.ceil(groups / max);
  gpu.dispatch(pipeline, MATMUL_PARAMS, values, buffers, [Math.ceil(groups / y), y, o.batch]);
}
