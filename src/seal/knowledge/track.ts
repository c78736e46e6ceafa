// The knowledge track for the SEAL loop: a self-edit is free text (implications, rewrites or QA of the passage);
// the inner loop trains a fresh LoRA on its lines, each prefixed with the title, and on the passage itself; the
// reward is the closed-book accuracy on the passage's questions afterwards.
import type { Baseline, Track } from '../core/track.ts';
import { answerPassage } from './answer.ts';
import { knowledgeExplanations } from './explain.ts';
import { isKnowledgeMethod, type KnowledgeContext, type KnowledgeRollout, type KnowledgeTttData } from './types.ts';
import type { Passage, PassageSet } from './passages.ts';
import { factLines } from './line_filter.ts';
import { notesPlan } from './plan.ts';
import { selfEditPromptIds, selfEditSftSequence } from './sequences.ts';

export function knowledgeTrack(ctx: KnowledgeContext, passages: PassageSet): Track<Passage, string, KnowledgeRollout, KnowledgeTttData> {
  const { tok, sp, cfg } = ctx;
  const m = cfg.methods;
  const references = passages.eval.every((p) => p.reference !== null);
  const baselines: Baseline<Passage, string>[] = [
    ...(m.base ? [{ kind: 'no-update' as const, method: 'base' }] : []),
    ...(m.passage ? [{ kind: 'given' as const, method: 'passage', edit: () => ({ edit: '', canonical: '' }) }] : []),
    ...(m.own ? [{ kind: 'self-edits' as const, method: 'own' }] : []),
    ...(m.reference && references ? [{ kind: 'given' as const, method: 'reference', edit: (p: Passage) => ({ edit: p.reference!, canonical: p.reference! }) }] : []),
  ];
  return {
    name: 'knowledge',
    settings: {
      seed: cfg.seed, rounds: cfg.rounds, samplesPerTrainItem: cfg.selfEditsPerPassage, samplesPerEvalItem: cfg.evalSelfEditsPerPassage,
      tttSeeds: cfg.tttSeeds, sampling: cfg.selfEdit, innerLoop: cfg.ttt, restEm: { ...cfg.restEm, targets: cfg.ttt.targets }, onFailedRound: cfg.onFailedRound,
    },
    baselines,
    keep: cfg.restEm.select === 'overMean' ? 'best-over-mean' : 'best-per-item',
    units: (p) => p.questions.length,
    selfEditPrompt: (p) => selfEditPromptIds(tok, sp, p.title, p.context, cfg.prompt),
    parseSelfEdit: (text) => {
      const notes = text.trim();
      return notes ? { ok: true, edit: notes, canonical: notes } : { ok: false, error: 'an empty self-edit (nothing to train on)' };
    },
    sftSequence: (p, canonical) => selfEditSftSequence(tok, sp, p.title, p.context, canonical, cfg.prompt),
    ...(cfg.restEm.lineFilter === 'facts' && { sftCompletion: (p: Passage, notes: string) => factLines(notes, p.context) }),
    innerLoopPlan: (p, notes) => notesPlan(ctx, notes, p),
    score: async (p, seeds, adapter) => {
      const slots = await answerPassage({ model: ctx.model, tok, sp, grader: cfg.grader, maxNewTokens: cfg.answer.maxNewTokens }, p, adapter);
      if (slots.length !== seeds.length) throw new Error(`${seeds.length} seeds for ${slots.length} adapter slots`);
      return slots.map((answers) => {
        const solved = answers.filter((a) => a.correct).length;
        return { reward: solved / answers.length, solved, total: answers.length, reason: `${solved} of ${answers.length} answered (${cfg.grader})`, detail: { answers } };
      });
    },
    record: (base, _p, notes) => {
      if (!isKnowledgeMethod(base.method)) throw new Error(`not a knowledge method: ${base.method}`);
      return { ...base, track: 'knowledge', method: base.method, notes: notes ?? '', answers: [] };
    },
    explain: knowledgeExplanations(cfg),
  };
}
