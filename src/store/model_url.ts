// Model folder URLs: the embedded model's, the one `?model=` asks for at start, and the one the user typed, made
// absolute for the worker (which fetches relative to its own script).

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

/** The embedded mini model, served with the app. */
export function embeddedModelUrl(): string {
  return new URL('models/seal-mini-arc/', document.baseURI).href;
}

/** `?model=<url or path>` picks the model at start (paths resolve against the page, e.g. ?model=models/dev-tiny/). */
export function initialModelUrl(): string {
  const q = new URLSearchParams(location.search).get('model');
  if (q) {
    try {
      return resolveModelUrl(q);
    } catch {
      /* an unusable ?model= falls back to the embedded model; the picker still shows it */
    }
  }
  return embeddedModelUrl();
}
