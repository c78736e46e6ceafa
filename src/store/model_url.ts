// The model folder URL the user typed, made absolute for the worker (which fetches relative to its own script).

export class ModelUrlError extends Error {
  override name = 'ModelUrlError';
}

/**
 * A path on this site (models/x/) or an http(s) URL of a Hugging Face-layout folder (config.json,
 * model.safetensors[.index.json], tokenizer.json). A Hub repository page URL gets /resolve/main/ added.
 */
export function resolveModelUrl(input: string, base = document.baseURI): string {
  const text = input.trim();
  if (!text) throw new ModelUrlError('Enter the URL of a model folder (config.json, model.safetensors, tokenizer.json).');
  let u: URL;
  try {
    u = new URL(text, base);
  } catch {
    throw new ModelUrlError(`"${text}" is not a URL.`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ModelUrlError(`Only http(s) URLs can be loaded, not ${u.protocol}`);
  if (u.hostname === 'huggingface.co' && !u.pathname.includes('/resolve/')) {
    const [org, name] = u.pathname.split('/').filter(Boolean);
    if (org && name) u = new URL(`/${org}/${name}/resolve/main/`, u);
  }
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  return u.href;
}
