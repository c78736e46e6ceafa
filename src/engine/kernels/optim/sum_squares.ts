// sum_squares_forward: out[s] = Σ x[s·n .. (s+1)·n)² for each of `slots` equal slices (one per adapter slot: each
// slot's gradient norm), in two passes (each workgroup reduces a strided part of its slice into a partial, then one
// workgroup per slice reduces the partials), so the gradient norms never leave the GPU.
import type { Gpu } from '../../gpu/context.ts';
import { paramLayout } from '../../gpu/params.ts';

const P = paramLayout({ n: 'u32', square: 'u32' });
export const PARTIALS = 256;

// workgroup (x, y): part x of slice y
const shader = /* wgsl */ `
${P.wgsl}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;  // (slices, workgroups.x)
@group(0) @binding(2) var<storage, read> x: array<f32>;          // (slices, n)
var<workgroup> part: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let base = wid.y * p.n;
  var s = 0.0;
  for (var i = wid.x * 256u + lid.x; i < p.n; i += nwg.x * 256u) {
    let v = x[base + i];
    s += select(v, v * v, p.square == 1u);
  }
  part[lid.x] = s;
  for (var w = 128u; w > 0u; w >>= 1u) {
    workgroupBarrier();
    if (lid.x < w) { part[lid.x] += part[lid.x + w]; }
  }
  if (lid.x == 0u) { out[wid.y * nwg.x + wid.x] = part[0]; }
}`;

/** Writes Σ x² of each of `slots` consecutive slices of n elements into out[0 .. slots); `partials` is scratch of slots · PARTIALS floats. */
export function sum_squares_forward(gpu: Gpu, out: GPUBuffer, x: GPUBuffer, partials: GPUBuffer, n: number, slots = 1): void {
  const pipeline = gpu.pipeline('sum_squares', () => shader);
  const groups = Math.min(PARTIALS, Math.max(1, Math.ceil(n / 4096)));
  gpu.dispatch(pipeline, P, { n, square: 1 }, [partials, x], [groups, slots]);
  gpu.dispatch(pipeline, P, { n: groups, square: 0 }, [out, partials], [1, slots]);
}
