// People of the mini-bio world: full names from the closed lists, five attributes from disjoint vocabularies,
// and the seeded split of all name combinations into celebrities (pretraining), held-out people (evaluation and
// ReST-EM, never in pretraining) and a fresh pool (note demonstrations and distractor colleagues, whose
// attributes are drawn anew every time, so no memory of them can help).
import { CITIES, EMPLOYERS, FEMALE_FIRST, FIELDS, LAST, MALE_FIRST, UNIVERSITIES, YEARS } from './vocab.ts';
import { deriveSeed, mulberry32, pick, shuffled, type Rng } from './rng.ts';

export const ATTRIBUTES = ['city', 'year', 'university', 'field', 'employer'] as const;
export type Attribute = (typeof ATTRIBUTES)[number];

export const VALUES: Record<Attribute, readonly string[]> = {
  city: CITIES, year: YEARS, university: UNIVERSITIES, field: FIELDS, employer: EMPLOYERS,
};

export type Gender = 'f' | 'm';

export interface Name {
  first: string;
  last: string;
  gender: Gender;
}

export interface Person extends Name {
  /** "First Last" */
  name: string;
  attrs: Record<Attribute, string>;
}

/** Which attribute a value word belongs to (the vocabularies are disjoint), or null. */
export const ATTRIBUTE_OF: ReadonlyMap<string, Attribute> = new Map(
  ATTRIBUTES.flatMap((a) => VALUES[a].map((v) => [v, a] as [string, Attribute])),
);

export const fullName = (n: Name) => `${n.first} ${n.last}`;
export const pronoun = (g: Gender) => (g === 'f' ? 'She' : 'He');

export function randomAttrs(rng: Rng): Record<Attribute, string> {
  return Object.fromEntries(ATTRIBUTES.map((a) => [a, pick(rng, VALUES[a])])) as Record<Attribute, string>;
}

export const personOf = (n: Name, attrs: Record<Attribute, string>): Person => ({ ...n, name: fullName(n), attrs });

export interface PeopleSplit {
  /** Known from pretraining: restatements of all; closed-book QA of the first `qaCelebrities`. */
  celebrities: Person[];
  qaCelebrities: number;
  /** Never in pretraining: evaluation people. */
  evalPeople: Person[];
  /** Never in pretraining: ReST-EM training people (disjoint from evalPeople). */
  restPeople: Person[];
  /** Names for fresh random people (demonstrations, colleagues); attributes drawn per use. */
  fresh: Name[];
}

export interface PeopleOptions {
  seed: number;
  celebrities: number;
  qaCelebrities: number;
  evalPeople: number;
  restPeople: number;
}

export function allNames(): Name[] {
  const firsts: Array<[string, Gender]> = [...FEMALE_FIRST.map((f) => [f, 'f'] as [string, Gender]), ...MALE_FIRST.map((m) => [m, 'm'] as [string, Gender])];
  return firsts.flatMap(([first, gender]) => LAST.map((last) => ({ first, last, gender })));
}

export function splitPeople(o: PeopleOptions): PeopleSplit {
  const rng = mulberry32(deriveSeed(o.seed, 'people'));
  const names = shuffled(allNames(), rng);
  const need = o.celebrities + o.evalPeople + o.restPeople;
  if (need > names.length / 2) throw new RangeError(`${need} people leave too few fresh names of ${names.length}`);
  const take = (from: number, n: number) => names.slice(from, from + n).map((n) => personOf(n, randomAttrs(rng)));
  return {
    celebrities: take(0, o.celebrities),
    qaCelebrities: Math.min(o.qaCelebrities, o.celebrities),
    evalPeople: take(o.celebrities, o.evalPeople),
    restPeople: take(o.celebrities + o.evalPeople, o.restPeople),
    fresh: names.slice(need),
  };
}

/** A fresh random person of the given gender (or any), with new random attributes. */
export function freshPerson(rng: Rng, fresh: readonly Name[], gender?: Gender): Person {
  for (;;) {
    const n = pick(rng, fresh);
    if (!gender || n.gender === gender) return personOf(n, randomAttrs(rng));
  }
}
