// Folders over HTTP. `rangeFolder`: a folder URL read in place with HTTP Range (the embedded model, the CLI's
// local folders, a static mirror), no cache. `cachedFolder`: every file downloaded to the cache first, then read
// from disk (Hub repos; URL folders with `cache: true`).
import { DownloadError, GatedModelError } from '../model/errors.ts';
import type { CacheGroup, CacheStore } from './cache.ts';
import { download, isHtmlFallback, parseContentRange, type DownloadOptions } from './download.ts';
import { blobFile, bytesFile, type ModelFolder, type RandomAccessFile } from './files.ts';
import { verifySafetensors } from './tensors.ts';

/** The first range read of a file: enough for the safetensors header of most checkpoints. */
const PREFIX = 1 << 18;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** fetch with a few retries on network errors and 5xx (range reads of a folder served in place). */
async function fetchRetry(url: string, init: RequestInit, name: string, retries = 3): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(url, init);
      if (res.status < 500 || attempt >= retries) return res;
      void res.body?.cancel().catch(() => {});
    } catch (e) {
      if ((init.signal as AbortSignal | undefined)?.aborted) throw new DownloadError(`${name}: cancelled`, { source: name, url, cancelled: true, cause: e });
      if (attempt >= retries) throw new DownloadError(`${name}: network error reading ${url} (${(e as Error).message})`, { source: name, url, cause: e });
    }
    await sleep(250 * 2 ** attempt);
  }
}

function httpFailure(res: Response, name: string, url: string): Error {
  if (res.status === 401 || res.status === 403) {
    return new GatedModelError(`${name}: ${url} answered HTTP ${res.status}: the server needs credentials this lab does not have`, { source: name, status: res.status });
  }
  return new DownloadError(`GET ${url}: HTTP ${res.status} ${res.statusText}`.trim(), { source: name, url, status: res.status });
}

export function rangeFolder(base: string, opts: DownloadOptions = {}): ModelFolder {
  const root = base.endsWith('/') ? base : `${base}/`;
  const urlOf = (name: string) => root + name.split('/').map(encodeURIComponent).join('/');
  const signal = opts.signal;
  return {
    label: base,
    async get(name) {
      const url = urlOf(name);
      const res = await fetchRetry(url, { signal }, name);
      if (res.status === 404 || isHtmlFallback(res, name)) return null;
      if (!res.ok) throw httpFailure(res, name, url);
      return res.arrayBuffer();
    },
    async open(name): Promise<RandomAccessFile | null> {
      const url = urlOf(name);
      const res = await fetchRetry(url, { signal, headers: { Range: `bytes=0-${PREFIX - 1}` }, cache: 'no-store' }, name);
      if (res.status === 404 || isHtmlFallback(res, name)) return null;
      if (res.status === 416) return bytesFile(name, new Uint8Array(0)); // an empty file
      if (!res.ok) throw httpFailure(res, name, url);
      if (res.status === 200) {
        // No Range support: read it all (with progress), then slice in memory.
        return bytesFile(name, await readBody(res, name, opts));
      }
      const cr = parseContentRange(res.headers.get('content-range'));
      if (!cr || cr.start !== 0 || cr.total === null) throw new DownloadError(`${name}: ${url} answered a range request with Content-Range ${res.headers.get('content-range')}`, { source: name, url });
      const prefix = new Uint8Array(await res.arrayBuffer());
      if (prefix.byteLength !== Math.min(PREFIX, cr.total)) {
        throw new DownloadError(`${name}: truncated response (${prefix.byteLength} of ${Math.min(PREFIX, cr.total)} bytes)`, { source: name, url });
      }
      const size = cr.total;
      return {
        name,
        size,
        async read(start, end) {
          end = Math.min(end, size);
          if (end <= start) return new Uint8Array(0);
          if (end <= prefix.byteLength) return prefix.subarray(start, end);
          const r = await fetchRetry(url, { signal, headers: { Range: `bytes=${start}-${end - 1}` }, cache: 'no-store' }, name);
          const got = r.status === 206 ? parseContentRange(r.headers.get('content-range')) : null;
          if (!got || got.start !== start || got.end !== end - 1) {
            void r.body?.cancel().catch(() => {});
            if (!r.ok) throw httpFailure(r, name, url);
            throw new DownloadError(`${name}: ${url} did not answer the range ${start}-${end - 1} (HTTP ${r.status}); the file changed on the server?`, { source: name, url });
          }
          const b = new Uint8Array(await r.arrayBuffer());
          if (b.byteLength !== end - start) throw new DownloadError(`${name}: truncated range read (${b.byteLength} of ${end - start} bytes)`, { source: name, url });
          return b;
        },
      };
    },
  };
}

/** A whole response body in memory, with download progress. */
async function readBody(res: Response, name: string, opts: DownloadOptions): Promise<Uint8Array> {
  const total = Number(res.headers.get('content-length') ?? NaN);
  const known = Number.isFinite(total) && !res.headers.get('content-encoding');
  const parts: Uint8Array[] = [];
  let loaded = 0;
  const t0 = performance.now();
  const reader = res.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    loaded += value.byteLength;
    const rate = (loaded * 1000) / Math.max(1, performance.now() - t0);
    opts.onProgress?.({
      file: name, loaded, total: known ? total : null, bytesPerSecond: rate, etaSeconds: known ? (total - loaded) / rate : null, fromCache: false, done: false, resumedFrom: 0,
    });
  }
  if (known && loaded !== total) throw new DownloadError(`${name}: truncated: got ${loaded} of ${total} bytes`, { source: name });
  const out = new Uint8Array(loaded);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  opts.onProgress?.({ file: name, loaded, total: loaded, bytesPerSecond: 0, etaSeconds: 0, fromCache: false, done: true, resumedFrom: 0 });
  return out;
}

export interface CachedFolderSpec {
  label: string;
  group: CacheGroup;
  store: CacheStore;
  urlOf: (name: string) => string;
  headers?: Record<string, string>;
  /** Files the source is known to hold, with their sizes (the Hub API's listing); null when unknown. */
  listing?: Map<string, number | null> | null;
  httpError?: (res: Response, name: string) => Error | null;
  commit?: string | null;
}

export function cachedFolder(spec: CachedFolderSpec, opts: DownloadOptions = {}): ModelFolder {
  const open = async (name: string): Promise<RandomAccessFile | null> => {
    if (spec.listing && !spec.listing.has(name)) {
      // Not in the repo: remember it, so an offline load (no listing) needs no request for it either.
      if (!(await spec.group.isAbsent(name))) await spec.group.markAbsent(name);
      return null;
    }
    const blob = await download(spec.group, {
      name,
      url: spec.urlOf(name),
      headers: spec.headers,
      where: spec.label,
      expectedSize: spec.listing?.get(name) ?? null,
      verify: name.endsWith('.safetensors') ? verifySafetensors(name) : undefined,
      httpError: spec.httpError ? (res) => spec.httpError!(res, name) : undefined,
    }, { estimate: () => spec.store.estimate(), ...opts });
    return blob ? blobFile(name, blob) : null;
  };
  return {
    label: spec.label,
    commit: spec.commit ?? null,
    open,
    get: async (name) => {
      const f = await open(name);
      return f ? (await f.read(0, f.size)).slice().buffer as ArrayBuffer : null;
    },
    evict: async () => void (await spec.store.delete(spec.group.key)),
  };
}
