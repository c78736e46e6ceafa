// rope_forward: rotates queries and keys in one dispatch, Hugging Face "rotate_half" pairing (i, i + D/2):
//   x'[i]       = x[i] cos − x[i+D/2] sin
//   x'[i+D/2]   = x[i+D/2] cos + x[i] sin
// In inference it also appends to the KV cache in the same dispatch: the rotated keys and the values go to rows
// past .. past+T of each sequence's cache (q is still rotated in place; this call's k buffer is left as it was).
// Per layer and step that is one dispatch instead of rope(q) + rope(k) + a k and a v copy per sequence.
// rope_backward is the inverse rotation (sin → −sin), which is also its transpose, of dq and dk in place.
// cos/sin come as a (M, D/2) table computed on the CPU per call (ropeTable, below): exact f32 angles
// like PyTorch, and no large-argument sin/cos inside the shader.
import type { Gpu } from '../../gpu/context.ts';
import { paramLayout } from '../../gpu/params.ts';
import { linearGroups, LINEAR_INDEX } from '../common.ts';

const P = paramLayout({ M: 'u32', H: 'u32', KVH: 'u32', D: 'u32', sign: 'f32', T: 'u32', S: 'u32', past: 'u32' });

// One invocation per (row m, head slot u, pair i): slots 0..H are q heads, H..H+KVH k heads and, when
// appending, H+KVH..H+2·KVH v heads (copied, not rotated).
function shader(append: boolean): string {
  const cacheBindings = append ? /* wgsl */ `
@group(0) @binding(4) var<storage, read> v: array<f32>;             // (M, KVH, D)
@group(0) @binding(5) var<storage, read_write> kCache: array<f32>;  // (B, S, KVH, D), M = B·T rows at past..past+T
@group(0) @binding(6) var<storage, read_write> vCache: array<f32>;  // (B, S, KVH, D)` : '';
  const kvTail = append ? /* wgsl */ `
  let kv = (u - p.H) % p.KVH;
  let b = m / p.T;
  let dst = ((b * p.S + p.past + m % p.T) * p.KVH + kv) * p.D;
  let src = (m * p.KVH + kv) * p.D;
  if (u >= p.H + p.KVH) {
    vCache[dst + i] = v[src + i];
    vCache[dst + i + half] = v[src + i + half];
    return;
  }
  let x1 = k[src + i];
  let x2 = k[src + i + half];
  kCache[dst + i] = x1 * c - x2 * s;
  kCache[dst + i + half] = x2 * c + x1 * s;` : /* wgsl */ `
  let base = (m * p.KVH + u - p.H) * p.D;
  let x1 = k[base + i];
  let x2 = k[base + i + half];
  k[base + i] = x1 * c - x2 * s;
  k[base + i + half] = x2 * c + x1 * s;`;
  return /* wgsl */ `
${P.wgsl}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> q: array<f32>;   // (M, H, D), rotated in place
@group(0) @binding(2) var<storage, read_write> k: array<f32>;   // (M, KVH, D), rotated in place unless appending
@group(0) @binding(3) var<storage, read> cs: array<f32>;        // (2, M, D/2): cos then sin${cacheBindings}
${LINEAR_INDEX}
const SLOTS_PER_KV: u32 = ${append ? 2 : 1}u;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let half = p.D / 2u;
  let slots = p.H + SLOTS_PER_KV * p.KVH;
  let t = linear_index(gid, nwg);
  if (t >= p.M * slots * half) { return; }
  let i = t % half;
  let u = (t / half) % slots;
  let m = t / (half * slots);
  let c = cs[m * half + i];
  let s = p.sign * cs[p.M * half + m * half + i];
  if (u < p.H) {
    let base = (m * p.H + u) * p.D;
    let x1 = q[base + i];
    let x2 = q[base + i + half];
    q[base + i] = x1 * c - x2 * s;
    q[base + i + half] = x2 * c + x1 * s;
    return;
  }${kvTail}
}`;
}

export interface RopeArgs {
  /** Rows: B·T tokens. */
  M: number;
  H: number;
  KVH: number;
  D: number;
}

/** Where rope_forward appends this call's keys and values: cache rows past .. past+T of each of M / T sequences. */
export interface KvAppend {
  v: GPUBuffer;
  kCache: GPUBuffer;
  vCache: GPUBuffer;
  T: number;
  S: number;
  past: number;
}

export interface RopeTensors {
  q: GPUBuffer;
  k: GPUBuffer;
  table: GPUBuffer;
}

function rope(gpu: Gpu, t: RopeTensors, a: RopeArgs, sign: number, append?: KvAppend): void {
  const pipeline = gpu.pipeline(append ? 'rope_append' : 'rope', () => shader(!!append));
  const values = { M: a.M, H: a.H, KVH: a.KVH, D: a.D, sign, T: append?.T ?? 1, S: append?.S ?? 1, past: append?.past ?? 0 };
  const buffers = [t.q, t.k, t.table, ...(append ? [append.v, append.kCache, append.vCache] : [])];
  const slots = a.H + (append ? 2 : 1) * a.KVH;
  gpu.dispatch(pipeline, P, values, buffers, linearGroups((a.M * slots * a.D) / 2));
}

export const rope_forward = (gpu: Gpu, t: RopeTensors, a: RopeArgs, append?: KvAppend) => rope(gpu, t, a, 1, append);
export const rope_backward = (gpu: Gpu, t: RopeTensors, a: RopeArgs) => rope(gpu, t, a, -1);

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
