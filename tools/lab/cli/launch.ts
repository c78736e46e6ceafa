// Runs the engine worker (the same code the app uses) in headless Chromium, driven from Node: a Vite dev server
// serves the repo and any local model folders, a tiny page (page.html) starts EngineClient, and `call` goes
// through page.evaluate. Shared by the CLI (seal.ts) and the benchmark (tools/lab/bench/bench.ts).
import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { dirname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext } from 'playwright-core';
import type { Plugin, ViteDevServer } from 'vite';
import { chromeArgs, findChrome } from '../browser/chrome.ts';
import type { Api, EngineEvent, RequestKind } from '../../../src/protocol/api.ts';
import { UsageError } from './args.ts';
import { workerHeapBytes } from './worker_heap.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const PAGE = '/tools/lab/cli/page.html';

/** Deep-converts a result to what JSON and page.evaluate carry: typed arrays become number arrays. */
export type Plain<T> = T extends Float32Array ? number[] : T extends Uint8Array ? Uint8Array : T extends object ? { [K in keyof T]: Plain<T[K]> } : T;

/** Undoes page.ts's base64 of byte arrays. */
function revive(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(revive);
  if (x && typeof x === 'object') {
    if (typeof (x as { __base64?: unknown }).__base64 === 'string') return new Uint8Array(Buffer.from((x as { __base64: string }).__base64, 'base64'));
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, revive(v)]));
  }
  return x;
}

/** Parses `bytes=a-b`, `bytes=a-`, `bytes=-n` (one range) against a file of `size` bytes. */
export function parseRange(header: string, size: number): { start: number; end: number } | 'invalid' {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (!m[1] && !m[2])) return 'invalid';
  let start: number;
  let end: number;
  if (!m[1]) {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
  }
  return start > end || start >= size ? 'invalid' : { start, end };
}

/** The file a /@folder/<n>/<name> path names, if it exists inside folder n. */
function folderFile(folders: string[], path: string): string | null {
  const m = /^\/@folder\/(\d+)\/(.+)$/.exec(path);
  const root = m && folders[Number(m[1])];
  if (!m || !root) return null;
  let file: string;
  try {
    file = resolve(root, decodeURIComponent(m[2]));
  } catch {
    return null; // malformed %-escape
  }
  if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) return null;
  return file;
}

/** Serves `folders[n]` under /@folder/<n>/ with Content-Length, Range and 404s (no directory listings). */
function folderPlugin(folders: string[]): Plugin {
  const serve = (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    const path = (req.url ?? '').split('?')[0];
    if (!path.startsWith('/@folder/')) return next();
    const file = folderFile(folders, path);
    if (!file) {
      res.statusCode = 404;
      return res.end('not found');
    }
    const size = statSync(file).size;
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Cache-Control', 'no-store');
    let start = 0;
    let end = size - 1;
    if (req.headers.range) {
      const r = parseRange(req.headers.range, size);
      if (r === 'invalid') {
        res.statusCode = 416;
        res.setHeader('Content-Range', `bytes */${size}`);
        return res.end();
      }
      ({ start, end } = r);
      res.statusCode = 206;
      res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
    }
    res.setHeader('Content-Length', String(Math.max(0, end - start + 1)));
    if (req.method === 'HEAD' || size === 0) return res.end();
    createReadStream(file, { start, end }).pipe(res);
  };
  // configureServer runs before Vite's own middlewares, so /@folder/ never reaches its 404 or SPA fallback.
  return { name: 'seal-folders', configureServer: (server) => void server.middlewares.use(serve) };
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createNetServer();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => ok(port));
    });
  });
}

/** Whether a port can be listened on now. */
function portFree(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const srv = createNetServer();
    srv.once('error', () => ok(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => ok(true)));
  });
}

/**
 * With a kept profile, a port fixed by the profile's path: OPFS (the model cache) belongs to the page's origin,
 * port included, so the same origin every run finds the same cache. Otherwise any free port.
 */
async function serverPort(profileDir?: string): Promise<number> {
  if (!profileDir) return freePort();
  let h = 0;
  for (const c of resolve(profileDir)) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const port = 20_000 + (h % 20_000);
  if (await portFree(port)) return port;
  process.stderr.write(`port ${port} (fixed for --cache-dir ${profileDir}) is busy: this run uses another one and an empty cache\n`);
  return freePort();
}

export interface Engine {
  /** The URL the worker fetches for a model/adapter argument: http(s) URLs as is, local folders served. */
  resolve(dirOrUrl: string): string;
  call<K extends RequestKind>(kind: K, req: Api[K]['req'], onEvent?: (e: EngineEvent) => void): Promise<Plain<Api[K]['res']>>;
  /** The engine worker's JS heap after a garbage collection (null when it cannot be read, e.g. a persistent profile). */
  workerHeapBytes(): Promise<number | null>;
  close(): Promise<void>;
}

export interface LaunchOptions {
  /**
   * A browser profile folder kept across runs (created if missing): the engine's download cache (OPFS) lives in
   * it, so a Hub model downloads once. Without it each run gets a fresh, empty profile.
   */
  profileDir?: string;
}

export async function launchEngine(opts: LaunchOptions = {}): Promise<Engine> {
  const folders: string[] = [];
  let server: ViteDevServer | null = null;
  let browser: Browser | null = null;
  let context: BrowserContext | null = null;
  // Playwright and Vite are loaded here, not at the top (a usage error exits before either, ~2 s sooner), and the
  // browser starts while the server does: a second process, so the two overlap.
  const { chromium } = await import('playwright-core');
  const launchOpts = { executablePath: findChrome(), args: chromeArgs(), headless: true };
  // A persistent profile: OPFS (the model cache) survives the run (same origin: see serverPort).
  if (opts.profileDir) mkdirSync(opts.profileDir, { recursive: true });
  const launching: Promise<Browser | BrowserContext> = opts.profileDir
    ? chromium.launchPersistentContext(resolve(opts.profileDir), launchOpts)
    : chromium.launch(launchOpts);
  launching.catch(() => {}); // a failed launch is thrown where it is awaited below, not as an unhandled rejection
  const close = async () => {
    await launching.then((b) => b.close()).catch(() => {}); // the browser or the persistent context, awaited or not
    await server?.close().catch(() => {});
    browser = server = context = null;
  };
  try {
    const { createServer } = await import('vite');
    server = await createServer({
      root: ROOT,
      configFile: false, // the app's config (React plugin) is not needed for the worker
      logLevel: 'error',
      clearScreen: false,
      // Its own cache, so a running `npm start` or vitest never shares (or re-optimizes) it.
      cacheDir: resolve(ROOT, 'node_modules/.vite/seal-cli'),
      plugins: [folderPlugin(folders)],
      // Pre-bundle up front: a dependency discovered later (the tokenizer's lazy import) would reload the page
      // in the middle of a request.
      optimizeDeps: { include: ['zod', '@huggingface/transformers'], noDiscovery: true },
      // A fixed free port rather than 0: Vite's client (in the page, and imported by the tokenizer's pre-bundle)
      // dials the configured port for its WebSocket. HMR and file watching stay off.
      server: { port: await serverPort(opts.profileDir), strictPort: true, host: '127.0.0.1', hmr: false, watch: null, fs: { allow: [ROOT] } },
    });
    await server.listen();
    const { port } = server.httpServer!.address() as AddressInfo;
    const base = `http://127.0.0.1:${port}`;

    let page;
    if (opts.profileDir) {
      context = (await launching) as BrowserContext;
      page = context.pages()[0] ?? (await context.newPage());
    } else {
      browser = (await launching) as Browser;
      page = await browser.newPage();
    }
    page.on('console', (m) => { if (m.type() === 'error') process.stderr.write(`[page] ${m.text()}\n`); });
    page.on('pageerror', (e) => process.stderr.write(`[page] ${e.message}\n`));
    page.on('worker', (w) => w.on('console', (m) => { if (m.type() === 'error') process.stderr.write(`[worker] ${m.text()}\n`); }));
    const listeners = new Map<number, (e: EngineEvent) => void>();
    await page.exposeFunction('sealEvent', (id: number, e: EngineEvent) => listeners.get(id)?.(e));
    await page.goto(base + PAGE);
    await page.waitForFunction(() => 'seal' in window, null, { timeout: 60_000 });

    let nextId = 1;
    return {
      resolve(dirOrUrl) {
        if (/^https?:\/\//i.test(dirOrUrl)) return dirOrUrl;
        const dir = resolve(dirOrUrl);
        if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`no such folder: ${dirOrUrl}`);
        let n = folders.indexOf(dir);
        if (n < 0) n = folders.push(dir) - 1;
        return `${base}/@folder/${n}`;
      },
      async call(kind, req, onEvent) {
        const id = nextId++;
        if (onEvent) listeners.set(id, onEvent);
        try {
          const r = await page.evaluate(([id, kind, req]) => window.seal(id, kind, req), [id, kind, req] as const);
          if ('error' in r) throw Object.assign(new Error(r.error.message), { name: r.error.name, engine: true });
          return revive(r.ok) as never;
        } finally {
          listeners.delete(id);
        }
      },
      workerHeapBytes: async () => (browser ? workerHeapBytes(browser) : null),
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

declare global {
  interface Window {
    seal(id: number, kind: string, req: unknown): Promise<{ ok: unknown } | { error: { name: string; message: string } }>;
  }
}

/**
 * Runs a command-line program around an Engine: exit 0 on success, 2 on a UsageError (`prog: message`, then
 * `usage`), 1 with `Name: message` on any other error. The engine (browser and server) is closed on every
 * path, SIGINT and SIGTERM included.
 */
export async function runMain(prog: string, usage: string, body: (open: (opts?: LaunchOptions) => Promise<Engine>) => Promise<void>): Promise<void> {
  let engine: Engine | null = null;
  let stopping = false;
  const stop = (code: number) => {
    stopping = true;
    process.stderr.write('interrupted\n');
    void (engine?.close() ?? Promise.resolve()).finally(() => process.exit(code));
  };
  process.once('SIGINT', () => stop(130));
  process.once('SIGTERM', () => stop(143));
  try {
    await body(async (opts) => (engine = await launchEngine(opts)));
    process.exitCode = 0;
  } catch (e) {
    if (stopping) return;
    const err = e as Error;
    if (err instanceof UsageError) {
      process.stderr.write(`${prog}: ${err.message}\n${usage}\n`);
      process.exitCode = 2;
      return;
    }
    // Playwright appends pages of browser logs to its messages; the first part says what failed.
    const message = String(err.message).split(/\n(?:Browser logs|Call log):/)[0];
    process.stderr.write(`${err.name || 'Error'}: ${message}\n`);
    if (process.env.SEAL_DEBUG && err.stack) process.stderr.write(err.stack + '\n');
    process.exitCode = 1;
  } finally {
    await (engine as Engine | null)?.close();
  }
}
