// SE ~ LM_θ(· | C): sample self-edits for one context from the current generator, in one batch, and re-sample
// the ones the track's parser rejects (up to maxAttempts draws each).
import { generate } from '../../engine/model/generate.ts';
import type { LlamaModel } from '../../engine/model/llama.ts';
import type { Tokenizer } from '../../engine/model/tokenizer.ts';
import type { Specials } from './context.ts';
import type { RunControl } from './control.ts';

export interface SamplingSettings {
  temperature: number;
  topP: number;
  maxNewTokens: number;
  maxAttempts: number;
}

/** A parser's verdict: the self-edit and its canonical text (what the M-step trains on), or why not. */
export type Parsed<E> = { ok: true; edit: E; canonical: string } | { ok: false; error: string };

export interface Sampled<E> {
  /** Raw model output of the accepted sample (or of the last failed one). */
  text: string;
  edit: E | null;
  canonical: string | null;
  error: string | null;
  attempts: number;
  /** Tokens generated for it, over all its attempts. */
  tokens?: number;
}

export async function sampleSelfEdits<E>(
  gen: { model: LlamaModel; tok: Tokenizer; sp: Specials; control: RunControl },
  prompt: number[], n: number, seed: number, s: SamplingSettings, parse: (text: string) => Parsed<E>,
): Promise<Sampled<E>[]> {
  const out: Sampled<E>[] = Array.from({ length: n }, () => ({ text: '', edit: null, canonical: null, error: null, attempts: 0 }));
  for (let attempt = 1; attempt <= s.maxAttempts; attempt++) {
    const todo = out.filter((x) => x.edit === null);
    if (!todo.length) break;
    await gen.control.poll();
    const outs = await generate(gen.model, todo.map(() => prompt), {
      maxNewTokens: s.maxNewTokens, temperature: s.temperature, topP: s.topP, seed: seed * 1000 + attempt, stopTokens: [gen.sp.eot, gen.sp.eos],
    });
    outs.forEach((ids, i) => {
      const x = todo[i];
      x.attempts = attempt;
      x.tokens = (x.tokens ?? 0) + ids.length;
      x.text = gen.tok.decode(ids);
      const r = parse(x.text);
      if (r.ok) Object.assign(x, { edit: r.edit, canonical: r.canonical, error: null });
      else x.error = r.error;
    });
  }
  return out;
}

/** A self-edit that was given rather than sampled (the oracle's configuration, reference notes…). */
export const given = <E>(edit: E, canonical: string): Sampled<E> => ({ text: canonical, edit, canonical, error: null, attempts: 0 });
