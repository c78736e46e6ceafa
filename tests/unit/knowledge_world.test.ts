import { describe, expect, it } from 'vitest';
import {
  ATTRIBUTES, ATTRIBUTE_OF, DEFAULT_WORLD, VALUES, chooseItems, corpusStream, demoNotes, lineFacts, makeWorld,
  mulberry32, perfectNotes, summarizeNotes, type CorpusDoc,
} from '../../src/seal/worlds/minibio/index.ts';

const world = makeWorld(DEFAULT_WORLD);
const docText = (d: CorpusDoc) => (d.kind === 'bio' ? d.text : d.kind === 'qa' ? `${d.question} ${d.answer}` : `${d.context}\n${d.notes.join('\n')}`);

describe('knowledge world', () => {
  it('is deterministic from its seed', () => {
    const again = makeWorld(DEFAULT_WORLD);
    expect(JSON.stringify(again.evalItems)).toBe(JSON.stringify(world.evalItems));
    expect(JSON.stringify(again.people.celebrities.slice(0, 50))).toBe(JSON.stringify(world.people.celebrities.slice(0, 50)));
    const a = [...corpusStream(world, 5, 300)];
    const b = [...corpusStream(again, 5, 300)];
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify([...corpusStream(world, 6, 300)])).not.toBe(JSON.stringify(a));
    const other = makeWorld({ ...DEFAULT_WORLD, seed: 2 });
    expect(other.evalItems[0].context).not.toBe(world.evalItems[0].context);
  });

  it('splits names into disjoint celebrity, held-out and fresh pools', () => {
    const { celebrities, evalPeople, restPeople, fresh } = world.people;
    const names = [...celebrities, ...evalPeople, ...restPeople].map((p) => p.name);
    const freshNames = fresh.map((n) => `${n.first} ${n.last}`);
    expect(new Set([...names, ...freshNames]).size).toBe(names.length + freshNames.length);
    expect(evalPeople.length).toBe(DEFAULT_WORLD.evalPeople);
    expect(restPeople.length).toBe(DEFAULT_WORLD.restPeople);
  });

  it('never puts a held-out person in the pretraining corpus', () => {
    const held = [...world.people.evalPeople, ...world.people.restPeople].map((p) => p.name);
    const heldSet = new Set(held);
    for (const d of corpusStream(world, 1234, 20_000)) {
      const text = docText(d);
      const pairs = text.match(/\b[A-Z][a-z]+ [A-Z][a-z]+\b/g) ?? [];
      for (const p of pairs) expect(heldSet.has(p)).toBe(false);
    }
  });

  it('has disjoint attribute vocabularies (a value names its attribute)', () => {
    const all = ATTRIBUTES.flatMap((a) => VALUES[a]);
    expect(new Set(all).size).toBe(all.length);
    expect(ATTRIBUTE_OF.get('Paris')).toBe('city');
    expect(ATTRIBUTE_OF.get('1960')).toBe('year');
  });

  it('answers every question from the passage; the subject is named once, then pronouns', () => {
    for (const it of [...world.evalItems, ...world.restItems]) {
      const { subject, colleagues: { c1, c2 } } = it;
      expect(it.questions.map((q) => q.attribute)).toEqual([...ATTRIBUTES]);
      for (const q of it.questions) {
        expect(q.answer).toBe(subject.attrs[q.attribute]);
        expect(it.context.split(/[\s.]+/)).toContain(q.answer);
        expect(q.question).toContain(subject.name);
      }
      expect(it.context.split(subject.name).length - 1).toBe(1);
      expect(it.context.startsWith(subject.name)).toBe(true);
      expect(c1.gender).not.toBe(subject.gender);
      expect(c2.gender).not.toBe(subject.gender);
      expect(new Set([subject.name, c1.name, c2.name]).size).toBe(3);
      const s = summarizeNotes(perfectNotes(it), it);
      expect(s.covered).toEqual([...ATTRIBUTES]);
      expect(s.correctValueLines).toBe(5);
    }
  });

  it('writes demonstrations that vary in coverage and form but never state a wrong value', () => {
    const rng = mulberry32(3);
    const coverages = new Set<number>();
    const forms = new Set<string>();
    for (const it of world.evalItems.slice(0, 100)) {
      for (let i = 0; i < 5; i++) {
        const notes = demoNotes(rng, it);
        for (const line of notes) {
          const f = lineFacts(line, it);
          forms.add(f.form);
          for (const v of f.values) expect(v.correct, line).toBe(true);
        }
        coverages.add(summarizeNotes(notes, it).covered.length);
      }
    }
    expect([...coverages].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect([...forms].sort()).toEqual(['colleague', 'filler', 'forward', 'pronoun', 'qa', 'reverse']);
  });

  it('judges note lines against the passage', () => {
    const it = world.evalItems[0];
    const s = it.subject;
    const other = s.attrs.city === 'Paris' ? 'Rome' : 'Paris';
    expect(lineFacts(`${s.name} was born in ${s.attrs.city}.`, it)).toEqual({ form: 'forward', values: [{ value: s.attrs.city, attribute: 'city', correct: true }] });
    expect(lineFacts(`${s.name} was born in ${other}.`, it).values[0].correct).toBe(false);
    expect(lineFacts(`${s.gender === 'f' ? 'She' : 'He'} works for ${s.attrs.employer}.`, it).form).toBe('pronoun');
    expect(lineFacts(`${s.attrs.employer} employs ${s.name}.`, it).form).toBe('reverse');
    expect(lineFacts(`${it.colleagues.c1.name} was born in ${it.colleagues.c1.attrs.city}.`, it)).toMatchObject({ form: 'colleague', values: [{ correct: true }] });
    expect(lineFacts(`${it.colleagues.c2.name} was born in ${it.colleagues.c2.attrs.city}.`, it).values[0].correct).toBe(false); // not stated
    expect(lineFacts('Zoe Quinn works for Acme.', it).form).toBe('other');
    expect(lineFacts(`The passage is about ${s.name}.`, it)).toEqual({ form: 'filler', values: [] });
  });

  it('chooses the lab passages by seed', () => {
    const a = chooseItems(world.evalItems, 8, 1).map((i) => i.id);
    expect(chooseItems(world.evalItems, 8, 1).map((i) => i.id)).toEqual(a);
    expect(new Set(a).size).toBe(8);
    expect(chooseItems(world.evalItems, 8, 2).map((i) => i.id)).not.toEqual(a);
    // the same choice as tools/models/knowledge/kit.py choose_items (checked there against these ids)
    expect(chooseItems(world.evalItems, 5, 1).map((i) => i.id)).toEqual(['eval-8', 'eval-176', 'eval-139', 'eval-54', 'eval-151']);
  });
});
