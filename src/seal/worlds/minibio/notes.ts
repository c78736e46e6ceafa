// Notes (self-edits) about a passage: the pretraining demonstrations of deliberately mixed quality, the
// template-perfect notes (the reference row, playing the paper's GPT-4.1 notes), and the analysis of any notes
// (which facts a line states, whether its value is the passage's, which attributes are covered in full-name form).
// Quality varies by COVERAGE and FORM only, never by wrong values: the second probe (shared/mini-worlds.md) found
// that wrong-value lines teach the note-writer to invent instead of copy.
import type { KnowledgeItem } from './passage.ts';
import { ATTRIBUTES, ATTRIBUTE_OF, type Attribute, type Person } from './people.ts';
import { pick, randInt, shuffled, type Rng } from './rng.ts';
import { canonical, filler, forward, pronounLine, qaLine, reverse } from './templates.ts';

/** 'other': a value line about someone who is neither the subject nor a colleague (a wrong name). */
export type LineForm = 'forward' | 'qa' | 'pronoun' | 'reverse' | 'filler' | 'colleague' | 'other';

export interface DemoMix {
  /** Lines per demonstration: uniform in 1..maxLines. */
  maxLines: number;
  /** Share of good lines that are question-answer lines rather than forward statements. */
  qaShare: number;
  /** Relative weights of the weak forms. */
  weak: Record<'pronoun' | 'reverse' | 'filler' | 'colleague', number>;
}

export const DEFAULT_MIX: DemoMix = { maxLines: 7, qaShare: 0.2, weak: { pronoun: 0.35, reverse: 0.25, filler: 0.25, colleague: 0.15 } };

/** The facts the passage states: the subject's five, colleague 1's city and employer, colleague 2's university. */
export function statedFacts(item: KnowledgeItem): Array<{ person: Person; attribute: Attribute }> {
  const { subject, colleagues: { c1, c2 } } = item;
  return [
    ...ATTRIBUTES.map((attribute) => ({ person: subject, attribute })),
    { person: c1, attribute: 'city' as Attribute }, { person: c1, attribute: 'employer' as Attribute },
    { person: c2, attribute: 'university' as Attribute },
  ];
}

function weakLine(rng: Rng, item: KnowledgeItem, mix: DemoMix): string {
  const s = item.subject;
  const w = mix.weak;
  let u = rng() * (w.pronoun + w.reverse + w.filler + w.colleague);
  const a = pick(rng, ATTRIBUTES);
  if ((u -= w.pronoun) < 0) return pronounLine(rng, a, s);
  if ((u -= w.reverse) < 0) return reverse(rng, a, s.name, s.attrs[a]);
  if ((u -= w.filler) < 0) return filler(rng, s, rng() < 0.5 ? item.colleagues.c1 : item.colleagues.c2);
  const f = pick(rng, statedFacts(item).slice(ATTRIBUTES.length));
  return forward(rng, f.attribute, f.person.name, f.person.attrs[f.attribute]);
}

/** A demonstration: a latent share of good lines per demonstration (so whole samples differ in quality, which
 * gives best-of-k selection something to find), each good line covering a new attribute of the subject. */
export function demoNotes(rng: Rng, item: KnowledgeItem, mix: DemoMix = DEFAULT_MIX): string[] {
  const pGood = rng();
  const n = 1 + randInt(rng, mix.maxLines);
  const todo = shuffled(ATTRIBUTES, rng);
  const s = item.subject;
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    if (todo.length && rng() < pGood) {
      const a = todo.pop()!;
      lines.push(rng() < mix.qaShare ? qaLine(a, s) : forward(rng, a, s.name, s.attrs[a]));
    } else lines.push(weakLine(rng, item, mix));
  }
  return lines;
}

/** Template-perfect notes: one full-name forward line per attribute, in the canonical template. */
export const perfectNotes = (item: KnowledgeItem): string[] => ATTRIBUTES.map((a) => canonical(a, item.subject));

export interface LineFacts {
  form: LineForm;
  /** Value words in the line, each with its attribute and whether the passage states it for the line's person. */
  values: Array<{ value: string; attribute: Attribute; correct: boolean }>;
}

const words = (line: string) => line.match(/[\p{L}\p{N}]+/gu) ?? [];

/** What one note line says, judged against the passage (the person is a colleague when the line names one). */
export function lineFacts(line: string, item: KnowledgeItem): LineFacts {
  const { subject, colleagues: { c1, c2 } } = item;
  const person = line.includes(c1.name) ? c1 : line.includes(c2.name) ? c2 : subject;
  const stated = statedFacts(item);
  const values = words(line).flatMap((w) => {
    const attribute = ATTRIBUTE_OF.get(w);
    if (!attribute) return [];
    const correct = stated.some((f) => f.person === person && f.attribute === attribute) && person.attrs[attribute] === w;
    return [{ value: w, attribute, correct }];
  });
  const t = line.trim();
  let form: LineForm;
  if (!values.length) form = 'filler';
  else if (person !== subject) form = 'colleague';
  else if (t.includes('?')) form = 'qa';
  else if (t.startsWith(subject.name)) form = 'forward';
  else if (/^(She|He)\b/.test(t)) form = 'pronoun';
  else if (ATTRIBUTE_OF.has(words(t)[0] ?? '')) form = 'reverse';
  else form = 'other';
  return { form, values };
}

export interface NotesSummary {
  lines: number;
  valueLines: number;
  correctValueLines: number;
  /** Subject attributes stated correctly in a full-name form (forward or question-answer). */
  covered: Attribute[];
  forms: Record<LineForm, number>;
}

export function summarizeNotes(lines: readonly string[], item: KnowledgeItem): NotesSummary {
  const forms: Record<LineForm, number> = { forward: 0, qa: 0, pronoun: 0, reverse: 0, filler: 0, colleague: 0, other: 0 };
  const covered = new Set<Attribute>();
  let valueLines = 0;
  let correctValueLines = 0;
  for (const line of lines) {
    const f = lineFacts(line, item);
    forms[f.form]++;
    if (f.values.length) {
      valueLines++;
      if (f.values.every((v) => v.correct)) correctValueLines++;
    }
    if (f.form === 'forward' || f.form === 'qa') for (const v of f.values) if (v.correct) covered.add(v.attribute);
  }
  return { lines: lines.length, valueLines, correctValueLines, covered: ATTRIBUTES.filter((a) => covered.has(a)), forms };
}
