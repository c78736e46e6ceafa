// The download cache (OPFS): chunked storage read back byte-exact, the completion marker, a damaged entry
// resumed instead of trusted, offline loads, and the cache manager's list / delete.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EngineHost } from '../../src/protocol/host.ts';
import { browserCache, memoryCache } from '../../src/engine/storage/cache.ts';
import type { LogEntry } from '../setup/hub-server.ts';

const HUB = inject('hubUrl');
const SHARDS = ['model-00001-of-00003.safetensors', 'model-00002-of-00003.safetensors', 'model-00003-of-00003.safetensors'];
const TOKENS = [[256, 72, 101, 108, 108, 111]];
const noop = () => {};
const hub = (repo: string) => ({ source: { kind: 'hub' as const, repo: `seal-test/${repo}`, endpoint: HUB } });
const log = async (repo: string): Promise<LogEntry[]> =>
  ((await (await fetch(`${HUB}/__log`)).json()) as LogEntry[]).filter((e) => e.repo === `seal-test/${repo}`);
const reset = () => fetch(`${HUB}/__reset`, { method: 'POST' });
const served = async (repo: string, file: string) => new Uint8Array(await (await fetch(`${HUB}/seal-test/${repo}/resolve/main/${file}`)).arrayBuffer());
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

/** The OPFS folder holding one cached file (found through each folder's name.json). */
async function opfsFileDir(name: string, repo: string): Promise<FileSystemDirectoryHandle> {
  const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('seal-lab-cache-v1');
  // @ts-expect-error: async iteration of directory handles
  for await (const [, g] of root.entries() as AsyncIterable<[string, FileSystemHandle]>) {
    if (g.kind !== 'directory') continue;
    const gd = g as FileSystemDirectoryHandle;
    const meta = JSON.parse(await (await (await gd.getFileHandle('group.json').catch(() => null))?.getFile())?.text() ?? 'null');
    if (meta?.repo !== repo) continue;
    // @ts-expect-error: async iteration of directory handles
    for await (const [, f] of gd.entries() as AsyncIterable<[string, FileSystemHandle]>) {
      if (f.kind !== 'directory') continue;
      const fd = f as FileSystemDirectoryHandle;
      const n = JSON.parse(await (await (await fd.getFileHandle('name.json')).getFile()).text());
      if (n.name === name) return fd;
    }
  }
  throw new Error(`${repo}/${name} is not cached`);
}

// Small chunks (4 KiB), so every shard is stored as many chunk files.
const store = browserCache(4096);
const host = new EngineHost(navigator.gpu, { cache: store });
let reference: Float32Array;
const logits = async () => (await host.handle('forward', { tokens: TOKENS, adapter: false, logits: true }, noop)).logits!;

beforeAll(async () => {
  await host.handle('init', {}, noop);
  await host.handle('cache-delete', { all: true }, noop);
  await host.handle('load-model', { url: new URL('/tests/golden/llama3-bf16/model', location.origin).href }, noop);
  reference = await logits();
});

describe('download cache', () => {
  it('stores each file in chunks and reads it back byte-exact', async () => {
    await host.handle('load-model', hub('cache-a'), noop);
    expect((await logits()).every((v, i) => Object.is(v, reference[i]))).toBe(true);
    const entry = (await store.list()).find((m) => m.repo === 'seal-test/cache-a')!;
    const group = await store.group(entry.key, entry);
    for (const s of SHARDS) {
      const blob = (await group.complete(s))!;
      expect(same(new Uint8Array(await blob.arrayBuffer()), await served('cache-a', s)), s).toBe(true);
    }
    // @ts-expect-error: async iteration of directory handles
    const chunks = (await Array.fromAsync((await opfsFileDir(SHARDS[0], 'seal-test/cache-a')).keys())).filter((k: string) => k.startsWith('c-'));
    expect(chunks.length).toBe(Math.ceil((await served('cache-a', SHARDS[0])).length / 4096));
  });

  it('an unfinished chunk is never read, and a resumed file is byte-exact', async () => {
    const mem = memoryCache(1000);
    const g = await mem.group('k', { kind: 'url', label: 'test' });
    const data = Uint8Array.from({ length: 3500 }, (_, i) => (i * 7) & 255);
    const w = await g.writer('f.bin', { size: 3500, etag: null, url: 'x' }, 0);
    await w.write(data.subarray(0, 2500)); // chunks 0 and 1000 closed; 2000.. still being written
    expect(await g.complete('f.bin')).toBeNull();
    expect((await g.partial('f.bin'))!.bytes).toBe(2000); // a crash here loses only the open chunk
    const w2 = await g.writer('f.bin', { size: 3500, etag: null, url: 'x' }, 2000);
    await w2.write(data.subarray(2000));
    const blob = await w2.finish(async (b) => expect(b.size).toBe(3500));
    expect(same(new Uint8Array(await blob.arrayBuffer()), data)).toBe(true);
    expect(same(new Uint8Array(await (await g.complete('f.bin'))!.arrayBuffer()), data)).toBe(true);
    // A file that fails its check is not marked complete.
    const w3 = await g.writer('bad.bin', { size: 10, etag: null, url: 'x' }, 0);
    await w3.write(new Uint8Array(10));
    await expect(w3.finish(async () => { throw new Error('bad header'); })).rejects.toThrow('bad header');
    expect(await g.complete('bad.bin')).toBeNull();
  });

  it('a damaged entry (a chunk gone) is not trusted: the next load resumes from the intact prefix', async () => {
    const dir = await opfsFileDir(SHARDS[1], 'seal-test/cache-a');
    await dir.removeEntry('c-000000000008192');
    await reset();
    await host.handle('load-model', hub('cache-a'), noop);
    expect((await logits()).every((v, i) => Object.is(v, reference[i]))).toBe(true);
    const requests = (await log('cache-a')).filter((r) => r.file !== '(api)');
    expect(requests.map((r) => [r.file, r.range])).toEqual([[SHARDS[1], 'bytes=8192-']]);
  });

  it('offline, a cached model loads from disk; an uncached one says so', async () => {
    const real = globalThis.fetch;
    globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (String(input instanceof Request ? input.url : input).startsWith(HUB)) throw new TypeError('Failed to fetch');
      return real(input, init);
    }) as typeof fetch;
    try {
      await host.handle('load-model', { url: new URL('/tests/golden/llama3-bf16/model', location.origin).href }, noop);
      const m = await host.handle('load-model', hub('cache-a'), noop);
      expect(m.source.commit).toMatch(/^[0-9a-f]{40}$/);
      expect((await logits()).every((v, i) => Object.is(v, reference[i]))).toBe(true);
      const e = await host.handle('load-model', hub('cache-never'), noop).then(() => null, (x: Error) => x);
      expect(e?.name).toBe('DownloadError');
      expect(e?.message).toMatch(/seal-test\/cache-never@main: cannot reach .* not in the cache/);
    } finally {
      globalThis.fetch = real;
    }
  });

  it('cache-list describes each model; cache-delete removes one, then everything', async () => {
    await host.handle('load-model', hub('tiny-llama-sharded'), noop);
    const list = await host.handle('cache-list', {}, noop);
    expect(list.store).toBe('opfs');
    expect(list.quota).toBeGreaterThan(0);
    const a = list.models.find((m) => m.repo === 'seal-test/cache-a')!;
    expect(a).toMatchObject({ kind: 'hub', label: 'seal-test/cache-a@main', revision: 'main', endpoint: HUB, complete: true });
    expect(a.commit).toMatch(/^[0-9a-f]{40}$/);
    let total = 0;
    for (const s of SHARDS) total += (await served('cache-a', s)).length;
    const shardBytes = a.files.filter((f) => SHARDS.includes(f.name)).reduce((x, f) => x + f.bytes, 0);
    expect(shardBytes).toBe(total);
    expect(a.files.find((f) => f.name === 'model.safetensors')).toMatchObject({ state: 'absent', bytes: 0 });
    expect(a.bytes).toBe(a.files.reduce((x, f) => x + f.bytes, 0));

    expect(await host.handle('cache-delete', { key: a.key }, noop)).toEqual({ deleted: 1 });
    expect(await host.handle('cache-delete', { key: a.key }, noop)).toEqual({ deleted: 0 });
    const after = await host.handle('cache-list', {}, noop);
    expect(after.models.map((m) => m.repo)).toEqual(['seal-test/tiny-llama-sharded']);
    await reset();
    await host.handle('load-model', hub('cache-a'), noop); // downloads again
    expect((await log('cache-a')).filter((r) => SHARDS.includes(r.file)).map((r) => r.status)).toEqual([200, 200, 200]);
    expect((await host.handle('cache-delete', { all: true }, noop)).deleted).toBe(2);
    expect((await host.handle('cache-list', {}, noop)).models).toEqual([]);
  });
});

afterAll(() => host.handle('cache-delete', { all: true }, noop));
