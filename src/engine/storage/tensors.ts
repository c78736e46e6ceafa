// safetensors files read by range: the header first (8 bytes, then the JSON), then each tensor when it is
// uploaded, so only one tensor's bytes are ever in memory.
import { ModelFormatError } from '../model/errors.ts';
import { parseSafetensorsHeader, safetensorsHeaderBytes, type SafetensorsHeader } from '../model/safetensors.ts';
import type { TensorTable } from '../model/weights.ts';
import { blobFile, type RandomAccessFile } from './files.ts';

/** Reads and validates the header (length, JSON, dtypes, shapes against sizes, offsets in range, no overlap). */
export async function readSafetensorsHeader(file: RandomAccessFile): Promise<SafetensorsHeader> {
  const first = await file.read(0, Math.min(8, file.size));
  const n = safetensorsHeaderBytes(first, file.size, file.name);
  const head = await file.read(0, n);
  if (head.byteLength !== n) {
    throw new ModelFormatError(`${file.name}: could read only ${head.byteLength} of the ${n} header bytes; the file is truncated`, { source: file.name });
  }
  return parseSafetensorsHeader(head, file.size, file.name);
}

/** A download check for safetensors files: a bad header is caught before the file is marked complete. */
export const verifySafetensors = (name: string) => async (blob: Blob) => void (await readSafetensorsHeader(blobFile(name, blob)));

/**
 * The tensor table of one or more safetensors files (a single file, or the shards of an index). A tensor in two
 * files, or a weight_map entry that the named shard does not hold, is a ModelFormatError.
 */
export async function tensorTableOf(files: RandomAccessFile[], weightMap?: Record<string, string>): Promise<TensorTable> {
  const table: TensorTable = new Map();
  const where = new Map<string, string>();
  for (const f of files) {
    const header = await readSafetensorsHeader(f);
    for (const [name, info] of header.tensors) {
      const other = where.get(name);
      if (other) throw new ModelFormatError(`tensor "${name}" is in both ${other} and ${f.name}; the checkpoint is inconsistent`, { source: f.name });
      where.set(name, f.name);
      const start = header.dataStart + info.begin;
      const end = header.dataStart + info.end;
      table.set(name, {
        info,
        read: async () => {
          const b = await f.read(start, end);
          if (b.byteLength !== end - start) {
            throw new ModelFormatError(`${f.name}: tensor "${name}" needs bytes ${start}..${end} but the file ended early`, { source: f.name });
          }
          return b;
        },
      });
    }
  }
  if (weightMap) {
    const wrong = Object.entries(weightMap).filter(([t, shard]) => where.get(t) !== shard);
    if (wrong.length) {
      const [t, shard] = wrong[0];
      const actual = where.get(t);
      throw new ModelFormatError(
        `model.safetensors.index.json maps "${t}" to ${shard}, but ${actual ? `it is in ${actual}` : 'no shard holds it'}` +
          `${wrong.length > 1 ? ` (and ${wrong.length - 1} more entries are wrong)` : ''}; the index does not match the shards`,
        { source: 'model.safetensors.index.json' });
    }
  }
  return table;
}
