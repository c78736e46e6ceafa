// The SEAL ARC loop end to end on the tiny golden model (random weights: it writes no valid self-edits, which
// exercises re-sampling and zero rewards), with an oracle configuration that trains for real.
import { describe, expect, it } from 'vitest';
import { gpuCase } from './device.ts';
import { httpFolder, loadModel } from '../../src/engine/model/loader.ts';
import { loadTokenizer } from '../../src/engine/model/tokenizer.ts';
import { arcConfig, parseOverrides } from '../../src/seal/arc/config.ts';
import { runArcExperiment } from '../../src/seal/arc/run.ts';
import type { ArcContext, ArcEvent } from '../../src/seal/arc/types.ts';
import { miniArcTaskSet } from '../../src/seal/arc/task_set.ts';
import { RunControl } from '../../src/seal/core/control.ts';
import { specialsOf } from '../../src/seal/core/context.ts';
import { fineTuneGenerator } from '../../src/seal/core/rest_em.ts';
import { selfEditSequence } from '../../src/seal/arc/sequences.ts';
import { ORACLE_SELF_EDIT, selfEditToJson } from '../../src/seal/arc/self_edit.ts';

const TINY = parseOverrides({
  selfEditInstruction: 'short',
  ttt: { loraRank: 4, loraAlpha: 8, maxExamples: 6, stepCap: 12, maxNewTokens: 20 },
  restEm: { loraRank: 4, loraAlpha: 8, epochs: 3, batchSize: 2, lr: 1e-2 },
  selfEditSampling: { maxNewTokens: 24, maxAttempts: 2 },
  eval: { geometricViews: true, colourViews: 1, leaveOneOutViews: false },
  oracle: {
    ...ORACLE_SELF_EDIT,
    data_generation: { ...ORACLE_SELF_EDIT.data_generation, use_size_augmentations: false, use_chain_augmentations: false, use_repeat_augmentations: false },
    training: { ...ORACLE_SELF_EDIT.training, learning_rate: 1e-2, num_train_epochs: 2 },
  },
});

async function context(gpu: Parameters<Parameters<typeof gpuCase>[0]>[0], events: ArcEvent[], control = new RunControl()) {
  const get = httpFolder('/tests/golden/llama3-f32/model');
  const model = await loadModel(gpu, get);
  const tok = (await loadTokenizer(get))!;
  const cfg = arcConfig(TINY, { seed: 3, rounds: 1, selfEditsPerTrainTask: 2, selfEditsPerEvalTask: 1 });
  const ctx: ArcContext = { model, tok, sp: specialsOf(model, tok), cfg, control, emit: (e) => events.push(e) };
  return ctx;
}

describe('SEAL ARC loop', () => {
  it('runs every method and phase, with rewards, losses and results', () =>
    gpuCase(async (gpu) => {
      const events: ArcEvent[] = [];
      const ctx = await context(gpu, events);
      const tasks = miniArcTaskSet({ train: 1, eval: 1 });
      const result = await runArcExperiment(ctx, tasks);
      ctx.model.destroy();
      expect(result.methods.map((m) => `${m.method}${m.round}`)).toEqual(['icl0', 'no-rl0', 'oracle0', 'seal1']);
      const phases = new Set(events.filter((e) => e.type === 'phase').map((e) => (e as { phase: string }).phase));
      for (const p of ['icl', 'sample-self-edit', 'select', 'sft', 'inner-loop', 'evaluate']) expect(phases.has(p), p).toBe(true);
      const oracle = result.rollouts.find((r) => r.method === 'oracle')!;
      expect(oracle.steps).toBeGreaterThan(0);
      expect(oracle.examples).toBeGreaterThan(0);
      const losses = events.filter((e) => e.type === 'ttt-loss' && e.rolloutId === oracle.id).map((e) => (e as { loss: number }).loss);
      expect(losses).toHaveLength(oracle.steps);
      expect(losses.every(Number.isFinite)).toBe(true);
      // Random weights write no parsable JSON: those self-edits score 0 with the reason recorded.
      const noRl = result.rollouts.find((r) => r.method === 'no-rl')!;
      if (!noRl.edit) expect(noRl.reason).toMatch(/unparsable after 2 samples/);
      for (const r of result.rollouts) expect(r.truth).toEqual(tasks[r.method === 'seal' && r.round === 1 && tasks.train.some((t) => t.id === r.itemId) ? 'train' : 'eval'].find((t) => t.id === r.itemId)!.truth);
    }));

  it('step mode stops after each phase until told to go on; stop ends the run', () =>
    gpuCase(async (gpu) => {
      const events: ArcEvent[] = [];
      const control = new RunControl();
      control.apply('step-mode');
      const ctx = await context(gpu, events, control);
      const run = runArcExperiment(ctx, miniArcTaskSet({ train: 1, eval: 1 }));
      const phasesSoFar = () => events.filter((e) => e.type === 'phase').length;
      const waitFor = async (n: number) => { while (phasesSoFar() < n) await new Promise((r) => setTimeout(r, 20)); };
      await waitFor(1);
      await new Promise((r) => setTimeout(r, 300));
      expect(phasesSoFar()).toBe(1); // held at the first phase
      control.apply('step');
      await waitFor(2);
      await new Promise((r) => setTimeout(r, 300));
      expect(phasesSoFar()).toBe(2);
      control.apply('stop');
      await expect(run).rejects.toThrow(/stopped/);
      ctx.model.destroy();
    }));
});

describe('ReST-EM M-step', () => {
  it('fine-tuning on a kept (prompt, self-edit) pair and merging makes that self-edit more likely', () =>
    gpuCase(async (gpu) => {
      const events: ArcEvent[] = [];
      const ctx = await context(gpu, events);
      const task = miniArcTaskSet({ train: 1, eval: 0 }).train[0].task;
      const seq = selfEditSequence(ctx.tok, ctx.sp, task.train, selfEditToJson(ORACLE_SELF_EDIT), 'Choose.');
      const nll = async () => {
        const T = seq.ids.length;
        const r = await ctx.model.forward({ B: 1, T, tokens: Int32Array.from(seq.ids), mask: new Int32Array(T).fill(1) },
          { lossMask: Int32Array.from(seq.weights), logits: false });
        return r.loss;
      };
      const before = await nll();
      const settings = { ...ctx.cfg.restEm, targets: ctx.cfg.ttt.targets };
      const losses = await fineTuneGenerator(ctx.model, [seq, seq], settings, 5, ctx.control, (step, loss) => events.push({ type: 'sft-loss', round: 1, step, loss }));
      const after = await nll();
      console.info(`self-edit NLL ${before.toFixed(3)} → ${after.toFixed(3)}; SFT losses ${losses.map((l) => l.toFixed(2)).join(' ')}`);
      expect(losses).toHaveLength(3);
      expect(after).toBeLessThan(before - 0.5);
      expect(events.filter((e) => e.type === 'sft-loss')).toHaveLength(3);
      ctx.model.destroy();
    }));
});
