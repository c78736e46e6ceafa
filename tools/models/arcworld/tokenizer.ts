// The tokenizer of the cipher-world model (not in public/models yet): byte-level BPE like seal-mini-arc's
// (bytes 0–255, the same four specials 256–259, the merges Ġ0…Ġ9 at 260–269 so that a grid cell after the first
// of its row is one token), plus whole-word merges for the grid scaffolding ("Input", "Output") and the words of
// a self-edit JSON, so a self-edit is ~60 tokens instead of ~230 and a 1 × 8 demonstration pair 26 instead of 35.
// Run: `npx tsx tools/models/arcworld/tokenizer.ts [outDir]` (default tools/models/arcworld/.data/model).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** GPT-2's bytes_to_unicode: byte → printable character. */
function byteChars(): string[] {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = bs.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) if (!bs.includes(b)) { bs.push(b); cs.push(256 + n++); }
  const out: string[] = new Array(256);
  bs.forEach((b, i) => (out[b] = String.fromCharCode(cs[i])));
  return out;
}

/** Pre-tokens (as GPT-2's pre-tokenizer cuts them) that become single tokens. */
export const WORDS = [
  // grid scaffolding
  'Input', 'Output',
  // self-edit JSON as JSON.stringify writes it (selfEditToJson): punctuation runs, words, values
  '{"', '":{"', '":', ',"', '},"', '":"', '","', '}}',
  'data', 'generation', 'use', 'basic', 'size', 'chain', 'repeat', 'augmentations', 'true', 'false',
  'training', 'strategy', 'train', 'using', 'all', 'output', 'tokens', 'learning', 'rate', 'num', 'epochs',
  // learning-rate digits after "0." (JSON.stringify writes 1e-4 as 0.0001)
  '00', '000', '0001', '0002', '0003', '0005', '001', '002', '003', '005', '01', '02', '03', '05',
  // chat roles
  'system', 'user', 'assistant',
];

const SPECIALS = ['<|begin_of_text|>', '<|end_of_text|>', '<|pad|>', '<|eot_id|>'];

/** Lowest-rank-first BPE of one pre-token (what the tokenizer does), as pieces. */
function bpe(word: string[], ranks: Map<string, number>): string[] {
  let w = word.slice();
  for (;;) {
    let best = -1;
    let bestRank = Infinity;
    for (let i = 0; i < w.length - 1; i++) {
      const r = ranks.get(`${w[i]} ${w[i + 1]}`);
      if (r !== undefined && r < bestRank) { bestRank = r; best = i; }
    }
    if (best < 0) return w;
    w = [...w.slice(0, best), w[best] + w[best + 1], ...w.slice(best + 2)];
  }
}

export function buildTokenizer() {
  const bc = byteChars();
  const vocab: Record<string, number> = {};
  bc.forEach((ch, b) => (vocab[ch] = b));
  const merges: string[] = [];
  const ranks = new Map<string, number>();
  let next = 260;
  const addMerge = (a: string, b: string) => {
    const key = `${a} ${b}`;
    if (ranks.has(key)) return;
    ranks.set(key, merges.length);
    merges.push(key);
    if (vocab[a + b] === undefined) vocab[a + b] = next++;
  };
  const G = bc[32]; // 'Ġ'
  for (let d = 0; d <= 9; d++) addMerge(G, String(d));
  // every word: merge the pieces it currently splits into, left to right, until it is one token
  for (const word of WORDS) {
    const chars = [...Buffer.from(word, 'utf8')].map((b) => bc[b]);
    for (let guard = 0; guard < 64; guard++) {
      const pieces = bpe(chars, ranks);
      if (pieces.length === 1) break;
      addMerge(pieces[0], pieces[1]);
    }
    if (bpe(chars, ranks).length !== 1) throw new Error(`word ${word} did not merge`);
  }
  // keep merges already made for earlier words intact (a later merge must not split an earlier word)
  for (const word of WORDS) {
    const chars = [...Buffer.from(word, 'utf8')].map((b) => bc[b]);
    if (bpe(chars, ranks).length !== 1) throw new Error(`word ${word} no longer one token`);
  }
  const first = next;
  const added = SPECIALS.map((content, i) => ({ id: 256 + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));
  // ids: bytes 0–255, specials 256–259, merges from 260
  void first;
  const tokenizer = {
    version: '1.0', truncation: null, padding: null, added_tokens: added, normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges },
  };
  const addedDecoder = Object.fromEntries(added.map((a) => [
    String(a.id), { content: a.content, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true },
  ]));
  const config = {
    tokenizer_class: 'PreTrainedTokenizerFast', bos_token: SPECIALS[0], eos_token: SPECIALS[1], pad_token: SPECIALS[2], model_max_length: 2048,
    clean_up_tokenization_spaces: false, added_tokens_decoder: addedDecoder,
    chat_template: "{{ bos_token }}{% for message in messages %}{{ message['role'] + ':\\n\\n' + (message['content'] | trim) + '<|eot_id|>' }}{% endfor %}{% if add_generation_prompt %}{{ 'assistant:\\n\\n' }}{% endif %}",
  };
  const vocabSize = Math.max(...Object.values(vocab)) + 1;
  return { tokenizer, config, vocabSize };
}

export function writeTokenizer(dir: string) {
  const { tokenizer, config, vocabSize } = buildTokenizer();
  mkdirSync(dir, { recursive: true });
  writeFileSync(resolve(dir, 'tokenizer.json'), JSON.stringify(tokenizer, null, 1));
  writeFileSync(resolve(dir, 'tokenizer_config.json'), JSON.stringify(config, null, 2));
  return vocabSize;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = resolve(process.argv[2] ?? resolve(dirname(fileURLToPath(import.meta.url)), '.data/model'));
  console.log(`tokenizer written to ${dir}: vocabulary ${writeTokenizer(dir)}`);
}
