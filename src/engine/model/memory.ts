// GPU memory, estimated before anything is allocated: the frozen weights (in the file's type or quantised, with
// the row shards large matrices are split into), the KV cache, the LoRA adapter with its gradients and AdamW
// moments, and the activation workspace at the chosen rows (the same layout tables workspace.ts allocates
// from, so the estimate is what gets allocated). checkFits compares an estimate with the adapter's limits and a
// memory budget and says what to change; chooseQuantization picks the widest weight format that fits.
//
// WebGPU exposes no memory size, only per-buffer limits. The budget is the caller's (UploadOptions.memoryBudget)
// or, for quantize 'auto', defaultMemoryBudget(): half the device memory the browser reports (capped at 8 GiB
// by the browser, so 4 GiB at most), 4 GiB where it reports none.
import { bufferBytes, fmtBytes, GpuMemoryError, maxBinding } from '../gpu/context.ts';
import { BYTES, type WeightDType } from '../gpu/dtype.ts';
import { PARTIALS } from '../kernels/optim/sum_squares.ts';
import type { ModelConfig } from './config.ts';
import { matrixFormat, planMatrix, stagingBytes, type MatrixPlan, type Quantization } from './matrix.ts';
import { expectedTensors, isMatrixTensor, PROJECTIONS, projectionShape, type Projection } from './shapes.ts';
import { keptLayout, layoutBuffers } from './workspace.ts';

export interface MemoryPlan {
  /** Weight-only quantisation of the frozen base. */
  quantize?: Quantization;
  /** Storage type of the checkpoint's tensors (default: config's torch_dtype, else f32). */
  dtype?: WeightDType;
  /** Per tensor, when the file is known (overrides dtype). */
  dtypeOf?: (name: string) => WeightDType;
  /** Sequences decoded at once and KV-cache positions per sequence. */
  batch?: number;
  seqLen?: number;
  /** Rows (tokens over the batch) of one forward call; default batch · seqLen. */
  rows?: number;
  /** Rows of one training micro-batch; 0 = inference only. */
  trainRows?: number;
  /** LoRA rank (0 = no adapter) and target projections (default all seven). */
  loraRank?: number;
  /** Adapter slots trained side by side (lora.ts; default 1); trainRows then counts the rows of all of them. */
  loraSlots?: number;
  loraTargets?: readonly Projection[];
  /** Largest buffer a matrix shard may be (default: 128 MiB, WebGPU's default binding limit). */
  maxBindingBytes?: number;
}

export type ResolvedPlan = Required<Omit<MemoryPlan, 'dtypeOf' | 'loraTargets'>> & { loraTargets: readonly Projection[] };

/** What the estimate assumes when the caller says nothing: one 2048-token sequence, trained with LoRA r = 16. */
export function defaultPlan(cfg: ModelConfig): ResolvedPlan {
  const seqLen = Math.min(cfg.maxPositions, 2048);
  return {
    quantize: 'none', dtype: cfg.dtype ?? 'f32', batch: 1, seqLen, rows: seqLen, trainRows: seqLen, loraRank: 16, loraSlots: 1,
    loraTargets: PROJECTIONS, maxBindingBytes: 128 * 2 ** 20,
  };
}

export interface MemoryPart {
  name: 'weights' | 'kvCache' | 'adapter' | 'optimizer' | 'activations';
  bytes: number;
  /** What it holds, e.g. "q4 (4.5 bits per weight), 3 shards for model.embed_tokens.weight". */
  detail: string;
}

export interface MemoryEstimate {
  cfg: ModelConfig;
  plan: ResolvedPlan;
  parts: MemoryPart[];
  /** Bytes held while the model is in use: the sum of parts. */
  total: number;
  /** Extra bytes held only while loading (the staging buffer quantisation reads through). */
  loadStaging: number;
  /** The largest single buffer, which must fit the adapter's binding limit; and the largest of the weights. */
  largest: { name: string; bytes: number };
  largestWeight: { name: string; bytes: number };
  /** Per weight matrix: format and shards (what uploadWeights allocates). */
  matrices: Map<string, MatrixPlan>;
  /** LoRA parameters (floats) of the plan's adapter. */
  loraSize: number;
  dtypeOf?: (name: string) => WeightDType;
}

/** LoRA parameter count: r · (in + out) per target per layer (lora.ts's flat buffer). */
export function loraSize(cfg: ModelConfig, r: number, targets: readonly Projection[]): number {
  let n = 0;
  for (const p of PROJECTIONS) {
    if (!targets.includes(p)) continue;
    const [out, inp] = projectionShape(cfg, p);
    n += r * (inp + out);
  }
  return n * cfg.layers;
}

export function estimateMemory(cfg: ModelConfig, p: MemoryPlan = {}): MemoryEstimate {
  const plan: ResolvedPlan = { ...defaultPlan(cfg), ...stripUndefined(p) } as ResolvedPlan;
  if (p.rows === undefined) plan.rows = plan.batch * plan.seqLen;
  const dtypeOf = p.dtypeOf ?? (() => plan.dtype);
  const buffers: [string, number][] = [];
  const matrices = new Map<string, MatrixPlan>();
  // weights
  let weights = 0;
  let loadStaging = 0;
  let sharded = 0;
  for (const [name, shape] of expectedTensors(cfg)) {
    const dtype = dtypeOf(name);
    if (isMatrixTensor(name)) {
      const [rows, cols] = shape;
      const m = planMatrix(name, rows, cols, matrixFormat(dtype, cols, plan.quantize), plan.maxBindingBytes);
      matrices.set(name, m);
      weights += m.bytes;
      loadStaging = Math.max(loadStaging, stagingBytes(m, dtype, plan.maxBindingBytes));
      if (m.shards.length > 1) sharded++;
      m.shards.forEach((s, i) => buffers.push([`${name}[${i}]`, bufferBytes(s.dataBytes)]));
    } else {
      const b = bufferBytes(shape[0] * BYTES[dtype]);
      weights += b;
      buffers.push([name, b]);
    }
  }
  const q = plan.quantize;
  const bits = q === 'q8' ? '8.5' : q === 'q4' ? '4.5' : String(8 * BYTES[plan.dtype]);
  const weightBuffers = buffers.length;
  const parts: MemoryPart[] = [{
    name: 'weights', bytes: weights,
    detail: `${q === 'none' ? plan.dtype : `${q} (f16 scale per 32)`}, ${bits} bits per matrix weight` +
      (sharded ? `; ${sharded} matri${sharded > 1 ? 'ces' : 'x'} split into row shards` : ''),
  }];
  // KV cache: k and v per layer (B, S, KVH, D) f32 and the (B, S) mask
  const { batch: B, seqLen: S } = plan;
  const kvLayer = bufferBytes(B * S * cfg.kvHeads * cfg.headDim * 4);
  parts.push({ name: 'kvCache', bytes: 2 * cfg.layers * kvLayer + bufferBytes(B * S * 4), detail: `${B} × ${S} positions` });
  buffers.push(['kv-cache.k0', kvLayer]);
  // LoRA parameters, and for training their gradients and AdamW moments
  const size = plan.loraRank > 0 ? loraSize(cfg, plan.loraRank, plan.loraTargets) : 0;
  if (size) {
    const S = plan.loraSlots;
    const slots = S > 1 ? ` × ${S} slots` : '';
    const all = bufferBytes(S * size * 4);
    parts.push({ name: 'adapter', bytes: all, detail: `r = ${plan.loraRank} on ${plan.loraTargets.join(', ')}: ${size} floats${slots}` });
    buffers.push(['lora-params', all]);
    if (plan.trainRows > 0) {
      parts.push({
        name: 'optimizer', bytes: 3 * all + bufferBytes(4 * S) + bufferBytes(S * PARTIALS * 4) + bufferBytes(32 * S), detail: `gradients, AdamW m and v${slots}`,
      });
    }
  }
  // activations: the workspace at the most rows any call uses, plus the backward's buffers when training
  const rows = Math.max(plan.rows, plan.trainRows);
  const ws = layoutBuffers(cfg, rows, plan.loraRank, plan.trainRows > 0);
  buffers.push(...ws);
  parts.push({
    name: 'activations', bytes: ws.reduce((s, [, b]) => s + b, 0),
    detail: `${rows} rows${plan.trainRows > 0 ? `, with the backward (${cfg.layers + 1} checkpoints${keptLayout(cfg, rows, plan.loraRank) ? ', intermediates kept per layer' : ''})` : ''}`,
  });
  const biggest = (bs: [string, number][]) => bs.reduce((a, [name, bytes]) => (bytes > a.bytes ? { name, bytes } : a), { name: '', bytes: 0 });
  const largest = biggest(buffers);
  const largestWeight = biggest(buffers.slice(0, weightBuffers));
  const total = parts.reduce((s, x) => s + x.bytes, 0);
  return { cfg, plan, parts, total, loadStaging, largest, largestWeight, matrices, loraSize: size, dtypeOf: p.dtypeOf };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== undefined && k !== 'dtypeOf')) as Partial<T>;
}

/** A readable table of an estimate. */
export function formatEstimate(e: MemoryEstimate): string {
  const lines = e.parts.map((p) => `  ${p.name.padEnd(12)} ${fmtBytes(p.bytes).padStart(11)}  ${p.detail}`);
  lines.push(`  ${'total'.padEnd(12)} ${fmtBytes(e.total).padStart(11)}` + (e.loadStaging ? `  (+${fmtBytes(e.loadStaging)} staging while loading)` : ''));
  return lines.join('\n');
}

type Limits = Pick<GPUSupportedLimits, 'maxStorageBufferBindingSize' | 'maxBufferSize'>;

/**
 * Throws a GpuMemoryError when the estimate does not fit: a buffer larger than the adapter can bind, or (when a
 * budget is given) a total above it. The message lists every part and what would make it fit. scope 'weights'
 * checks only the weights' buffers against the binding limit (the activations of an assumed plan are checked
 * when the workspace is made, for the rows really used).
 */
export function checkFits(e: MemoryEstimate, limits: Limits, budget?: number, scope: 'all' | 'weights' = 'all'): void {
  const limit = maxBinding(limits);
  const largestOf = (x: MemoryEstimate) => (scope === 'all' ? x.largest : x.largestWeight);
  const fix = (alts: [string, MemoryPlan][], ok: (x: MemoryEstimate) => boolean) =>
    alts.map(([what, change]) => [what, estimateMemory(e.cfg, { ...e.plan, dtypeOf: e.dtypeOf, ...change })] as const)
      .filter(([, x]) => ok(x)).map(([what, x]) => `${what} (${fmtBytes(x.total)})`);
  const { plan } = e;
  const halfRows: MemoryPlan = {
    seqLen: Math.max(1, plan.seqLen >> 1), rows: Math.max(1, plan.rows >> 1), trainRows: plan.trainRows >> 1,
  };
  const alternatives: [string, MemoryPlan][] = [
    ...(plan.quantize !== 'q8' && plan.quantize !== 'q4' ? [['quantize the base to 8 bits (quantize: "q8")', { quantize: 'q8' }] as [string, MemoryPlan]] : []),
    ...(plan.quantize !== 'q4' ? [['quantize the base to 4 bits (quantize: "q4")', { quantize: 'q4' }] as [string, MemoryPlan]] : []),
    [`halve the sequence length (${plan.seqLen} → ${halfRows.seqLen} positions, ${Math.max(plan.rows, plan.trainRows)} → ${Math.max(halfRows.rows!, halfRows.trainRows!)} rows)`, halfRows],
    ...(plan.loraRank > 1 ? [[`halve the LoRA rank (${plan.loraRank} → ${plan.loraRank >> 1})`, { loraRank: plan.loraRank >> 1 }] as [string, MemoryPlan]] : []),
    ...(plan.loraSlots > 1 ? [[`halve the adapter slots (${plan.loraSlots} → ${plan.loraSlots >> 1}, and their rows)`, { loraSlots: plan.loraSlots >> 1, trainRows: Math.ceil(plan.trainRows / 2) }] as [string, MemoryPlan]] : []),
  ];
  const what = `${e.cfg.arch} (${e.cfg.layers} layers, hidden ${e.cfg.hidden}, vocabulary ${e.cfg.vocabSize})`;
  if (largestOf(e).bytes > limit) {
    const tries = fix(alternatives, (x) => largestOf(x).bytes <= limit);
    throw new GpuMemoryError(
      `${what} does not fit this GPU: the buffer ${largestOf(e).name} needs ${fmtBytes(largestOf(e).bytes)}, more than the ` +
        `${fmtBytes(limit)} this adapter can bind (maxStorageBufferBindingSize / maxBufferSize).\n${formatEstimate(e)}\n` +
        (tries.length ? `What would fit: ${tries.join('; ')}.` : 'Use shorter sequences or smaller batches.'));
  }
  if (budget !== undefined && e.total > budget) {
    const tries = fix(alternatives, (x) => x.total <= budget && largestOf(x).bytes <= limit);
    throw new GpuMemoryError(
      `${what} needs ${fmtBytes(e.total)} of GPU memory but the budget is ${fmtBytes(budget)}:\n${formatEstimate(e)}\n` +
        (tries.length ? `What would fit: ${tries.join('; ')}.` : 'Try 4-bit quantisation with shorter sequences and a lower LoRA rank, or a smaller model.'));
  }
}

/** Half the device memory the browser reports (navigator.deviceMemory, GiB), else 4 GiB. */
export function defaultMemoryBudget(): number {
  const gib = (globalThis.navigator as { deviceMemory?: number } | undefined)?.deviceMemory;
  return (gib && gib > 0 ? gib / 2 : 4) * 2 ** 30;
}

/** The widest weight format (file type, then q8, then q4) whose estimate fits; throws when even q4 does not. */
export function chooseQuantization(
  cfg: ModelConfig, limits: Limits, budget: number, plan: MemoryPlan = {}, scope: 'all' | 'weights' = 'all',
): Quantization {
  let last: MemoryEstimate | null = null;
  for (const q of ['none', 'q8', 'q4'] as const) {
    last = estimateMemory(cfg, { ...plan, quantize: q });
    if (last.total <= budget && (scope === 'all' ? last.largest : last.largestWeight).bytes <= maxBinding(limits)) return q;
  }
  checkFits(last!, limits, budget, scope);
  return 'q4';
}
