// Token sequences of the knowledge track, shared by the lab's loops and by the embedded model's pretraining
// export, so the model is trained on exactly what it later sees. Every sequence starts with <bos>.
//   training sequences (inner loop): SEAL's build_train_sequences — each note line as "{title}\n{line}", then
//       the passage itself as "{title}\n{context}"; loss on every token after <bos>
//   SFT pair (ReST-EM M-step, pretraining demonstrations and QA): prompt → completion <eos>; loss on the
//       completion and <eos> only
import type { Tokenizer } from '../../engine/model/tokenizer.ts';
import type { Sequence } from '../core/batch.ts';
import type { Specials as AllSpecials } from '../core/context.ts';
import { answerPromptText, selfEditPromptText, type SelfEditPromptKind } from './prompts.ts';

/** The special tokens these sequences use (the pretraining export has no end-of-turn token). */
export type Specials = Pick<AllSpecials, 'bos' | 'eos'>;

export const TRAINING_SEQUENCE_TEMPLATE = '{title}\n{completion}';
const seq = (title: string, text: string) => `${title}\n${text}`;

// Python's str.splitlines() boundaries.
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/;

/** A self-edit's non-empty lines, trimmed (the feasibility tools' note_lines). */
export const noteLines = (text: string): string[] => text.split(LINE_BREAK).map((l) => l.trim()).filter(Boolean);

/** SEAL's build_train_sequences(completion, context, title, split_newlines=True), as text. */
export function trainSequenceTexts(completion: string, title: string, context: string): string[] {
  const trimmed = completion.trim();
  let segs = completion.split('---').map((s) => s.trim()).filter(Boolean);
  if (!segs.length) segs = [trimmed];
  if (/Question\s+\d+:/.test(completion) && /Answer\s*:/.test(completion)) {
    // self-QA answers: one segment per "Question N:"
    segs = trimmed.split(/\n(?=Question\s+\d+:)/);
    if (!segs[0].trimStart().startsWith('Question')) segs[0] = `Question 1: ${segs[0].trim()}`;
  } else {
    // one line per sequence; a preamble ("Here are the implications:") before a numbered list is dropped
    segs = segs.flatMap((s) => s.split(LINE_BREAK)).map((l) => l.trim()).filter(Boolean);
    if (segs.length > 1 && segs[1].startsWith('1.')) segs = segs.slice(1);
  }
  return [...segs.map((s) => seq(title, s)), seq(title, context.trim())];
}

/** A training sequence: <bos> text, loss on every token after <bos>. */
export function encodeTrainSequence(tok: Tokenizer, sp: Specials, text: string): Sequence {
  const ids = [sp.bos, ...tok.encode(text)];
  return { ids, weights: ids.map((_, i) => (i === 0 ? 0 : 1)) };
}

/** <bos> prompt: where sampling or greedy decoding continues. */
export const promptIds = (tok: Tokenizer, sp: Specials, prompt: string): number[] => [sp.bos, ...tok.encode(prompt)];

export const selfEditPromptIds = (tok: Tokenizer, sp: Specials, title: string, context: string, kind?: SelfEditPromptKind) =>
  promptIds(tok, sp, selfEditPromptText(title, context, kind));

export const answerPromptIds = (tok: Tokenizer, sp: Specials, title: string, question: string) =>
  promptIds(tok, sp, answerPromptText(title, question));

/** prompt → completion <eos>, loss on the completion and <eos> only (ReST-EM's SFT, pretraining QA and notes).
 * The two parts are encoded separately, exactly as sampling produced them (prompt ids, then generated ids). */
export function sftSequence(tok: Tokenizer, sp: Specials, prompt: string, completion: string): Sequence {
  const p = promptIds(tok, sp, prompt);
  const c = [...tok.encode(completion), sp.eos];
  return { ids: [...p, ...c], weights: [...p.map(() => 0), ...c.map(() => 1)] };
}

/** The ReST-EM SFT example for a kept self-edit. */
export const selfEditSftSequence = (tok: Tokenizer, sp: Specials, title: string, context: string, completion: string, kind?: SelfEditPromptKind) =>
  sftSequence(tok, sp, selfEditPromptText(title, context, kind), completion);
