// Plain TypeScript twin of adamw_forward (adamw.ts), the global-norm clip included (norm computed here).
import type { AdamWHyper } from './adamw.ts';

// p, m, v, grad (n), updated in place; step counts from 1
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
