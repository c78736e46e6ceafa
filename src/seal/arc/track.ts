// The ARC track for the SEAL loop: a self-edit is a JSON configuration (augmentations, loss, learning rate,
// epochs); the inner loop trains on the leave-out data it asks for; the reward is 1 when the adapted model's
// voted answers solve every test input.
import { allTokens } from '../core/batch.ts';
import { trainingSteps } from '../core/fine_tune.ts';
import type { Track } from '../core/track.ts';
import type { ArcConfig } from './config.ts';
import { arcExplanations } from './explain.ts';
import { isArcMethod, type ArcContext, type ArcItem, type ArcRollout, type ArcTttData } from './types.ts';
import { SELF_EDIT_INSTRUCTION, SELF_EDIT_INSTRUCTION_SHORT } from './format.ts';
import { predict } from './predict.ts';
import { parseSelfEdit, selfEditToJson, type SelfEdit } from './self_edit.ts';
import { selfEditPrompt, selfEditSequence, solveSequence } from './sequences.ts';
import { buildTttData, exceedsStepCap } from './ttt_data.ts';

export const instructionOf = (cfg: ArcConfig): string => (cfg.selfEdit.instruction === 'short' ? SELF_EDIT_INSTRUCTION_SHORT : SELF_EDIT_INSTRUCTION);

export function arcTrack(ctx: ArcContext): Track<ArcItem, SelfEdit, ArcRollout, ArcTttData> {
  const { tok, sp, cfg } = ctx;
  const { ttt } = cfg;
  const instruction = instructionOf(cfg);
  return {
    name: 'arc',
    settings: {
      seed: cfg.seed, rounds: cfg.rounds, samplesPerTrainItem: cfg.selfEditsPerTrainTask, samplesPerEvalItem: cfg.selfEditsPerEvalTask,
      tttSeeds: cfg.tttSeeds, sampling: cfg.selfEdit, innerLoop: ttt, restEm: { ...cfg.restEm, targets: ttt.targets }, onFailedRound: cfg.onFailedRound,
    },
    baselines: [
      ...(cfg.methods.icl ? [{ kind: 'no-update' as const, method: 'icl' }] : []),
      ...(cfg.methods.noRl ? [{ kind: 'self-edits' as const, method: 'no-rl' }] : []),
      ...(cfg.methods.oracle ? [{ kind: 'given' as const, method: 'oracle', edit: () => ({ edit: cfg.oracle, canonical: selfEditToJson(cfg.oracle) }) }] : []),
    ],
    keep: 'rewarded',
    units: () => 1,
    selfEditPrompt: (item) => selfEditPrompt(tok, item.task.train, instruction),
    parseSelfEdit: (text) => {
      const r = parseSelfEdit(text);
      return r.ok ? { ok: true, edit: r.edit, canonical: selfEditToJson(r.edit) } : r;
    },
    sftSequence: (item, canonical) => selfEditSequence(tok, sp, item.task.train, canonical, instruction),

    /** θ' ← SFT(θ, SE): the augmented leave-out data it asks for, with its learning rate, epochs and loss. */
    innerLoopPlan: (item, edit, seed) => {
      const data = buildTttData(item.task, edit, {
        seed, maxExamples: ttt.maxExamples,
        tokenBudget: { count: (ex) => solveSequence(tok, sp, ex).ids.length, max: ttt.maxTokens },
      });
      const n = data.examples.length;
      const epochs = edit.training.num_train_epochs;
      const outputOnly = edit.training.strategy === 'train_using_output_tokens';
      const sequences = data.examples.map((ex) => {
        const s = solveSequence(tok, sp, ex);
        return outputOnly ? s : allTokens(s.ids);
      });
      const plan = { sequences, epochs, lr: edit.training.learning_rate, data: { stats: data.stats, samples: data.examples.slice(0, 6).map((e) => e.test[0]) } };
      if (!n) return { ...plan, rejected: 'no training examples (the task needs at least 2 demos)' };
      if (exceedsStepCap(n, epochs, ttt.stepCap, ttt.batchSize)) {
        return { ...plan, rejected: `needs ${trainingSteps(n, epochs, ttt.batchSize)} steps, over the cap of ${ttt.stepCap}` };
      }
      return { ...plan, rejected: null };
    },

    /** Ans ~ LM_θ'(· | τ) under every evaluation view, voted into 2 attempts; reward 1 if every test is solved. */
    score: async (item, seeds, adapter) =>
      (await predict(ctx, item.task, item.truth, seeds, adapter)).map((p) => {
        const reason = p.reward ? (adapter ? 'solved' : 'solved in context') : 'wrong answer';
        return { reward: p.reward, solved: p.reward, total: 1, reason, detail: { answers: p.answers } };
      }),
    record: (base, item, edit) => {
      if (!isArcMethod(base.method)) throw new Error(`not an ARC method: ${base.method}`);
      return { ...base, track: 'arc', method: base.method, edit, answers: [], truth: item.truth };
    },
    explain: arcExplanations(cfg.selfEdit.temperature),
  };
}
