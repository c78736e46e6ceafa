// Loads a model or a PEFT adapter from a folder laid out like a Hugging Face repo (a ModelFolder from
// engine/storage/: Hub repo, URL, picked files; or a plain `fetch`-style FileGetter), and writes adapters back in
// PEFT's format. Weights are read by range from the (cached) files, one tensor at a time.
import type { Gpu } from '../gpu/context.ts';
import { z } from 'zod';
import { parseModelConfig, type ModelConfig } from './config.ts';
import { ModelConfigError, ModelFormatError } from './errors.ts';
import { LlamaModel } from './llama.ts';
import { LoraAdapter, peftKey, type LoraConfig } from './lora.ts';
import { readSafetensors, writeSafetensors } from './safetensors.ts';
import { getterFolder, readAll, type ModelFolder, type RandomAccessFile } from '../storage/files.ts';
import { tensorTableOf } from '../storage/tensors.ts';
import { expectedTensors, uploadWeights, PROJECTIONS, projectionGroup, type Projection, type UploadOptions } from './weights.ts';

/** Returns a file's bytes, or null when the folder has no such file. */
export type FileGetter = (name: string) => Promise<ArrayBuffer | null>;

/**
 * A FileGetter over an http(s) folder URL; 404 means "absent", other failures throw. An HTML page served for a
 * non-HTML file also means absent: dev servers and static hosts answer unknown paths with their index.html.
 */
export function httpFolder(base: string, init?: RequestInit): FileGetter {
  const root = base.endsWith('/') ? base : `${base}/`;
  return async (name) => {
    const res = await fetch(root + name, init);
    if (res.status === 404) return null;
    if (res.ok && !name.endsWith('.html') && res.headers.get('content-type')?.startsWith('text/html')) return null;
    if (!res.ok) throw new Error(`GET ${root + name}: HTTP ${res.status} ${res.statusText}`);
    return res.arrayBuffer();
  };
}

/** A FileGetter or a ModelFolder, as a ModelFolder. */
export function asFolder(src: FileGetter | ModelFolder, label = 'model folder'): ModelFolder {
  return typeof src === 'function' ? getterFolder(src, label) : src;
}

const notFound = (folder: ModelFolder, name: string, what: string) =>
  new ModelFormatError(`${name} not found in ${folder.label}: ${what}`, { source: name });

async function need(folder: ModelFolder, name: string, what: string): Promise<ArrayBuffer> {
  const b = await folder.get(name);
  if (!b) throw notFound(folder, name, what);
  return b;
}

const json = (b: ArrayBuffer, name: string, E: typeof ModelConfigError | typeof ModelFormatError) => {
  try {
    return JSON.parse(new TextDecoder().decode(b)) as unknown;
  } catch (e) {
    throw new E(`${name} is not valid JSON: ${(e as Error).message}`, { source: name });
  }
};

/** A shard name from an index: a plain relative .safetensors path (no "..", no absolute path, no URL). */
const SHARD = /^(?!\/)(?!.*(?:^|\/)\.\.(?:\/|$))[^:\\]+\.safetensors$/;

/** The checkpoint's files: model.safetensors, or the shards listed in model.safetensors.index.json. */
async function weightFiles(folder: ModelFolder): Promise<{ files: RandomAccessFile[]; weightMap?: Record<string, string>; source: string }> {
  const single = await folder.open('model.safetensors');
  if (single) return { files: [single], source: 'model.safetensors' };
  const index = await folder.get('model.safetensors.index.json');
  if (!index) throw new ModelFormatError(`neither model.safetensors nor model.safetensors.index.json found in ${folder.label}`, { source: 'model.safetensors' });
  const parsed = z.object({ weight_map: z.record(z.string(), z.string()) }).safeParse(json(index, 'model.safetensors.index.json', ModelFormatError));
  if (!parsed.success) throw new ModelFormatError('model.safetensors.index.json has no valid "weight_map"', { source: 'model.safetensors.index.json' });
  const shards = [...new Set(Object.values(parsed.data.weight_map))].sort();
  const bad = shards.find((s) => !SHARD.test(s));
  if (bad !== undefined) throw new ModelFormatError(`model.safetensors.index.json lists the shard ${JSON.stringify(bad)}, which is not a .safetensors file in the folder`, { source: 'model.safetensors.index.json' });
  const files: RandomAccessFile[] = [];
  // One at a time: each shard is downloaded (and checked) completely before the next starts.
  for (const s of shards) {
    const f = await folder.open(s);
    if (!f) throw notFound(folder, s, 'it is listed in model.safetensors.index.json');
    files.push(f);
  }
  return { files, weightMap: parsed.data.weight_map, source: `${shards.length} shards of model.safetensors.index.json` };
}

/**
 * The weights on their way to the GPU: bytes and tensors so far of what the config calls for (a tied head counts
 * once; tensors the checkpoint has beyond those are never read), with the average rate since the first read.
 */
export interface UploadProgress {
  /** The tensor that just reached the GPU; null on the first event, sent before anything is read. */
  tensor: string | null;
  loaded: number;
  total: number;
  tensors: number;
  tensorCount: number;
  seconds: number;
  bytesPerSecond: number;
}

export interface LoadModelOptions {
  /** Passed to uploadWeights (weight-only quantisation of the frozen base). */
  quantize?: UploadOptions['quantize'];
  /** Passed to uploadWeights: load NaN/±Inf weights instead of refusing them. */
  allowNonFinite?: boolean;
  /** Once before the first tensor is read, then after each one reaches the GPU (a throw cancels the load). */
  onProgress?: (p: UploadProgress) => void;
}

/** config.json, then every weight file (downloaded and checked), then the upload, one tensor at a time. */
export async function loadModel(gpu: Gpu, src: FileGetter | ModelFolder, opts: LoadModelOptions = {}): Promise<LlamaModel> {
  const folder = asFolder(src);
  const cfg: ModelConfig = parseModelConfig(json(await need(folder, 'config.json', 'a model folder needs config.json'), 'config.json', ModelConfigError));
  const { files, weightMap, source } = await weightFiles(folder);
  const table = await tensorTableOf(files, weightMap);
  const wanted = [...expectedTensors(cfg).keys()];
  let total = 0;
  for (const name of wanted) {
    const t = table.get(name); // a missing one is uploadWeights' error, with every other problem
    if (t) total += t.info.end - t.info.begin;
  }
  const t0 = performance.now();
  let loaded = 0;
  let tensors = 0;
  const report = (tensor: string | null) => {
    const seconds = (performance.now() - t0) / 1000;
    opts.onProgress?.({ tensor, loaded, total, tensors, tensorCount: wanted.length, seconds, bytesPerSecond: seconds > 0 ? loaded / seconds : 0 });
  };
  report(null);
  const weights = await uploadWeights(gpu, cfg, table, {
    source,
    quantize: opts.quantize,
    allowNonFinite: opts.allowNonFinite,
    onTensor: (name, bytes) => {
      loaded += bytes;
      tensors++;
      report(name);
    },
  });
  try {
    return new LlamaModel(gpu, cfg, weights);
  } catch (e) {
    weights.destroy();
    throw e;
  }
}

const empty = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && !v.length) || (typeof v === 'object' && v !== null && !Object.keys(v).length);

const AdapterConfigSchema = z.object({
  peft_type: z.literal('LORA').optional(),
  r: z.number().int().positive(),
  lora_alpha: z.number().positive(),
  target_modules: z.union([z.array(z.string()).min(1), z.string()]),
  lora_dropout: z.number().min(0).max(1).optional(),
  use_rslora: z.literal(false).optional(),
  use_dora: z.literal(false).optional(),
  fan_in_fan_out: z.literal(false).optional(),
  bias: z.literal('none').optional(),
  // Options that change which weights exist or how they scale: accepted only at their defaults.
  rank_pattern: z.unknown().optional(),
  alpha_pattern: z.unknown().optional(),
  layers_to_transform: z.unknown().optional(),
  layer_replication: z.unknown().optional(),
  modules_to_save: z.unknown().optional(),
});

export function parseAdapterConfig(raw: unknown, source = 'adapter_config.json'): LoraConfig {
  const r = AdapterConfigSchema.safeParse(raw);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ModelConfigError(`${source}: unsupported or invalid LoRA config (${issues})`, { source });
  }
  const d = r.data;
  for (const k of ['rank_pattern', 'alpha_pattern', 'layers_to_transform', 'layer_replication', 'modules_to_save'] as const) {
    if (!empty(d[k])) throw new ModelConfigError(`${source}: "${k}" is set (${JSON.stringify(d[k]).slice(0, 80)}); this lab supports one rank and alpha on every layer and no extra trained modules`, { source });
  }
  let targets: string[];
  if (typeof d.target_modules === 'string') {
    // PEFT matches a string as a regular expression against the full module name.
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${d.target_modules})$`);
    } catch {
      throw new ModelConfigError(`${source}: target_modules ${JSON.stringify(d.target_modules)} is not a valid regular expression`, { source });
    }
    targets = PROJECTIONS.filter((p) => re.test(`model.layers.0.${projectionGroup(p)}.${p}`));
    const perLayer = (l: number) => PROJECTIONS.filter((p) => re.test(`model.layers.${l}.${projectionGroup(p)}.${p}`)).join();
    if (!targets.length || [1, 2, 7, 15, 31].some((l) => perLayer(l) !== targets.join())) {
      throw new ModelConfigError(`${source}: target_modules ${JSON.stringify(d.target_modules)} must select the same projections (${PROJECTIONS.join(', ')}) on every layer`, { source });
    }
  } else targets = d.target_modules;
  const unknown = targets.filter((t) => !PROJECTIONS.includes(t as Projection));
  if (unknown.length) {
    throw new ModelConfigError(`${source}: target_modules ${unknown.join(', ')} are not supported (use ${PROJECTIONS.join(', ')})`, { source });
  }
  return { r: d.r, alpha: d.lora_alpha, targets: PROJECTIONS.filter((p) => targets.includes(p)) };
}

/** adapter_config.json + adapter_model.safetensors (PEFT's save_pretrained layout). */
export async function loadAdapter(model: LlamaModel, src: FileGetter | ModelFolder): Promise<LoraAdapter> {
  const folder = asFolder(src, 'adapter folder');
  const cfg = parseAdapterConfig(json(await need(folder, 'adapter_config.json', 'a PEFT adapter folder needs adapter_config.json'), 'adapter_config.json', ModelConfigError));
  const f = await folder.open('adapter_model.safetensors');
  if (!f) {
    const bin = await folder.open('adapter_model.bin');
    throw bin
      ? new ModelFormatError(`${folder.label} has adapter_model.bin (PyTorch pickle), which this lab does not read; save the adapter with safe_serialization=True (the default) to get adapter_model.safetensors`, { source: 'adapter_model.bin' })
      : notFound(folder, 'adapter_model.safetensors', 'PEFT adapter weights');
  }
  const file = readSafetensors(await readAll(f), 'adapter_model.safetensors');
  const expected = new Set<string>();
  for (let l = 0; l < model.cfg.layers; l++) for (const p of cfg.targets) for (const ab of ['A', 'B'] as const) expected.add(peftKey(l, p, ab));
  const extra = [...file.header.tensors.keys()].filter((k) => !expected.has(k));
  if (extra.length) {
    throw new ModelFormatError(
      `adapter_model.safetensors has ${extra.length} tensor(s) that adapter_config.json and this model do not call for, e.g. "${extra[0]}"` +
        ` (expected names like "${peftKey(0, cfg.targets[0], 'A')}"; is the adapter for another base model?)`, { source: 'adapter_model.safetensors' });
  }
  const adapter = new LoraAdapter(model.gpu, model.cfg, cfg);
  try {
    adapter.load((k) => (file.header.tensors.has(k) ? file.f32(k) : undefined));
  } catch (e) {
    adapter.destroy();
    throw e;
  }
  return adapter;
}

/**
 * adapter_config.json as PEFT's LoraConfig.save_pretrained writes it (sorted keys, indent 2). Only keys that
 * every PEFT release since 0.3 knows, at values that say what this lab's adapter is: older PEFT versions
 * reject unknown keys, and newer ones fill in their own defaults.
 */
export function peftAdapterConfig(cfg: LoraConfig, baseModel = ''): string {
  const c: Record<string, unknown> = {
    base_model_name_or_path: baseModel || null,
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    layers_pattern: null,
    layers_to_transform: null,
    lora_alpha: cfg.alpha,
    lora_dropout: 0.0,
    modules_to_save: null,
    peft_type: 'LORA',
    r: cfg.r,
    revision: null,
    target_modules: [...cfg.targets],
    task_type: 'CAUSAL_LM',
  };
  return `${JSON.stringify(c, Object.keys(c).sort(), 2)}\n`;
}

/**
 * The live adapter in PEFT's files: adapter_model.safetensors (F32, keys
 * `base_model.model.model.layers.{i}.{self_attn|mlp}.{proj}.lora_{A|B}.weight`, A (r, in), B (out, r), metadata
 * {"format": "pt"}, as save_pretrained writes it) and adapter_config.json.
 */
export async function exportPeftAdapter(adapter: LoraAdapter, baseModel = ''): Promise<{ config: string; weights: Uint8Array }> {
  const tensors = await adapter.export();
  const weights = writeSafetensors(
    [...tensors].map(([name, t]) => ({ name, dtype: 'F32' as const, shape: t.shape, data: t.data })),
    { format: 'pt' },
  );
  return { config: peftAdapterConfig(adapter.config, baseModel), weights };
}
