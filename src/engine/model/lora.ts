// A LoRA adapter: for each target projection W (out × in) of each layer, A (r × in) and B (out × r), applied
// as y = x Wᵀ + (alpha / r) · (x Aᵀ) Bᵀ. All A and B live in ONE flat f32 buffer (and so do their gradients and
// AdamW moments), so the gradient norm and the optimizer step are one dispatch each.
// An adapter may hold `count` slots: that many independent adapters of the same shape side by side in the buffer
// (slot s at s · size), applied to the rows of a batch slot-major (llama.ts), so k self-edits train in one batch.
// Names, shapes and initialisation follow PEFT: A Kaiming-uniform (a = √5, i.e. U(−1/√in, 1/√in)), B = 0.
import type { Gpu } from '../gpu/context.ts';
import { fill_forward } from '../kernels/elementwise/copy.ts';
import { count_nonfinite_forward } from '../kernels/checks/count_nonfinite.ts';
import type { ModelConfig } from './config.ts';
import { ModelFormatError } from './errors.ts';
import { matrixAddLowRank } from './matrix.ts';
import { PROJECTIONS, projectionGroup, projectionShape, type ModelWeights, type Projection } from './weights.ts';
import { Xoshiro128 } from './xoshiro.ts';

/** An adapter that is not finite was about to be merged into the base weights. */
export class NonFiniteAdapterError extends Error {
  override readonly name = 'NonFiniteAdapterError';
}

export interface LoraConfig {
  r: number;
  alpha: number;
  targets: Projection[];
}

/** Where one target's A and B sit in a slot of the flat buffer. */
export interface LoraTensor {
  layer: number;
  proj: Projection;
  in: number;
  out: number;
  aOff: number;
  bOff: number;
}

export const peftKey = (layer: number, proj: Projection, ab: 'A' | 'B') =>
  `base_model.model.model.layers.${layer}.${projectionGroup(proj)}.${proj}.lora_${ab}.weight`;

export class LoraAdapter {
  readonly scale: number;
  readonly tensors: LoraTensor[] = [];
  /** Parameters of one slot. */
  readonly size: number;
  /** (count, size) f32: every A and B of every slot. */
  readonly params: GPUBuffer;
  private readonly byKey = new Map<string, LoraTensor>();

  /** `count` adapter slots side by side (1: a plain adapter). */
  constructor(readonly gpu: Gpu, readonly model: ModelConfig, readonly config: LoraConfig, readonly count = 1) {
    if (!Number.isInteger(count) || count < 1) throw new Error(`adapter slots must be a positive integer, got ${count}`);
    const { r, alpha, targets } = config;
    if (!Number.isInteger(r) || r < 1) throw new Error(`LoRA rank must be a positive integer, got ${r}`);
    if (!(alpha > 0)) throw new Error(`lora_alpha must be positive, got ${alpha}`);
    const unknown = targets.filter((t) => !PROJECTIONS.includes(t));
    if (unknown.length || !targets.length) {
      throw new Error(`LoRA target_modules must be a non-empty subset of ${PROJECTIONS.join(', ')}; got ${targets.join(', ')}`);
    }
    this.scale = alpha / r;
    let off = 0;
    for (let layer = 0; layer < model.layers; layer++) {
      for (const proj of PROJECTIONS.filter((p) => targets.includes(p))) {
        const [out, inp] = projectionShape(model, proj);
        const t = { layer, proj, in: inp, out, aOff: off, bOff: off + r * inp };
        off += r * (inp + out);
        this.tensors.push(t);
        this.byKey.set(`${layer}.${proj}`, t);
      }
    }
    this.size = off;
    this.params = gpu.buffer(`lora-params(r=${r}${count > 1 ? `, ${count} slots` : ''})`, count * off * 4);
  }

  /**
   * The first n slots of this adapter, sharing its buffer (not to be destroyed on its own): a batch with fewer
   * self-edits than slots computes only those.
   */
  slots(n: number): LoraAdapter {
    if (n === this.count) return this;
    if (!(Number.isInteger(n) && n >= 1 && n <= this.count)) throw new RangeError(`${n} slots of an adapter with ${this.count}`);
    const view = Object.create(this) as LoraAdapter;
    Object.defineProperty(view, 'count', { value: n });
    return view;
  }

  tensor(layer: number, proj: Projection): LoraTensor | undefined {
    return this.byKey.get(`${layer}.${proj}`);
  }

  private checkSlot(slot: number): void {
    if (!(Number.isInteger(slot) && slot >= 0 && slot < this.count)) throw new RangeError(`adapter slot ${slot} is outside 0..${this.count - 1}`);
  }

  /** PEFT initialisation of one slot from a seed: A ~ U(−1/√in, 1/√in), B = 0 (the slot starts as the identity). */
  reset(seed: number, slot = 0): void {
    this.checkSlot(slot);
    const rng = new Xoshiro128(seed);
    const host = new Float32Array(this.size);
    for (const s of this.tensors) {
      const bound = 1 / Math.sqrt(s.in);
      for (let i = 0; i < this.config.r * s.in; i++) host[s.aOff + i] = (rng.next() * 2 - 1) * bound;
    }
    this.gpu.write(this.params, host, slot * this.size * 4);
  }

  /** Sets every A and B of a slot from PEFT-named tensors (e.g. adapter_model.safetensors). */
  load(get: (key: string) => Float32Array | undefined, source = 'adapter_model.safetensors', slot = 0): void {
    this.checkSlot(slot);
    const host = new Float32Array(this.size);
    const r = this.config.r;
    for (const s of this.tensors) {
      for (const [ab, off, n, shape] of [['A', s.aOff, r * s.in, [r, s.in]], ['B', s.bOff, s.out * r, [s.out, r]]] as const) {
        const key = peftKey(s.layer, s.proj, ab);
        const t = get(key);
        if (!t) throw new ModelFormatError(`${source}: missing "${key}"`, { source });
        if (t.length !== n) throw new ModelFormatError(`${source}: "${key}" has ${t.length} values, expected [${shape}]`, { source });
        host.set(t, off);
      }
    }
    this.gpu.write(this.params, host, slot * this.size * 4);
  }

  /** Reads a slot's tensors back (of `buffer`: the params, or a trainer's gradients), keyed as PEFT names them. */
  async export(buffer: GPUBuffer = this.params, slot = 0): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
    this.checkSlot(slot);
    const host = await this.gpu.readF32(buffer, this.size, slot * this.size);
    const r = this.config.r;
    const out = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const s of this.tensors) {
      out.set(peftKey(s.layer, s.proj, 'A'), { shape: [r, s.in], data: host.slice(s.aOff, s.aOff + r * s.in) });
      out.set(peftKey(s.layer, s.proj, 'B'), { shape: [s.out, r], data: host.slice(s.bOff, s.bOff + s.out * r) });
    }
    return out;
  }

  /** Zeroes every B of every slot: the adapted model equals the base again (used after a merge). */
  zeroB(): void {
    for (let k = 0; k < this.count; k++) {
      for (const s of this.tensors) fill_forward(this.gpu, this.params, s.out * this.config.r, 0, k * this.size + s.bOff);
    }
  }

  /** NaN/±Inf parameters of every slot, counted on the GPU (one small read). */
  async nonFiniteCount(): Promise<number> {
    const counts = this.gpu.buffer('lora-nonfinite-count', 4);
    try {
      count_nonfinite_forward(this.gpu, counts, this.params, { n: this.count * this.size, dtype: 'f32', slot: 0 });
      return new Uint32Array(await this.gpu.read(counts, 4))[0];
    } finally {
      this.gpu.release(counts);
    }
  }

  /**
   * Folds the adapter into the base: W ← W + (alpha/r)·B·A for every target, in W's own storage type. The
   * model then computes (up to that type's rounding) what base + adapter computed. A quantised base is
   * dequantised, merged and quantised again (matrix.ts), which adds a fresh quantisation error. An adapter with
   * NaN or infinite parameters is never merged (NonFiniteAdapterError): it would break the base for good.
   */
  async mergeInto(weights: ModelWeights): Promise<void> {
    if (this.count !== 1) throw new Error(`only a one-slot adapter can be merged (this one has ${this.count} slots)`);
    const bad = await this.nonFiniteCount();
    if (bad) throw new NonFiniteAdapterError(`the adapter has ${bad} NaN or infinite parameter${bad > 1 ? 's' : ''}: not merged, the base weights are unchanged`);
    for (const s of this.tensors) {
      matrixAddLowRank(this.gpu, weights.layers[s.layer].proj[s.proj].w, this.params, { r: this.config.r, scale: this.scale, aOff: s.aOff, bOff: s.bOff });
    }
  }

  /** adapter_config.json as PEFT writes it. */
  peftConfig(baseModel = ''): Record<string, unknown> {
    return {
      peft_type: 'LORA', task_type: 'CAUSAL_LM', r: this.config.r, lora_alpha: this.config.alpha, lora_dropout: 0,
      target_modules: this.config.targets, bias: 'none', fan_in_fan_out: false, use_rslora: false,
      base_model_name_or_path: baseModel,
    };
  }

  destroy(): void {
    this.gpu.release(this.params);
  }
}
