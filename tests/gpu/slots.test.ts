// Adapter slots (several LoRA adapters trained side by side on one frozen base, rows slot-major) against the
// independent PyTorch reference and against each slot trained alone. Tolerances and why:
//  - a slot holding the golden adapter and batch: golden.test.ts's bounds (gradients relative norm 1e-3, losses
//    max abs 1e-4, final LoRA tensors relative norm 1e-3): the reference's own f32 error plus summation order.
//  - a slot against the same run alone (a one-slot adapter): every LoRA product of a slot is its own GEMM over its
//    own rows, so the only difference is the shared batch's padding, whose rows add exact zeros to the row sums of
//    dA and dB. Measured: bit-identical (0) here; the bounds (losses 1e-5 abs, tensors 1e-4 relative after 5
//    AdamW steps, which divide by √v) allow for a slot with several sequences, whose later rows the padding
//    shifts into other 4-wide partial sums. Greedy generation is compared exactly.
import { describe, expect, it } from 'vitest';
import { errors, gpuCase } from './device.ts';
import { httpFolder, loadAdapter, loadModel } from '../../src/engine/model/loader.ts';
import { golden, type Golden } from './golden_files.ts';
import type { LlamaModel } from '../../src/engine/model/llama.ts';
import { LoraAdapter, type LoraConfig } from '../../src/engine/model/lora.ts';
import { GRADIENTS_ONLY, LoraTrainer, type MicroBatch, type Schedule, type TrainHyper } from '../../src/engine/train/trainer.ts';
import { generate } from '../../src/engine/model/generate.ts';
import type { Sequence } from '../../src/seal/core/batch.ts';
import { slotBatch } from '../../src/seal/core/fine_tune.ts';

/** The golden batch's sequences (unpadded) with their output-only loss masks. */
function sequences(g: Golden): { tokens: number[]; out: number[] }[] {
  const all = g.file.i32('tokens');
  const T = all.length / 2;
  return g.meta.batch.lengths.map((len, b) => ({
    tokens: [...all.slice(b * T, b * T + len)],
    out: Array.from({ length: len }, (_, t) => (t >= g.meta.batch.prompt_len[b] ? 1 : 0)),
  }));
}

/** Rows slot-major, right-padded to the longest (the SEAL core's shared batch): rows[z] are slot z's sequences. */
const pack = (rows: Sequence[][]): MicroBatch => slotBatch(rows);

const rel = (got: ArrayLike<number>, want: ArrayLike<number>) => errors(got, want).relNorm;

interface GoldenAdapter {
  config: LoraConfig;
  tensors: Map<string, { data: Float32Array }>;
}

async function withGolden(name: string, fn: (m: LlamaModel, adapter: GoldenAdapter, g: Golden) => Promise<void>) {
  await gpuCase(async (gpu) => {
    const model = await loadModel(gpu, httpFolder(`/tests/golden/${name}/model`));
    const one = await loadAdapter(model, httpFolder(`/tests/golden/${name}/adapter`));
    const adapter = { config: one.config, tensors: await one.export() };
    one.destroy();
    try {
      await fn(model, adapter, await golden(name));
    } finally {
      model.destroy();
    }
  });
}

/** A `count`-slot adapter shaped like the golden one, the golden tensors in every slot. */
function slotted(model: LlamaModel, golden: GoldenAdapter, count: number): LoraAdapter {
  const ad = new LoraAdapter(model.gpu, model.cfg, golden.config, count);
  for (let z = 0; z < count; z++) ad.load((k) => golden.tensors.get(k)?.data, 'golden adapter', z);
  return ad;
}

for (const name of ['llama3-f32', 'qwen2-bf16']) {
  describe(`adapter slots on ${name}`, () => {
    it('each slot\'s LoRA gradients equal the reference, beside a slot with another loss mask', () =>
      withGolden(name, async (model, tensors, g) => {
        const ad = slotted(model, tensors, 2);
        const trainer = new LoraTrainer(model, ad, GRADIENTS_ONLY);
        const seqs = sequences(g);
        // slot 0: the golden batch with every token a target; slot 1: the same rows with the output-only mask
        const mb = pack([seqs.map((s) => ({ ids: s.tokens, weights: s.tokens.map(() => 1) })), seqs.map((s) => ({ ids: s.tokens, weights: s.out }))]);
        const [lossAll] = await trainer.computeSlotGradients([mb]);
        expect(Math.abs(lossAll - g.file.f32('loss_lora')[0])).toBeLessThan(1e-4);
        let worst = 0;
        for (const [z, prefix] of [[0, 'grad.'], [1, 'grad_out.']] as const) {
          for (const [key, t] of await ad.export(trainer.grads, z)) {
            const e = rel(t.data, g.file.f32(prefix + key));
            worst = Math.max(worst, e);
            expect(e, `slot ${z} ${prefix}${key}`).toBeLessThan(1e-3);
          }
        }
        console.info(`${name} slot gradients: worst relative error ${worst.toExponential(2)}`);
        trainer.destroy();
        ad.destroy();
      }));

    it('5 AdamW steps: the golden slot matches the reference; slots with another rate, fewer steps and a clip match their runs alone', () =>
      withGolden(name, async (model, tensors, g) => {
        const tr = g.meta.train as unknown as { lr: number; betas: number[]; eps: number; weight_decay: number; warmup: number; total: number; max_norm: number };
        const hyper: TrainHyper = {
          lr: tr.lr, beta1: tr.betas[0], beta2: tr.betas[1], eps: tr.eps, weightDecay: tr.weight_decay, warmupSteps: tr.warmup, totalSteps: tr.total, maxGradNorm: tr.max_norm,
        };
        const seqs = sequences(g);
        const micro = (order: number[]) => order.map((b) => ({ ids: seqs[b].tokens, weights: seqs[b].out }));
        // slot 0: the golden run (micro-batches 0 then 1); slot 1: 3× the rate, only 3 steps, micro-batches swapped
        // (so each of its rows is padded to the other's length); slot 2: no warm-up and a clip of 0.05
        const runs: { order: number[]; schedule: Schedule; steps: number }[] = [
          { order: [0, 1], schedule: hyper, steps: 5 },
          { order: [1, 0], schedule: { ...hyper, lr: 3 * tr.lr }, steps: 3 },
          { order: [0, 1], schedule: { ...hyper, warmupSteps: 0, maxGradNorm: 0.05 }, steps: 5 },
        ];
        const ad = slotted(model, tensors, 3);
        const trainer = new LoraTrainer(model, ad, hyper);
        const losses: number[][] = runs.map(() => []);
        for (let s = 0; s < 5; s++) {
          const mbs = [0, 1].map((m) => pack(runs.map((r) => [micro(r.order)[m]])));
          const res = await trainer.stepSlots(mbs, runs.map((r) => (s < r.steps ? r.schedule : null)));
          res.forEach((x, z) => x && 'loss' in x && losses[z].push(x.loss));
        }
        expect(losses.map((l) => l.length)).toEqual([5, 3, 5]);
        expect(errors(losses[0], g.file.f32('train_losses')).maxAbs).toBeLessThan(1e-4);
        for (const [key, t] of await ad.export(ad.params, 0)) expect(rel(t.data, g.file.f32(`train_final.${key}`)), key).toBeLessThan(1e-3);
        // slots 1 and 2 against the same run alone
        let worst = 0;
        for (const z of [1, 2]) {
          const alone = slotted(model, tensors, 1);
          const t1 = new LoraTrainer(model, alone, hyper);
          const mine: number[] = [];
          for (let s = 0; s < runs[z].steps; s++) {
            const mbs = micro(runs[z].order).map((row) => pack([[row]]));
            mine.push((await t1.step(mbs, runs[z].schedule)).loss);
          }
          expect(errors(losses[z], mine).maxAbs).toBeLessThan(1e-5);
          const want = await alone.export();
          for (const [key, t] of await ad.export(ad.params, z)) {
            const e = rel(t.data, want.get(key)!.data);
            worst = Math.max(worst, e);
            expect(e, `slot ${z} ${key}`).toBeLessThan(1e-4);
          }
          t1.destroy();
          alone.destroy();
        }
        console.info(`${name} slots vs alone after training: worst relative error ${worst.toExponential(2)}`);
        trainer.destroy();
        ad.destroy();
      }));

    it('greedy generation with a different adapter per slot equals the reference, bit for bit', () =>
      withGolden(name, async (model, tensors, g) => {
        const ad = slotted(model, tensors, 3);
        ad.zeroB();
        ad.load((k) => tensors.tensors.get(k)?.data, 'golden adapter', 1); // slots 0 and 2: the base model; slot 1: the adapter
        const prompt = [...g.file.i32('greedy_prompt')];
        const outs = await generate(model, [prompt, prompt, prompt], { maxNewTokens: 32, stopTokens: [], adapter: ad });
        expect(outs[0]).toEqual([...g.file.i32('greedy')]);
        expect(outs[1]).toEqual([...g.file.i32('greedy_lora')]);
        expect(outs[2]).toEqual([...g.file.i32('greedy')]);
        await expect(generate(model, [prompt, prompt], { maxNewTokens: 1, adapter: ad })).rejects.toThrow(/3 adapter slots/);
        ad.destroy();
      }));
  });
}
