// cross_entropy_forward / cross_entropy_backward, fused in one pass over each row of logits:
//   loss[r]   = w[r] · (logsumexp(logits[r]) − logits[r, target[r]])
//   dlogits[r] = w[r] · gradScale · (softmax(logits[r]) − onehot(target[r]))   (written over the logits)
// Rows with w = 0 (padding, prompt tokens under an output-only mask) give 0 loss and 0 gradient.
// The model calls this on row chunks so a 128k vocabulary never needs all logits at once.
import type { Gpu } from '../../gpu/context.ts';
import { paramLayout } from '../../gpu/params.ts';
import { linearGroups, LINEAR_INDEX } from '../common.ts';

const P = paramLayout({ R: 'u32', V: 'u32', rowOff: 'u32', gradScale: 'f32' });

function shader(withGrad: boolean): string {
  return /* wgsl */ `
${P.wgsl}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> losses: array<f32>;  // (rows) — rows rowOff.. of the batch
@group(0) @binding(2) var<storage, read_write> logits: array<f32>;  // (R, V), replaced by dlogits when training
@group(0) @binding(3) var<storage, read> targets: array<i32>;       // (rows)
@group(0) @binding(4) var<storage, read> weights: array<f32>;       // (rows)
${LINEAR_INDEX}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = linear_index(gid, nwg);
  if (r >= p.R) { return; }
  let w = weights[p.rowOff + r];
  let base = r * p.V;
  if (w == 0.0) {
    losses[p.rowOff + r] = 0.0;
    ${withGrad ? 'for (var c = 0u; c < p.V; c++) { logits[base + c] = 0.0; }' : ''}
    return;
  }
  var mx = -3.0e38;
  for (var c = 0u; c < p.V; c++) { mx = max(mx, logits[base + c]); }
  var sum = 0.0;
  for (var c = 0u; c < p.V; c++) { sum += exp(logits[base + c] - mx); }
  let lse = mx + log(sum);
  let t = u32(targets[p.rowOff + r]);
  losses[p.rowOff + r] = w * (lse - logits[base + t]);
  ${withGrad ? `let g = w * p.gradScale;
  for (var c = 0u; c < p.V; c++) {
    logits[base + c] = g * (exp(logits[base + c] - lse) - select(0.0, 1.0, c == t));
  }` : ''}
}`;
}

export interface CrossEntropyArgs {
  /** Rows in this chunk and the chunk's first row in losses/targets/weights. */
  R: number;
  V: number;
  rowOff: number;
  /** Multiplies the gradient: 1 / (weighted token count) / (micro-batches) for a mean loss. */
  gradScale: number;
}

export function cross_entropy_forward(
  gpu: Gpu, losses: GPUBuffer, logits: GPUBuffer, targets: GPUBuffer, weights: GPUBuffer, a: CrossEntropyArgs,
): void {
  const pipeline = gpu.pipeline('cross_entropy_forward', () => shader(false));
  gpu.dispatch(pipeline, P, a, [losses, logits, targets, weights], linearGroups(a.R));
}

/** Forward and backward together: also overwrites `logits` with dloss/dlogits. */
export function cross_entropy_backward(
  gpu: Gpu, losses: GPUBuffer, logits: GPUBuffer, targets: GPUBuffer, weights: GPUBuffer, a: CrossEntropyArgs,
): void {
  const pipeline = gpu.pipeline('cross_entropy_backward', () => shader(true));
  gpu.dispatch(pipeline, P, a, [losses, logits, targets, weights], linearGroups(a.R));
}
