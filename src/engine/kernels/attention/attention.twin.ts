// Plain TypeScript twin of attention_forward / attention_backward: materialises the full probability matrix.
import type { AttentionArgs } from './attention.ts';

interface Tensors { q: Float32Array; k: Float32Array; v: Float32Array; mask: Int32Array }

function probs(a: AttentionArgs, t: Tensors, b: number, h: number, i: number): Float64Array {
  const { T, S, H, KVH, D, past } = a;
  const g = Math.floor(h / (H / KVH));
  const p = new Float64Array(S);
  let mx = -Infinity;
  const vis = (j: number) => j <= past + i && t.mask[b * S + j] !== 0;
  for (let j = 0; j < S; j++) {
    if (!vis(j)) continue;
    let s = 0;
    for (let d = 0; d < D; d++) s += t.q[((b * T + i) * H + h) * D + d] * t.k[((b * S + j) * KVH + g) * D + d];
    p[j] = s / Math.sqrt(D);
    mx = Math.max(mx, p[j]);
  }
  let sum = 0;
  for (let j = 0; j < S; j++) sum += vis(j) ? (p[j] = Math.exp(p[j] - mx)) : (p[j] = 0);
  for (let j = 0; j < S; j++) p[j] = sum > 0 ? p[j] / sum : 0;
  return p;
}

export function attention_forward_twin(a: AttentionArgs, t: Tensors): Float32Array {
  const { B, T, S, H, KVH, D } = a;
  const out = new Float32Array(B * T * H * D);
  for (let b = 0; b < B; b++) for (let h = 0; h < H; h++) for (let i = 0; i < T; i++) {
    const p = probs(a, t, b, h, i);
    const g = Math.floor(h / (H / KVH));
    for (let j = 0; j < S; j++) for (let d = 0; d < D; d++) {
      out[((b * T + i) * H + h) * D + d] += p[j] * t.v[((b * S + j) * KVH + g) * D + d];
    }
  }
  return out;
}

export function attention_backward_twin(a: AttentionArgs, t: Tensors, dout: Float32Array) {
  const { B, T, S, H, KVH, D } = a;
  const dq = new Float32Array(B * T * H * D);
  const dk = new Float32Array(B * S * KVH * D);
  const dv = new Float32Array(B * S * KVH * D);
  const scale = 1 / Math.sqrt(D);
  for (let b = 0; b < B; b++) for (let h = 0; h < H; h++) for (let i = 0; i < T; i++) {
    const p = probs(a, t, b, h, i);
    const g = Math.floor(h / (H / KVH));
    const qi = ((b * T + i) * H + h) * D;
    const dp = new Float64Array(S);
    let dot = 0;
    for (let j = 0; j < S; j++) {
      const kj = ((b * S + j) * KVH + g) * D;
      for (let d = 0; d < D; d++) dp[j] += dout[qi + d] * t.v[kj + d];
      dot += p[j] * dp[j];
    }
    for (let j = 0; j < S; j++) {
      const kj = ((b * S + j) * KVH + g) * D;
      const ds = p[j] * (dp[j] - dot) * scale;
      for (let d = 0; d < D; d++) {
        dq[qi + d] += ds * t.k[kj + d];
        dk[kj + d] += ds * t.q[qi + d];
        dv[kj + d] += p[j] * dout[qi + d];
      }
    }
  }
  return { dq, dk, dv };
}
