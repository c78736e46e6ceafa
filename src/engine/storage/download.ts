// One file from the network into the cache: streamed (never whole in memory), with progress (bytes, rate, time
// left), retried and resumed with HTTP Range from the bytes already stored, checked against the size the server
// announced, and marked complete only after the caller's check of the content passed.
import { DownloadError } from '../model/errors.ts';
import type { CacheGroup, EntryWriter } from './cache.ts';

export interface DownloadProgress {
  file: string;
  /** Bytes of the file stored so far (resumed bytes included). */
  loaded: number;
  /** Full size, when known. */
  total: number | null;
  /** Over the last few seconds of this transfer (0 for cache hits). */
  bytesPerSecond: number;
  etaSeconds: number | null;
  /** The file came from the cache (no transfer). */
  fromCache: boolean;
  /** Last event for this file. */
  done: boolean;
  /** Bytes that were already stored when this transfer started (resume), else 0. */
  resumedFrom: number;
}

export interface DownloadOptions {
  /** Consecutive failed attempts (network errors, truncated bodies, 5xx) before giving up. Default 5. */
  retries?: number;
  /** First back-off delay in ms, doubled after each failure (max 30 s). Default 500. */
  retryDelayMs?: number;
  onProgress?: (p: DownloadProgress) => void;
  signal?: AbortSignal;
  /** Minimum time between progress events of one file. Default 200 ms. */
  progressIntervalMs?: number;
  /** Storage use and quota, to fail early with a clear message when the file cannot fit. */
  estimate?: () => Promise<{ usage: number | null; quota: number | null }>;
}

export interface FileRequest {
  name: string;
  url: string;
  headers?: Record<string, string>;
  /** For messages: `org/name@main` or the folder URL. */
  where: string;
  /** Size the repo listing announced, when known: a different Content-Length is an error. */
  expectedSize?: number | null;
  /** Checks the complete file before it is marked complete (e.g. the safetensors header); throws to reject. */
  verify?: (blob: Blob) => Promise<void>;
  /** Maps an HTTP error response to an error (401/403 → GatedModelError on the Hub); null for the default. */
  httpError?: (res: Response) => Error | null;
}

const fmt = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${n} bytes`);

/** `bytes a-b/total` → numbers (total null for `*`). */
export function parseContentRange(h: string | null): { start: number; end: number; total: number | null } | null {
  const m = h && /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(h.trim());
  return m ? { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? null : Number(m[3]) } : null;
}

/** A strong ETag (If-Range accepts only those). */
const strongEtag = (e: string | null) => (e && !e.startsWith('W/') ? e : null);

/** Dev servers and static hosts answer unknown paths with their index.html: that means "no such file". */
export const isHtmlFallback = (res: Response, name: string) =>
  res.ok && !name.endsWith('.html') && !!res.headers.get('content-type')?.startsWith('text/html');

class Meter {
  private samples: Array<[number, number]> = [];
  constructor(private readonly t0 = performance.now()) {
    this.samples.push([this.t0, 0]);
  }
  /** Bytes/s over the last ~5 s of this transfer. */
  rate(bytes: number): number {
    const now = performance.now();
    this.samples.push([now, bytes]);
    while (this.samples.length > 2 && now - this.samples[1][0] > 5000) this.samples.shift();
    const [t, b] = this.samples[0];
    return now - t > 0 ? ((bytes - b) * 1000) / (now - t) : 0;
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((ok, fail) => {
    const t = setTimeout(ok, ms);
    signal?.addEventListener('abort', () => { clearTimeout(t); fail(signal.reason); }, { once: true });
  });

const isAbort = (e: unknown, signal?: AbortSignal) => !!signal?.aborted || (e as Error)?.name === 'AbortError';

/**
 * The file, complete, from the cache or the network; null when the source has no such file (404). Throws
 * DownloadError (network, truncation, cancel, disk space), or what `httpError`/`verify` throw.
 */
export async function download(group: CacheGroup, req: FileRequest, opts: DownloadOptions = {}): Promise<Blob | null> {
  const { name, url, where } = req;
  const emit = opts.onProgress ?? (() => {});
  const cached = await group.complete(name);
  if (cached) {
    emit({ file: name, loaded: cached.size, total: cached.size, bytesPerSecond: 0, etaSeconds: 0, fromCache: true, done: true, resumedFrom: 0 });
    return cached;
  }
  if (await group.isAbsent(name)) return null;

  const retries = opts.retries ?? 5;
  const interval = opts.progressIntervalMs ?? 200;
  let delay = opts.retryDelayMs ?? 500;
  const fail = (msg: string, extra: { status?: number; cause?: unknown; cancelled?: boolean } = {}) =>
    new DownloadError(`${name} (${where}): ${msg}`, { source: name, url, ...extra });

  const partial = await group.partial(name);
  let writer: EntryWriter | null = null;
  let from = partial?.bytes ?? 0;
  let etag = partial?.info.etag ?? null;
  let total: number | null = partial?.info.size ?? null;
  const resumedFrom = from;
  const meter = new Meter();
  let sessionBytes = 0;
  let failures = 0;
  let lastEmit = 0;

  const progress = (loaded: number, done = false) => {
    const now = performance.now();
    if (!done && now - lastEmit < interval) return;
    lastEmit = now;
    const rate = meter.rate(sessionBytes);
    emit({
      file: name, loaded, total, bytesPerSecond: rate, fromCache: false, done, resumedFrom,
      etaSeconds: total === null ? null : done ? 0 : rate > 0 ? (total - loaded) / rate : null,
    });
  };

  /** One more failure without progress: back off, or give up. */
  const retryOrThrow = async (err: DownloadError) => {
    if (++failures > retries) {
      await writer?.suspend().catch(() => {});
      throw err;
    }
    await sleep(delay, opts.signal).catch((e) => { throw fail('cancelled', { cancelled: true, cause: e }); });
    delay = Math.min(delay * 2, 30_000);
  };

  try {
    for (;;) {
      if (opts.signal?.aborted) {
        await writer?.suspend().catch(() => {});
        throw fail('cancelled', { cancelled: true });
      }
      const headers: Record<string, string> = { ...req.headers };
      if (from > 0) {
        headers.Range = `bytes=${from}-`;
        const strong = strongEtag(etag);
        if (strong) headers['If-Range'] = strong;
      }
      let res: Response;
      try {
        res = await fetch(url, { headers, signal: opts.signal, cache: 'no-store' });
      } catch (e) {
        if (isAbort(e, opts.signal)) {
          await writer?.suspend().catch(() => {});
          throw fail('cancelled', { cancelled: true, cause: e });
        }
        await retryOrThrow(fail(`network error (${(e as Error).message}); check the connection and load again to resume`, { cause: e }));
        continue;
      }

      if (res.status === 404 || isHtmlFallback(res, name)) {
        void res.body?.cancel().catch(() => {});
        if (from > 0) {
          // The file went away under a partial download: start over, then report absence if it still is.
          await group.remove(name);
          from = 0;
          writer = null;
          continue;
        }
        await group.markAbsent(name);
        return null;
      }
      if (res.status === 416 && from > 0) {
        // Our partial is not a prefix of what the server has (or is already whole): start over.
        void res.body?.cancel().catch(() => {});
        from = 0;
        writer = null;
        total = null;
        continue;
      }
      if (!res.ok) {
        void res.body?.cancel().catch(() => {});
        const mapped = req.httpError?.(res);
        if (mapped) throw mapped;
        const err = fail(`HTTP ${res.status} ${res.statusText}`.trim(), { status: res.status });
        if (res.status >= 500 || res.status === 429 || res.status === 408) {
          await retryOrThrow(err);
          continue;
        }
        throw err;
      }

      // Where this body starts and how long the file is.
      const encoded = !!res.headers.get('content-encoding') && res.headers.get('content-encoding') !== 'identity';
      const length = encoded ? null : Number(res.headers.get('content-length') ?? NaN);
      let start = 0;
      let fileSize: number | null;
      if (res.status === 206) {
        const cr = parseContentRange(res.headers.get('content-range'));
        if (!cr || cr.start !== from) {
          void res.body?.cancel().catch(() => {});
          // A range we did not ask for: ask for the whole file instead.
          from = 0;
          writer = null;
          total = null;
          if (++failures > retries) throw fail(`the server answered a range request with ${res.headers.get('content-range') ?? 'no Content-Range'}`);
          continue;
        }
        start = cr.start;
        fileSize = cr.total;
        if (length !== null && Number.isFinite(length) && length !== cr.end - cr.start + 1) {
          void res.body?.cancel().catch(() => {});
          throw fail(`Content-Length ${length} does not match Content-Range ${res.headers.get('content-range')}`);
        }
      } else {
        fileSize = length !== null && Number.isFinite(length) ? length : null; // 200: the whole file
      }
      if (fileSize !== null && req.expectedSize != null && fileSize !== req.expectedSize) {
        void res.body?.cancel().catch(() => {});
        throw fail(`the server sends ${fileSize} bytes but the repo lists ${req.expectedSize}; the file changed or the mirror is inconsistent`);
      }
      if (start === 0 || (total !== null && fileSize !== null && fileSize !== total)) {
        // Fresh start (or the file changed size since the partial): drop what was stored.
        if (start !== 0) {
          void res.body?.cancel().catch(() => {});
          from = 0;
          writer = null;
          total = null;
          continue;
        }
        total = fileSize ?? req.expectedSize ?? null;
        etag = res.headers.get('etag');
        await writer?.suspend().catch(() => {});
        if (opts.estimate && total !== null) {
          const { usage, quota } = await opts.estimate().catch(() => ({ usage: null, quota: null }));
          if (usage !== null && quota !== null && quota - usage < total) {
            void res.body?.cancel().catch(() => {});
            throw fail(`not enough storage for the model cache: the file needs ${fmt(total)} but only ${fmt(Math.max(0, quota - usage))} is available; free space (delete cached models) and retry`);
          }
        }
        writer = await group.writer(name, { size: total, etag, url }, 0);
        from = 0;
      } else {
        total ??= fileSize;
        writer ??= await group.writer(name, { size: total, etag, url }, from);
      }
      if (!res.body) throw fail('the response has no body');

      // Stream the body into the cache.
      const reader = res.body.getReader();
      const before = writer.written;
      let broken: unknown = null;
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          if (total !== null && writer.written + value.byteLength > total) {
            await reader.cancel().catch(() => {});
            await group.remove(name);
            throw fail(`the server sent more than the ${total} bytes it announced; the download was discarded`);
          }
          try {
            await writer.write(value);
          } catch (e) {
            await reader.cancel().catch(() => {});
            if ((e as DOMException).name === 'QuotaExceededError') {
              await writer.suspend().catch(() => {});
              throw fail('the browser refused to store more data (storage quota exceeded); delete cached models or free disk space, then load again to resume', { cause: e });
            }
            throw fail(`could not write to the model cache (${(e as Error).name}: ${(e as Error).message})`, { cause: e });
          }
          sessionBytes += value.byteLength;
          progress(writer.written);
        }
      } catch (e) {
        if (e instanceof DownloadError) throw e;
        broken = e;
      }
      from = writer.written;
      if (from > before) {
        failures = 0; // progress was made: the retry budget starts again
        delay = opts.retryDelayMs ?? 500;
      }
      if (broken !== null) {
        if (isAbort(broken, opts.signal)) {
          await writer.suspend().catch(() => {});
          throw fail('cancelled', { cancelled: true, cause: broken });
        }
        await retryOrThrow(fail(`connection lost after ${from}${total !== null ? ` of ${total}` : ''} bytes (${(broken as Error).message}); load again to resume`, { cause: broken }));
        continue;
      }
      if (total !== null && from < total) {
        await retryOrThrow(fail(`truncated: the server closed the connection after ${from} of ${total} bytes; load again to resume`));
        continue;
      }
      break;
    }
  } catch (e) {
    await writer?.suspend().catch(() => {}); // keep what arrived: the next load resumes from it
    throw e;
  }

  try {
    const blob = await writer!.finish(req.verify);
    progress(blob.size, true);
    return blob;
  } catch (e) {
    await group.remove(name); // never keep a file that failed its check
    throw e;
  }
}
