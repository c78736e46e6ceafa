// The mini-bio world from one seed: the people split, the held-out passages (evaluation and ReST-EM), and the
// pretraining document stream. What the lab's knowledge experiment and tools/models/knowledge/export.ts call.
import { corpusDoc, DEFAULT_CORPUS_MIX, type CorpusDoc, type CorpusMix } from './corpus.ts';
import { drawColleagues, makeItem, type KnowledgeItem } from './passage.ts';
import { splitPeople, type PeopleOptions, type PeopleSplit, type Person } from './people.ts';
import { deriveSeed, mulberry32, shuffled } from './rng.ts';

export * from './people.ts';
export * from './passage.ts';
export * from './notes.ts';
export * from './templates.ts';
export * from './corpus.ts';
export { TITLE } from './vocab.ts';
export { mulberry32, deriveSeed, shuffled, type Rng } from './rng.ts';

export type WorldOptions = PeopleOptions;

/** The world of the embedded model seal-mini-bio (its seal_lab.json repeats these). */
export const DEFAULT_WORLD: WorldOptions = { seed: 1, celebrities: 400, qaCelebrities: 300, evalPeople: 200, restPeople: 200 };

export interface KnowledgeWorld {
  options: WorldOptions;
  people: PeopleSplit;
  /** Held-out evaluation passages (one per evaluation person), in a fixed order. */
  evalItems: KnowledgeItem[];
  /** Held-out ReST-EM passages (one per ReST-EM person). */
  restItems: KnowledgeItem[];
}

const heldOutItem = (o: WorldOptions, people: PeopleSplit, prefix: string) => (p: Person, i: number) =>
  makeItem(`${prefix}-${i}`, p, drawColleagues(mulberry32(deriveSeed(o.seed, `colleagues:${p.name}`)), p, people.fresh));

export function makeWorld(options: WorldOptions = DEFAULT_WORLD): KnowledgeWorld {
  const people = splitPeople(options);
  return {
    options,
    people,
    evalItems: people.evalPeople.map(heldOutItem(options, people, 'eval')),
    restItems: people.restPeople.map(heldOutItem(options, people, 'rest')),
  };
}

/** A seeded choice of n items (e.g. the lab's evaluation or ReST-EM passages for one run seed). */
export const chooseItems = (items: readonly KnowledgeItem[], n: number, seed: number): KnowledgeItem[] =>
  shuffled(items, mulberry32(deriveSeed(seed, 'choose'))).slice(0, n);

/** The pretraining document stream: `count` documents from `seed`. */
export function* corpusStream(world: KnowledgeWorld, seed: number, count: number, mix: CorpusMix = DEFAULT_CORPUS_MIX): Generator<CorpusDoc> {
  const rng = mulberry32(deriveSeed(seed, 'corpus'));
  for (let i = 0; i < count; i++) yield corpusDoc(rng, world.people, mix);
}
