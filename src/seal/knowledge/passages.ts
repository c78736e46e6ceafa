// Where a knowledge run's passages come from: the mini world of the embedded model (people never seen in its
// pretraining; reference self-edits are the world's template-perfect notes) or a SQuAD-shaped JSON file
// ([{title, context, questions: [{question, answer}]}], as ../shared/data/squad holds), with optional reference
// self-edits the user supplies. A bad file is a PassageFileError naming the passage and the field.
import { z } from 'zod';
import { chooseItems, DEFAULT_WORLD, makeWorld, perfectNotes, type KnowledgeItem, type WorldOptions } from '../worlds/minibio/index.ts';

export class PassageFileError extends Error {
  override name = 'PassageFileError';
}

export interface Passage {
  id: string;
  title: string;
  context: string;
  /** Closed-book questions with their gold answers (SQuAD may list several). */
  questions: Array<{ question: string; answers: string[] }>;
  /** A reference self-edit (the paper's GPT-4.1 row): the world's perfect notes, or one the user supplied. */
  reference: string | null;
}

export interface PassageSet {
  train: Passage[];
  eval: Passage[];
}

export type PassageSource =
  | { source: 'mini'; seed?: number }
  | { source: 'file'; label?: string; passages: unknown; references?: unknown };

const text = z.string().trim().min(1, 'must be a non-empty string');
const SquadFile = z.array(z.object({
  title: text,
  context: text,
  questions: z.array(z.object({ question: text, answer: z.union([text, z.array(text).min(1)]) })).min(1, 'needs at least one question'),
})).min(1, 'needs at least one passage');
const References = z.union([z.array(z.string().nullable()), z.record(z.string(), z.string())]);

function issue(e: z.ZodError, what: string): PassageFileError {
  const first = e.issues[0];
  const [i, ...rest] = first.path;
  const where = typeof i === 'number' ? `passage ${i}${rest.length ? ` (${rest.join('.')})` : ''}` : first.path.join('.') || 'the file';
  return new PassageFileError(`${what}: ${where}: ${first.message}`);
}

/** A SQuAD-shaped file as passages `squad-<index>`, with the references (an array in file order, or keyed by id). */
export function passagesFromFile(raw: unknown, references: unknown = undefined, label = 'passages file'): Passage[] {
  const r = SquadFile.safeParse(raw);
  if (!r.success) throw issue(r.error, label);
  let refs: Record<string, string> = {};
  if (references !== undefined) {
    const rr = References.safeParse(references);
    if (!rr.success) throw issue(rr.error, 'reference self-edits');
    refs = Array.isArray(rr.data)
      ? Object.fromEntries(rr.data.flatMap((s, i) => (s ? [[`squad-${i}`, s]] : [])))
      : rr.data;
    const unknown = Object.keys(refs).filter((k) => !/^squad-\d+$/.test(k) || Number(k.slice(6)) >= r.data.length);
    if (unknown.length) throw new PassageFileError(`reference self-edits: no passage ${unknown[0]} (ids are squad-0 … squad-${r.data.length - 1})`);
  }
  return r.data.map((p, i) => ({
    id: `squad-${i}`, title: p.title, context: p.context,
    questions: p.questions.map((q) => ({ question: q.question, answers: typeof q.answer === 'string' ? [q.answer] : q.answer })),
    reference: refs[`squad-${i}`] ?? null,
  }));
}

/** A mini-world passage: its questions, and the template-perfect notes as the reference self-edit. */
export const passageOfItem = (item: KnowledgeItem): Passage => ({
  id: item.id, title: item.title, context: item.context,
  questions: item.questions.map((q) => ({ question: q.question, answers: [q.answer] })),
  reference: perfectNotes(item).join('\n'),
});

/** The passages of a run: ReST-EM training passages and held-out evaluation passages, disjoint, each capped. */
export function resolvePassages(src: PassageSource, caps: { train: number; eval: number }, world: WorldOptions = DEFAULT_WORLD): PassageSet {
  if (src.source === 'mini') {
    const w = makeWorld(world);
    const seed = src.seed ?? 0;
    return { train: chooseItems(w.restItems, caps.train, seed).map(passageOfItem), eval: chooseItems(w.evalItems, caps.eval, seed).map(passageOfItem) };
  }
  const all = passagesFromFile(src.passages, src.references, src.label);
  // The evaluation passages come first, so the same file and cap give the same evaluation set whatever the training cap.
  return { eval: all.slice(0, caps.eval), train: all.slice(caps.eval, caps.eval + caps.train) };
}
