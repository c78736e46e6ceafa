// Forgetting (the paper's Figure 6): starting from the model the run ends with, the self-edits of n held-out
// passages are applied one after another — each a fresh LoRA, merged into the base — and after each step every
// passage applied so far is re-tested. Cell (step, passage) of the heat map is that accuracy.
import type { SealLoop } from '../core/loop.ts';
import { notesOf } from './cpt.ts';
import type { ForgettingCell, KnowledgeContext, KnowledgeRollout, KnowledgeTttData } from './types.ts';
import type { Passage } from './passages.ts';
import { notesPlan } from './plan.ts';

type Loop = SealLoop<Passage, string, KnowledgeRollout, KnowledgeTttData>;

const pct = (x: number) => `${Math.round(100 * x)} %`;

export async function forgetting(loop: Loop, ctx: KnowledgeContext): Promise<ForgettingCell[]> {
  const { cfg, model } = ctx;
  const passages = loop.items.eval.slice(0, cfg.forgettingPassages);
  // The final generator's notes (SEAL's last round), else the untrained generator's, else the reference.
  const notes = (p: Passage) => (cfg.rounds > 0 ? notesOf(loop, 'seal', cfg.rounds)(p) : null) ?? notesOf(loop, 'own', 0)(p) ?? p.reference ?? '';
  const cells: ForgettingCell[] = [];
  for (const [i, p] of passages.entries()) {
    await loop.train(notesPlan(ctx, notes(p), p), loop.seed(800_000 + i), null);
    await loop.adapter.mergeInto(model.weights);
    for (const [j, q] of passages.slice(0, i + 1).entries()) {
      const [s] = await loop.track.score(q, [loop.seed(810_000 + j)]);
      const cell = { step: i + 1, applied: p.id, passage: q.id, column: j, accuracy: s.reward };
      cells.push(cell);
      ctx.emit({ type: 'forgetting', cell });
    }
    const row = cells.filter((c) => c.step === i + 1);
    const older = row.slice(0, -1);
    await loop.phase('forgetting', 'seal', 0,
      `Applied and merged the self-edit of ${p.id} (edit ${i + 1} of ${passages.length}): ${pct(row.at(-1)!.accuracy)} on its own questions` +
      `${older.length ? `, ${pct(older.reduce((a, c) => a + c.accuracy, 0) / older.length)} on the ${older.length} passage${older.length > 1 ? 's' : ''} before it` : ''}. ` +
      `Next: ${i + 1 < passages.length ? 'the next passage\'s edit, on top of this one' : 'the run ends'}.`, p.id);
  }
  return cells;
}
