// Writes every self-edit of the lab's space (selfEditToJson) with its ids from the lab's tokenizer to
// .data/tokcheck.json, for `python3 tools/models/arcworld/regex_pretok.py` to compare with its own encoding.
// Run: `npx tsx tools/models/arcworld/check_tokenizer.ts`.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTokenizer } from '../../../src/engine/model/tokenizer.ts';
import { selfEditToJson, TRAINING_STRATEGIES } from '../../../src/seal/arc/self_edit.ts';

const DEFAULT_LRS = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1]; // export.ts DEFAULT_LRS (importing export.ts would run it)
const HERE = dirname(fileURLToPath(import.meta.url));
const DATA = resolve(process.env.AW_DATA ?? resolve(HERE, '.data'));
const tok = (await loadTokenizer(async (n) => {
  try {
    const b = readFileSync(resolve(DATA, 'model', n));
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  } catch {
    return null;
  }
}))!;
const rows: Array<{ text: string; ids: number[] }> = [];
for (let combo = 0; combo < 16; combo++) {
  for (const strategy of TRAINING_STRATEGIES) {
    for (const lr of DEFAULT_LRS) {
      for (let epochs = 1; epochs <= 3; epochs++) {
        const text = selfEditToJson({
          data_generation: {
            use_basic_augmentations: !!(combo & 1), use_size_augmentations: !!(combo & 2), use_chain_augmentations: !!(combo & 4),
            use_repeat_augmentations: !!(combo & 8),
          },
          training: { strategy, learning_rate: lr, num_train_epochs: epochs },
        });
        rows.push({ text, ids: tok.encode(text) });
      }
    }
  }
}
writeFileSync(resolve(DATA, 'tokcheck.json'), JSON.stringify(rows));
console.log(`${rows.length} self-edits written to ${resolve(DATA, 'tokcheck.json')}`);
