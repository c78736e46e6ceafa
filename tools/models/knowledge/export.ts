// Pretraining corpus and evaluation sets of the embedded model public/models/seal-mini-bio, built with the
// model's REAL tokenizer and the lab's REAL prompt and sequence builders (src/seal/knowledge/), so the model is
// trained on exactly the token sequences the lab later shows it. Run: npx tsx tools/models/knowledge/export.ts
// (after make_tokenizer.ts; then /usr/bin/python3 tools/models/knowledge/train.py). Knobs (env): KNOW_DOCS (documents,
// default 800 000), KNOW_MIX (JSON overriding fields of DEFAULT_CORPUS_MIX), KNOW_CORPUS_SEED (default 1234),
// KNOW_WORLD (JSON overriding fields of DEFAULT_WORLD: for trying variants; the lab uses DEFAULT_WORLD).
//
// Writes tools/models/knowledge/.data/ (git-ignored):
//   corpus.tokens.u16, corpus.weights.u8, corpus.json   sequences ([offset, length, kind 0 bio / 1 qa / 2 demo])
//       bio   "{title}\n{sentences}" (a training sequence: loss on every token after <bos>)
//       qa    answer prompt → "{value}" <eos> (an SFT pair: loss on the answer and <eos>)
//       demo  implications prompt → notes <eos> (an SFT pair: loss on the notes and <eos>)
//   eval.json   the world's held-out passages (evaluation and ReST-EM people): passage, questions with their
//       answer-prompt ids, the self-edit prompt ids, template-perfect notes; celebrity QA prompts (with and
//       without QA in pretraining); the value → attribute map; tokenizer check strings with their ids.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ATTRIBUTES, ATTRIBUTE_OF, DEFAULT_CORPUS_MIX, DEFAULT_WORLD, corpusStream, makeWorld, perfectNotes, question,
  type CorpusMix, type KnowledgeItem,
} from '../../../src/seal/worlds/minibio/index.ts';
import { answerPromptIds, encodeTrainSequence, selfEditPromptIds, sftSequence, trainSequenceTexts } from '../../../src/seal/knowledge/sequences.ts';
import type { Sequence } from '../../../src/seal/core/batch.ts';
import { answerPromptText, selfEditPromptText } from '../../../src/seal/knowledge/prompts.ts';
import { loadBioTokenizer, SPECIALS as SP } from './tok.ts';

const OUT = process.env.KNOW_DATA ?? resolve(dirname(fileURLToPath(import.meta.url)), '.data');
const DOCS = Number(process.env.KNOW_DOCS ?? 800_000);
const CORPUS_SEED = Number(process.env.KNOW_CORPUS_SEED ?? 1234);
const MIX: CorpusMix = { ...DEFAULT_CORPUS_MIX, ...JSON.parse(process.env.KNOW_MIX ?? '{}') };

const tok = await loadBioTokenizer();
const WORLD = { ...DEFAULT_WORLD, ...JSON.parse(process.env.KNOW_WORLD ?? '{}') };
const world = makeWorld(WORLD);
mkdirSync(OUT, { recursive: true });

// ---------------------------------------------------------------------------------------------- corpus
const t0 = Date.now();
let ids = new Uint16Array(1 << 24);
let wts = new Uint8Array(1 << 24);
const index: Array<[number, number, number]> = [];
const KIND = { bio: 0, qa: 1, demo: 2 } as const;
const tokensByKind = [0, 0, 0];
let off = 0;
const push = (s: Sequence, kind: number) => {
  while (off + s.ids.length > ids.length) {
    const bigger = new Uint16Array(ids.length * 2);
    bigger.set(ids);
    ids = bigger;
    const bw = new Uint8Array(wts.length * 2);
    bw.set(wts);
    wts = bw;
  }
  ids.set(s.ids, off);
  wts.set(s.weights, off);
  index.push([off, s.ids.length, kind]);
  tokensByKind[kind] += s.ids.length;
  off += s.ids.length;
};
let n = 0;
for (const d of corpusStream(world, CORPUS_SEED, DOCS, MIX)) {
  if (d.kind === 'bio') push(encodeTrainSequence(tok, SP, `${d.title}\n${d.text}`), KIND.bio);
  else if (d.kind === 'qa') push(sftSequence(tok, SP, answerPromptText(d.title, d.question), d.answer), KIND.qa);
  else push(sftSequence(tok, SP, selfEditPromptText(d.title, d.context), d.notes.join('\n')), KIND.demo);
  if (++n % 100_000 === 0) process.stderr.write(`\rexport: ${n} documents, ${off} tokens (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
}
process.stderr.write('\n');
writeFileSync(resolve(OUT, 'corpus.tokens.u16'), Buffer.from(ids.buffer, 0, off * 2));
writeFileSync(resolve(OUT, 'corpus.weights.u8'), Buffer.from(wts.buffer, 0, off));
const lossTokens = wts.subarray(0, off).reduce((a, b) => a + b, 0);
const corpusInfo = {
  world: WORLD, corpusSeed: CORPUS_SEED, mix: MIX, documents: DOCS, tokens: off, lossTokens,
  tokensByKind: { bio: tokensByKind[0], qa: tokensByKind[1], demo: tokensByKind[2] }, seconds: (Date.now() - t0) / 1000,
};
writeFileSync(resolve(OUT, 'corpus.json'), JSON.stringify({ ...corpusInfo, index }));
console.log('corpus', JSON.stringify(corpusInfo));

// ---------------------------------------------------------------------------------------------- evaluation sets
const itemOut = (it: KnowledgeItem) => ({
  id: it.id,
  title: it.title,
  context: it.context,
  subject: { name: it.subject.name, gender: it.subject.gender, attrs: it.subject.attrs },
  colleagues: {
    c1: { name: it.colleagues.c1.name, city: it.colleagues.c1.attrs.city, employer: it.colleagues.c1.attrs.employer },
    c2: { name: it.colleagues.c2.name, university: it.colleagues.c2.attrs.university },
  },
  questions: it.questions.map((q) => ({ ...q, promptIds: answerPromptIds(tok, SP, it.title, q.question) })),
  selfEditPromptIds: selfEditPromptIds(tok, SP, it.title, it.context),
  perfectNotes: perfectNotes(it).join('\n'),
});
const celebQa = (from: number, to: number) =>
  world.people.celebrities.slice(from, to).flatMap((p) =>
    ATTRIBUTES.map((a) => ({ name: p.name, attribute: a, answer: p.attrs[a], promptIds: answerPromptIds(tok, SP, 'Biography', question(a, p)) })));
const { qaCelebrities } = world.people;
// Strings for train.py's tokenizer check: its Python encoder must give the same ids as the lab's tokenizer.
const checks = [...world.evalItems.slice(0, 20), ...world.restItems.slice(0, 20)].flatMap((it) =>
  [...trainSequenceTexts(perfectNotes(it).join('\n'), it.title, it.context), selfEditPromptText(it.title, it.context)]);
checks.push('The Normans (Norman: Nourmands; French: Normands) gave their name to Normandy, a région in France. 東京 🙂 a_b  x\n\n y');
const evalOut = {
  world: WORLD,
  attributes: ATTRIBUTES,
  valueAttribute: Object.fromEntries(ATTRIBUTE_OF),
  evalItems: world.evalItems.map(itemOut),
  restItems: world.restItems.map(itemOut),
  celebQa: celebQa(0, 100),
  celebNoQa: celebQa(qaCelebrities, qaCelebrities + 100),
  tokenizerChecks: checks.map((text) => ({ text, ids: tok.encode(text) })),
};
writeFileSync(resolve(OUT, 'eval.json'), JSON.stringify(evalOut));
console.log('eval', JSON.stringify({ evalItems: evalOut.evalItems.length, restItems: evalOut.restItems.length, seconds: (Date.now() - t0) / 1000 }));
