// Token sequences with per-position loss weights, and the right-padded batch the engine trains on.
import type { TokenBatch } from '../../engine/model/llama.ts';

export interface Sequence {
  ids: number[];
  /** Loss weight per position: 1 where the token is a training target, 0 where it is context. */
  weights: number[];
}

/** Right-padded batch (mask 0 on padding) and its loss weights, both (B, T). */
export function padBatch(seqs: readonly Sequence[]): { batch: TokenBatch; lossMask: Float32Array } {
  if (!seqs.length || seqs.some((s) => !s.ids.length)) throw new Error('every sequence needs at least one token');
  const B = seqs.length;
  const T = Math.max(...seqs.map((s) => s.ids.length));
  const tokens = new Int32Array(B * T);
  const mask = new Int32Array(B * T);
  const lossMask = new Float32Array(B * T);
  seqs.forEach((s, b) => {
    tokens.set(s.ids, b * T);
    mask.fill(1, b * T, b * T + s.ids.length);
    lossMask.set(s.weights, b * T);
  });
  return { batch: { B, T, tokens, mask }, lossMask };
}

/** Every token a target (pretraining-style sequences, "train on all tokens"). */
export const allTokens = (ids: number[]): Sequence => ({ ids, weights: ids.map(() => 1) });
