// Activation memory, planned: every buffer a forward or backward pass needs for up to `rows` tokens is created
// once here and reused by every layer and every call (no per-call buffer churn). Training keeps only one
// (rows, C) residual checkpoint per layer; each layer's intermediates are recomputed from it during the
// backward (activation checkpointing), so memory grows with layers × C, not layers × (C + F + attention).
// Logits exist only for `logitRows` rows at a time (the loss is computed in row chunks).
import type { Gpu } from '../gpu/context.ts';
import type { ModelConfig } from './config.ts';
import { PROJECTIONS, type Projection } from './weights.ts';

/** Bytes of logits kept at once; the head and loss run in row chunks of this size. */
const LOGIT_CHUNK_BYTES = 64 * 2 ** 20;

export class Workspace {
  readonly rows: number;
  readonly logitRows: number;
  private readonly made: GPUBuffer[] = [];
  // forward — shapes with M = rows, C = hidden, F = intermediate, Q = heads·D, KV = kvHeads·D
  readonly tokens: GPUBuffer; // (M) i32
  readonly rope: GPUBuffer; // (2, M, D/2) cos, sin
  readonly mask: GPUBuffer; // (M) i32 key mask when attending to this call's own k/v
  readonly h: GPUBuffer; // (M, C) residual stream (inference)
  readonly hmid: GPUBuffer; // (M, C) residual after attention (recompute)
  readonly x1: GPUBuffer; // (M, C) rmsnorm(h) → attention
  readonly x2: GPUBuffer; // (M, C) rmsnorm(hmid) → MLP
  readonly rstd1: GPUBuffer; // (M)
  readonly rstd2: GPUBuffer; // (M)
  readonly q: GPUBuffer; // (M, Q) after RoPE
  readonly k: GPUBuffer; // (M, KV) after RoPE
  readonly v: GPUBuffer; // (M, KV)
  readonly attn: GPUBuffer; // (M, Q)
  readonly stats: GPUBuffer; // (2, M·heads) attention lse and delta
  readonly gate: GPUBuffer; // (M, F)
  readonly up: GPUBuffer; // (M, F)
  readonly act: GPUBuffer; // (M, F) silu(gate)·up
  readonly loraT: GPUBuffer; // (7, M, r) x·Aᵀ per projection
  // head and loss
  readonly xf: GPUBuffer; // (M, C) final rmsnorm
  readonly rstdF: GPUBuffer; // (M)
  readonly logits: GPUBuffer; // (logitRows, V) → dlogits in training
  readonly targets: GPUBuffer; // (M) i32 next token
  readonly weights: GPUBuffer; // (M) f32 loss weight of each row
  readonly losses: GPUBuffer; // (M) f32 per-row weighted loss

  constructor(readonly gpu: Gpu, readonly cfg: ModelConfig, rows: number, readonly r: number) {
    const { hidden: C, intermediate: F, heads, kvHeads, headDim: D, vocabSize: V } = cfg;
    const M = (this.rows = rows);
    this.logitRows = Math.max(1, Math.min(M, Math.floor(LOGIT_CHUNK_BYTES / (V * 4))));
    const f = (label: string, n: number) => {
      const b = gpu.buffer(`ws.${label}`, n * 4);
      this.made.push(b);
      return b;
    };
    this.tokens = f('tokens', M);
    this.rope = f('rope', M * D);
    this.mask = f('mask', M);
    this.h = f('h', M * C);
    this.hmid = f('hmid', M * C);
    this.x1 = f('x1', M * C);
    this.x2 = f('x2', M * C);
    this.rstd1 = f('rstd1', M);
    this.rstd2 = f('rstd2', M);
    this.q = f('q', M * heads * D);
    this.k = f('k', M * kvHeads * D);
    this.v = f('v', M * kvHeads * D);
    this.attn = f('attn', M * heads * D);
    this.stats = f('stats', 2 * M * heads);
    this.gate = f('gate', M * F);
    this.up = f('up', M * F);
    this.act = f('act', M * F);
    this.loraT = f('loraT', PROJECTIONS.length * M * Math.max(r, 1));
    this.xf = f('xf', M * C);
    this.rstdF = f('rstdF', M);
    this.logits = f('logits', this.logitRows * V);
    this.targets = f('targets', M);
    this.weights = f('weights', M);
    this.losses = f('losses', M);
  }

  /** Element offset of projection p's x·Aᵀ in loraT. */
  tOff(p: Projection, M: number): number {
    return PROJECTIONS.indexOf(p) * M * this.r;
  }

  destroy(): void {
    this.gpu.release(...this.made);
    this.grad?.destroy();
  }

  /** Backward-only buffers, created on the first training call. */
  grad?: GradWorkspace;
  gradBuffers(layers: number): GradWorkspace {
    return (this.grad ??= new GradWorkspace(this.gpu, this.cfg, this.rows, this.r, layers));
  }
}

export class GradWorkspace {
  private readonly made: GPUBuffer[] = [];
  readonly checkpoints: GPUBuffer[]; // (layers + 1) × (M, C) residual stream entering each layer, and the last
  readonly dh: GPUBuffer; // (M, C) gradient w.r.t. the residual stream
  readonly dx: GPUBuffer; // (M, C) gradient w.r.t. a normed input
  readonly dq: GPUBuffer; // (M, Q)
  readonly dk: GPUBuffer; // (M, KV)
  readonly dv: GPUBuffer; // (M, KV)
  readonly dattn: GPUBuffer; // (M, Q)
  readonly dgate: GPUBuffer; // (M, F)
  readonly dup: GPUBuffer; // (M, F)
  readonly dact: GPUBuffer; // (M, F)
  readonly dt: GPUBuffer; // (M, r) gradient w.r.t. x·Aᵀ

  constructor(private readonly gpu: Gpu, cfg: ModelConfig, M: number, r: number, layers: number) {
    const { hidden: C, intermediate: F, heads, kvHeads, headDim: D } = cfg;
    const f = (label: string, n: number) => {
      const b = gpu.buffer(`ws.${label}`, n * 4);
      this.made.push(b);
      return b;
    };
    this.checkpoints = Array.from({ length: layers + 1 }, (_, l) => f(`checkpoint${l}`, M * C));
    this.dh = f('dh', M * C);
    this.dx = f('dx', M * C);
    this.dq = f('dq', M * heads * D);
    this.dk = f('dk', M * kvHeads * D);
    this.dv = f('dv', M * kvHeads * D);
    this.dattn = f('dattn', M * heads * D);
    this.dgate = f('dgate', M * F);
    this.dup = f('dup', M * F);
    this.dact = f('dact', M * F);
    this.dt = f('dt', M * Math.max(r, 1));
  }

  destroy(): void {
    this.gpu.release(...this.made);
  }
}
