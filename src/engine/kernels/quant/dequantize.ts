// dequantize_forward: out[i] = scale(group(i)) · code(i) for a q8/q4 matrix range (formats in gpu/dtype.ts) —
// the exact values every quantised kernel computes with. Used to fold a LoRA update into a quantised base
// (dequantise, merge in f32, quantise again) and as the GPU side of the dequantised reference in tests.
//
//   out    f32,     (n) from element 0
//   q      u32,     q8 or q4 code words of the source matrix
//   scales u32,     its f16 group scales, two per u32
// Elements are read from qOff (a multiple of 32: whole groups).
import type { Gpu } from '../../gpu/context.ts';
import { loaders, type QuantFormat } from '../../gpu/dtype.ts';
import { paramLayout } from '../../gpu/params.ts';
import { LINEAR_INDEX, linearGroups } from '../common.ts';

const P = paramLayout({ n: 'u32', qOff: 'u32' });

function shader(format: QuantFormat): string {
  return /* wgsl */ `
${P.wgsl}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;   // (n) f32
@group(0) @binding(2) var<storage, read> w: array<u32>;           // ${format} codes of the source matrix
@group(0) @binding(3) var<storage, read> w_s: array<u32>;         // its f16 group scales, two per u32
${loaders('w', format)}
${LINEAR_INDEX}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i >= p.n) { return; }
  out[i] = ld_w(p.qOff + i);
}`;
}

export function dequantize_forward(
  gpu: Gpu, out: GPUBuffer, q: GPUBuffer, scales: GPUBuffer, a: { format: QuantFormat; n: number; qOff?: number },
): void {
  const qOff = a.qOff ?? 0;
  if (qOff % 32) throw new Error(`dequantize: qOff (${qOff}) must start a group of 32`);
  gpu.dispatch(gpu.pipeline(`dequantize_${a.format}`, () => shader(a.format)), P, { n: a.n, qOff }, [out, q, scales], linearGroups(a.n));
}
