// Hugging Face Hub repos: files from `${endpoint}/${repo}/resolve/${revision}/${file}`, with `Authorization:
// Bearer <token>` for gated and private repos. The revision is first resolved to a commit (the Hub API
// /api/models/{repo}/revision/{rev}, else the X-Repo-Commit header), so the cache is keyed by commit and every
// file of one load comes from the same commit; offline, the last commit seen for that revision is used.
import { DownloadError, GatedModelError, ModelFormatError } from '../model/errors.ts';
import type { CacheStore } from './cache.ts';
import type { DownloadOptions } from './download.ts';
import type { ModelFolder } from './files.ts';
import { cachedFolder } from './http.ts';
import { DEFAULT_HUB_ENDPOINT, isRepoId } from './spec.ts';

export interface HubSpec {
  repo: string;
  revision?: string;
  endpoint?: string;
  token?: string;
}

const enc = (p: string) => p.split('/').map(encodeURIComponent).join('/');

export function hubFileUrl(endpoint: string, repo: string, revision: string, file: string): string {
  return `${endpoint.replace(/\/+$/, '')}/${repo}/resolve/${encodeURIComponent(revision)}/${enc(file)}`;
}

interface Resolved {
  commit: string | null;
  listing: Map<string, number | null> | null;
  offline: boolean;
}

/** What the Hub says about a refused request; its error code and message when it exposes them. */
function hubRefusal(res: Response, repo: string, revision: string, endpoint: string, token: boolean, file?: string): Error {
  const code = res.headers.get('x-error-code');
  const what = file ? `${file} in ${repo}@${revision}` : `${repo}@${revision}`;
  if (code === 'RepoNotFound') {
    return new ModelFormatError(`${repo}: repository not found on ${endpoint} (HTTP ${res.status}); check the repo id${token ? '' : ', or give a token if it is private'}`, { source: file });
  }
  const page = `${endpoint}/${repo}`;
  const msg = token
    ? `${what}: access denied (HTTP ${res.status}). The token given has no access to this repo: accept its terms on ${page} with the account of the token, and use a token with read access.`
    : `${what}: access denied (HTTP ${res.status}). This repo is gated or private: accept its terms on ${page}, then give a Hugging Face token with read access (hf_…).`;
  return new GatedModelError(msg, { source: file, status: res.status });
}

async function resolveRevision(spec: Required<Omit<HubSpec, 'token'>> & { token?: string }, store: CacheStore, signal?: AbortSignal): Promise<Resolved> {
  const { endpoint, repo, revision } = spec;
  const headers: Record<string, string> = spec.token ? { Authorization: `Bearer ${spec.token}` } : {};
  const refKey = `hub|${endpoint}|${repo}|${revision}`;
  const offline = async (cause: unknown): Promise<Resolved> => {
    if (signal?.aborted) throw new DownloadError(`${repo}@${revision}: cancelled`, { cancelled: true, cause });
    const commit = await store.getRef(refKey);
    if (commit) return { commit, listing: null, offline: true };
    throw new DownloadError(`${repo}@${revision}: cannot reach ${endpoint} (${(cause as Error).message}) and the model is not in the cache`, { url: endpoint, cause });
  };
  let res: Response;
  try {
    res = await fetch(`${endpoint}/api/models/${repo}/revision/${encodeURIComponent(revision)}?blobs=true`, { headers, signal, cache: 'no-store' });
  } catch (e) {
    return offline(e);
  }
  if (res.ok) {
    try {
      const j = (await res.json()) as { sha?: unknown; siblings?: Array<{ rfilename?: unknown; size?: unknown; lfs?: { size?: unknown } }> };
      const commit = typeof j.sha === 'string' && /^[0-9a-f]{40}$/.test(j.sha) ? j.sha : null;
      const listing = Array.isArray(j.siblings)
        ? new Map(j.siblings.filter((s) => typeof s.rfilename === 'string').map((s) => {
            const size = typeof s.lfs?.size === 'number' ? s.lfs.size : typeof s.size === 'number' ? s.size : null;
            return [s.rfilename as string, size] as const;
          }))
        : null;
      if (commit) await store.setRef(refKey, commit);
      return { commit, listing, offline: false };
    } catch {
      // Not the Hub's JSON: fall through to the plain file layout.
    }
  } else {
    void res.body?.cancel().catch(() => {});
    const code = res.headers.get('x-error-code');
    if (code === 'RevisionNotFound') throw new ModelFormatError(`${repo}: revision "${revision}" not found on ${endpoint}`);
    if (code === 'RepoNotFound' || res.status === 401 || res.status === 403) throw hubRefusal(res, repo, revision, endpoint, !!spec.token);
    // 404 without an error code: a mirror or static server without the API. Use the file layout alone.
  }
  // No API: ask the first file for its commit (X-Repo-Commit), else key the cache by the revision name.
  try {
    const head = await fetch(hubFileUrl(endpoint, repo, revision, 'config.json'), { method: 'HEAD', headers, signal, cache: 'no-store' });
    if (head.status === 401 || head.status === 403) throw hubRefusal(head, repo, revision, endpoint, !!spec.token, 'config.json');
    const c = head.headers.get('x-repo-commit');
    const commit = c && /^[0-9a-f]{40}$/.test(c) ? c : null;
    if (commit) await store.setRef(refKey, commit);
    return { commit, listing: null, offline: false };
  } catch (e) {
    if (e instanceof GatedModelError || e instanceof ModelFormatError) throw e;
    return offline(e);
  }
}

export async function openHub(spec: HubSpec, store: CacheStore, opts: DownloadOptions = {}): Promise<ModelFolder> {
  if (!isRepoId(spec.repo)) throw new RangeError(`"${spec.repo}" is not a Hugging Face repo id (expected org/name, e.g. meta-llama/Llama-3.2-1B)`);
  const endpoint = (spec.endpoint ?? DEFAULT_HUB_ENDPOINT).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+/.test(endpoint)) throw new RangeError(`hub endpoint "${spec.endpoint}" is not an http(s) URL`);
  const revision = spec.revision?.trim() || 'main';
  const { repo, token } = spec;
  const r = await resolveRevision({ endpoint, repo, revision, token }, store, opts.signal);
  const label = `${repo}@${revision}`;
  const group = await store.group(`hub|${endpoint}|${repo}|${r.commit ?? `rev:${revision}`}`, {
    kind: 'hub', label, endpoint, repo, revision, commit: r.commit,
  });
  return cachedFolder({
    label,
    group,
    store,
    commit: r.commit,
    urlOf: (file) => hubFileUrl(endpoint, repo, r.commit ?? revision, file),
    headers: token ? { Authorization: `Bearer ${token}` } : undefined,
    listing: r.listing,
    httpError: (res, file) => (res.status === 401 || res.status === 403 ? hubRefusal(res, repo, revision, endpoint, !!token, file) : null),
  }, r.offline ? { ...opts, retries: 0, retryDelayMs: 0 } : opts);
}
