// The knowledge track end to end on the tiny golden model (random weights: its answers are wrong, so this checks
// the protocol, not the science): every Table 2 row, TTT-seed averaging, continued pre-training and the
// forgetting experiment, whose merges really change the model.
import { describe, expect, it } from 'vitest';
import { gpuCase } from './device.ts';
import { httpFolder, loadModel } from '../../src/engine/model/loader.ts';
import { loadTokenizer } from '../../src/engine/model/tokenizer.ts';
import { specialsOf } from '../../src/seal/core/context.ts';
import { RunControl } from '../../src/seal/core/control.ts';
import { knowledgeConfig, parseKnowledgeOverrides } from '../../src/seal/knowledge/config.ts';
import { runKnowledgeExperiment } from '../../src/seal/knowledge/run.ts';
import type { KnowledgeContext, KnowledgeEvent } from '../../src/seal/knowledge/types.ts';
import { resolvePassages } from '../../src/seal/knowledge/passages.ts';

const TINY = parseKnowledgeOverrides({
  ttt: { loraRank: 4, loraAlpha: 8, targets: ['q_proj', 'v_proj'], epochs: 2, lr: 1e-2 },
  selfEditSampling: { maxNewTokens: 12, maxAttempts: 1 }, answer: { maxNewTokens: 4 }, restEm: { loraRank: 4, loraAlpha: 8, epochs: 1 },
});
const passage = (n: number) => ({ title: `Person ${n}`, context: `Ann ${n} was born in Lyon. She works for Acme.`, questions: [{ question: 'Where?', answer: 'Lyon' }, { question: 'Who?', answer: 'Acme' }] });
const FILE = [passage(0), passage(1), passage(2)];
const REFS = ['She was born in Lyon.\nShe works for Acme.', 'Born in Lyon.', 'Works for Acme.'];

describe('SEAL knowledge loop', () => {
  it('runs every row of Table 2, continued pre-training and forgetting', () =>
    gpuCase(async (gpu) => {
      const get = httpFolder('/tests/golden/llama3-f32/model');
      const model = await loadModel(gpu, get);
      const tok = (await loadTokenizer(get))!;
      const events: KnowledgeEvent[] = [];
      const cfg = knowledgeConfig(TINY, { seed: 2, rounds: 1, selfEditsPerPassage: 2, tttSeeds: 2, cptPassages: 2, forgettingPassages: 2 });
      const ctx: KnowledgeContext = { model, tok, sp: specialsOf(model, tok), cfg, control: new RunControl(), emit: (e) => events.push(e) };
      const passages = resolvePassages({ source: 'file', passages: FILE, references: REFS }, { train: 1, eval: 2 });
      const probe = { B: 1, T: 4, tokens: Int32Array.from([256, 65, 110, 110]), mask: new Int32Array(4).fill(1) };
      const result = await runKnowledgeExperiment(ctx, passages);
      const after = (await model.forward(probe, { logits: false })).loss;
      model.destroy();

      expect(result.methods.map((m) => `${m.method}${m.round}`)).toEqual([
        'base0', 'passage0', 'own0', 'reference0', 'seal1', 'cpt-base0', 'cpt-passage0', 'cpt-own0', 'cpt-reference0', 'cpt-seal0',
      ]);
      for (const m of result.methods) expect(m.total).toBe(m.method === 'own' || m.method === 'seal' ? 8 : 4); // 2 passages × 2 questions (× 2 self-edits)
      const only = result.rollouts.find((r) => r.method === 'passage')!;
      expect(only.examples).toBe(1); // the passage alone
      expect(only.rewards).toHaveLength(2);
      expect(only.answers).toHaveLength(2);
      expect(only.answers[0]).toMatchObject({ question: 'Where?', gold: ['Lyon'] });
      const ref = result.rollouts.find((r) => r.method === 'reference' && r.itemId === 'squad-0')!;
      expect(ref.examples).toBe(3); // two lines + the passage
      const data = events.find((e) => e.type === 'ttt-data' && e.rolloutId === ref.id);
      expect(data).toMatchObject({ data: { sequences: ['Person 0\nShe was born in Lyon.', 'Person 0\nShe works for Acme.', 'Person 0\nAnn 0 was born in Lyon. She works for Acme.'] } });
      // Forgetting: after edit 1, passage 1; after edit 2, passages 1 and 2 — and the merged edits changed the model.
      expect(result.forgetting.map((c) => [c.step, c.column])).toEqual([[1, 0], [2, 0], [2, 1]]);
      expect(events.filter((e) => e.type === 'forgetting')).toHaveLength(3);
      const phases = events.flatMap((e) => (e.type === 'phase' ? [e.phase] : []));
      expect(phases.filter((p) => p === 'forgetting')).toHaveLength(2);
      expect(phases.filter((p) => p === 'cpt')).toHaveLength(5);
      expect(Number.isFinite(after)).toBe(true);
      const base = await (async () => {
        const m2 = await loadModel(gpu, get);
        try {
          return (await m2.forward(probe, { logits: false })).loss;
        } finally {
          m2.destroy();
        }
      })();
      expect(after).not.toBe(base);
    }), 240_000);
});
