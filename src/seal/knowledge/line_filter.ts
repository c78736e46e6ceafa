// What the M-step imitates of a kept self-edit (restEm.lineFilter; tools/models/knowledge/feasibility.py
// filter_lines, README "Robust settings"). 'facts': only the lines that state a fact of the passage — a line is kept
// iff it names at least one value of the mini world's vocabulary and every value it names occurs in the passage —
// so filler ("X is mentioned in the passage.") and invented values are not imitated. Rewards never see the filter.
import { ATTRIBUTE_OF_NORMALIZED } from './grade.ts';
import { noteLines } from './sequences.ts';

export type LineFilter = 'none' | 'facts';

// Python's [^\W_]+ on str: runs of letters and digits
const WORD = /[\p{L}\p{N}]+/gu;
const words = (s: string) => (s.match(WORD) ?? []).map((w) => w.toLowerCase());

/** The self-edit's fact lines joined with '\n' ('' when none is left). */
export function factLines(notes: string, context: string): string {
  const inPassage = new Set(words(context));
  return noteLines(notes).filter((line) => {
    const values = words(line).filter((w) => ATTRIBUTE_OF_NORMALIZED.has(w));
    return values.length > 0 && values.every((v) => inPassage.has(v));
  }).join('\n');
}
