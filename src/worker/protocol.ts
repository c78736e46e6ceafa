// The one message protocol between the UI (or CLI page) and the engine worker. Each request kind maps to its
// request fields and its result; the client and the host are typed from this table, so there are no casts at
// the call sites. Errors cross as {name, message, stack} and are re-raised on the other side with their class.
import type { AdapterInfo } from '../engine/gpu/device.ts';
import type { ModelConfig } from '../engine/model/config.ts';
import type { LoraConfig } from '../engine/model/lora.ts';
import type { ArcConfig, ModelOverrides } from '../seal/arc/config.ts';
import type { ArcRunResult } from '../seal/arc/experiment.ts';
import type { ControlAction } from '../seal/control.ts';
import type { SealEvent } from '../seal/events.ts';

export interface LoraInfo extends LoraConfig {
  /** Trainable parameters. */
  size: number;
}

export interface ModelInfo {
  config: ModelConfig;
  weightBytes: number;
  hasTokenizer: boolean;
  /** The model folder's seal_lab.json (smaller SEAL settings for small models), when present. */
  sealLab: ModelOverrides | null;
}

/** ARC JSON as loaded from files or URLs (validated in the worker). */
export interface ArcFiles {
  challenges: unknown;
  solutions: unknown;
}

export type TaskSource =
  | { source: 'mini'; seed?: number; train?: number; eval?: number }
  | { source: 'files'; eval: ArcFiles; train?: ArcFiles };

export interface ArcRunRequest {
  tasks: TaskSource;
  /** Cap on tasks per role (short runs, demos). */
  maxTrain?: number;
  maxEval?: number;
  config: Partial<Pick<ArcConfig, 'seed' | 'rounds' | 'selfEditsPerTrainTask' | 'selfEditsPerEvalTask' | 'methods'>>;
  /** Start paused after each phase (step-through mode). */
  stepMode?: boolean;
}

export interface BenchRequest {
  /** Matmul sizes N for N×N×N. */
  matmulSizes: number[];
  /** Prompt tokens for the prefill measurement and new tokens for decode. */
  prefillTokens: number;
  decodeTokens: number;
  trainTokens: number;
  loraRank: number;
}

export interface Api {
  init: { req: Record<string, never>; res: AdapterInfo };
  'load-model': { req: { url: string }; res: ModelInfo };
  'load-adapter': { req: { url: string }; res: LoraInfo };
  'new-adapter': { req: { config: LoraConfig; seed: number }; res: LoraInfo };
  forward: {
    req: { tokens: number[][]; adapter: boolean; logits: boolean };
    res: { loss: number; shape: [number, number, number]; logits: Float32Array | null };
  };
  'lora-grad': {
    req: { tokens: number[][] };
    res: { loss: number; grads: Record<string, { shape: number[]; data: Float32Array }> };
  };
  generate: {
    req: { prompt: string | number[]; maxNewTokens: number; temperature: number; topP: number; seed: number; chat: boolean; adapter: boolean };
    res: { tokens: number[]; text: string | null; promptTokens: number; seconds: number };
  };
  bench: { req: BenchRequest; res: Record<string, unknown> };
  'arc-run': { req: ArcRunRequest; res: ArcRunResult & { config: ArcConfig; tasks: { train: string[]; eval: string[] } } };
  /** Handled at once, even while a run is in progress (it does not wait in the request queue). */
  control: { req: { action: ControlAction }; res: { paused: boolean; stepMode: boolean; stopped: boolean; running: boolean } };
}

export type Kind = keyof Api;

export type Request = { [K in Kind]: { kind: K; id: number } & Api[K]['req'] }[Kind];

/** Progress while a request runs (tokens as they are generated, bytes as they load). */
export type EngineEvent =
  | { type: 'tokens'; tokens: number[] }
  | { type: 'log'; message: string }
  | { type: 'seal'; event: SealEvent };

export interface WireError {
  name: string;
  message: string;
  stack?: string;
}

export type Response =
  | { kind: 'result'; id: number; result: unknown }
  | { kind: 'error'; id: number; error: WireError }
  | { kind: 'event'; id: number; event: EngineEvent };

export function toWire(e: unknown): WireError {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: 'Error', message: String(e) };
}

/** An error that crossed the worker boundary: same name, message and (worker) stack. */
export class EngineError extends Error {
  constructor(w: WireError) {
    super(w.message);
    this.name = w.name;
    if (w.stack) this.stack = `${w.name}: ${w.message}\n    (in the engine worker)\n${w.stack.split('\n').slice(1).join('\n')}`;
  }
}
