// rope_forward: rotates q or k in place, Hugging Face "rotate_half" pairing (i, i + D/2):
//   x'[i]       = x[i] cos − x[i+D/2] sin
//   x'[i+D/2]   = x[i+D/2] cos + x[i] sin
// rope_backward is the inverse rotation (sin → −sin), which is also its transpose.
// cos/sin come as a (M, D/2) table computed on the CPU per call (ropeTable, below): exact f32 angles
// like PyTorch, and no large-argument sin/cos inside the shader.
import type { Gpu } from '../gpu/context.ts';
import { paramLayout } from '../gpu/params.ts';
import { linearGroups, LINEAR_INDEX } from './common.ts';

const P = paramLayout({ M: 'u32', NH: 'u32', D: 'u32', sign: 'f32', xOff: 'u32', ldx: 'u32' });

const shader = /* wgsl */ `
${P.wgsl}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;   // (M, NH, D) at xOff, row stride ldx
@group(0) @binding(2) var<storage, read> cs: array<f32>;        // (2, M, D/2): cos then sin
${LINEAR_INDEX}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let half = p.D / 2u;
  let t = linear_index(gid, nwg);
  if (t >= p.M * p.NH * half) { return; }
  let i = t % half;
  let h = (t / half) % p.NH;
  let m = t / (half * p.NH);
  let c = cs[m * half + i];
  let s = p.sign * cs[p.M * half + m * half + i];
  let base = p.xOff + m * p.ldx + h * p.D;
  let x1 = x[base + i];
  let x2 = x[base + i + half];
  x[base + i] = x1 * c - x2 * s;
  x[base + i + half] = x2 * c + x1 * s;
}`;

export interface RopeArgs {
  M: number;
  NH: number;
  D: number;
  xOff?: number;
  /** Row stride (default NH·D). */
  ldx?: number;
}

function rope(gpu: Gpu, x: GPUBuffer, table: GPUBuffer, a: RopeArgs, sign: number): void {
  const pipeline = gpu.pipeline('rope', () => shader);
  const values = { M: a.M, NH: a.NH, D: a.D, sign, xOff: a.xOff ?? 0, ldx: a.ldx ?? a.NH * a.D };
  gpu.dispatch(pipeline, P, values, [x, table], linearGroups((a.M * a.NH * a.D) / 2));
}

export const rope_forward = (gpu: Gpu, x: GPUBuffer, table: GPUBuffer, a: RopeArgs) => rope(gpu, x, table, a, 1);
export const rope_backward = (gpu: Gpu, x: GPUBuffer, table: GPUBuffer, a: RopeArgs) => rope(gpu, x, table, a, -1);

/** The (2, M, D/2) cos/sin table for positions `pos` (M) and inverse frequencies (D/2), in f32 like PyTorch. */
export function ropeTable(pos: ArrayLike<number>, invFreq: Float32Array): Float32Array {
  const half = invFreq.length;
  const M = pos.length;
  const out = new Float32Array(2 * M * half);
  for (let m = 0; m < M; m++) {
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(pos[m] * invFreq[i]); // torch: (inv_freq f32) @ (pos f32) in f32
      out[m * half + i] = Math.cos(angle);
      out[M * half + m * half + i] = Math.sin(angle);
    }
  }
  return out;
}
