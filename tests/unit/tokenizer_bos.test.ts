// BOS on a plain prompt (src/engine/model/tokenizer.ts): the golden model's byte-level tokenizer adds none (no
// post-processor, like Llama-3's original tokenizer.json); variants of it made here cover each policy — the
// config asks for BOS (encodePrompt adds it), the config turns it off, a post-processor adds it (as the Hub's
// current Llama-3.2 tokenizer.json does; encode, the pieces SEAL builds sequences from, never gets one) — and the
// warning a Llama-family model gets when nothing adds it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseModelConfig } from '../../src/engine/model/config.ts';
import { loadTokenizer, missingBosWarning } from '../../src/engine/model/tokenizer.ts';

const DIR = fileURLToPath(new URL('../golden/llama3-f32/model', import.meta.url));
const read = (name: string) => JSON.parse(readFileSync(join(DIR, name), 'utf8')) as Record<string, unknown>;
const BOS = 256;
const HELLO = [72, 101, 108, 108, 111];
const llama = parseModelConfig(read('config.json'));
const qwen = { ...llama, arch: 'qwen2' as const };

/** The golden tokenizer with its JSON files edited. */
async function variant(edit: { config?: (c: Record<string, unknown>) => void; tokenizer?: (t: Record<string, unknown>) => void } = {}, bosTokenId?: number) {
  const files: Record<string, Record<string, unknown>> = { 'tokenizer.json': read('tokenizer.json'), 'tokenizer_config.json': read('tokenizer_config.json') };
  edit.config?.(files['tokenizer_config.json']);
  edit.tokenizer?.(files['tokenizer.json']);
  const get = async (n: string) => (files[n] ? new TextEncoder().encode(JSON.stringify(files[n])).buffer as ArrayBuffer : null);
  return (await loadTokenizer(get, { bosTokenId }))!;
}

/** The post-processor of the Hub's Llama-3.2 tokenizer.json: ByteLevel, then BOS before the text. */
const TEMPLATE = {
  type: 'Sequence',
  processors: [
    { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<|begin_of_text|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '<|begin_of_text|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '<|begin_of_text|>', type_id: 1 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '<|begin_of_text|>': { id: '<|begin_of_text|>', ids: [BOS], tokens: ['<|begin_of_text|>'] } },
    },
  ],
};

describe('BOS on a plain prompt', () => {
  it('as shipped (no post-processor, no add_bos_token): no BOS, and a Llama-family model is warned once it matters', async () => {
    const tok = await variant();
    expect(tok.bosId).toBe(BOS);
    expect(tok.bosPolicy).toBe('none');
    expect(tok.encodePrompt('Hello')).toEqual(HELLO);
    const w = missingBosWarning(llama, tok, tok.encodePrompt('Hello'));
    expect(w).toMatch(/without BOS \(token 256\).*add_bos_token/);
    expect(missingBosWarning(qwen, tok, HELLO)).toBeNull(); // Qwen2 is trained without BOS
    expect(missingBosWarning(llama, tok, [BOS, ...HELLO])).toBeNull();
    expect(missingBosWarning(llama, tok, tok.chat([{ role: 'user', content: 'Hello' }]))).toBeNull(); // the template brings it
    expect(missingBosWarning({ ...llama, bosTokenId: null }, tok, HELLO)).toBeNull();
  });

  it('tokenizer_config add_bos_token: true — encodePrompt adds it (once); encode, the pieces SEAL builds from, does not', async () => {
    const tok = await variant({ config: (c) => void (c.add_bos_token = true) });
    expect(tok.bosPolicy).toBe('config');
    expect(tok.encodePrompt('Hello')).toEqual([BOS, ...HELLO]);
    expect(tok.encodePrompt('<|begin_of_text|>Hello')).toEqual([BOS, ...HELLO]);
    expect(tok.encode('Hello')).toEqual(HELLO);
    expect(missingBosWarning(llama, tok, tok.encodePrompt('Hello'))).toBeNull();
  });

  it('add_bos_token: false is the checkpoint\'s choice: no BOS and no warning', async () => {
    const tok = await variant({ config: (c) => void (c.add_bos_token = false) });
    expect(tok.bosPolicy).toBe('off');
    expect(tok.encodePrompt('Hello')).toEqual(HELLO);
    expect(missingBosWarning(llama, tok, HELLO)).toBeNull();
  });

  it('a post-processor that adds BOS (the Hub\'s Llama-3.2 tokenizer.json) is followed for prompts, never for pieces', async () => {
    const tok = await variant({ tokenizer: (t) => void (t.post_processor = TEMPLATE) });
    expect(tok.bosPolicy).toBe('post-processor');
    expect(tok.encodePrompt('Hello')).toEqual([BOS, ...HELLO]);
    expect(missingBosWarning(llama, tok, tok.encodePrompt('Hello'))).toBeNull();
    // SEAL writes [bos, ...encode(prompt)] and [...encode(completion), eos]: a BOS from encode would be doubled / mid-sequence.
    expect(tok.encode('Hello')).toEqual(HELLO);
    expect(tok.encode('<|eot_id|>')).toEqual([259]);
  });

  it('without bos_token in tokenizer_config.json, the model config\'s bos_token_id is the BOS', async () => {
    const tok = await variant({ config: (c) => { delete c.bos_token; c.add_bos_token = true; } }, BOS);
    expect(tok.bosId).toBe(BOS);
    expect(tok.encodePrompt('Hello')).toEqual([BOS, ...HELLO]);
    const none = await variant({ config: (c) => { delete c.bos_token; c.add_bos_token = true; } });
    expect(none.bosPolicy).toBe('none');
    expect(none.encodePrompt('Hello')).toEqual(HELLO);
  });
});
