// The test passage: ONE fixed template. The subject is named once, in the first sentence (birth city); every
// other fact about the subject follows a pronoun, with two "colleague" people (opposite gender, so the pronoun
// is unambiguous in context) and their facts in between, using the same relation words. The second probe in
// shared/mini-worlds.md found this necessary: with a plain four-sentence passage, training on the passage alone
// already answered almost everything, leaving no room for notes to help.
//
// The title is the same word for every passage (vocab.ts TITLE) rather than the person's name: the paper
// prefixes every training line with the title, and a title naming the subject would hand every pronoun or
// reverse-direction line the full name for free, hiding the differences between note forms the track studies.
import { ATTRIBUTES, freshPerson, pronoun, type Attribute, type Name, type Person } from './people.ts';
import { question } from './templates.ts';
import { TITLE } from './vocab.ts';
import type { Rng } from './rng.ts';

export interface Colleagues {
  /** Named with birth city and employer, between the subject's first and second sentence. */
  c1: Person;
  /** Named with university, before the subject's employer. */
  c2: Person;
}

export interface Question {
  attribute: Attribute;
  question: string;
  answer: string;
}

/** One passage in SQuAD's shape ({title, context, questions}) plus what the world knows about it. */
export interface KnowledgeItem {
  id: string;
  title: string;
  context: string;
  questions: Question[];
  subject: Person;
  colleagues: Colleagues;
}

export function drawColleagues(rng: Rng, subject: Person, fresh: readonly Name[]): Colleagues {
  const other = subject.gender === 'f' ? 'm' : 'f';
  const pickOne = (avoid: string[]) => {
    for (;;) {
      const c = freshPerson(rng, fresh, other);
      if (!avoid.includes(c.name)) return c;
    }
  };
  const c1 = pickOne([subject.name]);
  return { c1, c2: pickOne([subject.name, c1.name]) };
}

export function passageText(s: Person, { c1, c2 }: Colleagues): string {
  const P = pronoun(s.gender);
  const a = s.attrs;
  return [
    `${s.name} was born in ${a.city}.`,
    `${c1.name} was born in ${c1.attrs.city} and works for ${c1.attrs.employer}.`,
    `${P} was born in ${a.year} and studied ${a.field} at ${a.university}.`,
    `${c2.name} studied at ${c2.attrs.university}.`,
    `${P} works for ${a.employer}.`,
  ].join(' ');
}

export const questionsOf = (p: Person): Question[] =>
  ATTRIBUTES.map((attribute) => ({ attribute, question: question(attribute, p), answer: p.attrs[attribute] }));

export function makeItem(id: string, subject: Person, colleagues: Colleagues): KnowledgeItem {
  return { id, title: TITLE, context: passageText(subject, colleagues), questions: questionsOf(subject), subject, colleagues };
}
