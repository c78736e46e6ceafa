// count_nonfinite_forward: counts[slot] += the number of NaN/±Inf elements of x[off .. off+n), read from the bits of
// the stored type (f32 words, or f16/bf16 pairs packed in u32): exact, and no shader-f16 needed. Load-time and
// pre-merge guards: many tensors add into their own slots, and one read at the end says which were bad.
//   counts (slots) atomic u32,  x (words) u32 — f32: n words; f16/bf16: ceil(n / 2) words, element i in half i % 2
import type { Gpu } from '../../gpu/context.ts';
import type { WeightDType } from '../../gpu/dtype.ts';
import { paramLayout } from '../../gpu/params.ts';
import { LINEAR_INDEX, linearGroups } from '../common.ts';

const P = paramLayout({ n: 'u32', off: 'u32', slot: 'u32' });

function shader(dtype: WeightDType): string {
  // Exponent bits all ones ⇔ NaN or ±Inf.
  const bad = dtype === 'f32'
    ? 'let w = x[p.off + i]; let b = ((w >> 23u) & 0xffu) == 0xffu;'
    : `let e = p.off + i; let w = x[e >> 1u] >> (16u * (e & 1u));
       let b = ${dtype === 'bf16' ? '((w >> 7u) & 0xffu) == 0xffu' : '((w >> 10u) & 0x1fu) == 0x1fu'};`;
  return /* wgsl */ `
${P.wgsl}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> counts: array<atomic<u32>>;  // (slots)
@group(0) @binding(2) var<storage, read> x: array<u32>;                     // the tensor's words
${LINEAR_INDEX}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i >= p.n) { return; }
  ${bad}
  if (b) { atomicAdd(&counts[p.slot], 1u); }
}`;
}

/** Adds the count of non-finite elements of x[off .. off+n) (elements of `dtype`) to counts[slot]. */
export function count_nonfinite_forward(gpu: Gpu, counts: GPUBuffer, x: GPUBuffer, a: { n: number; dtype: WeightDType; slot: number; off?: number }): void {
  if (!a.n) return;
  const pipeline = gpu.pipeline(`count_nonfinite_${a.dtype}`, () => shader(a.dtype));
  gpu.dispatch(pipeline, P, { n: a.n, off: a.off ?? 0, slot: a.slot }, [counts, x], linearGroups(a.n));
}
