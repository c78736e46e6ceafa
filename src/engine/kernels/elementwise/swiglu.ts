// swiglu_forward:  out = silu(gate) ⊙ up,  silu(g) = g·σ(g)
// swiglu_backward: dgate = dout ⊙ up ⊙ σ(g)(1 + g(1 − σ(g))),  dup = dout ⊙ silu(g)
import type { Gpu } from '../../gpu/context.ts';
import { paramLayout } from '../../gpu/params.ts';
import { linearGroups, LINEAR_INDEX } from '../common.ts';

const P = paramLayout({ n: 'u32' });

const forward = /* wgsl */ `
${P.wgsl}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;  // (M, F)
@group(0) @binding(2) var<storage, read> gate: array<f32>;       // (M, F)
@group(0) @binding(3) var<storage, read> up: array<f32>;         // (M, F)
${LINEAR_INDEX}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i >= p.n) { return; }
  let g = gate[i];
  out[i] = g / (1.0 + exp(-g)) * up[i];
}`;

const backward = /* wgsl */ `
${P.wgsl}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> dgate: array<f32>; // (M, F)
@group(0) @binding(2) var<storage, read_write> dup: array<f32>;   // (M, F)
@group(0) @binding(3) var<storage, read> dout: array<f32>;        // (M, F)
@group(0) @binding(4) var<storage, read> gate: array<f32>;        // (M, F)
@group(0) @binding(5) var<storage, read> up: array<f32>;          // (M, F)
${LINEAR_INDEX}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i >= p.n) { return; }
  let g = gate[i];
  let s = 1.0 / (1.0 + exp(-g));
  let d = dout[i];
  dgate[i] = d * up[i] * s * (1.0 + g * (1.0 - s));
  dup[i] = d * g * s;
}`;

export function swiglu_forward(gpu: Gpu, out: GPUBuffer, gate: GPUBuffer, up: GPUBuffer, n: number): void {
  gpu.dispatch(gpu.pipeline('swiglu_forward', () => forward), P, { n }, [out, gate, up], linearGroups(n));
}

export function swiglu_backward(
  gpu: Gpu, dgate: GPUBuffer, dup: GPUBuffer, dout: GPUBuffer, gate: GPUBuffer, up: GPUBuffer, n: number,
): void {
  gpu.dispatch(gpu.pipeline('swiglu_backward', () => backward), P, { n }, [dgate, dup, dout, gate, up], linearGroups(n));
}
