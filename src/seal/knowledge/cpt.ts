// Continued pre-training (the paper's n = 200 setup, scaled by cptPassages): per condition, ONE adapter learns the
// training sequences of n held-out passages at once, then answers every question of all of them closed-book. The
// self-edits are the ones the run already wrote (the untrained generator's first, and SEAL's last round's first).
import type { SealLoop } from '../core/loop.ts';
import { Tally } from '../core/loop.ts';
import type { KnowledgeContext, KnowledgeMethod, KnowledgeRollout, KnowledgeTttData } from './types.ts';
import type { Passage } from './passages.ts';
import { notesPlan } from './plan.ts';

type Loop = SealLoop<Passage, string, KnowledgeRollout, KnowledgeTttData>;

/** The notes a run wrote for `p` under `method` (its first self-edit), or null when it wrote none. */
export const notesOf = (loop: Loop, method: KnowledgeMethod, round: number) => (p: Passage): string | null =>
  loop.rollouts.find((r) => r.method === method && r.round === round && r.role === 'eval' && r.itemId === p.id && r.notes)?.notes ?? null;

export async function continuedPretraining(loop: Loop, ctx: KnowledgeContext): Promise<void> {
  const { cfg } = ctx;
  const passages = loop.items.eval.slice(0, cfg.cptPassages);
  const n = passages.length;
  const score = async (method: KnowledgeMethod, adapted: boolean) => {
    if (loop.journal.result(method, 0)) return; // a resumed run finished this condition
    const tally = new Tally();
    for (const [i, p] of passages.entries()) tally.add((await loop.track.score(p, [loop.seed(910_000 + i)], adapted ? loop.adapter : undefined))[0], p.id);
    const r = loop.result(method, 0, tally);
    await loop.phase('cpt', method, 0, `Continued pre-training, ${method.slice(4)}: ${adapted ? `one adapter learnt all ${n} passages at once; it` : 'the base model'} ` +
      `answered ${r.solved} of ${r.total} questions (${Math.round(100 * r.successRate)} %). Next: ${method === 'cpt-seal' ? 'the forgetting experiment, if asked for' : 'the next condition'}.`);
  };
  await score('cpt-base', false);
  const conditions: Array<[KnowledgeMethod, (p: Passage) => string | null]> = [
    ['cpt-passage', () => ''],
    ['cpt-own', notesOf(loop, 'own', 0)],
    ['cpt-reference', (p) => p.reference],
  ];
  if (cfg.rounds > 0) conditions.push(['cpt-seal', notesOf(loop, 'seal', cfg.rounds)]);
  for (const [c, [method, notes]] of conditions.entries()) {
    const written = passages.map(notes);
    if (loop.journal.result(method, 0)) continue;
    if (written.some((x) => x === null)) {
      ctx.emit({ type: 'warning', message: `continued pre-training: ${method} skipped (the run has no such self-edit for every passage)` });
      continue;
    }
    const plans = passages.map((p, i) => notesPlan(ctx, written[i]!, p));
    await loop.train({ ...plans[0], sequences: plans.flatMap((pl) => pl.sequences) }, loop.seed(900_000 + c), null);
    await score(method, true);
  }
}
