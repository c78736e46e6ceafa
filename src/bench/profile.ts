// Where a decode step's time goes: GPU time per kernel from timestamp queries (engine/gpu/profiler.ts) over a few
// greedy steps, against the wall time per step of the timed run. busyFraction near 1: the kernels are the limit
// (then bandwidth or compute, by kernel); far below 1: dispatch, submit and read-back overhead is.
import type { Gpu } from '../engine/gpu/context.ts';
import type { LlamaModel } from '../engine/model/llama.ts';
import { argmax } from '../engine/model/sampler.ts';
import { round } from './measure.ts';
import type { KernelProfile } from './types.ts';

/** Profiles `steps` greedy decode steps of B prompts of one length, after an unprofiled prefill. */
export async function profileDecode(
  gpu: Gpu, model: LlamaModel, prompts: number[][], steps: number, wallMsPerStep: number,
): Promise<KernelProfile | null> {
  const B = prompts.length;
  const T = prompts[0].length;
  const V = model.cfg.vocabSize;
  const cache = model.createCache(B, T + steps + 1);
  try {
    let logits = await model.step(cache, Int32Array.from(prompts.flat()), new Int32Array(B * T).fill(1), T);
    const ones = new Int32Array(B).fill(1);
    const run = await gpu.profile(async () => {
      for (let s = 0; s < steps; s++) {
        const next = Int32Array.from({ length: B }, (_, b) => argmax(logits.subarray(b * V, (b + 1) * V)));
        logits = await model.step(cache, next, ones, 1);
      }
    });
    if (!run.kernels) return null;
    const totalNs = run.kernels.reduce((s, k) => s + k.ns, 0);
    const kernelMs = totalNs / 1e6 / steps;
    return {
      steps,
      kernelMsPerStep: round(kernelMs),
      wallMsPerStep: round(wallMsPerStep),
      busyFraction: round(kernelMs / wallMsPerStep),
      droppedDispatches: run.dropped,
      kernels: run.kernels.map((k) => ({
        label: k.label, dispatchesPerStep: round(k.dispatches / steps), msPerStep: round(k.ns / 1e6 / steps), share: round(totalNs ? k.ns / totalNs : 0),
      })),
    };
  } finally {
    cache.destroy();
  }
}

/** Decode steps a profile covers: enough to average, few enough for SwiftShader's 1B-shaped steps (seconds each). */
export const PROFILE_STEPS = 3;

/** One log line: kernel vs wall time per step and the three costliest kernels. */
export function logProfile(p: KernelProfile | null, what: string, log: (m: string) => void): void {
  if (!p) return log(`${what}: no kernel profile (the device has no 'timestamp-query')`);
  const top = p.kernels.slice(0, 3).map((k) => `${k.label} ${round(100 * k.share)} %`).join(', ');
  log(`${what}: kernels ${p.kernelMsPerStep} of ${p.wallMsPerStep} ms per step (busy ${round(100 * p.busyFraction)} %); ${top}`);
}
