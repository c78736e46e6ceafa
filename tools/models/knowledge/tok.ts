// The seal-mini-bio tokenizer from disk, through the lab's own loadTokenizer (@huggingface/transformers), for
// Node scripts and unit tests.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTokenizer, type Tokenizer } from '../../../src/engine/model/tokenizer.ts';
import type { Specials } from '../../../src/seal/knowledge/sequences.ts';

export const MODEL_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../public/models/seal-mini-bio');
export const SPECIALS: Specials = { bos: 256, eos: 257 };

export async function loadBioTokenizer(dir = MODEL_DIR): Promise<Tokenizer> {
  const tok = await loadTokenizer(async (name) => {
    try {
      const b = readFileSync(resolve(dir, name));
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    } catch {
      return null;
    }
  });
  if (!tok) throw new Error(`no tokenizer in ${dir}`);
  return tok;
}
