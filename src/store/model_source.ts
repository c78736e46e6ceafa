// The model picker's side of the store: what the user picked (embedded, URL, Hub repo, local folder) as the
// ModelSourceSpec the worker opens, per-file download and upload progress folded from 'download' / 'upload'
// events, the load errors said in the words the picker shows, and the model card's words (shared with the CLI).
import { describeSource, isRepoId, DEFAULT_HUB_ENDPOINT, type ModelSourceSpec } from '../engine/storage/spec.ts';
import type { DownloadProgress, EngineEvent, ModelInfo, Rate, UploadProgress } from '../protocol/api.ts';
import { ModelUrlError, resolveModelUrl } from './model_url.ts';

export type Quantize = 'auto' | 'none' | 'q8' | 'q4';

export const QUANTIZE_LABELS: Record<Quantize, string> = { auto: 'Auto (fit the GPU)', none: 'None (as stored)', q8: '8-bit', q4: '4-bit' };

/** One file of the load in progress: the last 'download' event for it. */
export type FileProgress = Omit<DownloadProgress, 'file'>;

export interface LoadProgress {
  /** Per file, in the order they started. */
  files: Array<[string, FileProgress]>;
  /** Weights going to the GPU (bytes, tensors, rate). */
  upload: UploadProgress | null;
}

export const NO_PROGRESS: LoadProgress = { files: [], upload: null };

export function foldProgress(p: LoadProgress, e: EngineEvent): LoadProgress {
  if (e.type === 'download') {
    const { type: _type, file, ...fp } = e;
    const entry: [string, FileProgress] = [file, fp];
    const files = p.files.some(([f]) => f === file) ? p.files.map((x) => (x[0] === file ? entry : x)) : [...p.files, entry];
    return { ...p, files };
  }
  if (e.type === 'upload') {
    const { type: _type, ...up } = e;
    return { ...p, upload: up };
  }
  return p;
}

/**
 * Folds a load's events into its progress and passes it on at most 10 times a second (but always a file's first
 * and last event), so a fast download does not re-render the picker thousands of times.
 */
export function progressFolder(onUpdate: (p: LoadProgress) => void): { onEvent: (e: EngineEvent) => void; current: () => LoadProgress } {
  let load = NO_PROGRESS;
  let shown = 0;
  let fileCount = 0;
  return {
    current: () => load,
    onEvent: (e) => {
      if (e.type !== 'download' && e.type !== 'upload') return;
      load = foldProgress(load, e);
      if (e.type === 'download' && (e.done || load.files.length !== fileCount)) shown = 0;
      fileCount = load.files.length;
      if (performance.now() - shown < 100) return;
      shown = performance.now();
      onUpdate(load);
    },
  };
}

/** A Hub form: repo id, revision, endpoint, token (empty: none). */
export interface HubForm {
  repo: string;
  revision: string;
  endpoint: string;
  token: string;
}

export function hubSpec(f: HubForm): ModelSourceSpec {
  const repo = f.repo.trim().replace(/^https?:\/\/huggingface\.co\//, '').replace(/\/+$/, '');
  if (!isRepoId(repo)) throw new ModelUrlError(`"${f.repo}" is not a Hub repo id (org/name, e.g. HuggingFaceTB/SmolLM2-135M-Instruct).`);
  const endpoint = f.endpoint.trim().replace(/\/+$/, '') || DEFAULT_HUB_ENDPOINT;
  try {
    const u = new URL(endpoint);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
  } catch {
    throw new ModelUrlError(`"${f.endpoint}" is not an http(s) endpoint.`);
  }
  const token = f.token.trim();
  return {
    kind: 'hub', repo, revision: f.revision.trim() || 'main',
    ...(endpoint !== DEFAULT_HUB_ENDPOINT && { endpoint }),
    ...(token && { token }),
  };
}

/** A string is a folder URL (made absolute against the page); a spec is taken as is. */
export function toSpec(input: string | ModelSourceSpec): ModelSourceSpec {
  return typeof input === 'string' ? { kind: 'url', url: resolveModelUrl(input) } : input;
}

/** What the picker and the run record call the source (no token). */
export function sourceLabel(spec: ModelSourceSpec): string {
  return spec.kind === 'url' ? spec.url : describeSource(spec);
}

/** The load was cancelled on purpose (cancel-load). */
export const isCancelled = (e: unknown) =>
  e instanceof Error && (e.name === 'AbortError' || (e.name === 'DownloadError' && /cancelled$/.test(e.message)));

/** A first line for the error panel: what to do about it. */
export function loadErrorMessage(e: unknown): string {
  const err = e instanceof Error ? e : new Error(String(e));
  switch (err.name) {
    case 'GatedModelError':
      return `This repo is gated: paste a token with access (accept the model's terms on its Hub page, then use a token with read access). ${err.message}`;
    case 'DownloadError':
      return `The download failed; what arrived is cached and the next load resumes there. ${err.message}`;
    case 'ModelFormatError':
      return `The checkpoint is not usable: ${err.message}`;
    case 'ModelConfigError':
      return `This model's configuration is not supported: ${err.message}`;
    default:
      return err.message;
  }
}

/** `?hubEndpoint=` and `?hubRepo=`: the Hub form's first values (tests, mirrors). */
export function initialHubForm(): HubForm {
  const q = new URLSearchParams(location.search);
  return { repo: q.get('hubRepo') ?? '', revision: q.get('hubRevision') ?? 'main', endpoint: q.get('hubEndpoint') ?? DEFAULT_HUB_ENDPOINT, token: '' };
}

/** Bytes in decimal units, as model sizes are quoted ("2.47 GB"). */
export const decimalBytes = (n: number) =>
  n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e3).toFixed(1)} kB`;

/** "1.24 B", "85.2 k". */
export const formatParams = (n: number) =>
  n >= 1e9 ? `${(n / 1e9).toFixed(2)} B` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} M` : `${(n / 1e3).toFixed(1)} k`;

/**
 * The model card, one line: architecture and shape, vocabulary, parameters, storage type, the quantisation the
 * load applied, the bytes on the GPU (and the embedding's row shards when it was split). The CLI prints it after
 * every load; the lab shows the same facts.
 */
export function modelCard(info: ModelInfo): string {
  const c = info.config;
  const shards = info.embedShards > 1 ? ` (embedding in ${info.embedShards} row shards)` : '';
  return `${c.arch}, ${c.layers} layers × ${c.hidden} (FFN ${c.intermediate}, ${c.heads}/${c.kvHeads} heads × ${c.headDim}), ` +
    `vocab ${c.vocabSize}, ${formatParams(info.params)} params, ${info.dtype}, quantisation ${info.quantization}, weights ${decimalBytes(info.weightBytes)}${shards}`;
}

/** "5 tokens in 0.81 s (6.2 tok/s)". */
export function formatTokenRate(r: Rate): string {
  const tps = r.tokensPerSecond === null ? '' : ` (${r.tokensPerSecond >= 10 ? r.tokensPerSecond.toFixed(0) : r.tokensPerSecond.toPrecision(2)} tok/s)`;
  return `${r.tokens} token${r.tokens === 1 ? '' : 's'} in ${r.seconds.toFixed(2)} s${tps}`;
}
