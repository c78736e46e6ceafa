// θ' ← SFT(θ, notes): what a passage's notes ask the inner loop to train on — SEAL's training sequences (each
// note line under the title, then the passage itself) with the track's epochs and learning rate. The inner loop,
// continued pre-training and the forgetting experiment all train through this one plan.
import type { InnerLoopPlan } from '../core/track.ts';
import type { Passage } from './passages.ts';
import { encodeTrainSequence, trainSequenceTexts } from './sequences.ts';
import type { KnowledgeContext, KnowledgeTttData } from './types.ts';

/** The lines of a self-edit that become training sequences, and the ones SEAL's splitting drops. */
export function notesData(notes: string, p: Pick<Passage, 'title' | 'context'>): KnowledgeTttData {
  const sequences = trainSequenceTexts(notes, p.title, p.context);
  const kept = new Set(sequences.slice(0, -1).map((s) => s.slice(p.title.length + 1)));
  const dropped = notes.split('\n').map((l) => l.trim()).filter((l) => l && !kept.has(l));
  return { sequences, dropped };
}

export function notesPlan(ctx: Pick<KnowledgeContext, 'tok' | 'sp' | 'cfg'>, notes: string, p: Passage): InnerLoopPlan<KnowledgeTttData> {
  const data = notesData(notes, p);
  const sequences = data.sequences.map((t) => encodeTrainSequence(ctx.tok, ctx.sp, t));
  return { rejected: null, sequences, epochs: ctx.cfg.ttt.epochs, lr: ctx.cfg.ttt.lr, data };
}
