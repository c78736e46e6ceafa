// What a benchmark run is asked for and what it reports (the JSON `npm run bench -- --json` prints).
import type { AdapterInfo } from '../engine/gpu/device.ts';
import type { ShapeName, ShapeQuant } from './shape_model.ts';

export interface BenchRequest {
  /** Matmul sizes N for N×N×N. */
  matmulSizes: number[];
  /** Prompt tokens for the prefill measurement and new tokens for decode. */
  prefillTokens: number;
  decodeTokens: number;
  trainTokens: number;
  loraRank: number;
  /** A random-weight model of a real checkpoint's shape (src/bench/shape.ts); absent: not measured. */
  shape?: ShapeRequest;
  /** The sections to run (absent: all); a section left out is null (or empty) in the report. */
  sections?: BenchSection[];
  /** Inner loops side by side (src/bench/inner.ts); absent: not measured. */
  inner?: InnerRequest;
}

/** One SEAL rollout's shape (a fresh LoRA trained on its sequences, then greedy answers), and the slot counts to time. */
export interface InnerRequest {
  /** Whose rollout this imitates (e.g. "knowledge: seal-mini-bio"). */
  track: string;
  /** Token lengths of one rollout's training sequences (each epoch in a seeded order; a shared step pads to the longest). */
  seqLens: number[];
  epochs: number;
  batchSize: number;
  loraRank: number;
  targets: string[];
  /** Greedy answers after training: prompts of promptTokens, newTokens each. */
  prompts: number;
  promptTokens: number;
  newTokens: number;
  /** Adapter slots to time (1 = one after another, the baseline). */
  slots: number[];
  /** Rollouts timed per slot count. */
  rollouts: number;
}

export interface InnerRow {
  slots: number;
  /** Each layer's intermediates kept from the forward for the backward, or recomputed there (workspace.ts). */
  intermediates: 'kept' | 'recomputed';
  rollouts: number;
  seconds: number;
  rolloutsPerSecond: number;
  /** rolloutsPerSecond over the S = 1 kept row's, same run. */
  ratio: number | null;
  /** Kernel time over wall time of one training step of all slots (null: no timestamp queries on this adapter). */
  busyFraction: number | null;
  /** GPU bytes of the S adapters with their gradients and AdamW moments, and of the model's workspace (its high-water mark so far). */
  loraBytes: number;
  workspaceBytes: number;
}

export interface InnerReport {
  track: string;
  workload: InnerRequest & { stepsPerRollout: number };
  rows: InnerRow[];
}

/**
 * matmul: square GEMMs and the CPU loop; model: the model's GEMM shapes and tok/s rows; then the two model extras;
 * inner: SEAL rollouts one after another and side by side (with `inner`, on whichever model is loaded).
 */
export const BENCH_SECTIONS = ['matmul', 'model', 'quantization', 'guards', 'inner'] as const;
export type BenchSection = (typeof BENCH_SECTIONS)[number];

/** The shaped-model section: what to build, the cuts that make it fit a slow adapter, and what to measure. */
export interface ShapeRequest {
  name: ShapeName;
  quant: ShapeQuant;
  /** Cuts (absent: the real value): decoder layers, vocabulary rows. */
  layers?: number;
  vocab?: number;
  /** One forward of this many tokens. */
  prefillTokens: number;
  /** Greedy decode: prompt tokens, new tokens, and the batch of the self-edit sampling row (k sequences at once). */
  promptTokens: number;
  decodeTokens: number;
  batch: number;
  /** LoRA training: one step over a sequence of each length, for each adapter setting. */
  trainTokens: number[];
  seed?: number;
  /**
   * false: leave out the 'gpu'-vs-'cpu' kernel check (report null). At 1B width SwiftShader runs the 'gpu' class
   * ~7x slower than its own (~40 s), so the tests check it on a narrow model (checkKernelClasses) instead.
   */
  kernelCheck?: boolean;
}

export interface MatmulRow {
  case: string;
  M: number;
  N: number;
  K: number;
  gflops: number;
  /** The plain one-thread-per-output kernel at the same size, and the ratio to it. */
  baselineGflops?: number;
  ratio?: number;
  ratioToBf16?: number;
  dtype?: string;
  /** Set on the kernel-class rows: which GEMM variants ran (gpu.options.kernels). */
  kernels?: 'cpu' | 'gpu';
}

export interface CpuRow {
  n: number;
  seconds: number;
  gflops: number;
  gpuGflops: number;
  ratio: number;
}

export interface ModelCard {
  arch: string;
  layers: number;
  hidden: number;
  intermediate: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  vocab: number;
  params: number;
  dtype: string;
  quantization: string;
  weightBytes: number;
  /** Set by the CLI: where the model came from. */
  path?: string;
}

/** Tokens per second with the tiled GEMM, with the plain GEMM, and their ratio. */
export interface Rate {
  tokens: number;
  tokPerS: number;
  baselineTokPerS: number;
  ratio: number;
}

export interface QuantRow {
  format: string;
  quantization: string;
  weightBytes: number;
  weightBytesPerToken: number;
  prefillTokPerS: number;
  decodeTokPerS: number;
  trainTokPerS: number;
  logitsMaxAbs: number;
  logitsRel: number;
  bytesRatio: number;
  perTokenRatio: number;
  prefillRatio: number;
  decodeRatio: number;
  trainRatio: number;
}

export type QuantSection =
  | { note: string }
  | {
    formats: QuantRow[];
    kvBytesPerToken: { bytes: number; contextTokens: number; note: string };
    groupSize: number;
    scheme: string;
    timing: { rounds: number; interleaved: boolean; statistic: string };
    decodePromptTokens: number;
    decodeTokens: number;
    prefillTokens: number;
    trainTokens: number;
    loraRank: number;
  };

/** The numerical guards' cost: training with and without the non-finite check, and the load-time count. */
export interface GuardsReport {
  trainTokPerS: number;
  trainTokPerSWithoutGuard: number;
  /** (without − with) / without, in %. */
  trainCostPct: number;
  loadCheckSeconds: number;
  loadCheckElements: number;
  rounds: number;
}

/** Measured copy bandwidth (and the spec sheet's, when the adapter names a known part). */
export interface BandwidthReport {
  bytes: number;
  copyKernelGBps: number;
  copyBufferGBps: number;
  specGBps: number | null;
  specSource: string | null;
  method: string;
}

/** µs per dispatch of a trivial kernel: recording it, and through to a read (bench/dispatch.ts). */
export interface DispatchOverhead {
  dispatches: number;
  recordUs: number;
  totalUs: number;
  method: string;
}

/** GPU time per kernel over a few decode steps (timestamp queries; bench/profile.ts) against the step's wall time. */
export interface KernelProfile {
  steps: number;
  kernelMsPerStep: number;
  wallMsPerStep: number;
  /** kernel / wall time: near 1 the kernels are the limit; the rest of a step is dispatch, submit and read-back. */
  busyFraction: number;
  droppedDispatches: number;
  /** Per pipeline (its label names the variant), largest first; share of the summed kernel time. */
  kernels: Array<{ label: string; dispatchesPerStep: number; msPerStep: number; share: number }>;
}

/** One greedy decode row: B sequences at once; rates per step and over all sequences. */
export interface ShapeDecodeRow {
  batch: number;
  promptTokens: number;
  newTokens: number;
  /** Tokens per second over the batch (batch / step seconds), and per sequence. */
  tokPerS: number;
  tokPerSPerSequence: number;
  msPerStep: number;
  /** Compute dispatches recorded per decode step (all sequences), counted by Gpu.dispatch. */
  dispatchesPerStep: number;
  /** Bytes one step reads: the weights once, plus every sequence's K and V at the mean context of the decode. */
  bytesPerStep: number;
  kvBytesPerStep: number;
  /** Bandwidth-bound ceiling from the measured copy bandwidth (the best of kernel and queue copy), and the share reached. */
  ceilingTokPerS: number;
  fractionOfCeiling: number;
  /** The same against the spec-sheet bandwidth, when known. */
  specCeilingTokPerS: number | null;
  fractionOfSpecCeiling: number | null;
  peakBytes: number;
  estimatedBytes: number;
  /** Where a step's time goes; null when the device has no 'timestamp-query'. */
  profile: KernelProfile | null;
}

export interface ShapeTrainRow {
  setting: string;
  r: number;
  alpha: number;
  targets: string[];
  tokens: number;
  tokPerS: number;
  stepSeconds: number;
  /** Measured peak of the engine's GPU buffers during the phase (weights included), and memory.ts's estimate. */
  peakBytes: number;
  estimatedBytes: number;
}

export interface ShapeReport {
  name: ShapeName;
  quant: ShapeQuant;
  /** The GEMM variants this run used (the adapter's class), and the other class's logits on the same model. */
  kernels: 'cpu' | 'gpu';
  kernelCheck: { tokens: number; forwardRel: number; decodeRel: number; gradientRel: number; note: string } | null;
  model: ModelCard;
  /** Each cut: the real value and the one used (empty: nothing was cut). Applies to every row below. */
  cuts: Record<string, { real: number | number[]; used: number | number[] }>;
  weightBytesPerToken: number;
  buildSeconds: number;
  bandwidth: BandwidthReport;
  dispatchOverhead: DispatchOverhead;
  prefill: { tokens: number; tokPerS: number; seconds: number; peakBytes: number; estimatedBytes: number };
  decode: ShapeDecodeRow[];
  train: ShapeTrainRow[];
  /** The most the engine's GPU buffers held during the section (every phase's peakBytes likewise counts only the
   * section's own buffers: the model and the phase's workspace, cache, adapter; not the other sections'). */
  peakBytes: number;
  seconds: number;
}

export interface BenchReport {
  adapter: Pick<AdapterInfo, 'vendor' | 'architecture' | 'device' | 'description' | 'features'>;
  timing: { warmup: number; minSeconds: number; maxReps: number; statistic: string; sync: string };
  matmul: MatmulRow[];
  cpuBaseline: { method: string; results: CpuRow[] };
  model: ModelCard | null;
  prefill: Rate | null;
  decode: (Rate & { promptTokens: number; profile: KernelProfile | null }) | null;
  train: (Rate & { loraRank: number; targets: string[] }) | null;
  quantization: QuantSection | null;
  guards: GuardsReport | null;
  /** The random-weight model of a real shape (`--shape`), null when not asked for. */
  shape: ShapeReport | null;
  /** Inner loops side by side on the loaded model (`inner`: one per track, each on its embedded model), absent when not asked for. */
  inner?: InnerReport[];
  /** Filled by the tool that ran the bench: the runtime (Chromium's worker, or Node with Dawn). */
  runtime?: { kind: 'chromium-worker' | 'node-dawn'; detail: string };
  /** Filled by tools/lab/bench with `--peer`: onnxruntime-web against the engine in one page (tools/lab/peer/). */
  peer?: PeerReport;
}

/** One model run by both engines in the same page, same prompt and token count, greedy. */
export interface PeerRow {
  model: string;
  /** What differs from the real model (e.g. layers, vocabulary). */
  note: string;
  params: number;
  promptTokens: number;
  newTokens: number;
  /** Timed rounds (after a warm-up round). */
  rounds: number;
  ours: { prefillTokPerS: number; decodeTokPerS: number };
  ort: { prefillTokPerS: number; decodeTokPerS: number; executionProvider: string };
  /** ours / ORT: above 1 means the engine is faster. */
  prefillRatio: number;
  decodeRatio: number;
  /** Largest |ours − ORT| over the prompt's logits (every position), and the largest |logit| for scale. */
  logitsMaxAbsDiff: number;
  logitsMaxAbs: number;
  /** Whether both engines' greedy tokens agree. */
  sameTokens: boolean;
}

export interface PeerReport {
  peer: string;
  version: string;
  executionProvider: string;
  /** Why the execution provider is what it is (e.g. WebGPU unavailable on this adapter → WASM). */
  executionProviderNote: string;
  adapter: string;
  rows: PeerRow[];
  timing: string;
}
