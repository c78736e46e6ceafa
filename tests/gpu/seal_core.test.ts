// The generic SEAL loop (src/seal/core/loop.ts) on a toy track defined here, on the tiny golden model (random
// weights): a self-edit is any sampled text, the inner loop trains on the item's target sequence, and the reward is
// exp(−loss) of that target — so a trained adapter must earn more than no update. Checks the order of the rows,
// the E-step → select → M-step flow with best-per-item selection, TTT-seed averaging, unparsable self-edits and
// that the M-step really changes the generator.
import { describe, expect, it } from 'vitest';
import { gpuCase } from './device.ts';
import { httpFolder, loadModel } from '../../src/engine/model/loader.ts';
import type { LlamaModel } from '../../src/engine/model/llama.ts';
import type { LoraAdapter } from '../../src/engine/model/lora.ts';
import { loadTokenizer } from '../../src/engine/model/tokenizer.ts';
import { allTokens } from '../../src/seal/core/batch.ts';
import { specialsOf, type SealContext } from '../../src/seal/core/context.ts';
import { RunControl } from '../../src/seal/core/control.ts';
import type { Rollout, SealEvent } from '../../src/seal/core/events.ts';
import { SealLoop } from '../../src/seal/core/loop.ts';
import type { Parsed } from '../../src/seal/core/sample.ts';
import type { LoopSettings, Track } from '../../src/seal/core/track.ts';

interface ToyItem {
  id: string;
  target: number[];
}
type ToyRollout = Rollout & { track: 'toy' };
type ToyEvent = SealEvent<ToyRollout, { tokens: number }>;

const ITEMS = {
  train: [{ id: 'train-a', target: [256, 72, 101, 108, 108, 111] }, { id: 'train-b', target: [256, 87, 111, 114, 108, 100] }],
  eval: [{ id: 'eval-a', target: [256, 83, 69, 65, 76] }],
};

async function targetLoss(model: LlamaModel, ids: number[], adapter?: LoraAdapter): Promise<number> {
  const T = ids.length;
  const r = await model.forward({ B: 1, T, tokens: Int32Array.from(ids), mask: new Int32Array(T).fill(1) }, { adapter, logits: false });
  return r.loss;
}

function toyTrack(ctx: SealContext<ToyEvent>, settings: LoopSettings, parse: (t: string) => Parsed<string>): Track<ToyItem, string, ToyRollout, { tokens: number }> {
  return {
    name: 'toy',
    settings,
    baselines: [
      { kind: 'no-update', method: 'as-is' },
      { kind: 'self-edits', method: 'own' },
      { kind: 'given', method: 'given', edit: (item) => ({ edit: 'given', canonical: `given ${item.id}` }) },
    ],
    keep: 'best-per-item',
    units: () => 1,
    selfEditPrompt: () => [256, 65, 66],
    parseSelfEdit: parse,
    sftSequence: (_item, canonical) => {
      const edit = ctx.tok.encode(canonical).slice(0, 6);
      return { ids: [256, 65, 66, ...edit], weights: [0, 0, 0, ...edit.map(() => 1)] };
    },
    innerLoopPlan: (item) => ({ rejected: null, sequences: [allTokens(item.target)], epochs: 3, lr: 3e-2, data: { tokens: item.target.length } }),
    score: async (item, _seed, adapter) => {
      const reward = Math.exp(-(await targetLoss(ctx.model, item.target, adapter)));
      return { reward, solved: reward, total: 1, reason: `exp(−loss) = ${reward.toFixed(4)}`, detail: {} };
    },
    record: (base) => ({ ...base, track: 'toy' }),
    explain: {
      noUpdate: (item) => `as is: ${item.id}`, sampled: (item, n, valid) => `${valid}/${n} for ${item.id}`,
      innerLoop: (item, _e, steps) => `${steps} steps on ${item.id}`, evaluated: (item, r) => `${item.id}: ${r}`,
      selected: (k, n) => `kept ${k} of ${n}`, sftSkipped: () => 'nothing kept', sft: (n, l) => `sft on ${n}: ${l.length} steps`, merged: (r) => `merged ${r}`,
    },
  };
}

const SETTINGS: LoopSettings = {
  seed: 7, rounds: 1, samplesPerTrainItem: 2, samplesPerEvalItem: 2, tttSeeds: 2,
  sampling: { temperature: 1, topP: 1, maxNewTokens: 4, maxAttempts: 2 },
  innerLoop: { loraRank: 4, loraAlpha: 8, targets: ['q_proj', 'v_proj'], batchSize: 1, warmupRatio: 0 },
  restEm: { loraRank: 4, loraAlpha: 8, targets: ['q_proj', 'v_proj'], epochs: 2, batchSize: 1, lr: 1e-2 },
};

async function setup(gpu: Parameters<Parameters<typeof gpuCase>[0]>[0], events: ToyEvent[]) {
  const get = httpFolder('/tests/golden/llama3-f32/model');
  const model = await loadModel(gpu, get);
  const tok = (await loadTokenizer(get))!;
  const ctx: SealContext<ToyEvent> = { model, tok, sp: specialsOf(model, tok), control: new RunControl(), emit: (e) => events.push(e) };
  return ctx;
}

describe('SEAL core loop (toy track)', () => {
  it('runs the baselines in order, then E-step → best per item → M-step → SEAL, averaging TTT seeds', () =>
    gpuCase(async (gpu) => {
      const events: ToyEvent[] = [];
      const ctx = await setup(gpu, events);
      const accept = (t: string): Parsed<string> => ({ ok: true, edit: t, canonical: t || '(empty)' });
      const track = toyTrack(ctx, SETTINGS, accept);
      const loop = new SealLoop(ctx, track, ITEMS);
      const probe = [256, 65, 66, 67, 68];
      const before = await targetLoss(ctx.model, probe);
      const result = await loop.run({ toy: true });
      const after = await targetLoss(ctx.model, probe);
      ctx.model.destroy();

      expect(result.methods.map((m) => `${m.method}${m.round}`)).toEqual(['as-is0', 'own0', 'given0', 'seal1']);
      expect(events[0]).toMatchObject({ type: 'run-start', track: 'toy', items: { train: ['train-a', 'train-b'], eval: ['eval-a'] }, config: { toy: true } });
      const asIs = result.rollouts.find((r) => r.method === 'as-is')!;
      const given = result.rollouts.find((r) => r.method === 'given')!;
      // Three LoRA steps on the target itself lower its loss: training earned a reward, averaged over 2 TTT seeds.
      expect(given.rewards).toHaveLength(2);
      expect(given.reward).toBeCloseTo((given.rewards[0] + given.rewards[1]) / 2, 10);
      expect(given.rewards[0]).not.toBe(given.rewards[1]); // another seed: another LoRA init and order
      expect(given.reward!).toBeGreaterThan(asIs.reward!);
      expect(given.steps).toBe(3);
      expect(given.text).toBe('given eval-a');
      // The E-step: 2 items × 2 samples, then the best of each item kept.
      const eStep = result.rollouts.filter((r) => r.role === 'train');
      expect(eStep).toHaveLength(4);
      const kept = eStep.filter((r) => r.kept);
      expect(kept.map((r) => r.itemId).sort()).toEqual(['train-a', 'train-b']);
      for (const k of kept) expect(k.reward).toBe(Math.max(...eStep.filter((r) => r.itemId === k.itemId).map((r) => r.reward!)));
      // The M-step trained on the 2 kept pairs for 2 epochs at batch 1, then merged.
      expect(events.filter((e) => e.type === 'sft-loss')).toHaveLength(4);
      const phases = events.filter((e) => e.type === 'phase').map((e) => e.phase);
      expect(phases.slice(phases.indexOf('select'), phases.indexOf('select') + 3)).toEqual(['select', 'sft', 'merge']);
      expect(phases.at(-1)).toBe('evaluate');
      // Loss curves stream for the first TTT seed of each applied self-edit only.
      const lossIds = new Set(events.filter((e) => e.type === 'ttt-loss').map((e) => e.rolloutId));
      expect(lossIds.has(given.id)).toBe(true);
      expect(events.filter((e) => e.type === 'ttt-loss' && e.rolloutId === given.id)).toHaveLength(3);
      expect(events.filter((e) => e.type === 'ttt-data' && e.rolloutId === given.id)).toEqual([{ type: 'ttt-data', rolloutId: given.id, itemId: 'eval-a', data: { tokens: 5 } }]);
      // The merged M-step adapter changed the generator itself.
      expect(after).not.toBe(before);
    }));

  it('re-samples what the parser rejects and scores it 0 with the reason; nothing rewarded → no M-step', () =>
    gpuCase(async (gpu) => {
      const events: ToyEvent[] = [];
      const ctx = await setup(gpu, events);
      const reject = (): Parsed<string> => ({ ok: false, error: 'toy parser says no' });
      const track = toyTrack(ctx, { ...SETTINGS, tttSeeds: 1 }, reject);
      const result = await new SealLoop(ctx, { ...track, baselines: [] }, ITEMS).run(null);
      ctx.model.destroy();
      const sampled = result.rollouts.filter((r) => r.method === 'seal');
      expect(sampled).toHaveLength(4 + 2);
      for (const r of sampled) {
        expect(r.reward).toBe(0);
        expect(r.attempts).toBe(2);
        expect(r.reason).toBe('unparsable after 2 samples: toy parser says no');
      }
      expect(events.some((e) => e.type === 'sft-loss')).toBe(false);
      const sft = events.find((e) => e.type === 'phase' && e.phase === 'sft');
      expect(sft).toMatchObject({ explain: 'nothing kept' });
      expect(result.methods).toEqual([{ method: 'seal', round: 1, solved: 0, total: 2, successRate: 0 }]);
    }));
});
