// Pretraining documents of the mini-bio world, as text parts (tools/models/knowledge/export.ts turns them into token
// sequences with the lab's own prompt and sequence builders). Three kinds, shuffled:
//   bio   a celebrity's five facts, each sentence with the full name, order and templates random (storage)
//   qa    a closed-book question about a QA-celebrity and its answer, the canonical statement (extraction; the
//         other celebrities never
//         get QA, so extraction must generalise, as it must for a person learnt at test time)
//   demo  passage → notes of mixed quality (notes.ts), mostly about FRESH random people, so copying from the
//         passage is the only way to write a right value (the probes found that memorised people teach recall)
// Held-out (evaluation and ReST-EM) people never appear: their names are not in the celebrity or fresh pools.
import { drawColleagues, makeItem, type KnowledgeItem } from './passage.ts';
import { ATTRIBUTES, freshPerson, type Attribute, type PeopleSplit, type Person } from './people.ts';
import { pick, randInt, shuffled, type Rng } from './rng.ts';
import { answerText, forward, question } from './templates.ts';
import { DEFAULT_MIX, demoNotes, type DemoMix } from './notes.ts';
import { TITLE } from './vocab.ts';

export type CorpusDoc =
  | { kind: 'bio'; title: string; text: string }
  | { kind: 'qa'; title: string; question: string; answer: string }
  | { kind: 'demo'; title: string; context: string; notes: string[] };

export interface CorpusMix {
  /** Probability of each kind per document. */
  bio: number;
  qa: number;
  demo: number;
  /** Share of demonstrations about a celebrity (the rest are about fresh random people). */
  demoCelebrity: number;
  /** Share of bios with one sentence per line (the form of notes) rather than one paragraph. */
  bioLines: number;
  notes: DemoMix;
}

export const DEFAULT_CORPUS_MIX: CorpusMix = { bio: 0.45, qa: 0.3, demo: 0.25, demoCelebrity: 0.1, bioLines: 0.5, notes: DEFAULT_MIX };

export function bioText(rng: Rng, p: Person, lines: boolean): string {
  const sentences = shuffled(ATTRIBUTES, rng).map((a) => forward(rng, a, p.name, p.attrs[a]));
  return sentences.join(lines ? '\n' : ' ');
}

export function demoItem(rng: Rng, split: PeopleSplit, mix: CorpusMix): KnowledgeItem {
  const subject = rng() < mix.demoCelebrity ? pick(rng, split.celebrities) : freshPerson(rng, split.fresh);
  return makeItem('demo', subject, drawColleagues(rng, subject, split.fresh));
}

/** One random document. */
export function corpusDoc(rng: Rng, split: PeopleSplit, mix: CorpusMix = DEFAULT_CORPUS_MIX): CorpusDoc {
  const u = rng() * (mix.bio + mix.qa + mix.demo);
  if (u < mix.bio) {
    const p = pick(rng, split.celebrities);
    return { kind: 'bio', title: TITLE, text: bioText(rng, p, rng() < mix.bioLines) };
  }
  if (u < mix.bio + mix.qa) {
    const p = split.celebrities[randInt(rng, split.qaCelebrities)];
    const a: Attribute = pick(rng, ATTRIBUTES);
    return { kind: 'qa', title: TITLE, question: question(a, p), answer: answerText(a, p) };
  }
  const item = demoItem(rng, split, mix);
  return { kind: 'demo', title: item.title, context: item.context, notes: demoNotes(rng, item, mix.notes) };
}
