// Tokenizer and chat template of a model folder, through @huggingface/transformers (tokenizer.json +
// tokenizer_config.json, exactly as the Hub ships them). Imported lazily: a folder without a tokenizer, or a
// benchmark under Node, never loads the library.
import type { FileGetter } from './loader.ts';
import { ModelFormatError } from './errors.ts';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface Tokenizer {
  encode(text: string): number[];
  decode(ids: number[], skipSpecial?: boolean): string;
  /** The chat template applied to `messages`, with the assistant header appended, as token ids. */
  chat(messages: ChatMessage[], addGenerationPrompt?: boolean): number[];
  /** The same as text (for display). */
  chatText(messages: ChatMessage[], addGenerationPrompt?: boolean): string;
  /** The id of a special token such as "<|eot_id|>", or null when the vocabulary lacks it. */
  special(token: string): number | null;
}

const parse = (b: ArrayBuffer, name: string) => {
  try {
    return JSON.parse(new TextDecoder().decode(b));
  } catch (e) {
    throw new ModelFormatError(`${name} is not valid JSON: ${(e as Error).message}`, { source: name });
  }
};

export async function loadTokenizer(get: FileGetter): Promise<Tokenizer | null> {
  const json = await get('tokenizer.json');
  if (!json) return null;
  const cfgBytes = await get('tokenizer_config.json');
  const { PreTrainedTokenizer } = await import('@huggingface/transformers');
  const Ctor = PreTrainedTokenizer as unknown as new (json: unknown, config: unknown) => InstanceType<typeof PreTrainedTokenizer>;
  let tok: InstanceType<typeof PreTrainedTokenizer>;
  try {
    tok = new Ctor(parse(json, 'tokenizer.json'), cfgBytes ? parse(cfgBytes, 'tokenizer_config.json') : {});
  } catch (e) {
    if (e instanceof ModelFormatError) throw e;
    throw new ModelFormatError(`tokenizer.json could not be loaded: ${(e as Error).message}`, { source: 'tokenizer.json' });
  }
  return {
    encode: (text) => tok.encode(text),
    decode: (ids, skipSpecial = true) => tok.decode(ids, { skip_special_tokens: skipSpecial }),
    chat: (messages, addGenerationPrompt = true) =>
      tok.apply_chat_template(messages, { add_generation_prompt: addGenerationPrompt, tokenize: true, return_tensor: false, return_dict: false }) as unknown as number[],
    chatText: (messages, addGenerationPrompt = true) =>
      tok.apply_chat_template(messages, { add_generation_prompt: addGenerationPrompt, tokenize: false }) as unknown as string,
    special: (token) => {
      const ids = tok.encode(token, { add_special_tokens: false });
      return ids.length === 1 && tok.all_special_ids.includes(ids[0]) ? ids[0] : null;
    },
  };
}
