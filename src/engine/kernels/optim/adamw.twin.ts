// Plain TypeScript twin of adamw_forward (adamw.ts), per slot, the global-norm clip included (norm computed here).
import type { AdamWHyper, AdamWSlot } from './adamw.ts';

// p, m, v, grad (slots, n), updated in place; a null slot is frozen
export function adamw_twin(p: Float32Array, m: Float32Array, v: Float32Array, grad: Float32Array, n: number, slots: readonly (AdamWSlot | null)[], h: AdamWHyper) {
  slots.forEach((s, k) => {
    if (!s) return;
    const lo = k * n;
    let sq = 0;
    for (let i = lo; i < lo + n; i++) sq += grad[i] * grad[i];
    const clip = s.maxNorm > 0 ? Math.min(1, s.maxNorm / (Math.sqrt(sq) + 1e-6)) : 1;
    for (let i = lo; i < lo + n; i++) {
      const g = grad[i] * clip;
      m[i] = h.beta1 * m[i] + (1 - h.beta1) * g;
      v[i] = h.beta2 * v[i] + (1 - h.beta2) * g * g;
      p[i] *= 1 - s.lr * h.weightDecay;
      p[i] -= ((s.lr / (1 - h.beta1 ** s.step)) * m[i]) / (Math.sqrt(v[i]) / Math.sqrt(1 - h.beta2 ** s.step) + h.eps);
    }
  });
}
