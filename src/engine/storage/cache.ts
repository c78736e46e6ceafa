// The download cache: model files stored in the browser's Origin Private File System (OPFS), or in memory where
// there is none (Node, some private windows). Layout, one folder per source snapshot ("group", e.g. one repo at
// one commit) and one folder per file:
//
//   seal-lab-cache-v1/<group>/group.json          what the group is (repo, revision, commit, endpoint or URL)
//   seal-lab-cache-v1/<group>/<file>/info.json    written when the download starts: {size, etag, url}
//   seal-lab-cache-v1/<group>/<file>/c-<offset>   the bytes, in chunks of at most `chunkBytes`
//   seal-lab-cache-v1/<group>/<file>/done.json    the completion marker, written last, after the size and the
//                                                 caller's check (safetensors header) passed
//   seal-lab-cache-v1/<group>/<file>/absent.json  the source has no such file (404), so a reload needs no request
//   seal-lab-cache-v1/refs/<hash>                 revision -> commit, for loading offline
//
// A file without done.json is never read as complete; its contiguous chunks are the point a later download
// resumes from. Each chunk is written through its own writable stream, which the browser commits atomically on
// close, so a crash loses at most the chunk being written, and nothing is ever copied to append.

import { MemDir, OpfsDir, readJson, writeText, type Dir, type Sink } from './cache_dir.ts';

/** What a group of cached files is (shown by the cache manager). */
export interface GroupMeta {
  kind: 'hub' | 'url';
  /** Human label: `org/name@main`, or the URL. */
  label: string;
  endpoint?: string;
  repo?: string;
  revision?: string;
  commit?: string | null;
  url?: string;
}

export interface EntryInfo {
  /** Total size announced by the server (Content-Length / Content-Range), when known. */
  size: number | null;
  etag: string | null;
  url: string;
}

export interface CachedFile {
  name: string;
  /** Bytes stored. */
  bytes: number;
  /** Full size, when known. */
  size: number | null;
  state: 'complete' | 'partial' | 'absent';
}

export interface CachedModel extends GroupMeta {
  key: string;
  bytes: number;
  /** No partial file (every file stored is complete). */
  complete: boolean;
  files: CachedFile[];
  created: number;
  lastUsed: number;
}

export interface EntryWriter {
  /** Absolute offset reached (bytes stored or buffered). */
  readonly written: number;
  write(chunk: Uint8Array): Promise<void>;
  /** Persists what was written so far (a partial file that a later download resumes). */
  suspend(): Promise<void>;
  /** Persists, checks the size against `info.size`, runs `verify` on the whole file, then marks it complete. */
  finish(verify?: (blob: Blob) => Promise<void>): Promise<Blob>;
}

export interface CacheGroup {
  readonly key: string;
  complete(name: string): Promise<Blob | null>;
  isAbsent(name: string): Promise<boolean>;
  markAbsent(name: string): Promise<void>;
  /** Bytes stored by an unfinished download, and the info recorded when it started. */
  partial(name: string): Promise<{ bytes: number; info: EntryInfo } | null>;
  /** Starts a download (from = 0: anything stored is dropped) or resumes one (from = partial bytes). */
  writer(name: string, info: EntryInfo, from: number): Promise<EntryWriter>;
  remove(name: string): Promise<void>;
}

export interface CacheStore {
  readonly kind: 'opfs' | 'memory';
  group(key: string, meta: GroupMeta): Promise<CacheGroup>;
  list(): Promise<CachedModel[]>;
  /** Deletes one group; false when there was none. */
  delete(key: string): Promise<boolean>;
  /** Deletes everything; returns the number of groups deleted. */
  clear(): Promise<number>;
  getRef(name: string): Promise<string | null>;
  setRef(name: string, value: string): Promise<void>;
  /** The origin's storage use and quota, when the browser tells. */
  estimate(): Promise<{ usage: number | null; quota: number | null }>;
}

// ---- names ----

/** FNV-1a, 64 bits, as hex: folder names stay short and unique whatever the key. */
function hash(s: string): string {
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(s)) h = BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n);
  return h.toString(16).padStart(16, '0');
}

/** A safe, readable folder name for any key. */
const folderName = (key: string) => `${key.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80)}-${hash(key)}`;

const chunkName = (offset: number) => `c-${String(offset).padStart(15, '0')}`;
const chunkOffset = (name: string) => (/^c-\d{15}$/.test(name) ? Number(name.slice(2)) : null);

const ROOT = 'seal-lab-cache-v1';
const DEFAULT_CHUNK = 64 << 20;
const WRITE_BUFFER = 4 << 20;

interface Chunks {
  /** Contiguous chunks from offset 0, in order. */
  blobs: Blob[];
  bytes: number;
}

class DirGroup implements CacheGroup {
  constructor(readonly key: string, private readonly d: Dir, private readonly chunkBytes: number) {}

  private async fileDir(name: string, create: boolean) {
    const fd = await this.d.dir(folderName(name), create);
    if (fd && create) await writeText(fd, 'name.json', JSON.stringify({ name }));
    return fd;
  }

  /** The contiguous chunks from 0; chunks after a gap (a crash mid-write) are dropped. */
  private async chunks(fd: Dir, prune = true): Promise<Chunks> {
    const list = (await fd.entries())
      .map((e) => ({ name: e.name, off: chunkOffset(e.name) }))
      .filter((e): e is { name: string; off: number } => e.off !== null)
      .sort((a, b) => a.off - b.off);
    const blobs: Blob[] = [];
    let at = 0;
    for (const c of list) {
      const b = c.off === at ? await fd.file(c.name) : null;
      if (!b || b.size === 0) {
        if (prune) await fd.remove(c.name);
        continue;
      }
      blobs.push(b);
      at += b.size;
    }
    return { blobs, bytes: at };
  }

  async complete(name: string): Promise<Blob | null> {
    const fd = await this.fileDir(name, false);
    if (!fd) return null;
    const done = await readJson<{ size: number }>(fd, 'done.json');
    if (!done) return null;
    const c = await this.chunks(fd);
    if (c.bytes !== done.size) {
      await fd.remove('done.json'); // damaged: never read it as complete again
      return null;
    }
    return new Blob(c.blobs);
  }

  async isAbsent(name: string): Promise<boolean> {
    const fd = await this.fileDir(name, false);
    return !!fd && !!(await fd.file('absent.json'));
  }

  async markAbsent(name: string): Promise<void> {
    await this.remove(name);
    await writeText((await this.fileDir(name, true))!, 'absent.json', '{}');
  }

  async partial(name: string) {
    const fd = await this.fileDir(name, false);
    if (!fd || (await fd.file('done.json'))) return null;
    const info = await readJson<EntryInfo>(fd, 'info.json');
    if (!info) return null;
    const c = await this.chunks(fd);
    return c.bytes > 0 && (info.size === null || c.bytes <= info.size) ? { bytes: c.bytes, info } : null;
  }

  async remove(name: string): Promise<void> {
    await this.d.remove(folderName(name));
  }

  async writer(name: string, info: EntryInfo, from: number): Promise<EntryWriter> {
    if (from === 0) await this.remove(name);
    const fd = (await this.fileDir(name, true))!;
    if (from === 0) await writeText(fd, 'info.json', JSON.stringify(info));
    else {
      const have = await this.chunks(fd);
      if (have.bytes !== from) throw new Error(`cache: resuming ${name} at ${from} but ${have.bytes} bytes are stored`);
    }
    let written = from;
    let sink: Sink | null = null;
    let chunkFill = 0;
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    const chunkBytes = this.chunkBytes;
    const flush = async () => {
      if (!pendingBytes) return;
      const buf = pending.length === 1 ? pending[0] : new Uint8Array(pendingBytes);
      if (pending.length > 1) {
        let o = 0;
        for (const p of pending) { buf.set(p, o); o += p.length; }
      }
      pending = [];
      pendingBytes = 0;
      await sink!.write(buf);
    };
    const closeChunk = async () => {
      if (!sink) return;
      await flush();
      await sink.close();
      sink = null;
      chunkFill = 0;
    };
    const chunksOf = (d: typeof fd) => this.chunks(d);
    return {
      get written() {
        return written;
      },
      async write(chunk: Uint8Array) {
        let off = 0;
        while (off < chunk.length) {
          if (!sink) sink = await fd.writeFile(chunkName(written));
          const n = Math.min(chunk.length - off, chunkBytes - chunkFill);
          // Copy: the network reader may reuse its buffer.
          pending.push(chunk.slice(off, off + n));
          pendingBytes += n;
          chunkFill += n;
          written += n;
          off += n;
          if (chunkFill >= chunkBytes) await closeChunk();
          else if (pendingBytes >= WRITE_BUFFER) await flush();
        }
      },
      suspend: closeChunk,
      async finish(verify) {
        await closeChunk();
        const c = await chunksOf(fd);
        if (c.bytes !== written) throw new Error(`cache: ${name} has ${c.bytes} bytes stored, expected ${written}`);
        const blob = new Blob(c.blobs);
        if (info.size !== null && blob.size !== info.size) throw new Error(`cache: ${name} has ${blob.size} bytes, expected ${info.size}`);
        if (verify) await verify(blob);
        await writeText(fd, 'done.json', JSON.stringify({ size: blob.size, etag: info.etag, url: info.url, time: Date.now() }));
        return blob;
      },
    };
  }

  async files(): Promise<CachedFile[]> {
    const out: CachedFile[] = [];
    for (const e of await this.d.entries()) {
      if (e.kind !== 'directory') continue;
      const fd = (await this.d.dir(e.name, false))!;
      const n = await readJson<{ name: string }>(fd, 'name.json');
      if (!n) continue;
      if (await fd.file('absent.json')) {
        out.push({ name: n.name, bytes: 0, size: 0, state: 'absent' });
        continue;
      }
      const info = await readJson<EntryInfo>(fd, 'info.json');
      const done = await readJson<{ size: number }>(fd, 'done.json');
      const c = await this.chunks(fd, false);
      out.push({ name: n.name, bytes: c.bytes, size: done?.size ?? info?.size ?? null, state: done && c.bytes === done.size ? 'complete' : 'partial' });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }
}

export class DirCacheStore implements CacheStore {
  private rootDir: Promise<Dir> | null = null;

  constructor(readonly kind: 'opfs' | 'memory', private readonly top: () => Promise<Dir>, private readonly chunkBytes = DEFAULT_CHUNK) {}

  private root(): Promise<Dir> {
    this.rootDir ??= this.top().then(async (t) => (await t.dir(ROOT, true))!);
    return this.rootDir;
  }

  async group(key: string, meta: GroupMeta): Promise<CacheGroup> {
    const d = (await (await this.root()).dir(folderName(key), true))!;
    const old = await readJson<{ created: number }>(d, 'group.json');
    await writeText(d, 'group.json', JSON.stringify({ ...meta, key, created: old?.created ?? Date.now(), lastUsed: Date.now() }));
    return new DirGroup(key, d, this.chunkBytes);
  }

  async list(): Promise<CachedModel[]> {
    const root = await this.root();
    const out: CachedModel[] = [];
    for (const e of await root.entries()) {
      if (e.kind !== 'directory' || e.name === 'refs') continue;
      const d = (await root.dir(e.name, false))!;
      const meta = await readJson<GroupMeta & { key: string; created: number; lastUsed: number }>(d, 'group.json');
      if (!meta) continue;
      const files = await new DirGroup(meta.key, d, this.chunkBytes).files();
      if (!files.length) continue; // opened, nothing stored (e.g. refused before any file arrived)
      out.push({
        ...meta,
        bytes: files.reduce((s, f) => s + f.bytes, 0),
        complete: files.every((f) => f.state !== 'partial'),
        files,
      });
    }
    return out.sort((a, b) => b.lastUsed - a.lastUsed);
  }

  async delete(key: string): Promise<boolean> {
    const root = await this.root();
    const name = folderName(key);
    if (!(await root.dir(name, false))) return false;
    await root.remove(name);
    return true;
  }

  async clear(): Promise<number> {
    const n = (await this.list()).length;
    const top = await this.top();
    await top.remove(ROOT);
    this.rootDir = null;
    return n;
  }

  async getRef(name: string): Promise<string | null> {
    const refs = await (await this.root()).dir('refs', false);
    const f = refs && (await refs.file(hash(name)));
    return f ? (await f.text()) || null : null;
  }

  async setRef(name: string, value: string): Promise<void> {
    const refs = (await (await this.root()).dir('refs', true))!;
    await writeText(refs, hash(name), value);
  }

  async estimate() {
    if (this.kind === 'memory' || typeof navigator === 'undefined' || !navigator.storage?.estimate) return { usage: null, quota: null };
    const e = await navigator.storage.estimate();
    return { usage: e.usage ?? null, quota: e.quota ?? null };
  }
}

/** A cache in memory (tests, Node, browsers without OPFS): gone with the page. */
export function memoryCache(chunkBytes = DEFAULT_CHUNK): CacheStore {
  const top = new MemDir();
  return new DirCacheStore('memory', async () => top, chunkBytes);
}

/** The OPFS cache when the browser has one (Chromium, Firefox, Safari; window or worker), else memory. */
export function browserCache(chunkBytes = DEFAULT_CHUNK): CacheStore {
  const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
  if (!storage?.getDirectory) return memoryCache(chunkBytes);
  return new DirCacheStore('opfs', async () => new OpfsDir(await storage.getDirectory()), chunkBytes);
}
