// The Llama / Qwen2 decoder on WebGPU: forward (prefill, decode with a KV cache) and the backward that
// produces LoRA gradients. Shapes: B batch, T tokens per sequence, M = B·T rows, C hidden, F intermediate,
// H/KVH query/kv heads of D, V vocabulary.
//
//   h = embed[tokens]
//   per layer:  h_mid = h + o_proj(attention(rope(q_proj(x1)), rope(k_proj(x1)), v_proj(x1))),  x1 = rmsnorm(h)
//               h     = h_mid + down_proj(silu(gate_proj(x2)) · up_proj(x2)),                    x2 = rmsnorm(h_mid)
//   logits = rmsnorm(h) · headᵀ
// Every projection may carry a LoRA term (lora.ts). The base is frozen: no weight gradients are formed.
// An adapter with S slots applies slot z to rows [z·M/S, (z+1)·M/S) (slot-major: B/S whole sequences each); every
// LoRA product is then one batched GEMM of S products, so a row's arithmetic is what it would be alone.
import type { Gpu } from '../gpu/context.ts';
import { attention_backward, attention_forward, type AttentionArgs } from '../kernels/attention/attention.ts';
import { copy_forward, fill_forward } from '../kernels/elementwise/copy.ts';
import { cross_entropy_backward, cross_entropy_forward } from '../kernels/loss/cross_entropy.ts';
import { matmul_forward } from '../kernels/matmul/matmul.ts';
import { rmsnorm_backward, rmsnorm_forward } from '../kernels/norm/rmsnorm.ts';
import { rope_backward, rope_forward, ropeTable } from '../kernels/attention/rope.ts';
import { swiglu_backward, swiglu_forward } from '../kernels/elementwise/swiglu.ts';
import { computeRopeInvFreq, type ModelConfig } from './config.ts';
import { KvCache } from './kv_cache.ts';
import type { LoraAdapter } from './lora.ts';
import { matrixBackward, matrixForward, matrixGather } from './matrix.ts';
import type { GpuTensor, ModelWeights, Projection } from './weights.ts';
import { Workspace, type GradWorkspace, type LayerActs } from './workspace.ts';

/** Token ids (B, T) with their padding mask (1 = real token). */
export interface TokenBatch {
  B: number;
  T: number;
  tokens: Int32Array;
  mask: Int32Array;
}

/** Hugging Face position_ids: max(cumsum(mask) − 1, 0) per sequence. */
export function positionIds(mask: Int32Array, B: number, T: number): Int32Array {
  const pos = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    let seen = 0;
    for (let t = 0; t < T; t++) pos[b * T + t] = Math.max((seen += mask[b * T + t]) - 1, 0);
  }
  return pos;
}

/** Rows per adapter slot: a batch's rows split evenly, slot-major. */
function slotRows(M: number, ad: LoraAdapter): number {
  if (M % ad.count) throw new Error(`a batch of ${M} rows does not split evenly over ${ad.count} adapter slots`);
  return M / ad.count;
}

/** The batched-GEMM arguments of a LoRA product over the adapter's slots (none for one slot). */
function perSlot(ad: LoraAdapter, strideA: number, strideB: number, strideC: number) {
  return ad.count > 1 ? { batch: ad.count, strideA, strideB, strideC } : {};
}

/** Where attention reads keys and values: this call's own (the layer's k, v) or a KV cache (inference). */
interface KeyValues {
  args: AttentionArgs;
  mask: GPUBuffer;
  cache?: KvCache;
}

export class LlamaModel {
  readonly invFreq: Float32Array;
  private ws: Workspace | null = null;
  /** Recompute each layer's intermediates in the backward even when they could be kept (tests compare both). */
  recompute = false;

  constructor(readonly gpu: Gpu, readonly cfg: ModelConfig, readonly weights: ModelWeights) {
    this.invFreq = computeRopeInvFreq(cfg);
  }

  /** GPU bytes of the shared workspace: it grows to the largest batch seen (a high-water mark, not a leak). */
  get workspaceBytes(): number {
    return this.ws?.bytes ?? 0;
  }

  /** Workspace for at least `rows` rows and LoRA rank r (grown on demand, never per call). */
  private workspace(rows: number, r: number): Workspace {
    if (!this.ws || this.ws.rows < rows || this.ws.r < r) {
      this.ws?.destroy();
      this.ws = new Workspace(this.gpu, this.cfg, Math.max(rows, this.ws?.rows ?? 0), Math.max(r, this.ws?.r ?? 0));
    }
    return this.ws;
  }

  private checkTokens(tokens: Int32Array): void {
    for (const t of tokens) {
      if (!(t >= 0 && t < this.cfg.vocabSize)) throw new RangeError(`token id ${t} is outside the vocabulary (0..${this.cfg.vocabSize - 1})`);
    }
  }

  // ── building blocks ────────────────────────────────────────────────────────────────────────────────────

  private norm(out: GPUBuffer, rstd: GPUBuffer, inp: GPUBuffer, w: GpuTensor, M: number): void {
    rmsnorm_forward(this.gpu, out, rstd, inp, w.buffer, { M, C: this.cfg.hidden, eps: this.cfg.rmsEps, dtype: w.dtype });
  }

  /** y (M, out) = beta·y + x Wᵀ (+ b) + s·(x Aᵀ) Bᵀ; keeps x Aᵀ in a.loraT for the backward. */
  private linear(l: number, p: Projection, y: GPUBuffer, x: GPUBuffer, M: number, beta: number, ad: LoraAdapter | undefined, a: LayerActs): void {
    const lin = this.weights.layers[l].proj[p];
    matrixForward(this.gpu, y, x, lin.w, { M, beta, bias: lin.bias });
    const t = ad?.tensor(l, p);
    if (!ad || !t) return;
    const r = ad.config.r;
    const tOff = this.ws!.tOff(p, M);
    const Ms = slotRows(M, ad);
    matmul_forward(this.gpu, a.loraT, x, ad.params, {
      M: Ms, N: r, K: lin.in, transB: true, bOff: t.aOff, cOff: tOff, ...perSlot(ad, Ms * lin.in, ad.size, Ms * r),
    });
    matmul_forward(this.gpu, y, a.loraT, ad.params, {
      M: Ms, N: lin.out, K: r, transB: true, aOff: tOff, bOff: t.bOff, alpha: ad.scale, beta: 1, ...perSlot(ad, Ms * r, ad.size, Ms * lin.out),
    });
  }

  /** dx (M, in) = beta·dx + dy W + s·(dy B) A, and adds dA, dB into grads (the flat LoRA gradient). */
  private linearBackward(
    l: number, p: Projection, dx: GPUBuffer, dy: GPUBuffer, x: GPUBuffer, M: number, beta: number,
    ad: LoraAdapter, grads: GPUBuffer, a: LayerActs,
  ): void {
    const lin = this.weights.layers[l].proj[p];
    const gpu = this.gpu;
    matrixBackward(gpu, dx, dy, lin.w, { M, beta });
    const t = ad.tensor(l, p);
    if (!t) return;
    const ws = this.ws!;
    const g = ws.grad!;
    const r = ad.config.r;
    const tOff = ws.tOff(p, M);
    const Ms = slotRows(M, ad);
    const { out, in: inp } = lin;
    // per slot z, over its Ms rows: dB (out, r) += s · dyᵀ (x Aᵀ)
    matmul_forward(gpu, grads, dy, a.loraT, { M: out, N: r, K: Ms, transA: true, bOff: tOff, cOff: t.bOff, alpha: ad.scale, beta: 1, ...perSlot(ad, Ms * out, Ms * r, ad.size) });
    // dt (Ms, r) = s · dy B
    matmul_forward(gpu, g.dt, dy, ad.params, { M: Ms, N: r, K: out, bOff: t.bOff, alpha: ad.scale, ...perSlot(ad, Ms * out, ad.size, Ms * r) });
    // dA (r, in) += dtᵀ x
    matmul_forward(gpu, grads, g.dt, x, { M: r, N: inp, K: Ms, transA: true, cOff: t.aOff, beta: 1, ...perSlot(ad, Ms * r, Ms * inp, ad.size) });
    // dx += dt A
    matmul_forward(gpu, dx, g.dt, ad.params, { M: Ms, N: inp, K: r, bOff: t.aOff, beta: 1, ...perSlot(ad, Ms * r, ad.size, Ms * inp) });
  }

  /** x Aᵀ alone, for a projection whose output the recompute does not need (down_proj). */
  private loraProject(l: number, p: Projection, x: GPUBuffer, M: number, ad: LoraAdapter | undefined, a: LayerActs): void {
    const t = ad?.tensor(l, p);
    if (!ad || !t) return;
    const lin = this.weights.layers[l].proj[p];
    const Ms = slotRows(M, ad);
    matmul_forward(this.gpu, a.loraT, x, ad.params, {
      M: Ms, N: ad.config.r, K: lin.in, transB: true, bOff: t.aOff, cOff: this.ws!.tOff(p, M), ...perSlot(ad, Ms * lin.in, ad.size, Ms * ad.config.r),
    });
  }

  /**
   * One decoder layer. Reads hIn, leaves hMid = hIn + attention and hOut = hMid + MLP; hIn, hMid and hOut may be
   * one buffer (inference). hOut null: the MLP's output is not formed (a recompute needs only its inputs).
   * Intermediates go to `a` (the shared set, or the layer's own when training keeps them) for the backward.
   */
  private layerForward(
    l: number, M: number, hIn: GPUBuffer, hMid: GPUBuffer, hOut: GPUBuffer | null, kv: KeyValues, ad: LoraAdapter | undefined, a: LayerActs,
  ): void {
    const { gpu, cfg } = this;
    const lw = this.weights.layers[l];
    const { H, KVH, D, T } = kv.args;
    this.norm(a.x1, a.rstd1, hIn, lw.inputNorm, M);
    this.linear(l, 'q_proj', a.q, a.x1, M, 0, ad, a);
    this.linear(l, 'k_proj', a.k, a.x1, M, 0, ad, a);
    this.linear(l, 'v_proj', a.v, a.x1, M, 0, ad, a);
    // q and k rotated; with a cache, the rotated keys and the values also appended to it (one dispatch)
    const cache = kv.cache;
    const append = cache && { v: a.v, kCache: cache.k[l], vCache: cache.v[l], T, S: cache.S, past: kv.args.past };
    rope_forward(gpu, { q: a.q, k: a.k, table: this.ws!.rope }, { M, H, KVH, D }, append);
    const [k, v] = cache ? [cache.k[l], cache.v[l]] : [a.k, a.v];
    attention_forward(gpu, { out: a.attn, stats: a.stats, q: a.q, k, v, mask: kv.mask }, kv.args);
    if (hIn !== hMid) copy_forward(gpu, hMid, hIn, { rows: M, cols: cfg.hidden });
    this.linear(l, 'o_proj', hMid, a.attn, M, 1, ad, a);
    this.norm(a.x2, a.rstd2, hMid, lw.postNorm, M);
    this.linear(l, 'gate_proj', a.gate, a.x2, M, 0, ad, a);
    this.linear(l, 'up_proj', a.up, a.x2, M, 0, ad, a);
    swiglu_forward(gpu, a.act, a.gate, a.up, M * cfg.intermediate);
    if (!hOut) return this.loraProject(l, 'down_proj', a.act, M, ad, a);
    if (hOut !== hMid) copy_forward(gpu, hOut, hMid, { rows: M, cols: cfg.hidden });
    this.linear(l, 'down_proj', hOut, a.act, M, 1, ad, a);
  }

  /** Backward through layer l: dh holds dL/d(layer output) and leaves holding dL/d(layer input). */
  private layerBackward(l: number, M: number, kv: KeyValues, ad: LoraAdapter, grads: GPUBuffer): void {
    const { gpu, cfg } = this;
    const ws = this.ws!;
    const g = ws.grad!;
    const lw = this.weights.layers[l];
    const { H, KVH, D } = kv.args;
    const C = cfg.hidden;
    // the layer's intermediates as the forward left them, or recomputed from its checkpoint
    const kept = this.keptActs(g);
    const a = kept?.[l] ?? ws;
    if (!kept) this.layerForward(l, M, g.checkpoints[l], ws.hmid, null, kv, ad, ws);
    // MLP
    this.linearBackward(l, 'down_proj', g.dact, g.dh, a.act, M, 0, ad, grads, a);
    swiglu_backward(gpu, g.dgate, g.dup, g.dact, a.gate, a.up, M * cfg.intermediate);
    this.linearBackward(l, 'gate_proj', g.dx, g.dgate, a.x2, M, 0, ad, grads, a);
    this.linearBackward(l, 'up_proj', g.dx, g.dup, a.x2, M, 1, ad, grads, a);
    rmsnorm_backward(gpu, g.dh, g.dx, a.hmid, lw.postNorm.buffer, a.rstd2, { M, C, eps: cfg.rmsEps, dtype: lw.postNorm.dtype });
    // attention
    this.linearBackward(l, 'o_proj', g.dattn, g.dh, a.attn, M, 0, ad, grads, a);
    attention_backward(gpu, { dq: g.dq, dk: g.dk, dv: g.dv }, g.dattn,
      { out: a.attn, stats: a.stats, q: a.q, k: a.k, v: a.v, mask: kv.mask }, kv.args);
    rope_backward(gpu, { q: g.dq, k: g.dk, table: ws.rope }, { M, H, KVH, D });
    this.linearBackward(l, 'q_proj', g.dx, g.dq, a.x1, M, 0, ad, grads, a);
    this.linearBackward(l, 'k_proj', g.dx, g.dk, a.x1, M, 1, ad, grads, a);
    this.linearBackward(l, 'v_proj', g.dx, g.dv, a.x1, M, 1, ad, grads, a);
    rmsnorm_backward(gpu, g.dh, g.dx, g.checkpoints[l], lw.inputNorm.buffer, a.rstd1, { M, C, eps: cfg.rmsEps, dtype: lw.inputNorm.dtype });
  }

  /** Each layer's own intermediates when training keeps them (workspace.ts), else null. */
  private keptActs(g: GradWorkspace): LayerActs[] | null {
    return this.recompute ? null : g.kept;
  }

  /** Embeds the batch and uploads positions (RoPE table) into the workspace. */
  private embed(tokens: Int32Array, pos: Int32Array, out: GPUBuffer): void {
    this.checkTokens(tokens);
    const ws = this.ws!;
    this.gpu.write(ws.tokens, tokens);
    this.gpu.write(ws.rope, ropeTable(pos, this.invFreq));
    matrixGather(this.gpu, out, ws.tokens, this.weights.embed, tokens.length);
  }

  private selfKeyValues(batch: TokenBatch): KeyValues {
    const ws = this.ws!;
    this.gpu.write(ws.mask, batch.mask);
    const { heads: H, kvHeads: KVH, headDim: D } = this.cfg;
    return { args: { B: batch.B, T: batch.T, S: batch.T, H, KVH, D, past: 0 }, mask: ws.mask };
  }

  /** rows × V logits of normed rows xf[row0 .. row0+rows) into ws.logits (one product per vocabulary shard). */
  private head(row0: number, rows: number): void {
    matrixForward(this.gpu, this.ws!.logits, this.ws!.xf, this.weights.head, { M: rows, aOff: row0 * this.cfg.hidden });
  }

  /**
   * Next-token targets and weights: row (b, t) predicts tokens[b, t+1] with weight lossMask[b, t+1] · scale of its
   * slot (S slots of B/S sequences each). `scale(count, slot)` sees the slot's total weight; returns each count.
   */
  private uploadTargets(batch: TokenBatch, lossMask: Int32Array | Float32Array, S = 1, scale: (count: number, slot: number) => number = () => 1): number[] {
    const { B, T, tokens } = batch;
    const targets = new Int32Array(B * T);
    const weights = new Float32Array(B * T);
    for (let b = 0; b < B; b++) for (let t = 0; t + 1 < T; t++) {
      targets[b * T + t] = tokens[b * T + t + 1];
      weights[b * T + t] = lossMask[b * T + t + 1];
    }
    const rows = (B / S) * T;
    const counts = Array.from({ length: S }, (_, z) => weights.subarray(z * rows, (z + 1) * rows).reduce((s, w) => s + w, 0));
    counts.forEach((c, z) => {
      const k = c ? scale(c, z) : 0;
      if (k !== 1) for (let i = z * rows; i < (z + 1) * rows; i++) weights[i] *= k;
    });
    this.gpu.write(this.ws!.targets, targets);
    this.gpu.write(this.ws!.weights, weights);
    return counts;
  }

  // ── public API ─────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Full forward over a padded batch: logits (B, T, V) and the mean next-token cross-entropy over positions
   * whose target is a real token (lossMask defaults to the attention mask), in all and per adapter slot.
   */
  async forward(batch: TokenBatch, opts: { adapter?: LoraAdapter; lossMask?: Int32Array; logits?: boolean } = {}) {
    const { B, T } = batch;
    const M = B * T;
    const V = this.cfg.vocabSize;
    const ws = this.workspace(M, opts.adapter?.config.r ?? 0);
    const kv = this.selfKeyValues(batch);
    this.embed(batch.tokens, positionIds(batch.mask, B, T), ws.h);
    for (let l = 0; l < this.cfg.layers; l++) this.layerForward(l, M, ws.h, ws.h, ws.h, kv, opts.adapter, ws);
    this.norm(ws.xf, ws.rstdF, ws.h, this.weights.norm, M);
    const S = opts.adapter?.count ?? 1;
    const counts = this.uploadTargets(batch, opts.lossMask ?? batch.mask, S);
    const count = counts.reduce((a, c) => a + c, 0);
    const logits = opts.logits === false ? null : new Float32Array(M * V);
    for (let r0 = 0; r0 < M; r0 += ws.logitRows) {
      const R = Math.min(ws.logitRows, M - r0);
      this.head(r0, R);
      cross_entropy_forward(this.gpu, ws.losses, ws.logits, ws.targets, ws.weights, { R, V, rowOff: r0, gradScale: 1 });
      if (logits) logits.set(await this.gpu.readF32(ws.logits, R * V), r0 * V);
    }
    const losses = await this.gpu.readF32(ws.losses, M);
    const mean = (xs: Float32Array, n: number) => (n ? xs.reduce((s, x) => s + x, 0) / n : NaN);
    // slotLosses: each adapter slot's mean over its own rows (B/S sequences each)
    const slotLosses = counts.map((c, z) => mean(losses.subarray((z * M) / S, ((z + 1) * M) / S), c));
    return { logits, loss: mean(losses, count), slotLosses, tokens: count };
  }

  /**
   * For each adapter slot z (its B/S sequences of the batch), adds gradScale(count_z, z) · d(Σ weighted token
   * losses of its rows)/d(slot z's LoRA) into slot z of `grads` (count · size), and returns per slot that scaled
   * loss sum and the weight count. With gradScale = 1 / (count · microBatches) the accumulated gradient is that of
   * the mean of the micro-batch means, and the scaled sums add up to that loss. Slots share nothing but the frozen base.
   */
  async accumulateGradients(
    batch: TokenBatch, lossMask: Int32Array | Float32Array, ad: LoraAdapter, grads: GPUBuffer,
    gradScale: (count: number, slot: number) => number,
  ): Promise<{ losses: number[]; counts: number[] }> {
    const { B, T } = batch;
    const M = B * T;
    const { hidden: C, vocabSize: V, layers: L } = this.cfg;
    if (B % ad.count) throw new Error(`a batch of ${B} sequences does not split evenly over ${ad.count} adapter slots`);
    const ws = this.workspace(M, ad.config.r);
    const g: GradWorkspace = ws.gradBuffers(L);
    const kv = this.selfKeyValues(batch);
    this.embed(batch.tokens, positionIds(batch.mask, B, T), g.checkpoints[0]);
    const cp = g.checkpoints;
    const kept = this.keptActs(g);
    for (let l = 0; l < L; l++) this.layerForward(l, M, cp[l], kept ? kept[l].hmid : cp[l + 1], cp[l + 1], kv, ad, kept?.[l] ?? ws);
    // each slot's gradient scale is folded into its rows' weights (the loss kernel's own scale stays 1)
    const counts = this.uploadTargets(batch, lossMask, ad.count, gradScale);
    // head + loss in row chunks: dlogits overwrite the logits, then dxf = dlogits · head
    this.norm(ws.xf, ws.rstdF, g.checkpoints[L], this.weights.norm, M);
    const head = this.weights.head;
    for (let r0 = 0; r0 < M; r0 += ws.logitRows) {
      const R = Math.min(ws.logitRows, M - r0);
      this.head(r0, R);
      cross_entropy_backward(this.gpu, ws.losses, ws.logits, ws.targets, ws.weights, { R, V, rowOff: r0, gradScale: 1 });
      matrixBackward(this.gpu, g.dx, ws.logits, head, { M: R, cOff: r0 * C });
    }
    fill_forward(this.gpu, g.dh, M * C);
    const fn = this.weights.norm;
    rmsnorm_backward(this.gpu, g.dh, g.dx, g.checkpoints[L], fn.buffer, ws.rstdF, { M, C, eps: this.cfg.rmsEps, dtype: fn.dtype });
    for (let l = L - 1; l >= 0; l--) this.layerBackward(l, M, kv, ad, grads);
    const losses = await this.gpu.readF32(ws.losses, M);
    const rows = M / ad.count;
    return { losses: counts.map((_, z) => losses.subarray(z * rows, (z + 1) * rows).reduce((s, x) => s + x, 0)), counts };
  }

  /** A KV cache for B sequences of up to S positions. */
  createCache(B: number, S: number): KvCache {
    return new KvCache(this.gpu, this.cfg, B, S);
  }

  /**
   * Runs T new positions per sequence through the model against the cache (prefill when the cache is empty,
   * one decode step when T = 1) and returns the logits of each sequence's last position, (B, V).
   */
  async step(cache: KvCache, tokens: Int32Array, mask: Int32Array, T: number, adapter?: LoraAdapter): Promise<Float32Array> {
    const B = cache.B;
    const M = B * T;
    const { hidden: C, vocabSize: V, heads: H, kvHeads: KVH, headDim: D } = this.cfg;
    const ws = this.workspace(M, adapter?.config.r ?? 0);
    const past = cache.length;
    const pos = cache.append(mask, T);
    this.embed(tokens, pos, ws.h);
    const kv: KeyValues = { args: { B, T, S: cache.S, H, KVH, D, past }, mask: cache.mask, cache };
    for (let l = 0; l < this.cfg.layers; l++) this.layerForward(l, M, ws.h, ws.h, ws.h, kv, adapter, ws);
    // only the last position of each sequence needs logits (a decode step's rows are those already)
    let last = ws.h;
    if (T > 1) copy_forward(this.gpu, (last = ws.hmid), ws.h, { rows: B, cols: C, srcOff: (T - 1) * C, lds: T * C });
    this.norm(ws.xf, ws.rstdF, last, this.weights.norm, B);
    const out = new Float32Array(B * V);
    for (let r0 = 0; r0 < B; r0 += ws.logitRows) {
      const R = Math.min(ws.logitRows, B - r0);
      this.head(r0, R);
      out.set(await this.gpu.readF32(ws.logits, R * V), r0 * V);
    }
    return out;
  }

  destroy(): void {
    this.ws?.destroy();
    this.weights.destroy();
  }
}
