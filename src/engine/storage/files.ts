// A model folder as the loader sees it: small files read whole (config.json, tokenizer.json) and large files
// read by byte range (safetensors), so a multi-gigabyte checkpoint is never held in memory at once.
import { ModelFormatError } from '../model/errors.ts';
import type { PickedFile } from './spec.ts';

/** A file read by byte range. */
export interface RandomAccessFile {
  readonly name: string;
  readonly size: number;
  /** Bytes [start, end). */
  read(start: number, end: number): Promise<Uint8Array>;
}

export interface ModelFolder {
  /** For messages: `org/name@main`, a URL, `local folder "x"`. */
  readonly label: string;
  /** A file's bytes, or null when the folder has no such file. */
  get(name: string): Promise<ArrayBuffer | null>;
  /** A file for range reads (downloaded to the cache first, for cached sources), or null when absent. */
  open(name: string): Promise<RandomAccessFile | null>;
  /** For cached sources: drops what this source stored (after it proved unusable). */
  evict?(): Promise<void>;
  /** Commit the files came from, when known (Hub sources). */
  readonly commit?: string | null;
}

export function bytesFile(name: string, bytes: Uint8Array): RandomAccessFile {
  return {
    name,
    size: bytes.byteLength,
    read: async (start, end) => bytes.subarray(start, end),
  };
}

export function blobFile(name: string, blob: Blob): RandomAccessFile {
  return {
    name,
    size: blob.size,
    read: async (start, end) => {
      try {
        return new Uint8Array(await blob.slice(start, end).arrayBuffer());
      } catch (e) {
        // A cached file removed or changed under us (another tab cleared the cache) reads as NotReadableError.
        throw new ModelFormatError(`${name}: could not read bytes ${start}..${end} (${(e as Error).message}); load the model again`, { source: name, cause: e });
      }
    },
  };
}

/** Reads a whole RandomAccessFile (small files only). */
export async function readAll(f: RandomAccessFile): Promise<ArrayBuffer> {
  const b = await f.read(0, f.size);
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? (b.buffer as ArrayBuffer) : (b.slice().buffer as ArrayBuffer);
}

/** A folder made of a `get` function (tests, in-memory folders): large files are read whole, then sliced. */
export function getterFolder(get: (name: string) => Promise<ArrayBuffer | null>, label = 'folder'): ModelFolder {
  return {
    label,
    get,
    open: async (name) => {
      const b = await get(name);
      return b ? bytesFile(name, new Uint8Array(b)) : null;
    },
  };
}

const pathOf = (f: File | PickedFile): string =>
  ('path' in f && typeof f.path === 'string' ? f.path : (f as File).webkitRelativePath || (f as File).name).replace(/\\/g, '/').replace(/^\/+/, '');
const blobOf = (f: File | PickedFile): Blob => ('file' in f && f.file instanceof Blob ? f.file : (f as File));

/**
 * The folder inside picked files: the shallowest one holding one of `markers` (config.json for a model,
 * adapter_config.json for an adapter); files are then named relative to it.
 */
export function filesFolder(files: Array<File | PickedFile>, markers = ['config.json', 'adapter_config.json']): ModelFolder {
  const entries = files.map((f) => ({ path: pathOf(f), blob: blobOf(f) }));
  const roots = entries
    .filter((e) => markers.includes(e.path.split('/').pop()!))
    .map((e) => e.path.split('/').slice(0, -1).join('/'))
    .sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
  const root = roots[0] ?? (() => {
    // No marker: the common top folder of a directory pick, else the files as given.
    const tops = new Set(entries.map((e) => (e.path.includes('/') ? e.path.split('/')[0] : '')));
    return tops.size === 1 ? [...tops][0] : '';
  })();
  const prefix = root ? `${root}/` : '';
  const byName = new Map<string, Blob>();
  for (const e of entries) if (e.path.startsWith(prefix)) byName.set(e.path.slice(prefix.length), e.blob);
  const label = `local folder "${root || '.'}"`;
  return {
    label,
    get: async (name) => {
      const b = byName.get(name);
      return b ? b.arrayBuffer() : null;
    },
    open: async (name) => {
      const b = byName.get(name);
      return b ? blobFile(name, b) : null;
    },
  };
}
