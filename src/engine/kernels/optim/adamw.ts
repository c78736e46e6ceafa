// adamw_forward: one AdamW step over a flat parameter buffer holding `slots` adapters side by side (all LoRA
// tensors of one adapter live in one slice of n), each slot with its own learning rate, step count and gradient
// clip, and slots that are frozen (finished or diverged) left untouched. The global-norm clip is folded in: each
// slot's clip coefficient is computed in the shader from the squared norm that sum_squares left on the GPU, so a
// step never waits for a read-back. Per slot it matches torch.optim.AdamW after torch.nn.utils.clip_grad_norm_:
//   g ← g · min(1, maxNorm / (‖g‖ + 1e-6));  p ← p(1 − lr·wd);  m ← β1 m + (1−β1) g;  v ← β2 v + (1−β2) g²
//   p ← p − (lr / (1−β1^t)) · m / (√v / √(1−β2^t) + eps)
import type { Gpu } from '../../gpu/context.ts';
import { paramLayout } from '../../gpu/params.ts';
import { linearGroups, LINEAR_INDEX } from '../common.ts';

const P = paramLayout({
  n: 'u32', slots: 'u32', beta1: 'f32', beta2: 'f32', oneMinusBeta1: 'f32', oneMinusBeta2: 'f32', eps: 'f32', weightDecay: 'f32',
});

const shader = /* wgsl */ `
${P.wgsl}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;  // (slots, n)
@group(0) @binding(2) var<storage, read_write> m: array<f32>;      // (slots, n) first moment
@group(0) @binding(3) var<storage, read_write> v: array<f32>;      // (slots, n) second moment
@group(0) @binding(4) var<storage, read> grad: array<f32>;         // (slots, n)
@group(0) @binding(5) var<storage, read> normSq: array<f32>;       // (slots) Σ grad² per slot
@group(0) @binding(6) var<storage, read> table: array<vec4<f32>>;  // (slots, 2): (lr, 1−β1^t, √(1−β2^t), maxNorm), (active, 0, 0, 0)
${LINEAR_INDEX}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = linear_index(gid, nwg);
  if (i >= p.n * p.slots) { return; }
  let s = i / p.n;
  if (table[2u * s + 1u].x == 0.0) { return; }
  let h = table[2u * s];
  var clip = 1.0;
  if (h.w > 0.0) { clip = min(1.0, h.w / (sqrt(normSq[s]) + 1e-6)); }
  let g = grad[i] * clip;
  let mi = p.beta1 * m[i] + p.oneMinusBeta1 * g;
  let vi = p.beta2 * v[i] + p.oneMinusBeta2 * g * g;
  m[i] = mi;
  v[i] = vi;
  let decayed = param[i] * (1.0 - h.x * p.weightDecay);
  param[i] = decayed - (h.x / h.y) * mi / (sqrt(vi) / h.z + p.eps);
}`;

/** What every slot shares. */
export interface AdamWHyper {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/** One slot's step: its learning rate (schedule applied), its step count from 1 (bias correction), its clip (0: none). Null: frozen. */
export interface AdamWSlot {
  lr: number;
  step: number;
  maxNorm: number;
}

/** The per-slot table (slots × 8 f32) adamw_forward reads; write it to the table buffer before the step's dispatches. */
export function adamwTable(slots: readonly (AdamWSlot | null)[], h: Pick<AdamWHyper, 'beta1' | 'beta2'>): Float32Array {
  const t = new Float32Array(slots.length * 8);
  slots.forEach((s, i) => {
    if (s) t.set([s.lr, 1 - h.beta1 ** s.step, Math.sqrt(1 - h.beta2 ** s.step), s.maxNorm, 1], i * 8);
  });
  return t;
}

/** One AdamW step of every active slot; `table` holds adamwTable(slots) and normSq each slot's Σ grad². */
export function adamw_forward(
  gpu: Gpu, s: { param: GPUBuffer; m: GPUBuffer; v: GPUBuffer; grad: GPUBuffer; normSq: GPUBuffer; table: GPUBuffer },
  n: number, slots: number, h: AdamWHyper,
): void {
  // 1 − β in double precision, as PyTorch passes it (0.001 rather than f32's 1 − 0.999 = 0.00099999).
  const values = { n, slots, beta1: h.beta1, beta2: h.beta2, oneMinusBeta1: 1 - h.beta1, oneMinusBeta2: 1 - h.beta2, eps: h.eps, weightDecay: h.weightDecay };
  gpu.dispatch(gpu.pipeline('adamw', () => shader), P, values, [s.param, s.m, s.v, s.grad, s.normSq, s.table], linearGroups(n * slots));
}
