// What step-through mode says after each phase of an ARC run (Track A), kept apart from the loop itself.
import type { Explanations } from '../core/track.ts';
import type { ArcItem } from './types.ts';
import { describeSelfEdit, type SelfEdit } from './self_edit.ts';

export function arcExplanations(temperature: number): Explanations<ArcItem, SelfEdit> {
  return {
    noUpdate: (item, reward, last) =>
      `The base model answered ${item.id} from its demonstrations alone, without any training: ${reward ? 'correct' : 'wrong'}. Next: ${last ? 'self-edits' : 'the next held-out task'}.`,
    sampled: (item, n, valid) =>
      `The generator wrote ${n} self-edit${n === 1 ? '' : 's'} for ${item.id} (temperature ${temperature}); ${valid} parsed as valid configurations${valid < n ? ', the rest scored 0 after re-sampling' : ''}. Next: apply each one by fine-tuning a fresh LoRA adapter on the data it asks for.`,
    innerLoop: (item, edit, steps, examples, finalLoss) =>
      `Applied "${describeSelfEdit(edit)}" to ${item.id}: ${steps} LoRA steps on ${examples} augmented examples, final loss ${finalLoss?.toFixed(3)}. Next: the adapted model answers the test input under several views and votes.`,
    evaluated: (item, reward, role) =>
      `The adapted model's voted answers for ${item.id} are ${reward ? 'correct: reward 1' : 'wrong: reward 0'}. Next: ${role === 'train' ? 'the next self-edit; rewarded ones are kept for the M-step' : 'the next self-edit or task'}.`,
    selected: (kept, of) =>
      `Kept ${kept} of ${of} self-edits: those whose adapted model solved its training task. Next: fine-tune the self-edit generator on these (prompt, self-edit) pairs.`,
    sftSkipped: () =>
      'No self-edit earned a reward, so the generator stays as it was (ReST-EM has nothing to imitate). Next: evaluate it on the held-out tasks.',
    sftFailed: (round, reason) =>
      `The M-step of round ${round} ${reason}, so nothing was merged: the generator keeps its weights and this round changed nothing. Next: evaluate it on the held-out tasks.`,
    sft: (pairs, losses) =>
      `Fine-tuned a LoRA adapter on the self-edit generator with ${pairs} kept pairs for ${losses.length} steps, loss ${losses[0].toFixed(3)} → ${losses.at(-1)!.toFixed(3)}. Next: merge it into the base weights.`,
    merged: (round) =>
      `Merged that adapter into the base weights: this is SEAL's round-${round} model, which writes self-edits more like the ones that worked. Next: it writes self-edits for the held-out tasks.`,
  };
}
