// Autoregressive generation with a KV cache: one prefill over the left-padded prompts, then one decode step
// per new token. Runs with whatever adapter is passed (the live LoRA during training).
import type { LlamaModel } from './llama.ts';
import type { LoraAdapter } from './lora.ts';
import { Xoshiro128 } from './xoshiro.ts';
import { sample, type SamplingOptions } from './sampler.ts';

export interface GenerateOptions extends Partial<SamplingOptions> {
  maxNewTokens: number;
  seed?: number;
  /** Token ids that end a sequence (kept in the output); default: the config's eos ids. [] never stops. */
  stopTokens?: number[];
  /** With S slots, prompt b is generated with slot ⌊b / (B/S)⌋ (slot-major). */
  adapter?: LoraAdapter;
  /** Called after each step with the tokens generated so far for every sequence. */
  onStep?: (generated: number[][]) => void;
}

/** `tokens` in `seconds`; tokensPerSecond null when there was nothing to time. */
export interface Rate {
  tokens: number;
  seconds: number;
  tokensPerSecond: number | null;
}

const rate = (tokens: number, seconds: number): Rate => ({ tokens, seconds, tokensPerSecond: tokens > 0 && seconds > 0 ? tokens / seconds : null });

/**
 * Prefill and decode rates of one generate call from three clock readings (ms): its start, the moment the first
 * token was sampled (null: none was), its end. Prefill is the prompt's forward (prompt tokens / s); decode is
 * every later token, one step each ((new tokens − 1) / s). Counting the prompt's forward as decoding would
 * understate decode several times over on a long prompt.
 */
export function generationRates(promptTokens: number, newTokens: number, start: number, firstToken: number | null, end: number): { prefill: Rate; decode: Rate } {
  if (firstToken === null || newTokens === 0) return { prefill: rate(promptTokens, 0), decode: rate(0, 0) };
  return { prefill: rate(promptTokens, (firstToken - start) / 1000), decode: rate(newTokens - 1, (end - firstToken) / 1000) };
}

export async function generate(model: LlamaModel, prompts: number[][], o: GenerateOptions): Promise<number[][]> {
  const B = prompts.length;
  if (!B || prompts.some((p) => p.length === 0)) throw new Error('generate: every prompt needs at least one token');
  if (!(o.maxNewTokens >= 0)) throw new RangeError(`maxNewTokens must be ≥ 0, got ${o.maxNewTokens}`);
  const S = o.adapter?.count ?? 1;
  if (B % S) throw new Error(`generate: ${B} prompts do not split evenly over ${S} adapter slots (slot-major, B/S each)`);
  const T = Math.max(...prompts.map((p) => p.length));
  const tokens = new Int32Array(B * T);
  const mask = new Int32Array(B * T);
  prompts.forEach((p, b) => {
    tokens.set(p, b * T + T - p.length); // left padding: every sequence ends at the same position
    mask.fill(1, b * T + T - p.length, (b + 1) * T);
  });
  const stop = new Set(o.stopTokens ?? model.cfg.eosTokenIds);
  const opts: SamplingOptions = { temperature: o.temperature ?? 0, topP: o.topP ?? 1 };
  // One random stream per row: row b's draws depend on its own logits only, so the same seed gives row b of two
  // generators the same uniforms (common random numbers: rows of a table then differ by the policy, less by luck),
  // and a row that stops early shifts no other row's draws.
  const rngs = prompts.map((_, b) => new Xoshiro128(o.seed ?? 0, b));
  const out: number[][] = prompts.map(() => []);
  const done = new Array(B).fill(false);
  if (o.maxNewTokens === 0) return out;
  const cache = model.createCache(B, T + o.maxNewTokens);
  try {
    let logits = await model.step(cache, tokens, mask, T, o.adapter);
    const V = model.cfg.vocabSize;
    for (let step = 0; step < o.maxNewTokens; step++) {
      const next = new Int32Array(B);
      const live = new Int32Array(B);
      for (let b = 0; b < B; b++) {
        if (done[b]) continue;
        next[b] = sample(logits.subarray(b * V, (b + 1) * V), opts, rngs[b]);
        live[b] = 1;
        out[b].push(next[b]);
        if (stop.has(next[b])) done[b] = true;
      }
      o.onStep?.(out);
      if (done.every(Boolean) || step + 1 === o.maxNewTokens) break;
      logits = await model.step(cache, next, live, 1, o.adapter);
    }
  } finally {
    cache.destroy();
  }
  return out;
}
