// KV cache for incremental decoding: per layer, keys and values of every position so far, (B, S, KVH, D),
// plus the key padding mask (B, S) and each sequence's count of real tokens (its next RoPE position).
import type { Gpu } from '../gpu/context.ts';
import type { ModelConfig } from './config.ts';

export class KvCache {
  readonly k: GPUBuffer[];
  readonly v: GPUBuffer[];
  readonly mask: GPUBuffer; // (B, S) i32
  readonly hostMask: Int32Array;
  /** Positions filled so far (the same for every sequence; padding is masked, not skipped). */
  length = 0;
  /** Real tokens per sequence so far: the next token's RoPE position. */
  readonly seen: number[];

  constructor(readonly gpu: Gpu, cfg: ModelConfig, readonly B: number, readonly S: number) {
    const n = B * S * cfg.kvHeads * cfg.headDim * 4;
    this.k = Array.from({ length: cfg.layers }, (_, l) => gpu.buffer(`kv-cache.k${l}`, n));
    this.v = Array.from({ length: cfg.layers }, (_, l) => gpu.buffer(`kv-cache.v${l}`, n));
    this.mask = gpu.buffer('kv-cache.mask', B * S * 4);
    this.hostMask = new Int32Array(B * S);
    this.seen = new Array(B).fill(0);
  }

  /**
   * Appends T positions with their padding mask (B, T); returns the RoPE position of every new token,
   * max(cumulative real tokens − 1, 0) as Hugging Face computes position_ids.
   */
  append(mask: Int32Array, T: number): Int32Array {
    if (this.length + T > this.S) throw new Error(`KV cache full: ${this.length} + ${T} > ${this.S} positions`);
    const pos = new Int32Array(this.B * T);
    for (let b = 0; b < this.B; b++) {
      for (let t = 0; t < T; t++) {
        const m = mask[b * T + t];
        this.hostMask[b * this.S + this.length + t] = m;
        this.seen[b] += m;
        pos[b * T + t] = Math.max(this.seen[b] - 1, 0);
      }
    }
    this.gpu.write(this.mask, this.hostMask);
    this.length += T;
    return pos;
  }

  destroy(): void {
    this.gpu.release(...this.k, ...this.v, this.mask);
  }
}
