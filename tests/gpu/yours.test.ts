// A student's self-edit goes through the inner loop's own path (core/yours.ts, SealLoop.applyYours): the model's own
// self-edit text, applied that way, gives what the loop gave it — reward, every TTT seed's reward, the final loss
// and each answer — both inside a run (served at the checkpoint right after the loop scored it, on the same model)
// and after it, on a freshly loaded model with the run's settings (the knowledge module's apply). On the tiny
// random golden model the answers are wrong, so the final losses and the answers are what pin the seeds down.
import { describe, expect, it } from 'vitest';
import { gpuCase } from './device.ts';
import { httpFolder, loadModel } from '../../src/engine/model/loader.ts';
import { loadTokenizer } from '../../src/engine/model/tokenizer.ts';
import { specialsOf } from '../../src/seal/core/context.ts';
import { RunControl } from '../../src/seal/core/control.ts';
import { Journal } from '../../src/seal/core/journal.ts';
import type { Rollout } from '../../src/seal/core/events.ts';
import { knowledgeConfig, parseKnowledgeOverrides } from '../../src/seal/knowledge/config.ts';
import { knowledgeModule } from '../../src/seal/knowledge/index.ts';
import { runKnowledgeExperiment } from '../../src/seal/knowledge/run.ts';
import type { KnowledgeContext, KnowledgeEvent, KnowledgeRollout } from '../../src/seal/knowledge/types.ts';
import { resolvePassages } from '../../src/seal/knowledge/passages.ts';

const TINY = parseKnowledgeOverrides({
  ttt: { loraRank: 4, loraAlpha: 8, targets: ['q_proj', 'v_proj'], epochs: 2, lr: 1e-2 },
  selfEditSampling: { maxNewTokens: 12, maxAttempts: 1 }, answer: { maxNewTokens: 4 }, restEm: { loraRank: 4, loraAlpha: 8, epochs: 1 },
});
const passage = (n: number) => ({ title: `Person ${n}`, context: `Ann ${n} was born in Lyon. She works for Acme.`, questions: [{ question: 'Where?', answer: 'Lyon' }, { question: 'Who?', answer: 'Acme' }] });
const same = (r: Rollout) => {
  const k = r as KnowledgeRollout;
  return { reward: k.reward, rewards: k.rewards, finalLoss: k.finalLoss, answers: k.answers, examples: k.examples, steps: k.steps };
};

describe('a student\'s self-edit', () => {
  it('applied as the inner loop applies the model\'s, gives the same reward, losses and answers (same seeds)', () =>
    gpuCase(async (gpu) => {
      const get = httpFolder('/tests/golden/llama3-f32/model');
      const model = await loadModel(gpu, get);
      const tok = (await loadTokenizer(get))!;
      const cfg = knowledgeConfig(TINY, { seed: 3, rounds: 1, selfEditsPerPassage: 1, evalSelfEditsPerPassage: 1, tttSeeds: 2, cptPassages: 0, forgettingPassages: 0 });
      const control = new RunControl();
      control.apply('step-mode'); // held at every checkpoint, as the lab's step mode holds it: a job must not wait for Step
      const passages = resolvePassages({ source: 'file', passages: [passage(0), passage(1), passage(2)] }, { train: 1, eval: 2 });
      const served: Array<Promise<Rollout>> = [];
      const mine: KnowledgeEvent[] = [];
      const serve = (id: string, r: Rollout, keep = false) =>
        served.push(control.atCheckpoint(() => control.serve!({ id, itemId: r.itemId, text: r.text, keep }, (e) => mine.push(e as KnowledgeEvent))));
      const events: KnowledgeEvent[] = [];
      const ctx: KnowledgeContext = {
        model, tok, sp: specialsOf(model, tok), cfg, control,
        emit: (e) => {
          events.push(e);
          // Step, once what was handed to this checkpoint is done
          if (e.type === 'phase') void Promise.allSettled(served).then(() => setTimeout(() => control.apply('step'), 0));
          // the model's own notes on the second held-out passage (sample 0), and the E-step's on the ReST-EM passage
          if (e.type === 'rollout' && e.rollout.method === 'own' && e.rollout.itemId === 'squad-1') serve('y1', e.rollout);
          if (e.type === 'rollout' && e.rollout.method === 'seal' && e.rollout.role === 'train' && e.rollout.kept === undefined) serve('y2', e.rollout, true);
        },
      };
      const result = await runKnowledgeExperiment(ctx, passages);
      const [y1, y2] = await Promise.all(served);
      model.destroy();
      const own = result.rollouts.find((r) => r.method === 'own' && r.itemId === 'squad-1')!;
      const eStep = result.rollouts.find((r) => r.method === 'seal' && r.role === 'train')!;
      expect(own.rewards).toHaveLength(2);
      expect(Number.isFinite(own.finalLoss)).toBe(true);
      expect({ ...y1, method: y1.method, id: y1.id }).toMatchObject({ id: 'y1', method: 'yours', role: 'eval', round: 0, itemId: 'squad-1' });
      expect(same(y1)).toEqual(same(own));
      expect(same(y2)).toEqual(same(eStep));
      expect(y2).toMatchObject({ kept: true, role: 'train', round: 1 });
      // never part of the run's record or a row; the kept one reached the M-step
      expect(result.rollouts.some((r) => r.method === 'yours')).toBe(false);
      expect(events.some((e) => e.type === 'rollout' && e.rollout.method === 'yours')).toBe(false);
      expect(events.some((e) => e.type === 'log' && /1 self-edit added to the kept set by hand/.test(e.message))).toBe(true);
      expect(mine.filter((e) => e.type === 'ttt-data').map((e) => e.type === 'ttt-data' && e.rolloutId)).toEqual(['y1', 'y2']);

      // after the run: the model it started from (loaded again), the run's settings and items
      const fresh = await loadModel(gpu, get);
      try {
        const env = { model: fresh, tok, sp: specialsOf(fresh, tok), control: new RunControl(), lab: undefined, emit: () => {}, journal: new Journal<KnowledgeRollout>() };
        const after = await knowledgeModule.apply(env, { config: cfg, items: passages }, { id: 'y3', itemId: 'squad-1', text: own.text });
        expect(same(after)).toEqual(same(own));
        // another sample's seeds give another inner loop (what pins the seeds down is not a constant)
        const other = await knowledgeModule.apply(env, { config: cfg, items: passages }, { id: 'y4', itemId: 'squad-1', text: own.text, sample: 1 });
        expect(other.finalLoss).not.toBe(own.finalLoss);
        const bad = await knowledgeModule.apply(env, { config: cfg, items: passages }, { id: 'y5', itemId: 'squad-0', text: '   ' });
        expect(bad).toMatchObject({ reward: 0, reason: 'unparsable: an empty self-edit (nothing to train on)' });
        await expect(knowledgeModule.apply(env, { config: cfg, items: passages }, { id: 'y6', itemId: 'nope', text: 'x' })).rejects.toThrow(/no item "nope"/);
      } finally {
        fresh.destroy();
      }
    }), 240_000);
});
