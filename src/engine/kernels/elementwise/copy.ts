// copy_forward: dst[dstOff + r·ldd + c] = src[srcOff + r·lds + c] for rows × cols — residual checkpoints and
// KV-cache writes, recorded in the same compute pass as the kernels around them.
// fill_forward: dst[off .. off+n) = value (zeroing gradients).
import type { Gpu } from '../../gpu/context.ts';
import { paramLayout } from '../../gpu/params.ts';
import { linearGroups, LINEAR_INDEX } from '../common.ts';

const PC = paramLayout({ rows: 'u32', cols: 'u32', srcOff: 'u32', lds: 'u32', dstOff: 'u32', ldd: 'u32' });
const PF = paramLayout({ n: 'u32', off: 'u32', value: 'f32' });

const copyShader = /* wgsl */ `
${PC.wgsl}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;  // (rows, ldd) at dstOff
@group(0) @binding(2) var<storage, read> src: array<f32>;        // (rows, lds) at srcOff
${LINEAR_INDEX}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i >= p.rows * p.cols) { return; }
  let r = i / p.cols;
  let c = i % p.cols;
  dst[p.dstOff + r * p.ldd + c] = src[p.srcOff + r * p.lds + c];
}`;

const fillShader = /* wgsl */ `
${PF.wgsl}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;  // (n) at off
${LINEAR_INDEX}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i >= p.n) { return; }
  dst[p.off + i] = p.value;
}`;

export interface CopyArgs {
  rows: number;
  cols: number;
  srcOff?: number;
  lds?: number;
  dstOff?: number;
  ldd?: number;
}

export function copy_forward(gpu: Gpu, dst: GPUBuffer, src: GPUBuffer, a: CopyArgs): void {
  const values = {
    rows: a.rows, cols: a.cols, srcOff: a.srcOff ?? 0, lds: a.lds ?? a.cols, dstOff: a.dstOff ?? 0, ldd: a.ldd ?? a.cols,
  };
  gpu.dispatch(gpu.pipeline('copy', () => copyShader), PC, values, [dst, src], linearGroups(a.rows * a.cols));
}

export function fill_forward(gpu: Gpu, dst: GPUBuffer, n: number, value = 0, off = 0): void {
  gpu.dispatch(gpu.pipeline('fill', () => fillShader), PF, { n, off, value }, [dst], linearGroups(n));
}
