// The generic SEAL loop (src/seal/core/loop.ts) on a toy track (./toy_track.ts), on the tiny golden model (random
// weights): the order of the rows, the E-step → select → M-step flow with best-per-item selection, TTT-seed
// averaging, unparsable self-edits, and that the M-step really changes the generator.
import { describe, expect, it } from 'vitest';
import { gpuCase } from './device.ts';
import { SealLoop } from '../../src/seal/core/loop.ts';
import type { Parsed } from '../../src/seal/core/sample.ts';
import { Journal } from '../../src/seal/core/journal.ts';
import { ITEMS, SETTINGS, setup, targetLoss, toyTrack, type ToyEvent, type ToyRollout } from './toy_track.ts';

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
      expect(result.methods).toEqual([{ method: 'seal', round: 1, solved: 0, total: 2, successRate: 0, interval: [0, 0] }]);
    }));

  it('inner loops side by side: one slot or four give the same run, and a run resumed inside a group equals an uninterrupted one', () =>
    gpuCase(async (gpu) => {
      const accept = (t: string): Parsed<string> => ({ ok: true, edit: t, canonical: t || '(empty)' });
      const runWith = async (slots: number, journal?: (events: ToyEvent[]) => Journal<ToyRollout>, prefix: ToyEvent[] = []) => {
        const events: ToyEvent[] = [];
        const ctx = await setup(gpu, events);
        const loop = new SealLoop(ctx, toyTrack(ctx, { ...SETTINGS, innerLoop: { ...SETTINGS.innerLoop, slots } }, accept), ITEMS, journal?.(prefix));
        const result = await loop.run(null);
        ctx.model.destroy();
        return { result, events };
      };
      const rewards = (r: { result: { rollouts: ToyRollout[] } }) => r.result.rollouts.map((x) => [x.id, x.reward, x.rewards, x.finalLoss, x.kept ?? null]);
      const batched = await runWith(4);
      const alone = await runWith(1);
      // the toy's sequences all have one length: the shared batch pads nothing, so a slot is bit-identical
      expect(rewards(batched)).toEqual(rewards(alone));
      // cut after the first of the own row's two self-edits (one group of 2 self-edits × 2 TTT seeds)
      const own = batched.result.rollouts.filter((r) => r.method === 'own');
      const cut = batched.events.findIndex((e) => e.type === 'rollout' && e.rollout.id === own[0].id);
      const resumed = await runWith(4, (ev) => Journal.fromEvents<ToyRollout>(ev, null), batched.events.slice(0, cut + 1));
      expect(rewards(resumed)).toEqual(rewards(batched));
      expect(resumed.result.methods).toEqual(batched.result.methods);
    }));
});
