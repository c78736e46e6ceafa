// `npm run bench -- --peer`: serves the repository and the exported models (tools/lab/peer/.data/, from
// `npm run peer:export`) with Vite, opens tools/lab/peer/page.html in headless Chromium (same adapter flags as the
// CLI) and runs the engine against onnxruntime-web there. The page is cross-origin isolated (COOP/COEP), so
// onnxruntime-web's WASM fallback may use threads.
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve, sep } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { createServer, type Plugin, type ViteDevServer } from 'vite';
import { chromeArgs, findChrome } from '../browser/chrome.ts';
import { parseRange, ROOT } from '../cli/launch.ts';
import type { PeerReport } from '../../../src/bench/types.ts';
import type { PeerModelSpec, PeerSpec } from './page.ts';

export const PEER_DATA = resolve(ROOT, 'tools/lab/peer/.data');

/** The two models of the comparison; the engine reads the mini model from public/, the wide one from its export. */
export function peerModels(o: { wideRounds?: number; widePrompt?: number; wideNew?: number } = {}): Array<Omit<PeerModelSpec, 'folder' | 'onnx'> & { dir: string }> {
  return [
    { name: 'seal-mini-arc', note: 'the embedded model as it ships (6 layers × 96, vocab 270, f32)', dir: resolve(ROOT, 'public/models/seal-mini-arc'), promptTokens: 32, newTokens: 32, rounds: 3 },
    {
      name: 'llama-1b-width-2l', note: 'Llama-3.2-1B width (2048, FFN 8192, 32/8 heads) with 2 of 16 layers and vocab 32768 of 128256, random f32 weights',
      dir: join(PEER_DATA, 'llama-1b-width-2l'), promptTokens: o.widePrompt ?? 16, newTokens: o.wideNew ?? 4, rounds: o.wideRounds ?? 1,
    },
  ];
}

/** /@peer/<name>/<file>: the engine's folder (dir) and the ONNX export, with Range (the engine's loader reads by range). */
function dataPlugin(dirs: Map<string, string>): Plugin {
  const serve = (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    const m = /^\/@peer\/([^/]+)\/([^/?]+)/.exec(req.url ?? '');
    if (!m) return next();
    const base = m[2] === 'model.onnx' ? join(PEER_DATA, m[1]) : dirs.get(m[1]);
    const file = base && resolve(base, m[2]);
    if (!file || !file.startsWith(base + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.statusCode = 404;
      return res.end('not found');
    }
    const size = statSync(file).size;
    let [start, end] = [0, size - 1];
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    if (req.headers.range) {
      const r = parseRange(req.headers.range, size);
      if (r === 'invalid') {
        res.statusCode = 416;
        return res.end();
      }
      ({ start, end } = r);
      res.statusCode = 206;
      res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
    }
    res.setHeader('Content-Length', String(end - start + 1));
    createReadStream(file, { start, end }).pipe(res);
  };
  return { name: 'seal-peer-data', configureServer: (server) => void server.middlewares.use(serve) };
}

export async function runPeer(log: (m: string) => void, opts: { ep?: 'webgpu' | 'wasm'; only?: string[] } & Parameters<typeof peerModels>[0] = {}): Promise<PeerReport> {
  const models = peerModels(opts).filter((m) => !opts.only || opts.only.includes(m.name));
  for (const m of models) {
    if (!existsSync(join(PEER_DATA, m.name, 'model.onnx'))) throw new Error(`${join(PEER_DATA, m.name, 'model.onnx')} is missing: run \`npm run peer:export\` first`);
  }
  let server: ViteDevServer | null = null;
  let browser: Browser | null = null;
  try {
    server = await createServer({
      root: ROOT, configFile: false, logLevel: 'error', clearScreen: false,
      cacheDir: resolve(ROOT, 'node_modules/.vite/seal-peer'),
      plugins: [dataPlugin(new Map(models.map((m) => [m.name, m.dir])))],
      // onnxruntime-web is served as its own ESM bundle (pre-bundling would move it away from its .wasm files)
      optimizeDeps: { include: ['zod'], exclude: ['onnxruntime-web'], noDiscovery: true },
      server: {
        port: 0, host: '127.0.0.1', hmr: false, watch: null, fs: { allow: [ROOT] },
        headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
      },
    });
    await server.listen();
    const { port } = server.httpServer!.address() as AddressInfo;
    const base = `http://127.0.0.1:${port}`;
    browser = await chromium.launch({ executablePath: findChrome(), args: chromeArgs(), headless: true });
    const page = await browser.newPage();
    page.on('console', (m) => { if (m.text().startsWith('peer: ')) log(m.text()); else if (m.type() === 'error') log(`[page] ${m.text()}`); });
    page.on('pageerror', (e) => log(`[page] ${e.message}`));
    await page.goto(`${base}/tools/lab/peer/page.html`);
    await page.waitForFunction(() => 'peerRun' in window, null, { timeout: 120_000 });
    const spec: PeerSpec = {
      ep: opts.ep ?? 'webgpu',
      models: models.map(({ dir: _dir, ...m }) => ({ ...m, folder: `${base}/@peer/${m.name}`, onnx: `${base}/@peer/${m.name}/model.onnx` })),
    };
    const r = await page.evaluate((s) => window.peerRun(s), spec);
    if ('error' in r) throw new Error(`peer page: ${r.error}`);
    return r.ok;
  } finally {
    await browser?.close().catch(() => {});
    await server?.close().catch(() => {});
  }
}
