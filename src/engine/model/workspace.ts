// Activation memory, planned: every buffer a forward or backward pass needs for up to `rows` tokens is created
// once here and reused by every layer and every call (no per-call buffer churn). Training keeps one (rows, C)
// residual checkpoint per layer. When every layer's intermediates fit KEEP_ACTIVATION_BYTES they are kept too
// (one set per layer), so the backward needs no second forward; otherwise each layer's are recomputed from its
// checkpoint (activation checkpointing: memory grows with layers × C, not layers × (C + F + attention)).
// Logits exist only for `logitRows` rows at a time (the loss is computed in row chunks).
//
// The buffers come from one layout table per class (workspaceLayout, gradLayout): the memory estimate
// (memory.ts) sums the same tables, so what it predicts is what is allocated.
import { bufferBytes, fmtBytes, GpuMemoryError, maxBinding, type Gpu } from '../gpu/context.ts';
import type { ModelConfig } from './config.ts';
import { PROJECTIONS, type Projection } from './shapes.ts';

/** Bytes of logits kept at once; the head and loss run in row chunks of this size. */
const LOGIT_CHUNK_BYTES = 64 * 2 ** 20;

/** Rows of logits computed at once for a vocabulary of V. */
export const logitRows = (rows: number, V: number) => Math.max(1, Math.min(rows, Math.floor(LOGIT_CHUNK_BYTES / (V * 4))));

type ForwardName =
  | 'tokens' | 'rope' | 'mask' | 'h' | 'hmid' | 'x1' | 'x2' | 'rstd1' | 'rstd2' | 'q' | 'k' | 'v'
  | 'attn' | 'stats' | 'gate' | 'up' | 'act' | 'loraT' | 'xf' | 'rstdF' | 'logits' | 'targets' | 'weights' | 'losses';

/** 4-byte elements of every forward buffer, M = rows, C = hidden, F = intermediate, Q = heads·D, KV = kvHeads·D. */
export function workspaceLayout(cfg: ModelConfig, rows: number, r: number): Record<ForwardName, number> {
  const { hidden: C, intermediate: F, heads, kvHeads, headDim: D, vocabSize: V } = cfg;
  const M = rows;
  return {
    tokens: M, // (M) i32
    rope: M * D, // (2, M, D/2) cos, sin
    mask: M, // (M) i32 key mask when attending to this call's own k/v
    h: M * C, // (M, C) residual stream (inference)
    hmid: M * C, // (M, C) residual after attention (recompute)
    x1: M * C, // (M, C) rmsnorm(h) → attention
    x2: M * C, // (M, C) rmsnorm(hmid) → MLP
    rstd1: M, // (M)
    rstd2: M, // (M)
    q: M * heads * D, // (M, Q) after RoPE
    k: M * kvHeads * D, // (M, KV) after RoPE
    v: M * kvHeads * D, // (M, KV)
    attn: M * heads * D, // (M, Q)
    stats: 2 * M * heads, // (2, M·heads) attention lse and delta
    gate: M * F, // (M, F)
    up: M * F, // (M, F)
    act: M * F, // (M, F) silu(gate)·up
    loraT: PROJECTIONS.length * M * Math.max(r, 1), // (7, M, r) x·Aᵀ per projection
    xf: M * C, // (M, C) final rmsnorm
    rstdF: M, // (M)
    logits: logitRows(M, V) * V, // (logitRows, V) → dlogits in training
    targets: M, // (M) i32 next token
    weights: M, // (M) f32 loss weight of each row
    losses: M, // (M) f32 per-row weighted loss
  };
}

/** A layer's intermediates: what its backward reads (one shared set, or one per layer when kept). */
export type LayerActs = Pick<Workspace, KeptName>;
type KeptName = 'hmid' | 'x1' | 'x2' | 'rstd1' | 'rstd2' | 'q' | 'k' | 'v' | 'attn' | 'stats' | 'gate' | 'up' | 'act' | 'loraT';
const KEPT: KeptName[] = ['hmid', 'x1', 'x2', 'rstd1', 'rstd2', 'q', 'k', 'v', 'attn', 'stats', 'gate', 'up', 'act', 'loraT'];

/**
 * Most bytes of per-layer intermediates training keeps instead of recomputing them. Skipping the recompute saves
 * about a quarter of a training step's arithmetic; beyond this (large models, long batches) memory matters more.
 */
export const KEEP_ACTIVATION_BYTES = 64 * 2 ** 20;

/** 4-byte elements of one layer's kept intermediates, by buffer, or null when all layers' exceed the budget. */
export function keptLayout(cfg: ModelConfig, rows: number, r: number): Record<KeptName, number> | null {
  const all = workspaceLayout(cfg, rows, r);
  const one = Object.fromEntries(KEPT.map((k) => [k, all[k]])) as Record<KeptName, number>;
  const bytes = KEPT.reduce((s, k) => s + bufferBytes(one[k] * 4), 0);
  return cfg.layers * bytes <= KEEP_ACTIVATION_BYTES ? one : null;
}

type GradName = 'dh' | 'dx' | 'dq' | 'dk' | 'dv' | 'dattn' | 'dgate' | 'dup' | 'dact' | 'dt';

/** 4-byte elements of every backward buffer (plus layers + 1 checkpoints of M × C). */
export function gradLayout(cfg: ModelConfig, rows: number, r: number): Record<GradName, number> {
  const { hidden: C, intermediate: F, heads, kvHeads, headDim: D } = cfg;
  const M = rows;
  return {
    dh: M * C, // (M, C) gradient w.r.t. the residual stream
    dx: M * C, // (M, C) gradient w.r.t. a normed input
    dq: M * heads * D, // (M, Q)
    dk: M * kvHeads * D, // (M, KV)
    dv: M * kvHeads * D, // (M, KV)
    dattn: M * heads * D, // (M, Q)
    dgate: M * F, // (M, F)
    dup: M * F, // (M, F)
    dact: M * F, // (M, F)
    dt: M * Math.max(r, 1), // (M, r) gradient w.r.t. x·Aᵀ
  };
}

/** Every buffer of a layout as [label, bytes], checkpoints (and kept intermediates) included for the backward. */
export function layoutBuffers(cfg: ModelConfig, rows: number, r: number, grad: boolean): [string, number][] {
  const out: [string, number][] = Object.entries(workspaceLayout(cfg, rows, r)).map(([k, n]) => [`ws.${k}`, bufferBytes(n * 4)]);
  if (grad) {
    for (let l = 0; l <= cfg.layers; l++) out.push([`ws.checkpoint${l}`, bufferBytes(rows * cfg.hidden * 4)]);
    for (const [k, n] of Object.entries(gradLayout(cfg, rows, r))) out.push([`ws.${k}`, bufferBytes(n * 4)]);
    const kept = keptLayout(cfg, rows, r);
    for (let l = 0; kept && l < cfg.layers; l++) for (const [k, n] of Object.entries(kept)) out.push([`ws.layer${l}.${k}`, bufferBytes(n * 4)]);
  }
  return out;
}

/** Creates one buffer per layout entry after checking them all (nothing is made when one cannot be). */
function allocate<K extends string>(gpu: Gpu, layout: Record<K, number>, rows: number, made: GPUBuffer[], prefix = 'ws.'): Record<K, GPUBuffer> {
  const limit = maxBinding(gpu.limits);
  for (const [k, n] of Object.entries(layout) as [K, number][]) {
    if (n * 4 > limit) {
      throw new GpuMemoryError(
        `activations for ${rows} rows: ws.${k} needs ${fmtBytes(n * 4)}, more than this adapter binds (${fmtBytes(limit)}); ` +
          'use shorter sequences or smaller batches');
    }
  }
  const out = {} as Record<K, GPUBuffer>;
  try {
    for (const [k, n] of Object.entries(layout) as [K, number][]) made.push((out[k] = gpu.buffer(`${prefix}${k}`, n * 4)));
  } catch (e) {
    gpu.release(...made.splice(0));
    throw e;
  }
  return out;
}

// Declaration merging types the buffers that allocate() puts on the instance (ws.h, ws.q, …).
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface Workspace extends Record<ForwardName, GPUBuffer> {}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Workspace {
  readonly rows: number;
  readonly logitRows: number;
  private readonly made: GPUBuffer[] = [];

  constructor(readonly gpu: Gpu, readonly cfg: ModelConfig, rows: number, readonly r: number) {
    this.rows = rows;
    this.logitRows = logitRows(rows, cfg.vocabSize);
    Object.assign(this, allocate(gpu, workspaceLayout(cfg, rows, r), rows, this.made));
  }

  /** Element offset of projection p's x·Aᵀ in loraT. */
  tOff(p: Projection, M: number): number {
    return PROJECTIONS.indexOf(p) * M * this.r;
  }

  destroy(): void {
    this.gpu.release(...this.made);
    this.grad?.destroy();
  }

  /** GPU bytes held (forward buffers and, after the first training call, the backward's). */
  get bytes(): number {
    return this.made.reduce((s, b) => s + b.size, 0) + (this.grad?.bytes ?? 0);
  }

  /** Backward-only buffers, created on the first training call. */
  grad?: GradWorkspace;
  gradBuffers(layers: number): GradWorkspace {
    return (this.grad ??= new GradWorkspace(this.gpu, this.cfg, this.rows, this.r, layers));
  }
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface GradWorkspace extends Record<GradName, GPUBuffer> {}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class GradWorkspace {
  private readonly made: GPUBuffer[] = [];
  /** (layers + 1) × (M, C): the residual stream entering each layer, and the last. */
  readonly checkpoints: GPUBuffer[];
  /** Each layer's intermediates from the forward, when they fit (keptLayout); else null: the backward recomputes. */
  readonly kept: LayerActs[] | null = null;

  constructor(private readonly gpu: Gpu, cfg: ModelConfig, M: number, r: number, layers: number) {
    const cp: Record<string, number> = {};
    for (let l = 0; l <= layers; l++) cp[`checkpoint${l}`] = M * cfg.hidden;
    const all: Record<string, GPUBuffer> = allocate(this.gpu, { ...cp, ...gradLayout(cfg, M, r) }, M, this.made);
    this.checkpoints = Array.from({ length: layers + 1 }, (_, l) => all[`checkpoint${l}`]);
    Object.assign(this, all);
    const kept = keptLayout(cfg, M, r);
    if (kept) this.kept = Array.from({ length: layers }, (_, l) => allocate(this.gpu, kept, M, this.made, `ws.layer${l}.`));
  }

  destroy(): void {
    this.gpu.release(...this.made);
  }

  get bytes(): number {
    return this.made.reduce((s, b) => s + b.size, 0);
  }
}
