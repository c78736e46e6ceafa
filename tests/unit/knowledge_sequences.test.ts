import { describe, expect, it } from 'vitest';
import { ANSWER_TEMPLATE, SELF_EDIT_TEMPLATES, answerPromptText, selfEditPromptText } from '../../src/seal/knowledge/prompts.ts';
import {
  answerPromptIds, encodeTrainSequence, selfEditPromptIds, sftSequence, trainSequenceTexts,
} from '../../src/seal/knowledge/sequences.ts';
import { ATTRIBUTES, VALUES, allNames, makeWorld, perfectNotes } from '../../src/seal/worlds/minibio/index.ts';
import { loadBioTokenizer, SPECIALS as SP } from '../../tools/models/knowledge/tok.ts';

const tok = await loadBioTokenizer();
const world = makeWorld();

describe('knowledge prompts', () => {
  it('are the paper\'s, verbatim', () => {
    expect(selfEditPromptText('T', 'C')).toBe(
      "Let's read the following passage and produce a list of implications derived directly or indirectly from the content.\n\nPassage:\nT\nC\n\nImplications:\n");
    expect(answerPromptText('T', 'Q?')).toBe("Let's answer a question directly and concisely.\nQuestion: Topic: T\nQ?\nAnswer:\n");
    expect(SELF_EDIT_TEMPLATES['self-qa'].endsWith('Question 1: ')).toBe(true);
    expect(ANSWER_TEMPLATE).toContain('{question}');
    expect(selfEditPromptText('$& {title}', 'x {context}')).toContain('Passage:\n$& {title}\nx {context}\n'); // no re-substitution
  });
});

describe('training sequences (SEAL build_train_sequences)', () => {
  it('one sequence per line, then the passage', () => {
    expect(trainSequenceTexts('a\n\n b \nc', 'T', ' P ')).toEqual(['T\na', 'T\nb', 'T\nc', 'T\nP']);
  });
  it('drops a preamble before a numbered list, splits on ---', () => {
    expect(trainSequenceTexts('Here are some:\n1. x\n2. y', 'T', 'P')).toEqual(['T\n1. x', 'T\n2. y', 'T\nP']);
    expect(trainSequenceTexts('Here:\nx\ny', 'T', 'P')).toEqual(['T\nHere:', 'T\nx', 'T\ny', 'T\nP']);
    expect(trainSequenceTexts('a---b\nc', 'T', 'P')).toEqual(['T\na', 'T\nb', 'T\nc', 'T\nP']);
  });
  it('an empty self-edit trains on the passage alone', () => {
    expect(trainSequenceTexts('', 'T', 'P')).toEqual(['T\nP']);
    expect(trainSequenceTexts(' \n ', 'T', 'P')).toEqual(['T\nP']);
  });
  it('self-QA completions split per question', () => {
    expect(trainSequenceTexts('Who? Answer: A\nQuestion 2: Why? Answer: B', 'T', 'P')).toEqual(
      ['T\nQuestion 1: Who? Answer: A', 'T\nQuestion 2: Why? Answer: B', 'T\nP']);
  });
  it('as token ids: <bos> first, loss on every later token', () => {
    const s = encodeTrainSequence(tok, SP, 'Biography\nAlice Baker was born in Paris.');
    expect(s.ids[0]).toBe(SP.bos);
    expect(s.weights).toEqual([0, ...s.ids.slice(1).map(() => 1)]);
    expect(tok.decode(s.ids)).toBe('Biography\nAlice Baker was born in Paris.');
    const it0 = world.evalItems[0];
    const seqs = trainSequenceTexts(perfectNotes(it0).join('\n'), it0.title, it0.context).map((t) => encodeTrainSequence(tok, SP, t));
    expect(seqs.length).toBe(6);
    expect(tok.decode(seqs[5].ids)).toBe(`${it0.title}\n${it0.context}`);
  });
  it('SFT pair: loss on the completion and <eos> only', () => {
    const s = sftSequence(tok, SP, 'Answer:\n', 'Paris');
    const p = [SP.bos, ...tok.encode('Answer:\n')];
    expect(s.ids).toEqual([...p, ...tok.encode('Paris'), SP.eos]);
    expect(s.weights).toEqual([...p.map(() => 0), 1, 1]);
  });
});

describe('seal-mini-bio tokenizer', () => {
  it('makes every world word one token, at a line start and after a space', () => {
    const words = [...ATTRIBUTES.flatMap((a) => VALUES[a]), ...allNames().flatMap((n) => [n.first, n.last])];
    for (const w of new Set(words)) {
      expect(tok.encode(` ${w}`).length, w).toBe(1);
    }
    for (const a of ATTRIBUTES) for (const v of VALUES[a]) expect(tok.encode(v).length, v).toBe(1);
  });
  it('keeps prompts short and splits prompt/completion like the joined text', () => {
    const it0 = world.evalItems[0];
    const p = selfEditPromptIds(tok, SP, it0.title, it0.context);
    expect(p.length).toBeLessThan(80);
    const notes = perfectNotes(it0).join('\n');
    expect([...p.slice(1), ...tok.encode(notes)]).toEqual(tok.encode(selfEditPromptText(it0.title, it0.context) + notes));
    const q = answerPromptIds(tok, SP, it0.title, it0.questions[0].question);
    expect(q.length).toBeLessThan(32);
    expect([...q.slice(1), ...tok.encode(it0.questions[0].answer)]).toEqual(tok.encode(answerPromptText(it0.title, it0.questions[0].question) + it0.questions[0].answer));
  });
  it('round-trips any text (bytes for unknown words)', () => {
    const s = 'The Normans (Norman: Nourmands) gave their name to Normandy, a région in France. 東京 🙂\n\n  x';
    expect(tok.decode(tok.encode(s))).toBe(s);
  });
});
