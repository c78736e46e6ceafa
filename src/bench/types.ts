// What a benchmark run is asked for and what it reports (the JSON `npm run bench -- --json` prints).
import type { AdapterInfo } from '../engine/gpu/device.ts';

export interface BenchRequest {
  /** Matmul sizes N for N×N×N. */
  matmulSizes: number[];
  /** Prompt tokens for the prefill measurement and new tokens for decode. */
  prefillTokens: number;
  decodeTokens: number;
  trainTokens: number;
  loraRank: number;
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

export interface BenchReport {
  adapter: Pick<AdapterInfo, 'vendor' | 'architecture' | 'device' | 'description' | 'features'>;
  timing: { warmup: number; minSeconds: number; maxReps: number; statistic: string; sync: string };
  matmul: MatmulRow[];
  cpuBaseline: { method: string; results: CpuRow[] };
  model: ModelCard | null;
  prefill: Rate | null;
  decode: (Rate & { promptTokens: number }) | null;
  train: (Rate & { loraRank: number; targets: string[] }) | null;
  quantization: QuantSection | null;
  guards: GuardsReport | null;
}
