// Local grading of closed-book answers (the paper graded with GPT-4.1; the lab grades locally): SQuAD's
// normalisation, exact match and token F1 (squad v1.1 evaluate.py), "contains a gold answer", and the mini
// world's grade (the first line states the gold value and no other value of that attribute).
import { ATTRIBUTE_OF } from '../worlds/minibio/people.ts';
const PUNCTUATION = new Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");

/** SQuAD normalize_answer: lowercase, drop punctuation, drop articles a/an/the, collapse whitespace. */
export function normalizeAnswer(s: string): string {
  const lower = s.toLowerCase();
  const noPunc = Array.from(lower).filter((c) => !PUNCTUATION.has(c)).join('');
  const noArticles = noPunc.replace(/\b(a|an|the)\b/g, ' ');
  return noArticles.split(/\s+/).filter(Boolean).join(' ');
}

const tokens = (s: string) => normalizeAnswer(s).split(' ').filter(Boolean);
const best = (golds: string | readonly string[], f: (g: string) => number) =>
  Math.max(0, ...(typeof golds === 'string' ? [golds] : golds).map(f));

/** SQuAD exact match (1 or 0), the best over gold answers. */
export const exactMatch = (pred: string, golds: string | readonly string[]): number =>
  best(golds, (g) => (normalizeAnswer(pred) === normalizeAnswer(g) ? 1 : 0));

/** SQuAD token F1, the best over gold answers (both empty: 1; one empty: 0). */
export function f1Score(pred: string, golds: string | readonly string[]): number {
  return best(golds, (g) => {
    const p = tokens(pred);
    const t = tokens(g);
    if (!p.length || !t.length) return p.length === t.length ? 1 : 0;
    const counts = new Map<string, number>();
    for (const w of t) counts.set(w, (counts.get(w) ?? 0) + 1);
    let same = 0;
    for (const w of p) {
      const c = counts.get(w) ?? 0;
      if (c > 0) {
        same++;
        counts.set(w, c - 1);
      }
    }
    if (!same) return 0;
    const precision = same / p.length;
    const recall = same / t.length;
    return (2 * precision * recall) / (precision + recall);
  });
}

/** 1 when the normalised prediction contains a normalised gold answer as whole words. */
export const containsAnswer = (pred: string, golds: string | readonly string[]): number =>
  best(golds, (g) => {
    const n = normalizeAnswer(g);
    return n && ` ${normalizeAnswer(pred)} `.includes(` ${n} `) ? 1 : 0;
  });

/** The first non-empty line of a generated answer. */
export const firstLine = (pred: string): string => pred.split('\n').map((l) => l.trim()).find(Boolean) ?? '';

/** The mini world's values (normalised) → their attribute. */
export const ATTRIBUTE_OF_NORMALIZED = new Map([...ATTRIBUTE_OF].map(([v, a]) => [normalizeAnswer(v), a]));

/** The mini world's grade: the answer's first line states the gold value (a whole word; the world answers with
 * a statement, "Grace Shaw works for Hooli.", or the bare value) and no other value of the same attribute. */
export function gradeMini(pred: string, gold: string): number {
  const g = normalizeAnswer(gold);
  const words = normalizeAnswer(firstLine(pred)).split(' ');
  const attribute = ATTRIBUTE_OF_NORMALIZED.get(g);
  const others = words.filter((w) => w !== g && attribute && ATTRIBUTE_OF_NORMALIZED.get(w) === attribute);
  return g !== '' && words.includes(g) && !others.length ? 1 : 0;
}
