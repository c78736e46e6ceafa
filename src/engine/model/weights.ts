// Frozen base weights on the GPU, kept in the file's storage type (f32/f16/bf16). Names follow Hugging Face's
// LlamaForCausalLM / Qwen2ForCausalLM; every expected tensor is checked for presence, dtype and shape against
// the config before anything is uploaded, so a bad file leaves nothing half-loaded.
import type { Gpu } from '../gpu/context.ts';
import type { WeightDType } from '../gpu/dtype.ts';
import type { ModelConfig } from './config.ts';
import { ModelFormatError } from './errors.ts';
import type { SafetensorsFile, TensorInfo } from './safetensors.ts';

export type Projection = 'q_proj' | 'k_proj' | 'v_proj' | 'o_proj' | 'gate_proj' | 'up_proj' | 'down_proj';
export const PROJECTIONS: readonly Projection[] = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];

/** A packed tensor on the GPU. */
export interface GpuTensor {
  buffer: GPUBuffer;
  dtype: WeightDType;
  shape: number[];
}

/** A linear layer y = x Wᵀ + b; W is (out, in). */
export interface Linear {
  w: GpuTensor;
  bias?: GpuTensor;
  out: number;
  in: number;
}

export interface LayerWeights {
  inputNorm: GpuTensor;
  postNorm: GpuTensor;
  proj: Record<Projection, Linear>;
}

export interface ModelWeights {
  embed: GpuTensor;
  layers: LayerWeights[];
  norm: GpuTensor;
  /** The LM head: lm_head.weight, or the embedding when tied. */
  head: GpuTensor;
  bytes: number;
  destroy(): void;
}

const DTYPES: Record<string, WeightDType> = { F32: 'f32', F16: 'f16', BF16: 'bf16' };

/** (out, in) of each projection. */
export function projectionShape(cfg: ModelConfig, p: Projection): [number, number] {
  const q = cfg.heads * cfg.headDim;
  const kv = cfg.kvHeads * cfg.headDim;
  const shapes: Record<Projection, [number, number]> = {
    q_proj: [q, cfg.hidden], k_proj: [kv, cfg.hidden], v_proj: [kv, cfg.hidden], o_proj: [cfg.hidden, q],
    gate_proj: [cfg.intermediate, cfg.hidden], up_proj: [cfg.intermediate, cfg.hidden], down_proj: [cfg.hidden, cfg.intermediate],
  };
  return shapes[p];
}

export const projectionGroup = (p: Projection) => (p === 'gate_proj' || p === 'up_proj' || p === 'down_proj' ? 'mlp' : 'self_attn');

/** Every tensor the config implies, with its shape. */
export function expectedTensors(cfg: ModelConfig): Map<string, number[]> {
  const m = new Map<string, number[]>();
  m.set('model.embed_tokens.weight', [cfg.vocabSize, cfg.hidden]);
  for (let l = 0; l < cfg.layers; l++) {
    const pre = `model.layers.${l}`;
    m.set(`${pre}.input_layernorm.weight`, [cfg.hidden]);
    m.set(`${pre}.post_attention_layernorm.weight`, [cfg.hidden]);
    for (const p of PROJECTIONS) {
      const [out, inp] = projectionShape(cfg, p);
      m.set(`${pre}.${projectionGroup(p)}.${p}.weight`, [out, inp]);
      if (cfg.qkvBias && (p === 'q_proj' || p === 'k_proj' || p === 'v_proj')) m.set(`${pre}.self_attn.${p}.bias`, [out]);
    }
  }
  m.set('model.norm.weight', [cfg.hidden]);
  if (!cfg.tieEmbeddings) m.set('lm_head.weight', [cfg.vocabSize, cfg.hidden]);
  return m;
}

/** A checkpoint tensor whose bytes are read on demand (from memory, a cached file or the network). */
export interface TensorSource {
  info: TensorInfo;
  read(): Promise<Uint8Array>;
}

/** Every tensor of a checkpoint by name (one file or all shards). */
export type TensorTable = Map<string, TensorSource>;

/** The table of safetensors files already in memory. */
export function tensorTable(files: SafetensorsFile[]): TensorTable {
  const t: TensorTable = new Map();
  for (const f of files) for (const [name, info] of f.header.tensors) t.set(name, { info, read: async () => f.tensor(name) });
  return t;
}

/** Checks names, dtypes and shapes; throws one ModelFormatError listing every problem. */
export function checkWeights(cfg: ModelConfig, tensors: TensorTable, source = 'model.safetensors'): void {
  const problems: string[] = [];
  for (const [name, shape] of expectedTensors(cfg)) {
    const info = tensors.get(name)?.info;
    if (!info) { problems.push(`missing tensor "${name}"`); continue; }
    if (!DTYPES[info.dtype]) problems.push(`"${name}" has dtype ${info.dtype}; only F32, F16 and BF16 weights are supported`);
    if (info.shape.join(',') !== shape.join(',')) {
      problems.push(`"${name}" has shape [${info.shape}] but config.json implies [${shape}]`);
    }
  }
  if (problems.length) {
    const more = problems.length > 8 ? `\n  … and ${problems.length - 8} more` : '';
    throw new ModelFormatError(
      `${source} does not match config.json:\n  ${problems.slice(0, 8).join('\n  ')}${more}`, { source });
  }
}

export interface UploadOptions {
  source?: string;
  /** Weight-only quantisation of the frozen base on load ('auto': by available GPU memory). */
  quantize?: 'none' | 'q8' | 'q4' | 'auto';
  /** Called after each tensor reaches the GPU (progress). */
  onTensor?: (name: string, bytes: number) => void;
}

/** Checks every tensor, then reads and uploads them one at a time (only one tensor's bytes in memory). */
export async function uploadWeights(gpu: Gpu, cfg: ModelConfig, tensors: TensorTable, opts: UploadOptions = {}): Promise<ModelWeights> {
  checkWeights(cfg, tensors, opts.source);
  const made: GPUBuffer[] = [];
  let bytes = 0;
  const load = async (name: string): Promise<GpuTensor> => {
    const { info, read } = tensors.get(name)!;
    const raw = await read();
    const buffer = gpu.upload(name, raw);
    made.push(buffer);
    bytes += raw.byteLength;
    opts.onTensor?.(name, raw.byteLength);
    return { buffer, dtype: DTYPES[info.dtype], shape: info.shape };
  };
  try {
    const embed = await load('model.embed_tokens.weight');
    const layers: LayerWeights[] = [];
    for (let l = 0; l < cfg.layers; l++) {
      const pre = `model.layers.${l}`;
      const proj = {} as Record<Projection, Linear>;
      for (const p of PROJECTIONS) {
        const [out, inp] = projectionShape(cfg, p);
        const base = `${pre}.${projectionGroup(p)}.${p}`;
        const hasBias = cfg.qkvBias && (p === 'q_proj' || p === 'k_proj' || p === 'v_proj');
        proj[p] = { w: await load(`${base}.weight`), bias: hasBias ? await load(`${base}.bias`) : undefined, out, in: inp };
      }
      layers.push({ inputNorm: await load(`${pre}.input_layernorm.weight`), postNorm: await load(`${pre}.post_attention_layernorm.weight`), proj });
    }
    const norm = await load('model.norm.weight');
    const head = cfg.tieEmbeddings ? embed : await load('lm_head.weight');
    return { embed, layers, norm, head, bytes, destroy: () => gpu.release(...made) };
  } catch (e) {
    gpu.release(...made); // nothing half-loaded
    throw e;
  }
}
