// random_fill_forward: x[j] = offset + scale · u(seed, i0 + j) for j in [0, n), stored as f32 or packed f16/bf16
// (two per u32, element j in half j % 2, rounded to nearest even) — weights of a model built on the GPU without a
// file (the benchmark's Llama-3.2-1B-shaped model: 2.5 GB never passes through JavaScript).
//   u(seed, i) = 2 · (hash(i · 0x9e3779b9 + hash(seed)) >> 8) / 2^24 − 1, uniform on [−1, 1) in steps of 2^−23;
//   hash = murmur3's 32-bit finaliser. Counter-based: any chunk [i0, i0 + n) of a tensor can be made alone, and
//   the same (seed, i) gives the same value in every format, so a q4 copy quantises the bf16 model's values.
import type { Gpu } from '../../gpu/context.ts';
import { F16_BITS_WGSL, type WeightDType } from '../../gpu/dtype.ts';
import { paramLayout } from '../../gpu/params.ts';
import { LINEAR_INDEX, linearGroups } from '../common.ts';

const P = paramLayout({ n: 'u32', i0: 'u32', seed: 'u32', scale: 'f32', offset: 'f32' });

const HASH = /* wgsl */ `
fn mix32(x: u32) -> u32 {
  var z = (x ^ (x >> 16u)) * 0x85ebca6bu;
  z = (z ^ (z >> 13u)) * 0xc2b2ae35u;
  return z ^ (z >> 16u);
}
fn value(i: u32) -> f32 {
  let u = f32(mix32(i * 0x9e3779b9u + mix32(p.seed)) >> 8u) * (1.0 / 8388608.0) - 1.0;
  return p.offset + p.scale * u;
}`;

function shader(dtype: WeightDType): string {
  const store = dtype === 'f32'
    ? 'if (j >= p.n) { return; }\n  x[j] = value(p.i0 + j);'
    : `let e = 2u * j;
  if (e >= p.n) { return; }
  let lo = bits(value(p.i0 + e));
  let hi = select(0u, bits(value(p.i0 + e + 1u)), e + 1u < p.n);
  x[j] = lo | (hi << 16u);`;
  const bits = dtype === 'bf16'
    ? 'fn bits(v: f32) -> u32 { let b = bitcast<u32>(v); return (b + 0x7fffu + ((b >> 16u) & 1u)) >> 16u; }'
    : dtype === 'f16' ? `${F16_BITS_WGSL}\nfn bits(v: f32) -> u32 { return f16_bits(v); }` : '';
  return /* wgsl */ `
${P.wgsl}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> x: array<${dtype === 'f32' ? 'f32' : 'u32'}>;  // (n) ${dtype}
${HASH}
${bits}
${LINEAR_INDEX}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let j = linear_index(gid, nwg);
  ${store}
}`;
}

export interface RandomFillArgs {
  n: number;
  dtype: WeightDType;
  seed: number;
  /** Half-width of the uniform distribution (0: every value is `offset`). */
  scale: number;
  offset?: number;
  /** Index of the first element in the tensor's random sequence (even for f16/bf16: whole words). */
  i0?: number;
}

/** Fills x[0 .. n) (elements of `dtype`, from the buffer's start) with seeded uniform values. */
export function random_fill_forward(gpu: Gpu, x: GPUBuffer, a: RandomFillArgs): void {
  const i0 = a.i0 ?? 0;
  if (a.dtype !== 'f32' && i0 % 2) throw new Error(`random_fill: ${a.dtype} chunks start on a whole word (i0 = ${i0})`);
  if (!a.n) return;
  const words = a.dtype === 'f32' ? a.n : Math.ceil(a.n / 2);
  const values = { n: a.n, i0, seed: a.seed >>> 0, scale: a.scale, offset: a.offset ?? 0 };
  gpu.dispatch(gpu.pipeline(`random_fill_${a.dtype}`, () => shader(a.dtype)), P, values, [x], linearGroups(words));
}
