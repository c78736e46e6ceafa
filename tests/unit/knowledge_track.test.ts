// The knowledge track's pure parts: passage files (SQuAD shape, references, clear errors), the run's passages,
// settings precedence (paper < seal_lab.json < user), the kept/dropped lines of a self-edit, the judge's verdict.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseYesNo } from '../../src/seal/knowledge/answer.ts';
import { knowledgeConfig, PAPER_KNOWLEDGE, parseKnowledgeOverrides } from '../../src/seal/knowledge/config.ts';
import { PassageFileError, passagesFromFile, resolvePassages } from '../../src/seal/knowledge/passages.ts';
import { factLines } from '../../src/seal/knowledge/line_filter.ts';
import { notesData } from '../../src/seal/knowledge/plan.ts';
import { parseSealLab } from '../../src/seal/tracks.ts';
import { DEFAULT_WORLD } from '../../src/seal/worlds/minibio/index.ts';

const SQUAD = JSON.parse(readFileSync(new URL('../../../shared/data/squad/squad_val_from200.json', import.meta.url), 'utf8'));
const P = (n: number) => ({ title: `T${n}`, context: `Context ${n}.`, questions: [{ question: `Q${n}?`, answer: `A${n}` }] });

describe('passage files', () => {
  it('read the shared SQuAD slice: every passage with its questions and gold answers', () => {
    const ps = passagesFromFile(SQUAD);
    expect(ps).toHaveLength(SQUAD.length);
    expect(ps[0]).toMatchObject({ id: 'squad-0', title: 'Nikola Tesla', reference: null });
    expect(ps[0].questions[0]).toEqual({ question: SQUAD[0].questions[0].question, answers: [SQUAD[0].questions[0].answer] });
  });
  it('a malformed file names the passage and the field', () => {
    expect(() => passagesFromFile([P(0), { title: 'x', context: '', questions: [] }])).toThrow(PassageFileError);
    expect(() => passagesFromFile([P(0), { title: 'x', context: '', questions: [{ question: 'q', answer: 'a' }] }])).toThrow(/passage 1 \(context\): must be a non-empty string/);
    expect(() => passagesFromFile([P(0), { title: 'x', context: 'c', questions: [] }])).toThrow(/passage 1 \(questions\): needs at least one question/);
    expect(() => passagesFromFile([{ ...P(0), questions: [{ question: 'q' }] }])).toThrow(/passage 0 \(questions\.0\.answer\)/);
    expect(() => passagesFromFile({ not: 'a list' })).toThrow(/passages file/);
    expect(() => passagesFromFile([])).toThrow(/needs at least one passage/);
  });
  it('take reference self-edits as an array in file order or keyed by id, and refuse unknown ids', () => {
    expect(passagesFromFile([P(0), P(1)], ['r0', null]).map((p) => p.reference)).toEqual(['r0', null]);
    expect(passagesFromFile([P(0), P(1)], { 'squad-1': 'r1' }).map((p) => p.reference)).toEqual([null, 'r1']);
    expect(() => passagesFromFile([P(0)], { 'squad-4': 'x' })).toThrow(/no passage squad-4/);
    expect(() => passagesFromFile([P(0)], [3])).toThrow(/reference self-edits/);
  });
  it('several gold answers are kept', () => {
    expect(passagesFromFile([{ ...P(0), questions: [{ question: 'q', answer: ['a', 'b'] }] }])[0].questions[0].answers).toEqual(['a', 'b']);
  });
});

describe('the passages of a run', () => {
  it('from a file: the held-out passages first, then the ReST-EM ones, disjoint', () => {
    const set = resolvePassages({ source: 'file', passages: SQUAD }, { train: 3, eval: 2 });
    expect(set.eval.map((p) => p.id)).toEqual(['squad-0', 'squad-1']);
    expect(set.train.map((p) => p.id)).toEqual(['squad-2', 'squad-3', 'squad-4']);
  });
  it('from the mini world: new people, the reference is the perfect notes, the same seed gives the same draw', () => {
    const a = resolvePassages({ source: 'mini', seed: 3 }, { train: 4, eval: 4 });
    const b = resolvePassages({ source: 'mini', seed: 3 }, { train: 4, eval: 4 });
    const c = resolvePassages({ source: 'mini', seed: 4 }, { train: 4, eval: 4 });
    expect(a).toEqual(b);
    expect(a.eval.map((p) => p.id)).not.toEqual(c.eval.map((p) => p.id));
    expect(new Set([...a.train, ...a.eval].map((p) => p.context)).size).toBe(8);
    for (const p of a.eval) {
      expect(p.reference).toBeTruthy();
      for (const q of p.questions) expect(p.reference).toContain(q.answers[0]); // the perfect notes state every fact
    }
  });
});

describe('knowledge settings', () => {
  it("are the paper's unless seal_lab.json or the user change them, in that order", () => {
    expect(knowledgeConfig()).toEqual(PAPER_KNOWLEDGE);
    const lab = parseKnowledgeOverrides({ rounds: 1, ttt: { loraRank: 8, epochs: 4 }, answer: { maxNewTokens: 4 }, passages: { train: 6 } });
    const c = knowledgeConfig(lab, { rounds: 3, tttSeeds: undefined, prompt: 'rewrite' });
    expect(c.rounds).toBe(3);
    expect(c.tttSeeds).toBe(PAPER_KNOWLEDGE.tttSeeds); // an undefined user field hides nothing
    expect(c.ttt).toEqual({ ...PAPER_KNOWLEDGE.ttt, loraRank: 8, epochs: 4 });
    expect(c.answer.maxNewTokens).toBe(4);
    expect(c.prompt).toBe('rewrite');
  });
  it('seal_lab.json refuses typos and bad values, naming the track', () => {
    expect(() => parseSealLab({ knowledge: { ttt: { loraRnk: 8 } } })).toThrow(/knowledge\.ttt/);
    expect(() => parseSealLab({ knowledge: { grader: 'gpt-4.1' } })).toThrow(/knowledge\.grader/);
    expect(() => parseSealLab({ knowledg: {} })).toThrow(/seal_lab\.json/);
    expect(parseSealLab({ about: 'x', knowledge: { rounds: 2 } }).knowledge?.rounds).toBe(2);
  });
  it("the embedded model's seal_lab.json parses, and its world is the lab's default world", () => {
    const lab = parseSealLab(JSON.parse(readFileSync(new URL('../../public/models/seal-mini-bio/seal_lab.json', import.meta.url), 'utf8')));
    expect(lab.about).toMatch(/mini-bio/);
    expect(lab.knowledge?.world).toEqual(DEFAULT_WORLD);
    const c = knowledgeConfig(lab.knowledge);
    expect(c.grader).toBe('contains'); // the mini world answers with a statement: exact match would never pass
    expect(c.tttSeeds).toBeGreaterThanOrEqual(1);
  });
});

describe("what ReST-EM's M-step imitates (restEm.lineFilter 'facts')", () => {
  // the mini world's people: values are its cities, years, universities, fields and employers
  const context = 'Ben Rhodes was born in Geneva in 1960. He studied physics at Yale and works for Hooli.';
  it("keeps the lines that state the passage's facts, drops filler and invented values (feasibility.py filter_lines)", () => {
    const notes = 'Ben Rhodes has colleagues.\nBen Rhodes was born in the year 1960.\n  \nBen Rhodes works for Initech.\nYale: Ben Rhodes graduated from there.\nHooli and Geneva, Yale.';
    expect(factLines(notes, context)).toBe('Ben Rhodes was born in the year 1960.\nYale: Ben Rhodes graduated from there.\nHooli and Geneva, Yale.');
    expect(factLines('He is mentioned in the passage.', context)).toBe('');
  });
  it('seal_lab.json selects it, with the over-the-mean selection, and refuses unknown rules', () => {
    const c = knowledgeConfig(parseKnowledgeOverrides({ restEm: { select: 'overMean', lineFilter: 'facts', lr: 0.003 }, evalSelfEditsPerPassage: 3 }));
    expect(c.restEm).toEqual({ ...PAPER_KNOWLEDGE.restEm, select: 'overMean', lineFilter: 'facts', lr: 0.003 });
    expect(c.evalSelfEditsPerPassage).toBe(3);
    // the held-out rows' k: the model's, unless the user sets k (then it follows k) or sets it too
    const lab = parseKnowledgeOverrides({ selfEditsPerPassage: 5, evalSelfEditsPerPassage: 3 });
    const ks = (user: Parameters<typeof knowledgeConfig>[1]) => { const x = knowledgeConfig(lab, user); return [x.selfEditsPerPassage, x.evalSelfEditsPerPassage]; };
    expect(ks({})).toEqual([5, 3]);
    expect(ks({ selfEditsPerPassage: 1 })).toEqual([1, 1]);
    expect(ks({ selfEditsPerPassage: 1, evalSelfEditsPerPassage: 2 })).toEqual([1, 2]);
    expect(knowledgeConfig(undefined, { selfEditsPerPassage: 2 }).evalSelfEditsPerPassage).toBe(2);
    expect(() => parseSealLab({ knowledge: { restEm: { select: 'median' } } })).toThrow(/knowledge\.restEm\.select/);
  });
});

describe('a self-edit as training data', () => {
  it('lists the kept lines as sequences (the passage last) and the dropped preamble', () => {
    const p = { id: 'x', title: 'T', context: 'The passage.', questions: [], reference: null };
    expect(notesData('Here they are:\n1. a\n2. b\n', p)).toEqual({ sequences: ['T\n1. a', 'T\n2. b', 'T\nThe passage.'], dropped: ['Here they are:'] });
    expect(notesData('', p)).toEqual({ sequences: ['T\nThe passage.'], dropped: [] });
  });
});

describe('the judge', () => {
  it('reads yes without no (SEAL parse_yes_no)', () => {
    expect(parseYesNo('Yes.')).toBe(true);
    expect(parseYesNo(' yes, correct')).toBe(true);
    expect(parseYesNo('no')).toBe(false);
    expect(parseYesNo('yes or no')).toBe(false);
    expect(parseYesNo('yesterday')).toBe(false);
  });
});
