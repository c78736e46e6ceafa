// attention_split: the GPU-class shader behind attention_forward (Gpu.options.kernels = 'gpu'). A decode step has
// one query row per head — 32 rows for Llama-3.2-1B — so the one-invocation-per-row kernel (attention.ts) leaves a
// GPU nearly idle while each row walks the whole cache alone. Here each row gets a workgroup of 64 invocations
// that take the keys 64 at a time (flash-decoding inside one workgroup):
//   1. invocation i scores key j0 + i against the row's query (kept in workgroup memory);
//   2. every invocation reads the 64 scores, moves the running max, and invocation i writes key j0 + i's weight;
//   3. invocation i adds the 64 weighted value rows to its output dimensions i, i + 64, …
// Two barriers per 64 keys; the outputs (out and the log-sum-exp in stats) are the same as attention.ts's, so its
// backward applies unchanged. Same bindings and Params as attention.ts (its header is passed in).

const WG = 64;

/**
 * WGSL of the split kernel for head size D; `header` (attention.ts) declares Params, `p`, query_row, NO_KEY and the
 * forward's bindings: out (B, T, H, D), stats (2, B, H, T), q (B, T, H, D), k and v (B, S, KVH, D), mask (B, S).
 */
export function attentionSplitShader(header: string, D: number): string {
  const perThread = Math.ceil(D / WG);
  return /* wgsl */ `
${header}
var<workgroup> qs: array<f32, ${D}>;       // the row's query, pre-scaled
var<workgroup> score: array<f32, ${WG}>;   // this chunk's scores (−NO_KEY where the key is not visible)
var<workgroup> weight: array<f32, ${WG}>;  // exp(score − running max), 0 where not visible
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) i: u32) {
  let row = wid.y * nwg.x + wid.x;
  if (row >= p.B * p.H * p.T) { return; }  // the same for the whole workgroup
  let r = query_row(row);
  for (var d = i; d < D; d += ${WG}u) { qs[d] = q[r.qb + d] * p.scale; }
  workgroupBarrier();
  var acc: array<f32, ${perThread}>;
  for (var e = 0u; e < ${perThread}u; e++) { acc[e] = 0.0; }
  var mx = -NO_KEY;
  var l = 0.0;
  let keys = min(p.past + r.t, p.S - 1u) + 1u;  // keys 0 .. keys-1 are causally visible
  for (var j0 = 0u; j0 < keys; j0 += ${WG}u) {
    let j = j0 + i;
    var s = -NO_KEY;
    if (j < keys && mask[r.b * p.S + j] != 0) {
      let kb = ((r.b * p.S + j) * p.KVH + r.g) * D;
      s = 0.0;
      for (var d = 0u; d < D; d++) { s += qs[d] * k[kb + d]; }
    }
    score[i] = s;
    workgroupBarrier();
    var cm = mx;
    for (var c = 0u; c < ${WG}u; c++) { cm = max(cm, score[c]); }
    let corr = exp(mx - cm);
    mx = cm;
    weight[i] = select(0.0, exp(s - cm), s > -NO_KEY);
    workgroupBarrier();
    l *= corr;
    for (var e = 0u; e < ${perThread}u; e++) { acc[e] *= corr; }
    let n = min(${WG}u, keys - j0);
    for (var c = 0u; c < n; c++) {
      let w = weight[c];
      if (w == 0.0) { continue; }  // masked or causally hidden: its row may hold anything
      l += w;
      let vb = ((r.b * p.S + j0 + c) * p.KVH + r.g) * D;
      for (var e = 0u; e < ${perThread}u; e++) {
        let d = i + e * ${WG}u;
        if (d < D) { acc[e] += w * v[vb + d]; }
      }
    }
  }
  let inv = select(0.0, 1.0 / l, l > 0.0);
  for (var e = 0u; e < ${perThread}u; e++) {
    let d = i + e * ${WG}u;
    if (d < D) { out[r.qb + d] = acc[e] * inv; }
  }
  if (i == 0u) { stats[r.li] = select(NO_KEY, mx + log(l), l > 0.0); }
}`;
}
