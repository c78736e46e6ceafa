// Model folder URLs: each track's embedded model, the one `?model=` asks for at start, and the one the user typed,
// made absolute for the worker (which fetches relative to its own script).
import { TRACK_LABELS, TRACKS, type TrackName } from '../seal/tracks.ts';

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

/** A track's embedded mini model, served with the app. */
export function embeddedModelUrl(track: TrackName): string {
  return new URL(TRACK_LABELS[track].embeddedModel, document.baseURI).href;
}

/** Whether `url` is one of the embedded models (of any track). */
export const isEmbedded = (url: string): boolean => TRACKS.some((t) => embeddedModelUrl(t) === url);

/** `?track=arc|knowledge` picks the track at start (default: the first, Track A). */
export function initialTrack(): TrackName {
  const q = new URLSearchParams(location.search).get('track');
  return TRACKS.find((t) => t === q) ?? TRACKS[0];
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
  return embeddedModelUrl(initialTrack());
}
