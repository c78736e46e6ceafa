// Writes the tokenizer of public/models/seal-mini-bio: byte-level BPE like seal-mini-arc (ids 0–255 are the
// bytes, 256–259 the specials) plus one token for every pre-token (GPT-2 split: a word with its leading space,
// a number, a contraction) that the mini-bio world's text or the knowledge prompts contain. With
// `ignore_merges` a pre-token found in the vocabulary is one token and needs no merge chain, so the vocabulary
// is only bytes + specials + world words; any other text still tokenizes, byte by byte.
// Run: npx tsx tools/models/knowledge/make_tokenizer.ts   (then check round trips: npx tsx tools/models/knowledge/check_tokenizer.ts)
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ANSWER_TEMPLATE, SELF_EDIT_TEMPLATES } from '../../../src/seal/knowledge/prompts.ts';
import {
  ATTRIBUTES, FILLER, FORWARD, QUESTION, REVERSE, TITLE, VALUES, allNames, corpusStream, makeWorld, pronoun,
} from '../../../src/seal/worlds/minibio/index.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const OUT = resolve(ROOT, 'public/models/seal-mini-bio');

// GPT-2's bytes_to_unicode and pre-tokenizer regex (what the ByteLevel pre-tokenizer does with use_regex).
const PRINTABLE = [...range(33, 127), ...range(161, 173), ...range(174, 256)];
function range(a: number, b: number) {
  return Array.from({ length: b - a }, (_, i) => a + i);
}
const BYTE_CHAR: string[] = [];
{
  let n = 0;
  for (let b = 0; b < 256; b++) BYTE_CHAR[b] = PRINTABLE.includes(b) ? String.fromCharCode(b) : String.fromCharCode(256 + n++);
}
const SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
const byteLevel = (s: string) => Array.from(new TextEncoder().encode(s), (b) => BYTE_CHAR[b]).join('');

const counts = new Map<string, number>();
const add = (text: string) => {
  for (const m of text.match(SPLIT) ?? []) {
    const p = byteLevel(m);
    if (p.length > 1) counts.set(p, (counts.get(p) ?? 0) + 1);
  }
};

// 1. every template with every value, with a full name and with a pronoun, at line start and inside a line
const names = allNames();
for (const a of ATTRIBUTES) {
  for (const v of VALUES[a]) {
    for (const t of [...FORWARD[a], ...REVERSE[a]]) {
      for (const s of ['Alice Abbott', 'She', 'He']) add(`x\n${t.replace('{s}', s).replace('{v}', v)} ${t.replace('{s}', s).replace('{v}', v)}`);
    }
    add(`Answer:\n${v} ${v}.`);
  }
  add(QUESTION[a]);
}
for (const n of names) add(`x\n${n.first} ${n.last} ${n.first} ${pronoun(n.gender)}\n${pronoun(n.gender)}`);
for (const f of FILLER) add(`x\n${f} ${f}`);
// 2. the prompts, with the title
for (const t of [...Object.values(SELF_EDIT_TEMPLATES), ANSWER_TEMPLATE]) add(t.replaceAll('{title}', TITLE));
add(`${TITLE} ${TITLE}`);
// 3. a sample of the real corpus and the held-out passages (whatever the generators actually write)
const world = makeWorld();
for (const it of [...world.evalItems, ...world.restItems]) add(it.context);
for (const d of corpusStream(world, 99, 20_000)) {
  if (d.kind === 'bio') add(d.text);
  else if (d.kind === 'qa') add(`${d.question}\nAnswer:\n${d.answer}`);
  else add(`${d.context}\n${d.notes.join('\n')}`);
}

const SPECIALS = ['<|begin_of_text|>', '<|end_of_text|>', '<|pad|>', '<|eot_id|>'];
const words = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)! || (a < b ? -1 : 1));
const vocab: Record<string, number> = {};
BYTE_CHAR.forEach((c, b) => (vocab[c] = b));
words.forEach((w, i) => (vocab[w] = 256 + SPECIALS.length + i));
const special = (content: string, id: number) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
const tokenizer = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: SPECIALS.map((s, i) => special(s, 256 + i)),
  normalizer: null,
  pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
  post_processor: null,
  decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
  model: {
    type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
    fuse_unk: false, byte_fallback: false, ignore_merges: true, vocab, merges: [],
  },
};
const config = {
  tokenizer_class: 'PreTrainedTokenizerFast',
  bos_token: SPECIALS[0],
  eos_token: SPECIALS[1],
  pad_token: SPECIALS[2],
  model_max_length: 2048,
  clean_up_tokenization_spaces: false,
  added_tokens_decoder: Object.fromEntries(SPECIALS.map((s, i) => {
    const { id, ...rest } = special(s, 256 + i);
    return [String(id), rest];
  })),
  // the same minimal chat template as seal-mini-arc (the knowledge track itself uses plain prompts)
  chat_template: "{{ bos_token }}{% for message in messages %}{{ message['role'] + ':\\n\\n' + (message['content'] | trim) + '<|eot_id|>' }}{% endfor %}{% if add_generation_prompt %}{{ 'assistant:\\n\\n' }}{% endif %}",
};
mkdirSync(OUT, { recursive: true });
writeFileSync(resolve(OUT, 'tokenizer.json'), JSON.stringify(tokenizer, null, 1));
writeFileSync(resolve(OUT, 'tokenizer_config.json'), JSON.stringify(config, null, 2));
console.log(`vocabulary ${256 + SPECIALS.length + words.length} (${words.length} word tokens)`);
