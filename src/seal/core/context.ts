// What every SEAL phase needs, whatever the track: the model and tokenizer in the worker, its special tokens,
// the event sink and the Run/Pause/Step/Stop control.
import type { LlamaModel } from '../../engine/model/llama.ts';
import type { ModelConfig } from '../../engine/model/config.ts';
import type { Tokenizer } from '../../engine/model/tokenizer.ts';
import type { RunControl } from './control.ts';

export interface Specials {
  bos: number;
  eos: number;
  /** End of a chat turn (Llama 3's <|eot_id|>; the EOS where the model has none). */
  eot: number;
}

export interface SealContext<E> {
  model: LlamaModel;
  tok: Tokenizer;
  sp: Specials;
  control: RunControl;
  // (a method, so a context that emits a track's wider event union serves the core's functions too)
  emit(e: E): void;
}

/** bos / eos / end-of-turn ids from the config and tokenizer; a model without them cannot run SEAL. */
export function specialsOf(model: { cfg: Pick<ModelConfig, 'bosTokenId' | 'eosTokenIds'> }, tok: Tokenizer): Specials {
  const bos = model.cfg.bosTokenId;
  const eos = model.cfg.eosTokenIds[0];
  const eot = tok.special('<|eot_id|>') ?? eos;
  if (bos === null || eos === undefined) throw new Error('config.json needs bos_token_id and eos_token_id for SEAL runs');
  return { bos, eos, eot };
}
