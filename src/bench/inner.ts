// Inner loops side by side (`inner` section): rollouts per second of a SEAL E-step on the loaded model — each
// rollout a fresh LoRA trained on its own sequences, then greedy answers with it — one after another (S = 1) and
// in S adapter slots at once (lora.ts), timed in the same run. The workload is the track's rollout in shape
// (tools/lab/bench/request.ts: sequences, epochs and answers as the track's embedded model runs them), with random
// tokens. Also the GPU memory each S holds, and how busy the GPU is during a batched training step. One more
// S = 1 row recomputes each layer's intermediates in the backward (as large models must, workspace.ts) instead of
// keeping them: the keep-versus-recompute ratio, same run.
import type { Gpu } from '../engine/gpu/context.ts';
import { generate } from '../engine/model/generate.ts';
import type { LlamaModel, TokenBatch } from '../engine/model/llama.ts';
import { LoraAdapter } from '../engine/model/lora.ts';
import type { Projection } from '../engine/model/weights.ts';
import { LoraTrainer, type MicroBatch } from '../engine/train/trainer.ts';
import { Xoshiro128 } from '../engine/model/xoshiro.ts';
import { randomTokens, round } from './measure.ts';
import { BENCH_HYPER } from './model.ts';
import type { InnerReport, InnerRequest, InnerRow } from './types.ts';

export async function innerSection(gpu: Gpu, model: LlamaModel, req: InnerRequest, log: (m: string) => void): Promise<InnerReport> {
  const rows: InnerRow[] = [];
  const V = model.cfg.vocabSize;
  const perEpoch = Math.ceil(req.seqLens.length / req.batchSize);
  const steps = perEpoch * req.epochs;
  const runs = [...req.slots.map((S) => ({ S, recompute: false })), { S: 1, recompute: true }];
  for (const { S, recompute } of runs) {
    model.recompute = recompute;
    const before = gpu.allocatedBytes;
    const adapter = new LoraAdapter(gpu, model.cfg, { r: req.loraRank, alpha: 2 * req.loraRank, targets: req.targets as Projection[] }, S);
    const trainer = new LoraTrainer(model, adapter, BENCH_HYPER);
    const loraBytes = gpu.allocatedBytes - before;
    try {
      // one group: S rollouts, each with its own seed-drawn tokens
      const group = async (g: number, n: number) => {
        const ad = adapter.slots(n);
        for (let z = 0; z < n; z++) adapter.reset(1000 * g + z, z);
        trainer.resetOptimizer();
        // each slot's epochs in its own order, as the inner loops' seeds shuffle them
        const orders = Array.from({ length: n }, (_, z) => Array.from({ length: req.epochs }, (_, e) => shuffled(req.seqLens, 31 * g + 7 * z + e)).flat());
        for (let t = 0; t < steps; t++) {
          const lens = orders.flatMap((o) => Array.from({ length: req.batchSize }, (_, b) => o[(t * req.batchSize + b) % o.length]));
          await trainer.stepSlots([paddedBatch(lens, V, 7 * g + t)], Array.from({ length: n }, () => ({ lr: 1e-3, warmupSteps: 0, totalSteps: steps })));
        }
        const prompts = Array.from({ length: n * req.prompts }, (_, i) => [...randomTokens(req.promptTokens, V, 97 * g + i)]);
        await generate(model, prompts, { maxNewTokens: req.newTokens, stopTokens: [], adapter: ad });
      };
      await group(0, Math.min(S, req.rollouts)); // warm-up: pipelines and workspace at this size
      const t0 = performance.now();
      for (let done = 0, g = 1; done < req.rollouts; g++) {
        const n = Math.min(S, req.rollouts - done);
        await group(g, n);
        done += n;
      }
      const seconds = (performance.now() - t0) / 1000;
      const busy = await busyFraction(gpu, trainer, model, S, req);
      rows.push({
        slots: S, intermediates: recompute ? 'recomputed' : 'kept', rollouts: req.rollouts, seconds: round(seconds), rolloutsPerSecond: round(req.rollouts / seconds),
        ratio: 1, busyFraction: busy, loraBytes, workspaceBytes: model.workspaceBytes,
      });
      log(`inner (${req.track}): S = ${S}${recompute ? ', recomputed intermediates' : ''}: ${rows.at(-1)!.rolloutsPerSecond} rollouts/s${busy === null ? '' : `, GPU busy ${round(100 * busy)} % while training`}`);
    } finally {
      model.recompute = false;
      trainer.destroy();
      adapter.destroy();
    }
  }
  const base = rows.find((r) => r.slots === 1 && r.intermediates === 'kept')?.rolloutsPerSecond ?? null;
  for (const r of rows) r.ratio = base ? round(r.rolloutsPerSecond / base) : null;
  return { track: req.track, workload: { ...req, stepsPerRollout: steps }, rows };
}

/** Random sequences of these lengths, right-padded to the longest (every real token a target). */
function paddedBatch(lens: number[], V: number, seed: number): MicroBatch {
  const B = lens.length;
  const T = Math.max(...lens);
  const tokens = randomTokens(B * T, V, seed);
  const mask = new Int32Array(B * T);
  lens.forEach((len, b) => mask.fill(1, b * T, b * T + len));
  const batch: TokenBatch = { B, T, tokens, mask };
  return { batch, lossMask: mask };
}

function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const rng = new Xoshiro128(seed);
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Kernel time over wall time of one batched training step of all S slots (null without timestamp queries). */
async function busyFraction(gpu: Gpu, trainer: LoraTrainer, model: LlamaModel, S: number, req: InnerRequest): Promise<number | null> {
  const lens = Array.from({ length: S * req.batchSize }, (_, i) => req.seqLens[i % req.seqLens.length]);
  const mb = paddedBatch(lens, model.cfg.vocabSize, 5);
  const step = () => trainer.stepSlots([mb], Array.from({ length: S }, () => ({ lr: 1e-3, warmupSteps: 0, totalSteps: 10 })));
  const t0 = performance.now();
  await step();
  const wall = performance.now() - t0;
  const run = await gpu.profile(step);
  if (!run.kernels) return null;
  return round(run.kernels.reduce((s, k) => s + k.ns, 0) / 1e6 / wall);
}
