// Plain TypeScript twins of the row-wise and elementwise kernels (rmsnorm, rope, swiglu, cross-entropy, AdamW).
import type { AdamWHyper } from './adamw.ts';

export function rmsnorm_forward_twin(inp: Float32Array, w: Float32Array, M: number, C: number, eps: number) {
  const out = new Float32Array(M * C);
  const rstd = new Float32Array(M);
  for (let m = 0; m < M; m++) {
    let ss = 0;
    for (let c = 0; c < C; c++) ss += inp[m * C + c] ** 2;
    rstd[m] = 1 / Math.sqrt(ss / C + eps);
    for (let c = 0; c < C; c++) out[m * C + c] = inp[m * C + c] * rstd[m] * w[c];
  }
  return { out, rstd };
}

export function rmsnorm_backward_twin(dout: Float32Array, inp: Float32Array, w: Float32Array, M: number, C: number, eps: number) {
  const { rstd } = rmsnorm_forward_twin(inp, w, M, C, eps);
  const dinp = new Float32Array(M * C);
  for (let m = 0; m < M; m++) {
    let dot = 0;
    for (let c = 0; c < C; c++) dot += w[c] * dout[m * C + c] * inp[m * C + c];
    const r = rstd[m];
    for (let c = 0; c < C; c++) dinp[m * C + c] = r * w[c] * dout[m * C + c] - (inp[m * C + c] * r ** 3 * dot) / C;
  }
  return dinp;
}

export function rope_twin(x: Float32Array, pos: ArrayLike<number>, invFreq: Float32Array, NH: number, sign = 1) {
  const half = invFreq.length;
  const D = 2 * half;
  const out = x.slice();
  for (let m = 0; m < pos.length; m++) for (let h = 0; h < NH; h++) for (let i = 0; i < half; i++) {
    const ang = Math.fround(pos[m] * invFreq[i]);
    const [c, s] = [Math.cos(ang), sign * Math.sin(ang)];
    const b = (m * NH + h) * D;
    out[b + i] = x[b + i] * c - x[b + i + half] * s;
    out[b + i + half] = x[b + i + half] * c + x[b + i] * s;
  }
  return out;
}

const sigmoid = (g: number) => 1 / (1 + Math.exp(-g));

export function swiglu_twin(gate: Float32Array, up: Float32Array, dout?: Float32Array) {
  const out = gate.map((g, i) => g * sigmoid(g) * up[i]);
  const dgate = dout ? gate.map((g, i) => dout[i] * up[i] * sigmoid(g) * (1 + g * (1 - sigmoid(g)))) : undefined;
  const dup = dout ? gate.map((g, i) => dout[i] * g * sigmoid(g)) : undefined;
  return { out, dgate, dup };
}

export function cross_entropy_twin(logits: Float32Array, targets: Int32Array, weights: Float32Array, V: number, gradScale: number) {
  const R = targets.length;
  const losses = new Float32Array(R);
  const dlogits = new Float32Array(R * V);
  for (let r = 0; r < R; r++) {
    if (weights[r] === 0) continue;
    const row = logits.subarray(r * V, (r + 1) * V);
    const mx = Math.max(...row);
    const lse = mx + Math.log(row.reduce((s, x) => s + Math.exp(x - mx), 0));
    losses[r] = weights[r] * (lse - row[targets[r]]);
    for (let c = 0; c < V; c++) dlogits[r * V + c] = weights[r] * gradScale * (Math.exp(row[c] - lse) - (c === targets[r] ? 1 : 0));
  }
  return { losses, dlogits };
}

export function adamw_twin(p: Float32Array, m: Float32Array, v: Float32Array, grad: Float32Array, step: number, h: AdamWHyper) {
  const norm = Math.sqrt(grad.reduce((s, g) => s + g * g, 0));
  const clip = h.maxNorm > 0 ? Math.min(1, h.maxNorm / (norm + 1e-6)) : 1;
  for (let i = 0; i < p.length; i++) {
    const g = grad[i] * clip;
    m[i] = h.beta1 * m[i] + (1 - h.beta1) * g;
    v[i] = h.beta2 * v[i] + (1 - h.beta2) * g * g;
    p[i] *= 1 - h.lr * h.weightDecay;
    p[i] -= ((h.lr / (1 - h.beta1 ** step)) * m[i]) / (Math.sqrt(v[i]) / Math.sqrt(1 - h.beta2 ** step) + h.eps);
  }
}
