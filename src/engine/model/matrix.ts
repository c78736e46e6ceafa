// Frozen weight matrices on the GPU: stored in the file's type (f32/f16/bf16) or quantised (q8/q4 with f16
// group scales, gpu/dtype.ts), and split into row shards when one buffer would exceed the binding limit
// (gpu.options.maxBindingBytes; a 128k × 2048 embedding is 525 MB in f16). Every product with a matrix goes
// through matrixForward / matrixBackward / matrixGather, which loop over the shards: a shard of rows
// [row0, row0 + rows) produces output columns row0.. in the forward (y = x Wᵀ) and consumes input columns row0..
// in the backward (dx = dy W), so a split matrix computes exactly what the whole one does.
import { bufferBytes, GpuMemoryError, fmtBytes, type Gpu } from '../gpu/context.ts';
import { BYTES, isQuant, QGROUP, rowBytes, scaleBytes, type MatrixFormat, type QuantFormat, type WeightDType } from '../gpu/dtype.ts';
import { dequantize_forward } from '../kernels/quant/dequantize.ts';
import { embedding_forward } from '../kernels/elementwise/embedding.ts';
import { lora_merge_forward } from '../kernels/optim/lora_merge.ts';
import { matmul_forward } from '../kernels/matmul/matmul.ts';
import { quantize_forward } from '../kernels/quant/quantize.ts';

/** A packed tensor on the GPU (norm weights, biases). */
export interface GpuTensor {
  buffer: GPUBuffer;
  dtype: WeightDType;
  shape: number[];
}

export interface MatrixShard {
  row0: number;
  rows: number;
  /** (rows, cols) in the matrix's format. */
  data: GPUBuffer;
  /** (rows · cols / 32) f16 group scales, two per u32 (quantised formats only). */
  scales?: GPUBuffer;
}

/** A (rows, cols) weight matrix, e.g. nn.Linear's (out, in). */
export interface GpuMatrix {
  format: MatrixFormat;
  rows: number;
  cols: number;
  shards: MatrixShard[];
  /** Bytes allocated for it (data and scales of every shard). */
  bytes: number;
}

export type Quantization = 'none' | QuantFormat;

/** Where a matrix's shards will lie and what they take, before anything is allocated. */
export interface MatrixPlan {
  format: MatrixFormat;
  rows: number;
  cols: number;
  shards: { row0: number; rows: number; dataBytes: number; scaleBytes: number }[];
  /** Allocated bytes (each buffer rounded as Gpu.buffer rounds). */
  bytes: number;
}

/** Quantised when asked and the rows are whole groups of 32; else stored as in the file. */
export function matrixFormat(dtype: WeightDType, cols: number, quantize: Quantization): MatrixFormat {
  return quantize !== 'none' && cols % QGROUP === 0 ? quantize : dtype;
}

export function planMatrix(name: string, rows: number, cols: number, format: MatrixFormat, maxBindingBytes: number): MatrixPlan {
  const rb = rowBytes(format, cols);
  const per = Math.floor(Math.floor(maxBindingBytes / 16) * 16 / rb);
  if (per < 1) throw new GpuMemoryError(`${name}: one row (${fmtBytes(rb)}) exceeds the largest buffer this adapter can bind (${fmtBytes(maxBindingBytes)})`);
  const shards: MatrixPlan['shards'] = [];
  let bytes = 0;
  for (let row0 = 0; row0 < rows; row0 += per) {
    const n = Math.min(per, rows - row0);
    const s = { row0, rows: n, dataBytes: n * rb, scaleBytes: scaleBytes(format, n, cols) };
    bytes += bufferBytes(s.dataBytes) + (s.scaleBytes ? bufferBytes(s.scaleBytes) : 0);
    shards.push(s);
  }
  return { format, rows, cols, shards, bytes };
}

/** Staging bytes at most used to quantise one matrix while loading (0 when it is stored as in the file). */
export const STAGING_CAP = 64 * 2 ** 20;
export function stagingBytes(plan: MatrixPlan, dtype: WeightDType, maxBindingBytes: number): number {
  if (!isQuant(plan.format)) return 0;
  const rb = plan.cols * BYTES[dtype];
  return Math.min(Math.max(Math.min(STAGING_CAP, plan.rows * rb), 2 * rb), Math.floor(maxBindingBytes / 16) * 16);
}

/** Rows per chunk when `bytes` of a row-major range go through a buffer of `cap` bytes; keeps scale pairs whole. */
function chunkRows(cols: number, rb: number, cap: number, rows: number): number {
  let n = Math.max(1, Math.min(rows, Math.floor(cap / rb)));
  if (n < rows && ((n * cols) / QGROUP) % 2) n -= 1;
  if (n < 1) throw new Error(`chunk of ${cap} bytes is too small for two rows of ${cols}`);
  return n;
}

/**
 * Uploads one checkpoint matrix (its raw bytes, row-major, in `dtype`) as `plan` says. Float shards are written
 * straight from views of `raw` (never a second copy of the tensor); quantised shards go through `staging` in row
 * chunks and are quantised on the GPU. Every buffer made is pushed to `made` (the caller releases them on error).
 */
/**
 * Uploads a matrix as planned (shards; quantised through `staging`). `check` sees every buffer that holds file
 * values as they are (a shard, or a staging chunk before quantising) with its element count: the load's guard.
 */
export function uploadMatrix(
  gpu: Gpu, label: string, raw: Uint8Array, dtype: WeightDType, plan: MatrixPlan, made: GPUBuffer[], staging?: GPUBuffer,
  check?: (buffer: GPUBuffer, elements: number) => void,
): GpuMatrix {
  const rb = plan.cols * BYTES[dtype];
  const shards: MatrixShard[] = [];
  const name = (i: number) => (plan.shards.length > 1 ? `${label}[${i}]` : label);
  plan.shards.forEach((s, i) => {
    const at = s.row0 * rb;
    if (!isQuant(plan.format)) {
      const data = gpu.upload(name(i), raw.subarray(at, at + s.rows * rb));
      made.push(data);
      check?.(data, s.rows * plan.cols);
      shards.push({ row0: s.row0, rows: s.rows, data });
      return;
    }
    if (!staging) throw new Error(`${label}: quantising needs a staging buffer`);
    const data = gpu.buffer(name(i), s.dataBytes);
    made.push(data);
    const scales = gpu.buffer(`${name(i)}.scales`, s.scaleBytes);
    made.push(scales);
    const step = chunkRows(plan.cols, rb, staging.size, s.rows);
    for (let r0 = 0; r0 < s.rows; r0 += step) {
      const n = Math.min(step, s.rows - r0);
      gpu.write(staging, raw.subarray(at + r0 * rb, at + (r0 + n) * rb)); // flushes the previous chunk's kernel first
      check?.(staging, n * plan.cols);
      quantize_forward(gpu, data, scales, staging, { format: plan.format, dtype, groups: (n * plan.cols) / QGROUP, sOff: (r0 * plan.cols) / QGROUP });
    }
    shards.push({ row0: s.row0, rows: s.rows, data, scales });
  });
  return { format: plan.format, rows: plan.rows, cols: plan.cols, shards, bytes: plan.bytes };
}

/** A quantised copy of a float matrix already on the GPU (same shards), e.g. to compare formats on one model. */
export function quantizeMatrix(gpu: Gpu, label: string, m: GpuMatrix, format: QuantFormat, made: GPUBuffer[]): GpuMatrix {
  if (isQuant(m.format)) throw new Error(`${label} is already ${m.format}`);
  if (m.cols % QGROUP) return m;
  let bytes = 0;
  const shards = m.shards.map((s, i) => {
    const dataBytes = s.rows * rowBytes(format, m.cols);
    const sb = scaleBytes(format, s.rows, m.cols);
    const data = gpu.buffer(`${label}[${i}]`, dataBytes);
    made.push(data);
    const scales = gpu.buffer(`${label}[${i}].scales`, sb);
    made.push(scales);
    bytes += bufferBytes(dataBytes) + bufferBytes(sb);
    quantize_forward(gpu, data, scales, s.data, { format, dtype: m.format as WeightDType, groups: (s.rows * m.cols) / QGROUP });
    return { row0: s.row0, rows: s.rows, data, scales };
  });
  return { format, rows: m.rows, cols: m.cols, shards, bytes };
}

/** y (M, rows) = beta·y + x (M, cols) · Wᵀ (+ bias), y columns at stride ldc (default rows) from cOff. */
export function matrixForward(
  gpu: Gpu, y: GPUBuffer, x: GPUBuffer, w: GpuMatrix,
  a: { M: number; aOff?: number; lda?: number; cOff?: number; ldc?: number; beta?: number; bias?: GpuTensor },
): void {
  for (const s of w.shards) {
    matmul_forward(gpu, y, x, s.data, {
      M: a.M, N: s.rows, K: w.cols, transB: true, bType: w.format, bScales: s.scales,
      aOff: a.aOff, lda: a.lda, cOff: (a.cOff ?? 0) + s.row0, ldc: a.ldc ?? w.rows, beta: a.beta ?? 0,
      bias: a.bias?.buffer, biasOff: s.row0, biasType: a.bias?.dtype,
    });
  }
}

/** dx (M, cols) = beta·dx + dy (M, rows) · W; dy read at stride lda (default rows) from aOff. */
export function matrixBackward(
  gpu: Gpu, dx: GPUBuffer, dy: GPUBuffer, w: GpuMatrix,
  a: { M: number; aOff?: number; lda?: number; cOff?: number; beta?: number },
): void {
  w.shards.forEach((s, i) => {
    matmul_forward(gpu, dx, dy, s.data, {
      M: a.M, N: w.cols, K: s.rows, bType: w.format, bScales: s.scales,
      aOff: (a.aOff ?? 0) + s.row0, lda: a.lda ?? w.rows, cOff: a.cOff, beta: i === 0 ? a.beta ?? 0 : 1,
    });
  });
}

/** out (M, cols) = W[tokens] (the embedding gather; each token's row is in exactly one shard). */
export function matrixGather(gpu: Gpu, out: GPUBuffer, tokens: GPUBuffer, w: GpuMatrix, M: number): void {
  for (const s of w.shards) {
    embedding_forward(gpu, out, tokens, s.data, { M, C: w.cols, dtype: w.format, scales: s.scales, row0: s.row0, rows: s.rows });
  }
}

/**
 * W ← W + scale · B·A with A (r, cols) and B (rows, r) at element offsets in the flat LoRA buffer. Float formats
 * are updated in place (rounded to their type); a quantised W is dequantised, updated in f32 and quantised again
 * in row chunks through one temporary buffer (QLoRA's merge: the result carries a fresh quantisation error).
 */
export function matrixAddLowRank(
  gpu: Gpu, w: GpuMatrix, lora: GPUBuffer, a: { r: number; scale: number; aOff: number; bOff: number },
): void {
  if (!isQuant(w.format)) {
    for (const s of w.shards) {
      lora_merge_forward(gpu, s.data, lora, { rows: s.rows, cols: w.cols, r: a.r, scale: a.scale, dtype: w.format as WeightDType, aOff: a.aOff, bOff: a.bOff + s.row0 * a.r });
    }
    return;
  }
  const format = w.format;
  const rb = w.cols * 4;
  const maxRows = Math.max(...w.shards.map((s) => s.rows));
  const cap = Math.min(Math.max(STAGING_CAP, 2 * rb), maxRows * rb, Math.floor(gpu.options.maxBindingBytes / 16) * 16);
  const tmp = gpu.buffer('merge-f32', cap);
  try {
    for (const s of w.shards) {
      const step = chunkRows(w.cols, rb, cap, s.rows);
      for (let r0 = 0; r0 < s.rows; r0 += step) {
        const n = Math.min(step, s.rows - r0);
        dequantize_forward(gpu, tmp, s.data, s.scales!, { format, n: n * w.cols, qOff: r0 * w.cols });
        lora_merge_forward(gpu, tmp, lora, { rows: n, cols: w.cols, r: a.r, scale: a.scale, dtype: 'f32', aOff: a.aOff, bOff: a.bOff + (s.row0 + r0) * a.r });
        quantize_forward(gpu, s.data, s.scales!, tmp, { format, dtype: 'f32', groups: (n * w.cols) / QGROUP, sOff: (r0 * w.cols) / QGROUP });
      }
    }
  } finally {
    gpu.release(tmp);
  }
}

/** Bytes a decode step reads from this matrix: all of it, or one row when it is only gathered from. */
export function matrixReadBytes(w: GpuMatrix, gathered = false): number {
  const total = w.rows * rowBytes(w.format, w.cols) + scaleBytes(w.format, w.rows, w.cols);
  return gathered ? Math.ceil(total / w.rows) : total;
}

export function releaseMatrix(gpu: Gpu, w: GpuMatrix): void {
  gpu.release(...w.shards.flatMap((s) => (s.scales ? [s.data, s.scales] : [s.data])));
}
