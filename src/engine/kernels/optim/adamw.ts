// adamw_forward: one AdamW step over a flat parameter buffer (all LoRA tensors live in one buffer), with the
// global-norm gradient clip folded in: the clip coefficient is computed in the shader from the squared norm
// that sum_squares left on the GPU, so a step never waits for a read-back. Matches torch.optim.AdamW after
// torch.nn.utils.clip_grad_norm_:
//   g ← g · min(1, maxNorm / (‖g‖ + 1e-6));  p ← p(1 − lr·wd);  m ← β1 m + (1−β1) g;  v ← β2 v + (1−β2) g²
//   p ← p − (lr / (1−β1^t)) · m / (√v / √(1−β2^t) + eps)
import type { Gpu } from '../../gpu/context.ts';
import { paramLayout } from '../../gpu/params.ts';
import { linearGroups, LINEAR_INDEX } from '../common.ts';

const P = paramLayout({
  n: 'u32', lr: 'f32', beta1: 'f32', beta2: 'f32', oneMinusBeta1: 'f32', oneMinusBeta2: 'f32', eps: 'f32', weightDecay: 'f32',
  bias1: 'f32', bias2Sqrt: 'f32', maxNorm: 'f32',
});

const shader = /* wgsl */ `
${P.wgsl}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;  // (n)
@group(0) @binding(2) var<storage, read_write> m: array<f32>;      // (n) first moment
@group(0) @binding(3) var<storage, read_write> v: array<f32>;      // (n) second moment
@group(0) @binding(4) var<storage, read> grad: array<f32>;         // (n)
@group(0) @binding(5) var<storage, read> normSq: array<f32>;       // (1) Σ grad²
${LINEAR_INDEX}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i >= p.n) { return; }
  var clip = 1.0;
  if (p.maxNorm > 0.0) { clip = min(1.0, p.maxNorm / (sqrt(normSq[0]) + 1e-6)); }
  let g = grad[i] * clip;
  let mi = p.beta1 * m[i] + p.oneMinusBeta1 * g;
  let vi = p.beta2 * v[i] + p.oneMinusBeta2 * g * g;
  m[i] = mi;
  v[i] = vi;
  let decayed = param[i] * (1.0 - p.lr * p.weightDecay);
  param[i] = decayed - (p.lr / p.bias1) * mi / (sqrt(vi) / p.bias2Sqrt + p.eps);
}`;

export interface AdamWHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** 0 disables clipping. */
  maxNorm: number;
}

/** `step` counts from 1 (bias correction). */
export function adamw_forward(
  gpu: Gpu, s: { param: GPUBuffer; m: GPUBuffer; v: GPUBuffer; grad: GPUBuffer; normSq: GPUBuffer },
  n: number, step: number, h: AdamWHyper,
): void {
  const values = {
    // 1 − β in double precision, as PyTorch passes it (0.001 rather than f32's 1 − 0.999 = 0.00099999).
    n, lr: h.lr, beta1: h.beta1, beta2: h.beta2, oneMinusBeta1: 1 - h.beta1, oneMinusBeta2: 1 - h.beta2, eps: h.eps, weightDecay: h.weightDecay, maxNorm: h.maxNorm,
    bias1: 1 - h.beta1 ** step, bias2Sqrt: Math.sqrt(1 - h.beta2 ** step),
  };
  gpu.dispatch(gpu.pipeline('adamw', () => shader), P, values, [s.param, s.m, s.v, s.grad, s.normSq], linearGroups(n));
}
