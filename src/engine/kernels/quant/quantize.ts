// quantize_forward: weight-only group quantisation of a frozen matrix (q8 or q4, f16 group scales; formats in
// gpu/dtype.ts). The source is read in its storage type (f32/f16/bf16), so a checkpoint tensor is quantised
// straight from its uploaded bytes. One invocation per pair of groups (one u32 of two f16 scales), so no two
// invocations write the same word. Ranges are in groups of 32 elements of the flattened matrix (every row is a
// whole number of groups), so a large tensor can be quantised in chunks through a small staging buffer.
//
//   q      u32,            (groups · 8) q8 words or (groups · 4) q4 words, from word qOff = sOff · 8 | sOff · 4
//   scales u32,            (groups / 2) f16 pairs, from group sOff (even)
//   w      f32|f16|bf16,   (groups · 32) elements from element wOff (a multiple of 4)
import type { Gpu } from '../../gpu/context.ts';
import { F16_BITS_WGSL, loaders, QGROUP, storageType, type QuantFormat, type WeightDType } from '../../gpu/dtype.ts';
import { paramLayout } from '../../gpu/params.ts';
import { LINEAR_INDEX, linearGroups } from '../common.ts';

const P = paramLayout({ groups: 'u32', wOff: 'u32', sOff: 'u32' });

function shader(format: QuantFormat, dtype: WeightDType): string {
  const words = format === 'q8' ? 8 : 4; // u32 words per group of 32
  const encode =
    format === 'q8'
      ? `let d = amax / 127.0;`
      : `let d = m / -8.0;`;
  const pack =
    format === 'q8'
      ? `for (var j = 0u; j < 8u; j++) {
      let c = vec4<i32>(clamp(round(v[j] * inv), vec4<f32>(-127.0), vec4<f32>(127.0)));
      let u = vec4<u32>(bitcast<vec4<u32>>(c) & vec4<u32>(255u)) << vec4<u32>(0u, 8u, 16u, 24u);
      q[qBase + j] = u.x | u.y | u.z | u.w;
    }`
      : `for (var j = 0u; j < 4u; j++) {
      let lo = vec4<u32>(clamp(round(v[2u * j] * inv), vec4<f32>(-8.0), vec4<f32>(7.0)) + 8.0) << vec4<u32>(0u, 4u, 8u, 12u);
      let hi = vec4<u32>(clamp(round(v[2u * j + 1u] * inv), vec4<f32>(-8.0), vec4<f32>(7.0)) + 8.0) << vec4<u32>(16u, 20u, 24u, 28u);
      q[qBase + j] = lo.x | lo.y | lo.z | lo.w | hi.x | hi.y | hi.z | hi.w;
    }`;
  return /* wgsl */ `
${P.wgsl}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> q: array<u32>;         // (sOff + groups) · ${words} ${format} code words
@group(0) @binding(2) var<storage, read_write> scales: array<u32>;    // (sOff + groups) / 2 f16 scale pairs
@group(0) @binding(3) var<storage, read> w: ${storageType(dtype)};    // (groups · 32) ${dtype} from wOff
${loaders('w', dtype)}
${F16_BITS_WGSL}
${LINEAR_INDEX}

/** Quantises group g (relative to the range) and returns its f16 scale bits. */
fn group(g: u32) -> u32 {
  let base = p.wOff + g * ${QGROUP}u;
  var v: array<vec4<f32>, 8>;
  var amax = 0.0;
  var m = 0.0;
  for (var j = 0u; j < 8u; j++) {
    v[j] = ld4_w(base + 4u * j);
    for (var e = 0u; e < 4u; e++) {
      let x = v[j][e];
      if (abs(x) > amax) { amax = abs(x); m = x; }
    }
  }
  ${encode}
  let bits = f16_bits(d);
  let ds = unpack2x16float(bits)[0];
  let inv = select(0.0, 1.0 / ds, ds != 0.0);
  let qBase = (p.sOff + g) * ${words}u;
  ${pack}
  return bits;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = linear_index(gid, nwg);
  let g0 = 2u * t;
  if (g0 >= p.groups) { return; }
  let s0 = group(g0);
  var s1 = 0u;
  if (g0 + 1u < p.groups) { s1 = group(g0 + 1u); }
  scales[p.sOff / 2u + t] = s0 | (s1 << 16u);
}`;
}

export interface QuantizeArgs {
  format: QuantFormat;
  /** Storage type of the source. */
  dtype: WeightDType;
  /** Groups of 32 elements to quantise. */
  groups: number;
  /** First source element (a multiple of 4). */
  wOff?: number;
  /** First destination group (even: scales are stored in pairs). */
  sOff?: number;
}

export function quantize_forward(gpu: Gpu, q: GPUBuffer, scales: GPUBuffer, w: GPUBuffer, a: QuantizeArgs): void {
  const wOff = a.wOff ?? 0;
  const sOff = a.sOff ?? 0;
  if (wOff % 4 || sOff % 2) throw new Error(`quantize: wOff (${wOff}) must be a multiple of 4 and sOff (${sOff}) even`);
  const pipeline = gpu.pipeline(`quantize_${a.format}_${a.dtype}`, () => shader(a.format, a.dtype));
  gpu.dispatch(pipeline, P, { groups: a.groups, wOff, sOff }, [q, scales, w], linearGroups(Math.ceil(a.groups / 2)));
}
