// The one message protocol between the UI (or CLI page) and the engine worker. Each request kind maps to its
// request fields and its result; the client and the host are typed from this table, so there are no casts at
// the call sites. Errors cross as {name, message, stack} and are re-raised on the other side with their class.
import type { AdapterInfo } from '../engine/gpu/device.ts';
import type { WeightDType } from '../engine/gpu/dtype.ts';
import type { ModelConfig } from '../engine/model/config.ts';
import type { LoraConfig } from '../engine/model/lora.ts';
import type { CachedModel } from '../engine/storage/cache.ts';
import type { Rate } from '../engine/model/generate.ts';
import type { UploadProgress } from '../engine/model/loader.ts';
import type { Quantization } from '../engine/model/matrix.ts';
import type { DownloadProgress } from '../engine/storage/download.ts';
import type { ModelSourceSpec } from '../engine/storage/spec.ts';
import type { BosPolicy } from '../engine/model/tokenizer.ts';
import type { UploadOptions } from '../engine/model/weights.ts';

export type { CachedModel, DownloadProgress, ModelSourceSpec, Quantization, Rate, UploadProgress };
import type { BenchReport, BenchRequest } from '../bench/types.ts';
import type { ArcFiles, TaskSource } from '../seal/arc/task_set.ts';
import type { ControlAction } from '../seal/core/control.ts';
import type { ApplySetup, LabEvent, SealLabFile, SealRunRequest, SealRunResult } from '../seal/tracks.ts';
import type { YourEdit } from '../seal/core/yours.ts';

export type { ApplySetup, ArcFiles, BenchReport, BenchRequest, LabEvent, SealRunRequest, SealRunResult, TaskSource, YourEdit };

export interface LoraInfo extends LoraConfig {
  /** Trainable parameters. */
  size: number;
}

export interface ModelInfo {
  config: ModelConfig;
  weightBytes: number;
  /** Parameters the config implies (a tied head counted once). */
  params: number;
  /** Storage type of the checkpoint's weights (what the norms stay in). */
  dtype: WeightDType;
  /** The weight-only quantisation the load applied ('auto' resolved). */
  quantization: Quantization;
  /** Row shards of the embedding: more than 1 when it is larger than one binding may be. */
  embedShards: number;
  /** Seconds from the first weight read to the last tensor on the GPU. */
  uploadSeconds: number;
  hasTokenizer: boolean;
  /** How a plain prompt gets its BOS token (tokenizer.ts); null without a tokenizer. */
  bosPolicy: BosPolicy | null;
  /** The model folder's seal_lab.json (what it is for, smaller SEAL settings per track), when present. */
  sealLab: SealLabFile | null;
  /** Where it came from (no token): the spec, a label (`org/name@main`, the URL…) and the commit when known. */
  source: { spec: ModelSourceSpec; label: string; commit: string | null };
}

/**
 * Where to load a model or adapter from: `source` (any ModelSourceSpec), or the older `url` (an http(s) folder,
 * the same as `{source: {kind: 'url', url}}`).
 */
export type SourceRequest = { source: ModelSourceSpec; url?: undefined } | { url: string; source?: undefined };

export interface DownloadRequestOptions {
  /** Consecutive failed attempts per file before the load fails (default 5); what arrived stays cached. */
  retries?: number;
  /** First back-off delay in ms (default 500). */
  retryDelayMs?: number;
}

export interface CacheList {
  /** 'opfs' (kept across reloads) or 'memory' (this page only). */
  store: 'opfs' | 'memory';
  models: CachedModel[];
  /** The origin's storage use and quota in bytes, when the browser tells. */
  usage: number | null;
  quota: number | null;
}

export interface GenerateResult {
  tokens: number[];
  text: string | null;
  /** The prompt as the model saw it (chat template, BOS and all). */
  promptIds: number[];
  promptTokens: number;
  /** Prefill to decode's end. */
  seconds: number;
  /** The prompt's forward up to the first sampled token (prompt tokens / s). */
  prefill: Rate;
  /** Every later token (new tokens − 1, one forward step each). */
  decode: Rate;
  /** Said once per loaded model (e.g. a plain prompt without BOS); empty otherwise. */
  warnings: string[];
}

export interface Api {
  /**
   * A fresh device (drops the model). `maxBindingBytes` lowers the largest weight buffer, so that big matrices are
   * row-sharded as on an adapter with a smaller binding limit (a testing knob; default the adapter's limit).
   */
  init: { req: { maxBindingBytes?: number }; res: AdapterInfo };
  'load-model': { req: SourceRequest & { quantize?: UploadOptions['quantize']; allowNonFinite?: boolean; download?: DownloadRequestOptions }; res: ModelInfo };
  'load-adapter': { req: SourceRequest & { download?: DownloadRequestOptions }; res: LoraInfo };
  /** The live adapter as PEFT files (adapter_config.json text, adapter_model.safetensors bytes). */
  'export-adapter': { req: { baseModel?: string }; res: { adapterConfig: string; adapterModel: Uint8Array; info: LoraInfo } };
  /** What the download cache holds. */
  'cache-list': { req: Record<string, never>; res: CacheList };
  /** Deletes one cached model (`key` from cache-list) or, with `all`, everything. */
  'cache-delete': { req: { key: string } | { all: true }; res: { deleted: number } };
  /** Handled at once: cancels the model or adapter load in progress (its downloads stay cached for a resume). */
  'cancel-load': { req: Record<string, never>; res: { cancelled: boolean } };
  /** Handled at once: destroys the GPU device under the engine, as a driver reset would (fault tests, demos). */
  'simulate-device-loss': { req: Record<string, never>; res: { lost: boolean } };
  'new-adapter': { req: { config: LoraConfig; seed: number }; res: LoraInfo };
  forward: {
    req: { tokens: number[][]; adapter: boolean; logits: boolean };
    /** `seconds`: the forward and its read-back, in the engine. */
    res: { loss: number; shape: [number, number, number]; logits: Float32Array | null; seconds: number };
  };
  'lora-grad': {
    req: { tokens: number[][] };
    res: { loss: number; grads: Record<string, { shape: number[]; data: Float32Array }>; seconds: number };
  };
  generate: {
    req: { prompt: string | number[]; maxNewTokens: number; temperature: number; topP: number; seed: number; chat: boolean; adapter: boolean };
    res: GenerateResult;
  };
  /** Handled at once (also during a run, e.g. per round of a soak): GPU memory the engine holds now, the most since
   * init, and how much of it is the model's workspace (grown on demand to the largest batch seen). */
  memory: { req: Record<string, never>; res: { allocatedBytes: number; peakAllocatedBytes: number; workspaceBytes: number } };
  bench: { req: BenchRequest; res: BenchReport };
  /** A SEAL run of one track; its events stream as `seal` events. */
  /**
   * A SEAL run of one track; its events stream as `seal` events. With `runId` its M-step adapters are kept (OPFS) so
   * it can be resumed; `resume` (the run's saved events) skips what it had finished.
   */
  'seal-run': { req: SealRunRequest & { stepMode?: boolean; runId?: string; resume?: LabEvent[] }; res: SealRunResult };
  /**
   * A student's self-edit, applied as the inner loop applies the model's; its events (ttt-data, ttt-loss, the rollout)
   * stream as `seal` events. While a run is in progress the run applies it at its next checkpoint (between phases: held
   * in step mode, on the run's current generator) and `setup` is not used; otherwise it is applied to the model the
   * runs start from (reloaded if a run changed it) with `setup`'s settings and items.
   */
  'apply-self-edit': { req: { setup: ApplySetup; edit: YourEdit }; res: { rollout: Extract<LabEvent, { type: 'rollout' }>['rollout']; during: 'run' | 'model' } };
  /** Handled at once, even while a run is in progress (it does not wait in the request queue). */
  control: { req: { action: ControlAction }; res: { paused: boolean; stepMode: boolean; stopped: boolean; running: boolean } };
}

export type RequestKind = keyof Api;

export type Request = { [K in RequestKind]: { kind: K; id: number } & Api[K]['req'] }[RequestKind];

/** Progress while a request runs (tokens as they are generated, bytes as they load). */
export type EngineEvent =
  | { type: 'tokens'; tokens: number[] }
  /** A model/adapter file: bytes so far, rate, time left; `fromCache` for a cache hit; `done` on its last event. */
  | ({ type: 'download' } & DownloadProgress)
  /** Weights reaching the GPU: once before the first read (tensor null), then after each tensor. */
  | ({ type: 'upload' } & UploadProgress)
  | { type: 'log'; message: string }
  | { type: 'seal'; event: LabEvent };

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
