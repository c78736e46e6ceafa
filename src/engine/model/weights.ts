// Frozen base weights on the GPU: matrices (embedding, head, projections) in the file's storage type (f32/f16/
// bf16) or quantised on load (q8/q4, QLoRA-style: LoRA trains on top of the frozen quantised base), split into
// row shards when larger than one buffer may be (matrix.ts); norms and biases as in the file. Every expected
// tensor is checked for presence, dtype and shape against the config, and the memory it all needs is estimated
// against the adapter's limits (memory.ts), before anything is uploaded, so a bad or too-large model leaves
// nothing half-loaded.
import { fmtBytes, type Gpu } from '../gpu/context.ts';
import type { WeightDType } from '../gpu/dtype.ts';
import { count_nonfinite_forward } from '../kernels/checks/count_nonfinite.ts';
import type { ModelConfig } from './config.ts';
import { ModelFormatError } from './errors.ts';
import { releaseMatrix, uploadMatrix, type GpuMatrix, type GpuTensor, type Quantization } from './matrix.ts';
import { checkFits, chooseQuantization, defaultMemoryBudget, estimateMemory, type MemoryEstimate, type MemoryPlan } from './memory.ts';
import type { SafetensorsFile, TensorInfo } from './safetensors.ts';
import { expectedTensors, hasBias, PROJECTIONS, projectionGroup, projectionShape, type Projection } from './shapes.ts';

export { expectedTensors, PROJECTIONS, projectionGroup, projectionShape, type Projection } from './shapes.ts';
export type { GpuMatrix, GpuTensor } from './matrix.ts';

/** A linear layer y = x Wᵀ + b; W is (out, in). */
export interface Linear {
  w: GpuMatrix;
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
  embed: GpuMatrix;
  layers: LayerWeights[];
  norm: GpuTensor;
  /** The LM head: lm_head.weight, or the embedding when tied. */
  head: GpuMatrix;
  /** Weight-only quantisation of the matrices ('none': as in the file). */
  quantization: Quantization;
  /** Bytes allocated for all of it. */
  bytes: number;
  destroy(): void;
}

const DTYPES: Record<string, WeightDType> = { F32: 'f32', F16: 'f16', BF16: 'bf16' };

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

/** Parameters the config implies (a tied head counted once): the model card's size. */
export function parameterCount(cfg: ModelConfig): number {
  let n = 0;
  for (const shape of expectedTensors(cfg).values()) n += shape.reduce((a, b) => a * b, 1);
  return n;
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
  /**
   * Weight-only quantisation of the frozen base on load: 'q8' or 'q4' (group-wise, f16 scales; gpu/dtype.ts),
   * 'none' (as in the file; default), or 'auto': the widest of none/q8/q4 whose estimate fits memoryBudget.
   */
  quantize?: Quantization | 'auto';
  /** GPU memory the model may use (bytes). Given: checked before anything is allocated. Default for 'auto': defaultMemoryBudget(). */
  memoryBudget?: number;
  /** What the estimate assumes beyond the weights (sequence length, batch, LoRA rank, training rows): memory.defaultPlan. */
  plan?: Omit<MemoryPlan, 'quantize' | 'dtype' | 'dtypeOf' | 'maxBindingBytes'>;
  /** Called after each tensor reaches the GPU (progress). */
  onTensor?: (name: string, bytes: number) => void;
  /** Load a checkpoint with NaN or ±Inf values anyway (by default that is a ModelFormatError naming the tensors). */
  allowNonFinite?: boolean;
}

/**
 * The estimate uploadWeights goes by: the file's dtypes, the adapter's binding limit for shards, the plan's
 * KV cache / LoRA / activations; with quantize 'auto' resolved against the budget.
 */
export function planUpload(gpu: Gpu, cfg: ModelConfig, tensors: TensorTable, opts: UploadOptions = {}): MemoryEstimate {
  const plan: MemoryPlan = {
    ...opts.plan,
    dtypeOf: (name) => DTYPES[tensors.get(name)!.info.dtype],
    dtype: DTYPES[tensors.get('model.embed_tokens.weight')!.info.dtype],
    maxBindingBytes: gpu.options.maxBindingBytes,
  };
  // An assumed plan's activations must not refuse a model: then only the weights' buffers are held to the limit.
  const scope = opts.plan ? 'all' : 'weights';
  const q = opts.quantize ?? 'none';
  const quantize = q === 'auto' ? chooseQuantization(cfg, gpu.limits, opts.memoryBudget ?? defaultMemoryBudget(), plan, scope) : q;
  const estimate = estimateMemory(cfg, { ...plan, quantize });
  checkFits(estimate, gpu.limits, opts.memoryBudget, scope);
  return estimate;
}

/**
 * Checks every tensor and the memory estimate, then reads and uploads the tensors one at a time (only one
 * tensor's bytes in memory; a large one is split into shards from views of those bytes, a quantised one goes
 * through one staging buffer).
 */
export async function uploadWeights(gpu: Gpu, cfg: ModelConfig, tensors: TensorTable, opts: UploadOptions = {}): Promise<ModelWeights> {
  checkWeights(cfg, tensors, opts.source);
  const estimate = planUpload(gpu, cfg, tensors, opts);
  const made: GPUBuffer[] = [];
  let staging: GPUBuffer | undefined;
  // The guard: each tensor's NaN/±Inf count, summed on the GPU into its own slot as it arrives, read once at the end.
  const slots = [...expectedTensors(cfg).keys()];
  const counts = gpu.buffer('weights-nonfinite-counts', 4 * slots.length);
  const check = (name: string) => (buffer: GPUBuffer, n: number) =>
    count_nonfinite_forward(gpu, counts, buffer, { n, dtype: DTYPES[tensors.get(name)!.info.dtype], slot: slots.indexOf(name) });
  try {
    if (estimate.loadStaging) staging = gpu.buffer('weights-staging', estimate.loadStaging);
    const read = (name: string) => tensors.get(name)!.read();
    const vector = async (name: string): Promise<GpuTensor> => {
      const { info } = tensors.get(name)!;
      const raw = await read(name);
      const buffer = gpu.upload(name, raw);
      made.push(buffer);
      check(name)(buffer, info.shape.reduce((a, b) => a * b, 1));
      opts.onTensor?.(name, raw.byteLength);
      return { buffer, dtype: DTYPES[info.dtype], shape: info.shape };
    };
    const matrix = async (name: string): Promise<GpuMatrix> => {
      const raw = await read(name);
      const m = uploadMatrix(gpu, name, raw, DTYPES[tensors.get(name)!.info.dtype], estimate.matrices.get(name)!, made, staging, check(name));
      opts.onTensor?.(name, raw.byteLength);
      return m;
    };
    const embed = await matrix('model.embed_tokens.weight');
    const layers: LayerWeights[] = [];
    for (let l = 0; l < cfg.layers; l++) {
      const pre = `model.layers.${l}`;
      const proj = {} as Record<Projection, Linear>;
      for (const p of PROJECTIONS) {
        const [out, inp] = projectionShape(cfg, p);
        const base = `${pre}.${projectionGroup(p)}.${p}`;
        proj[p] = { w: await matrix(`${base}.weight`), bias: hasBias(cfg, p) ? await vector(`${base}.bias`) : undefined, out, in: inp };
      }
      layers.push({ inputNorm: await vector(`${pre}.input_layernorm.weight`), postNorm: await vector(`${pre}.post_attention_layernorm.weight`), proj });
    }
    const norm = await vector('model.norm.weight');
    const head = cfg.tieEmbeddings ? embed : await matrix('lm_head.weight');
    const bytes = made.reduce((s, b) => s + b.size, 0);
    const weightsPart = estimate.parts.find((x) => x.name === 'weights')!.bytes;
    if (bytes !== weightsPart) throw new Error(`weights: allocated ${fmtBytes(bytes)} but estimated ${fmtBytes(weightsPart)}`);
    const bad = [...new Uint32Array(await gpu.read(counts, 4 * slots.length))].flatMap((n, i) => (n ? [`"${slots[i]}" (${n} value${n > 1 ? 's' : ''})`] : []));
    if (bad.length && !opts.allowNonFinite) {
      throw new ModelFormatError(`${opts.source ?? 'the checkpoint'} has NaN or infinite weights in ${bad.length} tensor${bad.length > 1 ? 's' : ''}: ` +
        `${bad.slice(0, 6).join(', ')}${bad.length > 6 ? ', …' : ''}. The file is probably corrupt; load it with allowNonFinite to inspect it anyway.`, { source: opts.source });
    }
    return { embed, layers, norm, head, quantization: estimate.plan.quantize, bytes, destroy: () => gpu.release(...made) };
  } catch (e) {
    gpu.release(...made); // nothing half-loaded
    throw e;
  } finally {
    gpu.release(counts, ...(staging ? [staging] : []));
  }
}

/**
 * The same model with every matrix replaced by `convert(matrix)` (e.g. a quantised copy, to compare formats on
 * one model); norms and biases are shared. destroy() releases only the new matrices.
 */
export async function deriveWeights(
  gpu: Gpu, w: ModelWeights, quantization: Quantization, convert: (name: string, m: GpuMatrix) => Promise<GpuMatrix> | GpuMatrix,
): Promise<ModelWeights> {
  const made = new Set<GpuMatrix>();
  const conv = async (name: string, m: GpuMatrix) => {
    const c = await convert(name, m);
    if (c !== m) made.add(c);
    return c;
  };
  try {
    const embed = await conv('embed', w.embed);
    const layers: LayerWeights[] = [];
    for (const [l, lw] of w.layers.entries()) {
      const proj = {} as Record<Projection, Linear>;
      for (const p of PROJECTIONS) proj[p] = { ...lw.proj[p], w: await conv(`layers.${l}.${p}`, lw.proj[p].w) };
      layers.push({ ...lw, proj });
    }
    const head = w.head === w.embed ? embed : await conv('head', w.head);
    let bytes = w.bytes;
    const old = new Set([w.embed, w.head, ...w.layers.flatMap((lw) => PROJECTIONS.map((p) => lw.proj[p].w))]);
    for (const m of old) bytes -= m.bytes;
    for (const m of new Set([embed, head, ...layers.flatMap((lw) => PROJECTIONS.map((p) => lw.proj[p].w))])) bytes += m.bytes;
    return { embed, layers, norm: w.norm, head, quantization, bytes, destroy: () => { for (const m of made) releaseMatrix(gpu, m); } };
  } catch (e) {
    for (const m of made) releaseMatrix(gpu, m);
    throw e;
  }
}
