// A local stand-in for the Hugging Face Hub (Node, loopback only), for the GPU tests (vitest globalSetup) and the
// CLI e2e tests. It serves repos generated at start from tests/golden/llama3-bf16/model, re-sharded into three
// bf16 shards with model.safetensors.index.json, with the Hub's layout:
//
//   GET|HEAD /{org}/{name}/resolve/{revision}/{file}   Range, If-Range, ETag, X-Repo-Commit, CORS
//   GET      /api/models/{org}/{name}/revision/{rev}   {id, sha, siblings: [{rfilename, size, lfs?}]}
//
// Revisions: "main" and the repo's commit (40 hex). Errors carry X-Error-Code like the Hub (RepoNotFound,
// RevisionNotFound, EntryNotFound, GatedRepo). Failure repos (see REPOS) and test controls:
//   POST /__fault {repo, file, after, times}   the next `times` GETs of file send `after` bytes, then drop the connection
//   GET  /__log                                 every request so far: {method, repo, file, revision, range, status, sent, auth}
//   POST /__reset                               clears the log and the faults
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSafetensors, writeSafetensors, type TensorToWrite } from '../../src/engine/model/safetensors.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BF16 = join(ROOT, 'tests/golden/llama3-bf16/model');
const TOKENIZER = join(ROOT, 'tests/golden/llama3-f32/model');
export const GOOD_TOKEN = 'hf_test_good_token';
export const SHARDS = ['model-00001-of-00003.safetensors', 'model-00002-of-00003.safetensors', 'model-00003-of-00003.safetensors'];

interface Repo {
  files: Map<string, Uint8Array>;
  sha: string;
  api: boolean;
  /** Token required (gated): none → 401, another → 403. */
  token?: string;
  /** Files never sent past their middle byte (every response closes early there). */
  shortBody?: Set<string>;
  /** Bytes per 20 ms (slow downloads, for cancellation). */
  throttle?: number;
}

export interface LogEntry {
  method: string;
  repo: string;
  file: string;
  revision: string;
  range: string | null;
  status: number;
  sent: number;
  auth: string | null;
}

const enc = new TextEncoder();
const json = (v: unknown) => enc.encode(JSON.stringify(v, null, 2));

/** The golden bf16 model as three shards (embeddings + layer 0 | layer 1 | final norm + head) and an index. */
export function shardedModel(): Map<string, Uint8Array> {
  const src = readSafetensors(new Uint8Array(readFileSync(join(BF16, 'model.safetensors'))), 'model.safetensors');
  const shards: TensorToWrite[][] = [[], [], []];
  for (const [name, info] of src.header.tensors) {
    const i = name.startsWith('model.layers.1.') ? 1 : name.startsWith('model.layers.0.') || name.startsWith('model.embed') ? 0 : 2;
    shards[i].push({ name, dtype: info.dtype, shape: info.shape, data: src.tensor(name) });
  }
  const files = new Map<string, Uint8Array>();
  const weightMap: Record<string, string> = {};
  let total = 0;
  shards.forEach((tensors, i) => {
    files.set(SHARDS[i], writeSafetensors(tensors, { format: 'pt' }));
    for (const t of tensors) { weightMap[t.name] = SHARDS[i]; total += t.data.byteLength; }
  });
  files.set('model.safetensors.index.json', json({ metadata: { total_size: total }, weight_map: weightMap }));
  files.set('config.json', new Uint8Array(readFileSync(join(BF16, 'config.json'))));
  for (const f of ['tokenizer.json', 'tokenizer_config.json', 'generation_config.json']) files.set(f, new Uint8Array(readFileSync(join(TOKENIZER, f))));
  return files;
}

/** Rewrites a safetensors header (the JSON), keeping the data section. */
export function editHeader(file: Uint8Array, edit: (h: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>) => void): Uint8Array {
  const n = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + n)));
  edit(header);
  let text = JSON.stringify(header);
  while (text.length % 8) text += ' ';
  const h = enc.encode(text);
  const out = new Uint8Array(8 + h.length + file.length - 8 - n);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(file.subarray(8 + n), 8 + h.length);
  return out;
}

const sha = (s: string) => createHash('sha1').update(s).digest('hex');

function makeRepos(): Map<string, Repo> {
  const base = shardedModel();
  const repos = new Map<string, Repo>();
  const add = (name: string, edit?: (files: Map<string, Uint8Array>) => void, extra: Partial<Repo> = {}) => {
    const files = new Map(base);
    edit?.(files);
    repos.set(`seal-test/${name}`, { files, sha: sha(name), api: true, ...extra });
  };
  const shard2 = (f: (b: Uint8Array) => Uint8Array) => (files: Map<string, Uint8Array>) => void files.set(SHARDS[1], f(files.get(SHARDS[1])!));
  const L1 = 'model.layers.1.self_attn';

  add('tiny-llama-sharded');
  add('no-api', undefined, { api: false });
  add('gated', undefined, { token: GOOD_TOKEN });
  add('flaky');
  add('resume');
  add('slow', undefined, { throttle: 2048 });
  add('cache-a');
  add('missing-shard', (f) => void f.delete(SHARDS[2]));
  add('missing-shard-no-api', (f) => void f.delete(SHARDS[2]), { api: false }); // a real HTTP 404 for the shard
  add('short-body', undefined, { shortBody: new Set([SHARDS[1]]) });
  add('truncated', shard2((b) => b.slice(0, b.length - 100)));
  add('bad-length', shard2((b) => { const c = b.slice(); new DataView(c.buffer).setBigUint64(0, BigInt(c.length * 4), true); return c; }));
  add('bad-overlap', shard2((b) => editHeader(b, (h) => { h[`${L1}.v_proj.weight`].data_offsets = [...h[`${L1}.k_proj.weight`].data_offsets]; })));
  add('bad-range', shard2((b) => editHeader(b, (h) => {
    const t = h[`${L1}.q_proj.weight`];
    const [s, e] = t.data_offsets;
    t.data_offsets = [s + 1_000_000, e + 1_000_000];
  })));
  add('bad-dtype', shard2((b) => editHeader(b, (h) => { h[`${L1}.q_proj.weight`].dtype = 'F12'; })));
  add('bad-shape', shard2((b) => editHeader(b, (h) => { h[`${L1}.q_proj.weight`].shape = [64, 65]; })));
  add('bad-config', (f) => {
    const cfg = JSON.parse(new TextDecoder().decode(f.get('config.json')));
    cfg.intermediate_size = 96;
    f.set('config.json', json(cfg));
  });
  // The same weights as one file (no index).
  repos.set('seal-test/tiny-llama-single', {
    files: new Map([
      ['config.json', base.get('config.json')!],
      ['model.safetensors', new Uint8Array(readFileSync(join(BF16, 'model.safetensors')))],
    ]),
    sha: sha('single'), api: true,
  });
  repos.set('seal-test/tiny-adapter', {
    files: new Map(['adapter_config.json', 'adapter_model.safetensors'].map((f) => [f, new Uint8Array(readFileSync(join(ROOT, 'tests/golden/llama3-bf16/adapter', f)))])),
    sha: sha('adapter'), api: true,
  });
  return repos;
}

function parseRange(header: string, size: number): { start: number; end: number } | null {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (!m[1] && !m[2])) return null;
  const start = m[1] ? Number(m[1]) : Math.max(0, size - Number(m[2]));
  const end = m[1] && m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
  return start > end || start >= size ? null : { start, end };
}

export interface HubServer {
  url: string;
  repos: Map<string, Repo>;
  log: LogEntry[];
  close(): Promise<void>;
}

export async function startHubServer(port = 0): Promise<HubServer> {
  const repos = makeRepos();
  const log: LogEntry[] = [];
  let faults: Array<{ repo: string; file: string; after: number; times: number }> = [];
  const etags = new Map<Uint8Array, string>();
  const etagOf = (b: Uint8Array) => {
    let e = etags.get(b);
    if (!e) etags.set(b, (e = `"${createHash('sha256').update(b).digest('hex')}"`));
    return e;
  };

  const cors = (res: ServerResponse) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Range, If-Range, Content-Type');
    res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, POST, OPTIONS');
    res.setHeader('Access-Control-Expose-Headers', 'Content-Range, Content-Length, ETag, X-Repo-Commit, X-Error-Code, X-Error-Message, Accept-Ranges');
  };
  const body = (req: IncomingMessage) => new Promise<string>((ok) => {
    let s = '';
    req.on('data', (d) => (s += d));
    req.on('end', () => ok(s));
  });

  const server = createServer(async (req, res) => {
    cors(res);
    const url = new URL(req.url ?? '/', 'http://x');
    const path = decodeURIComponent(url.pathname);
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    if (path === '/__log') return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(log));
    if (path === '/__reset') {
      log.length = 0;
      faults = [];
      return void res.writeHead(200).end('{}');
    }
    if (path === '/__fault' && req.method === 'POST') {
      faults.push(JSON.parse(await body(req)));
      return void res.writeHead(200).end('{}');
    }
    const entry: LogEntry = { method: req.method ?? 'GET', repo: '', file: '', revision: '', range: req.headers.range ?? null, status: 0, sent: 0, auth: req.headers.authorization ?? null };
    log.push(entry);
    const fail = (status: number, code: string, msg: string) => {
      entry.status = status;
      res.writeHead(status, { 'X-Error-Code': code, 'X-Error-Message': msg, 'Content-Type': 'application/json' }).end(JSON.stringify({ error: msg }));
    };

    const api = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(path);
    const file = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    const [, repoId, revision, name = ''] = api ?? file ?? [];
    Object.assign(entry, { repo: repoId ?? '', revision: revision ?? '', file: api ? '(api)' : name });
    if (!repoId) return fail(404, 'EntryNotFound', 'not a Hub path');
    const repo = repos.get(repoId);
    if (!repo) return fail(404, 'RepoNotFound', `Repository ${repoId} not found`);
    if (api && !repo.api) return fail(404, '', 'no API here');
    if (revision !== 'main' && revision !== repo.sha) return fail(404, 'RevisionNotFound', `Invalid rev id: ${revision}`);
    if (api) {
      entry.status = 200;
      const siblings = [...repo.files].map(([rfilename, b]) => ({ rfilename, size: b.length, ...(rfilename.endsWith('.safetensors') ? { lfs: { size: b.length, sha256: etagOf(b).slice(1, -1) } } : {}) }));
      return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id: repoId, sha: repo.sha, siblings, gated: repo.token ? 'manual' : false }));
    }
    if (repo.token) {
      const auth = req.headers.authorization;
      if (!auth) return fail(401, 'GatedRepo', `Access to model ${repoId} is restricted. You must have access to it and be authenticated to access it. Please log in.`);
      if (auth !== `Bearer ${repo.token}`) return fail(403, 'GatedRepo', `Access to model ${repoId} is restricted and you are not in the authorized list.`);
    }
    const data = repo.files.get(name);
    if (!data) return fail(404, 'EntryNotFound', `${name} does not exist on "${revision}"`);

    const etag = etagOf(data);
    const headers: Record<string, string> = {
      'Accept-Ranges': 'bytes', ETag: etag, 'X-Repo-Commit': repo.sha,
      'Content-Type': name.endsWith('.json') ? 'application/json' : 'application/octet-stream',
    };
    let start = 0;
    let end = data.length - 1;
    let status = 200;
    const ifRange = req.headers['if-range'];
    if (req.headers.range && (!ifRange || ifRange === etag)) {
      const r = parseRange(req.headers.range, data.length);
      if (!r) {
        entry.status = 416;
        return void res.writeHead(416, { 'Content-Range': `bytes */${data.length}` }).end();
      }
      ({ start, end } = r);
      status = 206;
      headers['Content-Range'] = `bytes ${start}-${end}/${data.length}`;
    }
    headers['Content-Length'] = String(end - start + 1);
    entry.status = status;
    res.writeHead(status, headers);
    if (req.method === 'HEAD') return void res.end();
    let slice = data.subarray(start, end + 1);

    const fault = req.method === 'GET' ? faults.find((f) => f.repo === repoId && f.file === name && f.times > 0) : undefined;
    let cut: number | null = null;
    if (fault) {
      fault.times--;
      cut = Math.min(fault.after, slice.length - 1);
    } else if (repo.shortBody?.has(name)) cut = Math.max(0, Math.floor(data.length / 2) - start); // never past the middle
    if (cut !== null) slice = slice.subarray(0, cut);

    const finish = () => {
      if (cut === null) return void res.end();
      // Let the client read what was sent, then drop the connection mid-body.
      setTimeout(() => res.socket?.destroy(), 100);
    };
    if (repo.throttle) {
      let at = 0;
      const tick = () => {
        if (res.destroyed) return;
        const part = slice.subarray(at, at + repo.throttle!);
        at += part.length;
        entry.sent += part.length;
        if (at >= slice.length) {
          res.write(part);
          return finish();
        }
        res.write(part, () => setTimeout(tick, 20));
      };
      return tick();
    }
    entry.sent += slice.length;
    res.write(slice, finish);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
  const { port: p } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${p}`,
    repos,
    log,
    close: () => new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}
