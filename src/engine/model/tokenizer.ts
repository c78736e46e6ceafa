// Tokenizer and chat template of a model folder, through @huggingface/transformers (tokenizer.json +
// tokenizer_config.json, exactly as the Hub ships them). Imported lazily: a folder without a tokenizer, or a
// benchmark under Node, never loads the library.
//
// BOS on a plain prompt: encode applies tokenizer.json's post-processor, which is where Hub tokenizers add their
// begin-of-text token. Some ship without it (Llama-3's original tokenizer.json: a ByteLevel post-processor only),
// so a plain prompt starts unlike anything the model was trained on. For a whole prompt (encodePrompt),
// tokenizer_config.json's add_bos_token: true is followed (BOS prepended when the post-processor did not add it);
// otherwise missingBosWarning says so. encode adds nothing: the SEAL tracks build sequences from encoded pieces
// and place BOS themselves.
import type { ModelConfig } from './config.ts';
import type { FileGetter } from './loader.ts';
import { ModelFormatError } from './errors.ts';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface Tokenizer {
  /**
   * The text's own tokens, no special tokens added (special tokens written in the text are kept): the pieces the
   * SEAL tracks build sequences from, placing BOS themselves. (With the post-processor, a tokenizer.json that
   * adds BOS would put it in front of every piece.)
   */
  encode(text: string): number[];
  /** A whole plain prompt as the checkpoint says: the post-processor applied, BOS prepended when bosPolicy is 'config'. */
  encodePrompt(text: string): number[];
  decode(ids: number[], skipSpecial?: boolean): string;
  /** The chat template applied to `messages`, with the assistant header appended, as token ids. */
  chat(messages: ChatMessage[], addGenerationPrompt?: boolean): number[];
  /** The same as text (for display). */
  chatText(messages: ChatMessage[], addGenerationPrompt?: boolean): string;
  /** The id of a special token such as "<|eot_id|>", or null when the vocabulary lacks it. */
  special(token: string): number | null;
  /** The BOS token: tokenizer_config.json's bos_token, else the model config's bos_token_id; null when neither. */
  bosId: number | null;
  bosPolicy: BosPolicy;
}

/**
 * How encode starts a plain prompt: 'post-processor' (tokenizer.json adds BOS), 'config' (tokenizer_config.json
 * says add_bos_token: true and the post-processor does not, so encode prepends it), 'off' (add_bos_token: false),
 * 'none' (nothing adds one).
 */
export type BosPolicy = 'post-processor' | 'config' | 'off' | 'none';

/**
 * What to tell the user when a Llama-family model (its config names a BOS token) gets a plain prompt that does not
 * start with it, unless the checkpoint turned BOS off on purpose; null when all is well.
 */
export function missingBosWarning(cfg: ModelConfig, tok: Pick<Tokenizer, 'bosId' | 'bosPolicy'>, ids: readonly number[]): string | null {
  if (cfg.arch !== 'llama' || cfg.bosTokenId === null || tok.bosPolicy === 'off') return null;
  const bos = tok.bosId ?? cfg.bosTokenId;
  if (ids[0] === bos) return null;
  return `The prompt starts without BOS (token ${bos}): this Llama-family model's tokenizer.json adds none to plain text and ` +
    `tokenizer_config.json does not set add_bos_token, so the model sees a start unlike its training. Use the chat template, ` +
    `start the token ids with ${bos}, or set "add_bos_token": true in tokenizer_config.json.`;
}

const parse = (b: ArrayBuffer, name: string) => {
  try {
    return JSON.parse(new TextDecoder().decode(b));
  } catch (e) {
    throw new ModelFormatError(`${name} is not valid JSON: ${(e as Error).message}`, { source: name });
  }
};

/** tokenizer_config.json's bos_token: a string or an AddedToken object ({content, ...}). */
function bosToken(cfg: Record<string, unknown>): string | null {
  const t = cfg.bos_token;
  if (typeof t === 'string') return t;
  if (t && typeof t === 'object' && typeof (t as { content?: unknown }).content === 'string') return (t as { content: string }).content;
  return null;
}

/** `bosTokenId`: the model config's, used when tokenizer_config.json names no BOS token. */
export async function loadTokenizer(get: FileGetter, opts: { bosTokenId?: number | null } = {}): Promise<Tokenizer | null> {
  const json = await get('tokenizer.json');
  if (!json) return null;
  const cfgBytes = await get('tokenizer_config.json');
  const cfg = (cfgBytes ? parse(cfgBytes, 'tokenizer_config.json') : {}) as Record<string, unknown>;
  const { PreTrainedTokenizer } = await import('@huggingface/transformers');
  const Ctor = PreTrainedTokenizer as unknown as new (json: unknown, config: unknown) => InstanceType<typeof PreTrainedTokenizer>;
  let tok: InstanceType<typeof PreTrainedTokenizer>;
  try {
    tok = new Ctor(parse(json, 'tokenizer.json'), cfg);
  } catch (e) {
    if (e instanceof ModelFormatError) throw e;
    throw new ModelFormatError(`tokenizer.json could not be loaded: ${(e as Error).message}`, { source: 'tokenizer.json' });
  }
  const special = (token: string) => {
    const ids = tok.encode(token, { add_special_tokens: false });
    return ids.length === 1 && tok.all_special_ids.includes(ids[0]) ? ids[0] : null;
  };
  const named = bosToken(cfg);
  const bosId = (named !== null ? special(named) : null) ?? opts.bosTokenId ?? null;
  const bosPolicy: BosPolicy = bosId === null ? 'none'
    : tok.encode('a')[0] === bosId ? 'post-processor'
    : cfg.add_bos_token === true ? 'config'
    : cfg.add_bos_token === false ? 'off' : 'none';
  return {
    encode: (text) => tok.encode(text, { add_special_tokens: false }),
    encodePrompt: (text) => {
      const ids = tok.encode(text);
      return bosPolicy === 'config' && ids[0] !== bosId ? [bosId!, ...ids] : ids;
    },
    decode: (ids, skipSpecial = true) => tok.decode(ids, { skip_special_tokens: skipSpecial }),
    chat: (messages, addGenerationPrompt = true) =>
      tok.apply_chat_template(messages, { add_generation_prompt: addGenerationPrompt, tokenize: true, return_tensor: false, return_dict: false }) as unknown as number[],
    chatText: (messages, addGenerationPrompt = true) =>
      tok.apply_chat_template(messages, { add_generation_prompt: addGenerationPrompt, tokenize: false }) as unknown as string,
    special,
    bosId,
    bosPolicy,
  };
}
