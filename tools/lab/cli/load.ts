// Loading a model from the command line: --model / --adapter → a source, --quantize and --max-binding-mb, the
// download and upload progress on stderr (at most once a second per file), and the model card printed after the
// load and returned for the command's JSON.
import { existsSync, statSync } from 'node:fs';
import type { ModelCard } from '../../../src/bench/types.ts';
import { DEFAULT_HUB_ENDPOINT, isRepoId, type ModelSourceSpec } from '../../../src/engine/storage/spec.ts';
import { decimalBytes as mb, modelCard } from '../../../src/store/model_source.ts';
import type { EngineEvent, ModelInfo, Quantization } from '../../../src/protocol/api.ts';
import { num, UsageError, type FlagSpec } from './args.ts';
import type { Engine, Plain } from './launch.ts';

type Flags = Record<string, string | true>;

/** Where models and adapters come from and how they are loaded (every command with --model). */
export const SOURCE_FLAGS: FlagSpec = {
  'hub-endpoint': 'string', revision: 'string', 'adapter-revision': 'string', 'hf-token': 'string', 'cache-dir': 'string',
  'allow-nonfinite': 'boolean', quantize: 'string', 'max-binding-mb': 'string',
};

export const SOURCE_USAGE = `  --quantize Q         none (as stored; default), q8, q4, or auto (the widest that fits the GPU budget):
                       weight-only quantisation of the frozen base while loading
  --max-binding-mb N   (testing) store weight matrices larger than N MiB as row shards, as an adapter with that
                       binding limit would; N may be fractional. Default: the adapter's own limit`;

const QUANTIZE = ['none', 'q8', 'q4', 'auto'] as const;

const str = (flags: Flags, k: string) => (typeof flags[k] === 'string' ? (flags[k] as string) : undefined);

export function need(flags: Flags, name: string): string {
  const v = flags[name];
  if (typeof v !== 'string') throw new UsageError(`--${name} is required`);
  return v;
}

export function quantizeOf(flags: Flags): Quantization | 'auto' {
  const q = str(flags, 'quantize') ?? 'none';
  if (!(QUANTIZE as readonly string[]).includes(q)) throw new UsageError(`--quantize must be one of ${QUANTIZE.join(', ')}, got "${q}"`);
  return q as Quantization | 'auto';
}

/** init's request: --max-binding-mb in bytes (at least 16: one row of 4 f32s). */
export function initRequest(flags: Flags): { maxBindingBytes?: number } {
  if (!('max-binding-mb' in flags)) return {};
  const mib = num(flags, 'max-binding-mb', 0, { min: 16 / 2 ** 20 });
  return { maxBindingBytes: Math.floor(mib * 2 ** 20) };
}

const isLocalDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

/** --model / --adapter → a source: an existing local folder, an http(s) URL, else a Hub repo id. */
export function sourceOf(flags: Flags, which: 'model' | 'adapter', engine?: Engine): ModelSourceSpec {
  const arg = need(flags, which);
  if (/^https?:\/\//i.test(arg)) return { kind: 'url', url: arg };
  if (isLocalDir(arg)) {
    if (!engine) return { kind: 'url', url: arg }; // (validation only)
    return { kind: 'url', url: engine.resolve(arg) };
  }
  if (isRepoId(arg)) {
    const endpoint = str(flags, 'hub-endpoint') ?? process.env.HF_ENDPOINT ?? DEFAULT_HUB_ENDPOINT;
    if (!/^https?:\/\/[^/]+/i.test(endpoint)) throw new UsageError(`--hub-endpoint must be an http(s) URL, got "${endpoint}"`);
    const token = str(flags, 'hf-token') ?? process.env.HF_TOKEN ?? process.env.HUGGING_FACE_HUB_TOKEN;
    const revision = str(flags, which === 'model' ? 'revision' : 'adapter-revision') ?? 'main';
    return { kind: 'hub', repo: arg, revision, endpoint, ...(token ? { token } : {}) };
  }
  throw new Error(`--${which}: no such folder, and not a Hub repo id (org/name) or an http(s) URL: ${arg}`);
}

/** Checks the source flags before the (slow) browser starts. */
export function validateSource(flags: Flags): void {
  need(flags, 'model');
  for (const k of ['model', 'adapter'] as const) if (typeof flags[k] === 'string') sourceOf(flags, k);
  quantizeOf(flags);
  initRequest(flags);
}

/**
 * Progress on stderr: each downloaded file, and the weights going to the GPU (bytes, tensors, rate), one line per
 * second at most (updated in place on a terminal) plus a last line when done. A large local folder otherwise
 * reads in silence for tens of seconds.
 */
export function progressPrinter(out: { write(s: string): unknown; isTTY?: boolean } = process.stderr, now = () => Date.now()): (e: EngineEvent) => void {
  const last = new Map<string, number>();
  const tty = !!out.isTTY;
  const line = (key: string, text: string, done: boolean) => {
    const t = now();
    if (!done && t - (last.get(key) ?? -Infinity) < 1000) return;
    last.set(key, t);
    out.write(tty ? `\r\x1b[K${text}${done ? '\n' : ''}` : `${text}\n`);
  };
  return (e) => {
    if (e.type === 'upload') {
      const done = e.tensors === e.tensorCount;
      const rate = e.bytesPerSecond > 0 ? `, ${mb(e.bytesPerSecond)}/s` : '';
      line('weights', done
        ? `weights: ${mb(e.total)}, ${e.tensorCount} tensors read and on the GPU in ${e.seconds.toFixed(1)} s${rate}`
        : `weights: ${mb(e.loaded)} of ${mb(e.total)} (${e.total ? ((100 * e.loaded) / e.total).toFixed(0) : 0}%), ${e.tensors}/${e.tensorCount} tensors${rate}`, done);
      return;
    }
    if (e.type !== 'download') return;
    if (e.fromCache) {
      out.write(`${e.file}: from the cache (${mb(e.loaded)})\n`);
      return;
    }
    if (!e.done && e.loaded === e.total) return; // the 'done' event follows at once
    const pct = e.total ? ` (${((100 * e.loaded) / e.total).toFixed(0)}%)` : '';
    line(e.file, e.done
      ? `${e.file}: ${mb(e.loaded)} downloaded${e.resumedFrom ? ` (resumed at ${mb(e.resumedFrom)})` : ''}`
      : `${e.file}: ${mb(e.loaded)}${e.total ? ` of ${mb(e.total)}` : ''}${pct}, ${mb(e.bytesPerSecond)}/s${e.etaSeconds !== null ? `, ${Math.ceil(e.etaSeconds)} s left` : ''}`, e.done);
  };
}

/** What the commands' JSON carries about the model (the card's facts; no timings, so equal loads compare equal):
 * the benchmark's model card with the quantisation typed and the embedding's row shards. */
export interface ModelCardJson extends Omit<ModelCard, 'quantization' | 'path'> {
  quantization: Quantization;
  embedShards: number;
}

export function cardJson(info: Plain<ModelInfo>): ModelCardJson {
  const c = info.config;
  return {
    arch: c.arch, layers: c.layers, hidden: c.hidden, intermediate: c.intermediate, heads: c.heads, kvHeads: c.kvHeads, headDim: c.headDim,
    vocab: c.vocabSize, params: info.params, dtype: info.dtype, quantization: info.quantization, weightBytes: info.weightBytes, embedShards: info.embedShards,
  };
}

export interface Loaded {
  /** An adapter was loaded too. */
  adapter: boolean;
  info: Plain<ModelInfo>;
  model: ModelCardJson;
}

/** Loads --model (and --adapter), printing progress and then the model card on stderr. */
export async function loadModel(engine: Engine, flags: Flags, adapter: 'optional' | 'required'): Promise<Loaded> {
  const onEvent = progressPrinter();
  const t0 = Date.now();
  const info = await engine.call('load-model', {
    source: sourceOf(flags, 'model', engine), quantize: quantizeOf(flags), allowNonFinite: flags['allow-nonfinite'] === true,
  }, onEvent);
  process.stderr.write(`model: ${modelCard(info as ModelInfo)}; loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  if (adapter === 'required') need(flags, 'adapter');
  const loaded = { adapter: false, info, model: cardJson(info) };
  if (typeof flags.adapter !== 'string') return loaded;
  await engine.call('load-adapter', { source: sourceOf(flags, 'adapter', engine) }, onEvent);
  return { ...loaded, adapter: true };
}
