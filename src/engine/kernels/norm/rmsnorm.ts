// rmsnorm_forward:  out = inp · rstd · w,  rstd = 1/sqrt(mean(inp²) + eps)   (one invocation per row)
// rmsnorm_backward: dinp += rstd · (w ⊙ dout) − inp · rstd³ · mean(w ⊙ dout ⊙ inp)   (w frozen: no dw)
// The forward saves rstd (M) for the backward.
import type { Gpu } from '../../gpu/context.ts';
import { loaders, storageType, type WeightDType } from '../../gpu/dtype.ts';
import { paramLayout } from '../../gpu/params.ts';
import { linearGroups, LINEAR_INDEX } from '../common.ts';

const P = paramLayout({ M: 'u32', C: 'u32', eps: 'f32' });

const header = (dtype: WeightDType) => /* wgsl */ `
${P.wgsl}
@group(0) @binding(0) var<uniform> p: Params;
${LINEAR_INDEX}
${loaders('w', dtype)}`;

function forwardShader(dtype: WeightDType): string {
  return /* wgsl */ `
@group(0) @binding(1) var<storage, read_write> out: array<f32>;   // (M, C)
@group(0) @binding(2) var<storage, read_write> rstd: array<f32>;  // (M)
@group(0) @binding(3) var<storage, read> inp: array<f32>;         // (M, C)
@group(0) @binding(4) var<storage, read> w: ${storageType(dtype)}; // (C) ${dtype}
${header(dtype)}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let m = linear_index(gid, nwg);
  if (m >= p.M) { return; }
  let base = m * p.C;
  var ss = 0.0;
  for (var c = 0u; c < p.C; c++) { let x = inp[base + c]; ss += x * x; }
  let r = inverseSqrt(ss / f32(p.C) + p.eps);
  rstd[m] = r;
  for (var c = 0u; c < p.C; c++) { out[base + c] = inp[base + c] * r * ld_w(c); }
}`;
}

function backwardShader(dtype: WeightDType): string {
  return /* wgsl */ `
@group(0) @binding(1) var<storage, read_write> dinp: array<f32>;  // (M, C), accumulated
@group(0) @binding(2) var<storage, read> dout: array<f32>;        // (M, C)
@group(0) @binding(3) var<storage, read> inp: array<f32>;         // (M, C)
@group(0) @binding(4) var<storage, read> w: ${storageType(dtype)}; // (C) ${dtype}
@group(0) @binding(5) var<storage, read> rstd: array<f32>;        // (M)
${header(dtype)}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let m = linear_index(gid, nwg);
  if (m >= p.M) { return; }
  let base = m * p.C;
  let r = rstd[m];
  var dot = 0.0;
  for (var c = 0u; c < p.C; c++) { dot += ld_w(c) * dout[base + c] * inp[base + c]; }
  let k = r * r * r * dot / f32(p.C);
  for (var c = 0u; c < p.C; c++) {
    dinp[base + c] += r * ld_w(c) * dout[base + c] - inp[base + c] * k;
  }
}`;
}

export function rmsnorm_forward(
  gpu: Gpu, out: GPUBuffer, rstd: GPUBuffer, inp: GPUBuffer, w: GPUBuffer,
  a: { M: number; C: number; eps: number; dtype: WeightDType },
): void {
  const pipeline = gpu.pipeline(`rmsnorm_forward_${a.dtype}`, () => forwardShader(a.dtype));
  gpu.dispatch(pipeline, P, a, [out, rstd, inp, w], linearGroups(a.M));
}

export function rmsnorm_backward(
  gpu: Gpu, dinp: GPUBuffer, dout: GPUBuffer, inp: GPUBuffer, w: GPUBuffer, rstd: GPUBuffer,
  a: { M: number; C: number; eps: number; dtype: WeightDType },
): void {
  const pipeline = gpu.pipeline(`rmsnorm_backward_${a.dtype}`, () => backwardShader(a.dtype));
  gpu.dispatch(pipeline, P, a, [dinp, dout, inp, w, rstd], linearGroups(a.M));
}
