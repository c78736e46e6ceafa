// Loads a model or a PEFT adapter from a folder laid out like a Hugging Face repo, through a `fetch`-style
// file getter (HTTP URL, Hub resolve URL, or a local folder served or read by the caller).
import type { Gpu } from '../gpu/context.ts';
import { z } from 'zod';
import { parseModelConfig, type ModelConfig } from './config.ts';
import { ModelConfigError, ModelFormatError } from './errors.ts';
import { LlamaModel } from './llama.ts';
import { LoraAdapter, type LoraConfig } from './lora.ts';
import { readSafetensors, type SafetensorsFile } from './safetensors.ts';
import { tensorTable, uploadWeights, PROJECTIONS, type Projection } from './weights.ts';

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

async function need(get: FileGetter, name: string, what: string): Promise<ArrayBuffer> {
  const b = await get(name);
  if (!b) throw new ModelFormatError(`${name} not found: ${what}`, { source: name });
  return b;
}

const json = (b: ArrayBuffer, name: string, E: typeof ModelConfigError | typeof ModelFormatError) => {
  try {
    return JSON.parse(new TextDecoder().decode(b)) as unknown;
  } catch (e) {
    throw new E(`${name} is not valid JSON: ${(e as Error).message}`, { source: name });
  }
};

/** model.safetensors, or the shards listed in model.safetensors.index.json. */
async function weightFiles(get: FileGetter): Promise<SafetensorsFile[]> {
  const single = await get('model.safetensors');
  if (single) return [readSafetensors(single, 'model.safetensors')];
  const index = await get('model.safetensors.index.json');
  if (!index) throw new ModelFormatError('neither model.safetensors nor model.safetensors.index.json found', { source: 'model.safetensors' });
  const parsed = z.object({ weight_map: z.record(z.string(), z.string()) }).safeParse(json(index, 'model.safetensors.index.json', ModelFormatError));
  if (!parsed.success) throw new ModelFormatError('model.safetensors.index.json has no valid "weight_map"', { source: 'model.safetensors.index.json' });
  const shards = [...new Set(Object.values(parsed.data.weight_map))].sort();
  return Promise.all(shards.map(async (s) => readSafetensors(await need(get, s, 'listed in model.safetensors.index.json'), s)));
}

export async function loadModel(gpu: Gpu, get: FileGetter): Promise<LlamaModel> {
  const cfg: ModelConfig = parseModelConfig(json(await need(get, 'config.json', 'a model folder needs config.json'), 'config.json', ModelConfigError));
  const files = await weightFiles(get);
  return new LlamaModel(gpu, cfg, await uploadWeights(gpu, cfg, tensorTable(files)));
}

const AdapterConfigSchema = z.object({
  peft_type: z.literal('LORA').optional(),
  r: z.number().int().positive(),
  lora_alpha: z.number().positive(),
  target_modules: z.array(z.string()).min(1),
  lora_dropout: z.number().min(0).max(1).optional(),
  use_rslora: z.literal(false).optional(),
  use_dora: z.literal(false).optional(),
  fan_in_fan_out: z.literal(false).optional(),
  bias: z.literal('none').optional(),
});

export function parseAdapterConfig(raw: unknown, source = 'adapter_config.json'): LoraConfig {
  const r = AdapterConfigSchema.safeParse(raw);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ModelConfigError(`${source}: unsupported or invalid LoRA config (${issues})`, { source });
  }
  const unknown = r.data.target_modules.filter((t) => !PROJECTIONS.includes(t as Projection));
  if (unknown.length) {
    throw new ModelConfigError(`${source}: target_modules ${unknown.join(', ')} are not supported (use ${PROJECTIONS.join(', ')})`, { source });
  }
  return { r: r.data.r, alpha: r.data.lora_alpha, targets: r.data.target_modules as Projection[] };
}

export async function loadAdapter(model: LlamaModel, get: FileGetter): Promise<LoraAdapter> {
  const cfg = parseAdapterConfig(json(await need(get, 'adapter_config.json', 'a PEFT adapter folder needs adapter_config.json'), 'adapter_config.json', ModelConfigError));
  const file = readSafetensors(await need(get, 'adapter_model.safetensors', 'PEFT adapter weights'), 'adapter_model.safetensors');
  const adapter = new LoraAdapter(model.gpu, model.cfg, cfg);
  try {
    adapter.load((k) => (file.header.tensors.has(k) ? file.f32(k) : undefined));
  } catch (e) {
    adapter.destroy();
    throw e;
  }
  return adapter;
}
