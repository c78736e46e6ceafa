// lora_merge_forward: W ← W + scale · B·A folded into a frozen base weight, in its own storage type
// (f16/bf16 results are rounded to nearest even, as torch does when it casts). After the merge the adapter is
// reset, so the model computes the same function with one matmul less per target.
//   W (out, in) f32|f16|bf16,  A (r, in) f32 and B (out, r) f32 at element offsets in the flat LoRA buffer
import type { Gpu } from '../../gpu/context.ts';
import { storageType, type WeightDType } from '../../gpu/dtype.ts';
import { paramLayout } from '../../gpu/params.ts';
import { linearGroups, LINEAR_INDEX } from '../common.ts';

const P = paramLayout({ rows: 'u32', cols: 'u32', r: 'u32', wOff: 'u32', aOff: 'u32', bOff: 'u32', scale: 'f32' });

function shader(dtype: WeightDType): string {
  const per = dtype === 'f32' ? 1 : 2; // elements per storage word
  const delta = (col: string) =>
    `var acc = 0.0; for (var k = 0u; k < p.r; k++) { acc += lora[p.bOff + row * p.r + k] * lora[p.aOff + k * p.cols + ${col}]; }`;
  const body =
    dtype === 'f32'
      ? `${delta('col')} w[p.wOff + e] += p.scale * acc;`
      : `let wi = (p.wOff + e) / 2u;
  ${dtype === 'bf16'
    ? `let old = vec2<f32>(bitcast<f32>(w[wi] << 16u), bitcast<f32>(w[wi] & 0xffff0000u));`
    : `let old = unpack2x16float(w[wi]);`}
  var d: vec2<f32>;
  for (var j = 0u; j < 2u; j++) { ${delta('col + j')} d[j] = acc; }
  let nw = old + p.scale * d;
  ${dtype === 'bf16'
    ? `w[wi] = (rne(nw.x) & 0xffffu) | (rne(nw.y) << 16u);`
    : `w[wi] = pack2x16float(nw);`}`;
  return /* wgsl */ `
${P.wgsl}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> w: ${storageType(dtype)};  // (rows, cols) ${dtype}
@group(0) @binding(2) var<storage, read> lora: array<f32>;                 // flat LoRA parameters
${LINEAR_INDEX}
fn rne(x: f32) -> u32 { let b = bitcast<u32>(x); return (b + 0x7fffu + ((b >> 16u) & 1u)) >> 16u; }
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let e = linear_index(gid, nwg) * ${per}u;   // first element of this invocation's storage word
  if (e >= p.rows * p.cols) { return; }
  let row = e / p.cols;
  let col = e % p.cols;
  ${body}
}`;
}

export interface MergeArgs {
  rows: number;
  cols: number;
  r: number;
  scale: number;
  dtype: WeightDType;
  wOff?: number;
  aOff: number;
  bOff: number;
}

export function lora_merge_forward(gpu: Gpu, w: GPUBuffer, lora: GPUBuffer, a: MergeArgs): void {
  if (a.dtype !== 'f32' && (a.cols % 2 || (a.wOff ?? 0) % 2)) throw new Error('lora_merge: packed rows must be even');
  const values = { rows: a.rows, cols: a.cols, r: a.r, wOff: a.wOff ?? 0, aOff: a.aOff, bOff: a.bOff, scale: a.scale };
  const words = (a.rows * a.cols) / (a.dtype === 'f32' ? 1 : 2);
  gpu.dispatch(gpu.pipeline(`lora_merge_${a.dtype}`, () => shader(a.dtype)), P, values, [w, lora], linearGroups(words));
}
