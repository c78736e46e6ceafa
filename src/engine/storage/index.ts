// Opens a ModelSourceSpec as a ModelFolder the loader reads from.
import { browserCache, type CacheStore } from './cache.ts';
import type { DownloadOptions } from './download.ts';
import { filesFolder, type ModelFolder } from './files.ts';
import { cachedFolder, rangeFolder } from './http.ts';
import { openHub } from './hub.ts';
import type { ModelSourceSpec } from './spec.ts';

export interface SourceOptions extends DownloadOptions {
  /** Where Hub (and cached URL) files are stored; default: OPFS when available, else memory. */
  cache?: CacheStore;
  /** Marker files that identify the folder in a list of picked files. */
  markers?: string[];
}

let defaultCache: CacheStore | null = null;
export const sharedCache = (): CacheStore => (defaultCache ??= browserCache());

export async function openSource(spec: ModelSourceSpec, opts: SourceOptions = {}): Promise<ModelFolder> {
  const { cache = sharedCache(), markers, ...dl } = opts;
  switch (spec.kind) {
    case 'files':
      if (!Array.isArray(spec.files) || !spec.files.length) throw new RangeError('no files given for a local folder source');
      return filesFolder(spec.files, markers);
    case 'hub':
      return openHub(spec, cache, dl);
    case 'url': {
      if (!/^https?:\/\//i.test(spec.url) && !spec.url.startsWith('/')) throw new RangeError(`"${spec.url}" is not an http(s) URL`);
      if (!spec.cache) return rangeFolder(spec.url, dl);
      const root = spec.url.endsWith('/') ? spec.url : `${spec.url}/`;
      const group = await cache.group(`url|${root}`, { kind: 'url', label: spec.url, url: spec.url });
      return cachedFolder({ label: spec.url, group, store: cache, urlOf: (f) => root + f.split('/').map(encodeURIComponent).join('/') }, dl);
    }
    default:
      throw new RangeError(`unknown model source kind "${(spec as { kind?: unknown }).kind}"`);
  }
}

export type { ModelSourceSpec, PickedFile } from './spec.ts';
export { describeSource, publicSpec, isRepoId, DEFAULT_HUB_ENDPOINT } from './spec.ts';
export type { ModelFolder, RandomAccessFile } from './files.ts';
export type { CacheStore, CachedModel, CachedFile } from './cache.ts';
export { browserCache, memoryCache } from './cache.ts';
export type { DownloadProgress, DownloadOptions } from './download.ts';
