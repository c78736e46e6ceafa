// Grouped-query causal attention with a key padding mask, flash-style: the forward keeps only the output and
// the log-sum-exp per query row (B, H, T); the backward recomputes probabilities from them, so activation
// memory is O(T) per head instead of O(T²).
//
//   q    (B, T, H, D)     queries of this call; query t sits at absolute position past + t
//   k, v (B, S, KVH, D)   keys/values of the whole sequence so far (the KV cache, or this call's k/v in training)
//   mask (B, S) i32       1 = real token, 0 = padding; key j is visible to query t iff j ≤ past + t and mask[j] = 1
//   out  (B, T, H, D)
//   stats (2, B, H, T)    [0] log-sum-exp per query row (+∞ when no key is visible: the output is 0),
//                         [1] delta = rowsum(dout ⊙ out), written by the backward's dq pass for the dk/dv pass
// (lse and delta share one buffer to stay within 8 storage bindings, the WebGPU default.)
// Query head h reads kv head h / (H / KVH). Scale is 1/√D.
//
// One invocation per query row (forward, dq) or key row (dk, dv): no barriers, which SwiftShader punishes.
// GPU-class adapters get a forward with a workgroup per query row (attention_split.ts: decode has few rows);
// the backward is the same on both (it runs in training, where T rows per head give enough parallelism).
import type { Gpu } from '../../gpu/context.ts';
import { paramLayout } from '../../gpu/params.ts';
import { attentionSplitShader } from './attention_split.ts';
import { linearGroups, LINEAR_INDEX, WG } from '../common.ts';

const P = paramLayout({ B: 'u32', T: 'u32', S: 'u32', H: 'u32', KVH: 'u32', past: 'u32', scale: 'f32' });

export interface AttentionArgs {
  B: number;
  T: number;
  S: number;
  H: number;
  KVH: number;
  D: number;
  past: number;
}

const common = (D: number) => /* wgsl */ `
${P.wgsl}
const D: u32 = ${D}u;
const NO_KEY: f32 = 3.0e38;
@group(0) @binding(0) var<uniform> p: Params;
${LINEAR_INDEX}
// A query row (b, h, t): its kv head g, the offset qb of q[b, t, h, :] and li of stats[b, h, t].
struct QueryRow { b: u32, h: u32, t: u32, g: u32, qb: u32, li: u32 }
fn query_row(row: u32) -> QueryRow {
  let t = row % p.T;
  let h = (row / p.T) % p.H;
  let b = row / (p.T * p.H);
  return QueryRow(b, h, t, h / (p.H / p.KVH), ((b * p.T + t) * p.H + h) * D, (b * p.H + h) * p.T + t);
}`;

// The forward's bindings, shared with attention_split.ts.
const forwardHeader = (D: number) => /* wgsl */ `
${common(D)}
@group(0) @binding(1) var<storage, read_write> out: array<f32>;  // (B, T, H, D)
@group(0) @binding(2) var<storage, read_write> stats: array<f32>; // (2, B, H, T)
@group(0) @binding(3) var<storage, read> q: array<f32>;          // (B, T, H, D)
@group(0) @binding(4) var<storage, read> k: array<f32>;          // (B, S, KVH, D)
@group(0) @binding(5) var<storage, read> v: array<f32>;          // (B, S, KVH, D)
@group(0) @binding(6) var<storage, read> mask: array<i32>;       // (B, S)`;

function forwardShader(D: number): string {
  return /* wgsl */ `
${forwardHeader(D)}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = linear_index(gid, nwg);
  if (row >= p.B * p.H * p.T) { return; }
  let r = query_row(row);
  let b = r.b; let t = r.t; let g = r.g; let qb = r.qb;
  var qv: array<f32, ${D}>;
  var acc: array<f32, ${D}>;
  for (var d = 0u; d < D; d++) { qv[d] = q[qb + d] * p.scale; acc[d] = 0.0; }
  var mx = -NO_KEY;
  var l = 0.0;
  let last = min(p.past + t, p.S - 1u);
  for (var j = 0u; j <= last; j++) {
    if (mask[b * p.S + j] == 0) { continue; }
    let kb = ((b * p.S + j) * p.KVH + g) * D;
    var s = 0.0;
    for (var d = 0u; d < D; d++) { s += qv[d] * k[kb + d]; }
    if (s > mx) {
      let corr = exp(mx - s);
      l *= corr;
      for (var d = 0u; d < D; d++) { acc[d] *= corr; }
      mx = s;
    }
    let e = exp(s - mx);
    l += e;
    for (var d = 0u; d < D; d++) { acc[d] += e * v[kb + d]; }
  }
  let inv = select(0.0, 1.0 / l, l > 0.0);
  for (var d = 0u; d < D; d++) { out[qb + d] = acc[d] * inv; }
  stats[r.li] = select(NO_KEY, mx + log(l), l > 0.0);
}`;
}

function backwardDqShader(D: number): string {
  return /* wgsl */ `
${common(D)}
@group(0) @binding(1) var<storage, read_write> dq: array<f32>;    // (B, T, H, D)
@group(0) @binding(2) var<storage, read_write> stats: array<f32>; // (2, B, H, T): reads lse, writes delta
@group(0) @binding(3) var<storage, read> dout: array<f32>;        // (B, T, H, D)
@group(0) @binding(4) var<storage, read> out: array<f32>;         // (B, T, H, D)
@group(0) @binding(5) var<storage, read> q: array<f32>;           // (B, T, H, D)
@group(0) @binding(6) var<storage, read> k: array<f32>;           // (B, S, KVH, D)
@group(0) @binding(7) var<storage, read> v: array<f32>;           // (B, S, KVH, D)
@group(0) @binding(8) var<storage, read> mask: array<i32>;        // (B, S)
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = linear_index(gid, nwg);
  if (row >= p.B * p.H * p.T) { return; }
  let r = query_row(row);
  let b = r.b; let t = r.t; let g = r.g; let qb = r.qb; let li = r.li;
  var qv: array<f32, ${D}>;
  var dov: array<f32, ${D}>;
  var acc: array<f32, ${D}>;
  var dl = 0.0;
  for (var d = 0u; d < D; d++) {
    qv[d] = q[qb + d] * p.scale;
    dov[d] = dout[qb + d];
    dl += dov[d] * out[qb + d];
    acc[d] = 0.0;
  }
  stats[p.B * p.H * p.T + li] = dl;
  let L = stats[li];
  let last = min(p.past + t, p.S - 1u);
  for (var j = 0u; j <= last; j++) {
    if (mask[b * p.S + j] == 0) { continue; }
    let kb = ((b * p.S + j) * p.KVH + g) * D;
    var s = 0.0;
    var dp = 0.0;
    for (var d = 0u; d < D; d++) { s += qv[d] * k[kb + d]; dp += dov[d] * v[kb + d]; }
    let ds = exp(s - L) * (dp - dl);
    for (var d = 0u; d < D; d++) { acc[d] += ds * k[kb + d]; }
  }
  for (var d = 0u; d < D; d++) { dq[qb + d] = acc[d] * p.scale; }
}`;
}

function backwardDkvShader(D: number): string {
  return /* wgsl */ `
${common(D)}
@group(0) @binding(1) var<storage, read_write> dk: array<f32>;    // (B, S, KVH, D)
@group(0) @binding(2) var<storage, read_write> dv: array<f32>;    // (B, S, KVH, D)
@group(0) @binding(3) var<storage, read> dout: array<f32>;        // (B, T, H, D)
@group(0) @binding(4) var<storage, read> stats: array<f32>;       // (2, B, H, T)
@group(0) @binding(5) var<storage, read> q: array<f32>;           // (B, T, H, D)
@group(0) @binding(6) var<storage, read> k: array<f32>;           // (B, S, KVH, D)
@group(0) @binding(7) var<storage, read> v: array<f32>;           // (B, S, KVH, D)
@group(0) @binding(8) var<storage, read> mask: array<i32>;        // (B, S)
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = linear_index(gid, nwg);             // (b, g, j)
  if (row >= p.B * p.KVH * p.S) { return; }
  let j = row % p.S;
  let g = (row / p.S) % p.KVH;
  let b = row / (p.S * p.KVH);
  let kb = ((b * p.S + j) * p.KVH + g) * D;
  var kv: array<f32, ${D}>;
  var vv: array<f32, ${D}>;
  var dka: array<f32, ${D}>;
  var dva: array<f32, ${D}>;
  for (var d = 0u; d < D; d++) { kv[d] = k[kb + d]; vv[d] = v[kb + d]; dka[d] = 0.0; dva[d] = 0.0; }
  if (mask[b * p.S + j] != 0) {
    let group = p.H / p.KVH;
    let t0 = select(0u, j - p.past, j > p.past);   // first query that can see key j
    for (var h = g * group; h < (g + 1u) * group; h++) {
      for (var t = t0; t < p.T; t++) {
        let qb = ((b * p.T + t) * p.H + h) * D;
        let li = (b * p.H + h) * p.T + t;
        var s = 0.0;
        var dp = 0.0;
        for (var d = 0u; d < D; d++) { s += q[qb + d] * kv[d]; dp += dout[qb + d] * vv[d]; }
        let pr = exp(s * p.scale - stats[li]);
        let ds = pr * (dp - stats[p.B * p.H * p.T + li]);
        for (var d = 0u; d < D; d++) { dva[d] += pr * dout[qb + d]; dka[d] += ds * q[qb + d]; }
      }
    }
  }
  for (var d = 0u; d < D; d++) { dk[kb + d] = dka[d] * p.scale; dv[kb + d] = dva[d]; }
}`;
}

function values(a: AttentionArgs) {
  if (a.H % a.KVH) throw new Error(`attention: ${a.H} query heads are not a multiple of ${a.KVH} kv heads`);
  if (a.past + a.T > a.S) throw new Error(`attention: past ${a.past} + T ${a.T} exceeds S ${a.S}`);
  return { B: a.B, T: a.T, S: a.S, H: a.H, KVH: a.KVH, past: a.past, scale: 1 / Math.sqrt(a.D) };
}

export interface AttentionSaved {
  out: GPUBuffer;
  stats: GPUBuffer;
  q: GPUBuffer;
  k: GPUBuffer;
  v: GPUBuffer;
  mask: GPUBuffer;
}

/** out and the log-sum-exp; on GPU-class adapters each query row gets a workgroup (attention_split.ts). */
export function attention_forward(gpu: Gpu, s: AttentionSaved, a: AttentionArgs): void {
  const buffers = [s.out, s.stats, s.q, s.k, s.v, s.mask];
  const rows = a.B * a.H * a.T;
  if (gpu.options.kernels === 'gpu') {
    const pipeline = gpu.pipeline(`attention_split_d${a.D}`, () => attentionSplitShader(forwardHeader(a.D), a.D));
    gpu.dispatch(pipeline, P, values(a), buffers, linearGroups(rows * WG));
    return;
  }
  const pipeline = gpu.pipeline(`attention_forward_d${a.D}`, () => forwardShader(a.D));
  gpu.dispatch(pipeline, P, values(a), buffers, linearGroups(rows));
}

/** Gradients w.r.t. q, k and v (dk, dv cover all S keys); overwrites stats' delta half. */
export function attention_backward(
  gpu: Gpu, g: { dq: GPUBuffer; dk: GPUBuffer; dv: GPUBuffer }, dout: GPUBuffer, s: AttentionSaved, a: AttentionArgs,
): void {
  const pq = gpu.pipeline(`attention_backward_dq_d${a.D}`, () => backwardDqShader(a.D));
  gpu.dispatch(pq, P, values(a), [g.dq, s.stats, dout, s.out, s.q, s.k, s.v, s.mask], linearGroups(a.B * a.H * a.T));
  const pkv = gpu.pipeline(`attention_backward_dkv_d${a.D}`, () => backwardDkvShader(a.D));
  gpu.dispatch(pkv, P, values(a), [g.dk, g.dv, dout, s.stats, s.q, s.k, s.v, s.mask], linearGroups(a.B * a.KVH * a.S));
}
