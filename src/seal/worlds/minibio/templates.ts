// Sentence templates of the mini-bio world: statements of one attribute in several forms (the forms that note
// demonstrations mix: full-name forward, pronoun, reverse direction, question-answer), filler lines, and the
// closed-book questions. Every statement carries its value verbatim, so a note's value can be checked.
import { pronoun, type Attribute, type Person } from './people.ts';
import { pick, type Rng } from './rng.ts';

/** Forward statements: the subject (a full name or a pronoun) first, the value last. */
export const FORWARD: Record<Attribute, readonly string[]> = {
  city: ['{s} was born in {v}.', '{s} comes from {v}.', '{s} grew up in {v}.'],
  year: ['{s} was born in the year {v}.', "{s}'s birth year is {v}.", '{s} was born in {v}.'],
  university: ['{s} studied at {v}.', '{s} graduated from {v}.', '{s} attended {v}.'],
  field: ['{s} studied {v}.', '{s} majored in {v}.', '{s} has a degree in {v}.'],
  employer: ['{s} works for {v}.', '{s} is employed by {v}.', '{s} works at {v}.'],
};

/** Reverse direction: the value first (the reversal curse says these do not answer forward questions). */
export const REVERSE: Record<Attribute, readonly string[]> = {
  city: ['{v} is the birthplace of {s}.'],
  year: ['{v} is the year {s} was born.'],
  university: ['{v} is where {s} studied.'],
  field: ['{v} is what {s} studied.'],
  employer: ['{v} employs {s}.'],
};

/** The closed-book questions (one per attribute), echo questions that start like the canonical statement. */
export const QUESTION: Record<Attribute, string> = {
  city: '{s} was born in which city?',
  year: '{s} was born in which year?',
  university: '{s} studied at which university?',
  field: '{s} studied which subject?',
  employer: '{s} works for which company?',
};

/** Lines without a value (filler); {c} is a colleague's full name. */
export const FILLER: readonly string[] = [
  '{s} is mentioned in the passage.', 'The passage is about {s}.', '{s} is a person.', '{s} has colleagues.',
  '{s} knows {c}.', '{s} and {c} are colleagues.',
];

const fill = (t: string, s: string, v = '', c = '') => t.replace('{s}', s).replace('{v}', v).replace('{c}', c);

export const forward = (rng: Rng, a: Attribute, subject: string, v: string) => fill(pick(rng, FORWARD[a]), subject, v);
export const reverse = (rng: Rng, a: Attribute, subject: string, v: string) => fill(pick(rng, REVERSE[a]), subject, v);
export const question = (a: Attribute, p: Person) => fill(QUESTION[a], p.name);
/** A question-answer line: the question, then its answer. */
export const qaLine = (a: Attribute, p: Person) => `${question(a, p)} ${answerText(a, p)}`;
export const filler = (rng: Rng, p: Person, colleague: Person) => fill(pick(rng, FILLER), p.name, '', colleague.name);
/** A forward statement with "She"/"He" as subject ("{s}'s" templates do not take a pronoun). */
export const pronounLine = (rng: Rng, a: Attribute, p: Person) =>
  fill(pick(rng, FORWARD[a].filter((t) => !t.includes("{s}'s"))), pronoun(p.gender), p.attrs[a]);
/** The first forward template: the form of the template-perfect notes and of answers. */
export const canonical = (a: Attribute, p: Person) => fill(FORWARD[a][0], p.name, p.attrs[a]);

/** How the world answers a closed-book question: the canonical statement ("Grace Shaw works for Hooli."), graded
 * by whether it states the gold value (grade.ts gradeMini; the lab's "contains" grader agrees). Why not the bare
 * value: three pretraining runs with one-word answers (wh- and echo questions) memorised the QA of their QA
 * celebrities (89–99 %) but answered celebrities without QA at chance — the tiny model learnt QA as its own facts,
 * not as a way to read stored facts — so facts learnt at test time were stored (the statement completed correctly
 * after the update) but never extracted. Answering with the statement reuses the circuit that completes
 * "Grace Shaw works for …" in the restatements, which carries over to anyone whose facts were stored. */
export const answerText = canonical;
