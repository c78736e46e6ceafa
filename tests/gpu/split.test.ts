// Matrices larger than one buffer may be (gpu.options.maxBindingBytes) are stored as row shards; the embedding
// gather, the head (forward and the backward dx = dlogits · head) and every projection loop over them. Forcing
// tiny shards on the golden models must not change anything: logits and loss identical (each logit column is
// the same dot product), LoRA gradients within 1e-6 relative (the backward sums shard products in a different
// order), greedy tokens identical — in the file's dtype and quantised.
import { describe, expect, it } from 'vitest';
import { errors, gpuCase, testGpu } from './device.ts';
import { LoraTrainer } from '../../src/engine/train/trainer.ts';
import { generate } from '../../src/engine/model/generate.ts';
import type { LlamaModel } from '../../src/engine/model/llama.ts';
import type { UploadOptions } from '../../src/engine/model/weights.ts';
import { destroyAll, golden, goldenAdapter, goldenBatch, loadGolden } from './quant_models.ts';

/** Loads with weight buffers of at most `bytes` (the option only matters while the weights are uploaded). */
async function loadSplit(name: string, bytes: number, opts: UploadOptions = {}): Promise<LlamaModel> {
  const gpu = await testGpu();
  const saved = gpu.options.maxBindingBytes;
  gpu.options.maxBindingBytes = bytes;
  try {
    return await loadGolden(gpu, name, opts);
  } finally {
    gpu.options.maxBindingBytes = saved;
  }
}

const CASES: [string, UploadOptions, number][] = [
  ['llama3-bf16', {}, 4000], // untied head: 31 rows of 64 bf16 per shard
  ['qwen2-f32', {}, 4000], // tied embedding + head, q/k/v biases: 15 rows per shard
  ['llama3-f32', { quantize: 'q4' }, 2000], // q4: 62 rows per shard; scales sharded with their rows
];

describe('row-sharded weights compute what whole ones do', () => {
  for (const [name, opts, bytes] of CASES) {
    it(`${name}${opts.quantize ? ` ${opts.quantize}` : ''}, shards of ≤ ${bytes} bytes`, () =>
      gpuCase(async (gpu) => {
        const g = await golden(name);
        const batch = goldenBatch(g);
        const whole = await loadGolden(gpu, name, opts);
        const split = await loadSplit(name, bytes, opts);
        const adapters = [await goldenAdapter(whole, name), await goldenAdapter(split, name)];
        const hyper = { lr: 1e-3, warmupSteps: 0, totalSteps: 2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 };
        const trainers = [new LoraTrainer(whole, adapters[0], hyper), new LoraTrainer(split, adapters[1], hyper)];
        try {
          const w = split.weights;
          expect(w.embed.shards.length).toBeGreaterThan(1);
          expect(w.head.shards.length).toBeGreaterThan(1);
          expect(w.layers[0].proj.gate_proj.w.shards.length).toBeGreaterThan(1);
          for (const s of w.embed.shards) expect(s.data.size).toBeLessThanOrEqual(bytes);
          expect(whole.weights.embed.shards.length).toBe(1);
          expect(w.bytes).toBeGreaterThanOrEqual(whole.weights.bytes);

          for (const adapter of [undefined, 'lora'] as const) {
            const [a, b] = [await whole.forward(batch, { adapter: adapter && adapters[0] }), await split.forward(batch, { adapter: adapter && adapters[1] })];
            expect(errors(b.logits!, a.logits!).maxAbs, `logits ${adapter ?? 'base'}`).toBe(0);
            expect(b.loss).toBe(a.loss);
          }
          const [la, lb] = [await trainers[0].computeGradients([{ batch, lossMask: batch.mask }]), await trainers[1].computeGradients([{ batch, lossMask: batch.mask }])];
          expect(Math.abs(lb - la)).toBeLessThan(1e-6);
          const ge = errors(await gpu.readF32(trainers[1].grads, adapters[1].size), await gpu.readF32(trainers[0].grads, adapters[0].size));
          console.info(`${name} split: LoRA gradients rel ${ge.relNorm.toExponential(2)}; ${w.embed.shards.length} embedding shards, ${w.layers[0].proj.gate_proj.w.shards.length} gate_proj shards`);
          expect(ge.relNorm).toBeLessThan(1e-6);

          const prompt = [...g.file.i32('greedy_prompt')];
          for (const adapter of [undefined, 'lora'] as const) {
            const [ta] = await generate(whole, [prompt], { maxNewTokens: 16, stopTokens: [], adapter: adapter && adapters[0] });
            const [tb] = await generate(split, [prompt], { maxNewTokens: 16, stopTokens: [], adapter: adapter && adapters[1] });
            expect(tb).toEqual(ta);
          }
          // merging into sharded (and quantised) weights: each shard takes its rows of B·A
          await adapters[0].mergeInto(whole.weights);
          await adapters[1].mergeInto(split.weights);
          const [ma, mb] = [await whole.forward(batch), await split.forward(batch)];
          expect(errors(mb.logits!, ma.logits!).maxAbs, 'merged logits').toBeLessThan(1e-6);
        } finally {
          for (const t of trainers) t.destroy();
          destroyAll(...adapters, whole, split);
        }
      }));
  }
});
