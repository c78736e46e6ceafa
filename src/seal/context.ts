// What every SEAL phase needs: the model and tokenizer in the worker, the run's settings, the event sink and
// the Run/Pause/Step/Stop control.
import type { LlamaModel } from '../engine/model/llama.ts';
import type { Tokenizer } from '../engine/model/tokenizer.ts';
import type { Specials } from './arc/sequences.ts';
import type { ArcConfig } from './arc/config.ts';
import type { RunControl } from './control.ts';
import type { SealEvent } from './events.ts';

export interface SealContext {
  model: LlamaModel;
  tok: Tokenizer;
  sp: Specials;
  cfg: ArcConfig;
  emit: (e: SealEvent) => void;
  control: RunControl;
}

/** bos / eos / end-of-turn ids from the config and tokenizer; a chat model without them cannot run SEAL. */
export function specialsOf(model: LlamaModel, tok: Tokenizer): Specials {
  const bos = model.cfg.bosTokenId;
  const eos = model.cfg.eosTokenIds[0];
  const eot = tok.special('<|eot_id|>') ?? eos;
  if (bos === null || eos === undefined) throw new Error('config.json needs bos_token_id and eos_token_id for SEAL runs');
  return { bos, eos, eot };
}

/** Right-padded batch of token sequences with per-position loss weights. */
export function padBatch(seqs: Array<{ ids: number[]; weights: number[] }>) {
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
