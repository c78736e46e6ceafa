// What step-through mode says after each phase of a knowledge run (Track B), kept apart from the loop itself.
import type { Explanations } from '../core/track.ts';
import type { KnowledgeConfig } from './config.ts';
import type { Passage } from './passages.ts';

const pct = (r: number) => `${Math.round(100 * r)} %`;
const questions = (p: Passage) => `${p.questions.length} question${p.questions.length === 1 ? '' : 's'}`;

export function knowledgeExplanations(cfg: KnowledgeConfig): Explanations<Passage, string> {
  return {
    noUpdate: (p, reward, last) =>
      `The base model answered the ${questions(p)} about ${p.id} without seeing the passage and without any training: ${pct(reward)} right. ` +
      `Next: ${last ? 'train on each passage alone' : 'the next held-out passage'}.`,
    sampled: (p, n, valid) =>
      `The model read ${p.id} and wrote ${n} self-edit${n === 1 ? '' : 's'} (${cfg.prompt}, temperature ${cfg.selfEdit.temperature}, top-p ${cfg.selfEdit.topP})` +
      `${valid < n ? `; ${n - valid} came out empty and score 0` : ''}. Next: each is turned into training lines and learnt by a fresh LoRA adapter.`,
    innerLoop: (p, notes, steps, examples) =>
      `Fine-tuned a fresh LoRA adapter for ${steps} steps on ${examples} sequences: ${notes ? `${examples - 1} line${examples === 2 ? '' : 's'} of the self-edit and ` : ''}` +
      `the passage ${p.id}, each starting with its title. Next: the adapted model answers the questions closed-book.`,
    evaluated: (p, reward, role) =>
      `Closed-book, with the passage's knowledge now only in the weights, the adapted model answered ${pct(reward)} of the ${questions(p)} about ${p.id}` +
      `${cfg.tttSeeds > 1 ? ` (mean of ${cfg.tttSeeds} fine-tuning seeds)` : ''}: that is this self-edit's reward. ` +
      `Next: ${role === 'train' ? 'the next self-edit; the best one of each passage is kept' : 'the next self-edit or passage'}.`,
    selected: (kept, of) =>
      `Kept ${kept} of ${of} self-edits: for each training passage the one whose update answered the most questions, ` +
      (cfg.restEm.select === 'overMean' ? 'if it beat the mean of that passage\'s self-edits (a passage whose self-edits all scored the same teaches nothing). '
      : '(none where every reward was 0). ') +
      (cfg.restEm.lineFilter === 'facts' ? 'Only their lines that state a fact of the passage are imitated. ' : '') +
      'Next: teach the generator to write self-edits like these.',
    sftSkipped: () => 'No self-edit raised any accuracy, so the generator stays as it was (ReST-EM has nothing to imitate). Next: evaluate it on the held-out passages.',
    sftFailed: (round, reason) =>
      `The M-step of round ${round} ${reason}, so nothing was merged: the writer keeps its weights and this round changed nothing. Next: evaluate it on the held-out passages.`,
    sft: (pairs, losses) =>
      `Fine-tuned the self-edit writer on ${pairs} (passage → best self-edit) pairs for ${losses.length} steps, loss ${losses[0].toFixed(3)} → ${losses.at(-1)!.toFixed(3)}. ` +
      'Next: merge it into the base weights.',
    merged: (round) =>
      `Merged: this is SEAL's round-${round} model. It should now write self-edits that state the passage's facts in a form it can learn. ` +
      'Next: it writes self-edits for the held-out passages, each applied and scored.',
  };
}
