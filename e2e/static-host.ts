// A plain static host for the offline e2e (e2e/offline.spec.ts): serves a built dist/ under a sub-path, as a project
// page would be (no SPA fallback: a missing file is a 404), with single-range HTTP Range support, and counts the body
// bytes it sent. `deploy` swaps files in place while the server runs, as copying a new build onto a host does.
import { createServer, type Server } from 'node:http';
import { readFileSync, statSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.webmanifest': 'application/manifest+json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.wasm': 'application/wasm', '.safetensors': 'application/octet-stream', '.md': 'text/markdown; charset=utf-8',
};

export interface StaticHost {
  /** The site's URL, ending in the sub-path's slash. */
  url: string;
  /** Response body bytes sent since the start. */
  bytesSent(): number;
  /** Serves these files (paths relative to the root) with new contents from now on. */
  deploy(files: Record<string, Buffer | string>): void;
  /** Stops listening and drops open connections: the site is unreachable. */
  close(): Promise<void>;
}

/** Parses `bytes=a-b`, `bytes=a-`, `bytes=-n` (one range); null: not satisfiable. */
function range(header: string, size: number): [number, number] | null {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (!m[1] && !m[2])) return null;
  const [start, end] = m[1] ? [Number(m[1]), m[2] ? Math.min(Number(m[2]), size - 1) : size - 1] : [Math.max(0, size - Number(m[2])), size - 1];
  return start <= end && start < size ? [start, end] : null;
}

export async function startHost(root: string, prefix = '/seal-lab/'): Promise<StaticHost> {
  const deployed = new Map<string, Buffer>();
  let sent = 0;
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path === prefix.slice(0, -1)) return void res.writeHead(301, { location: prefix }).end();
    const rel = normalize(path.slice(prefix.length) || 'index.html').replace(/^(\.\.[/\\])+/, '');
    if (!path.startsWith(prefix) || rel.startsWith('..')) return void res.writeHead(404).end();
    let body = deployed.get(rel);
    if (!body) {
      try {
        if (!statSync(join(root, rel)).isFile()) throw new Error('not a file');
        body = readFileSync(join(root, rel));
      } catch {
        return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      }
    }
    const headers = { 'content-type': TYPES[extname(rel)] ?? 'application/octet-stream', 'accept-ranges': 'bytes' };
    let status = 200;
    if (req.headers.range) {
      const r = range(req.headers.range, body.length);
      if (!r) return void res.writeHead(416, { ...headers, 'content-range': `bytes */${body.length}` }).end();
      status = 206;
      Object.assign(headers, { 'content-range': `bytes ${r[0]}-${r[1]}/${body.length}` });
      body = body.subarray(r[0], r[1] + 1);
    }
    res.writeHead(status, { ...headers, 'content-length': body.length });
    if (req.method === 'HEAD') return void res.end();
    sent += body.length;
    res.end(body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    bytesSent: () => sent,
    deploy(files) {
      for (const [name, data] of Object.entries(files)) deployed.set(normalize(name), Buffer.from(data));
    },
    close: () => new Promise<void>((done) => {
      server.close(() => done());
      server.closeAllConnections();
    }),
  };
}
