// Where a model (or a PEFT adapter) comes from. The UI, the CLI and tests describe a source with one of these
// plain objects (structured-clonable, so they cross the worker boundary) and the engine opens it as a
// ModelFolder (files.ts).

export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

/** A file picked by the user, with its path relative to the picked (or dropped) folder. */
export interface PickedFile {
  path: string;
  file: Blob;
}

export type ModelSourceSpec =
  /** A folder URL laid out like a Hub repo (the embedded model, a mirror, a dev server). */
  | { kind: 'url'; url: string; /** Store the files in the browser cache (default false: read them with HTTP Range). */ cache?: boolean }
  /** A Hugging Face Hub repo: `${endpoint}/${repo}/resolve/${revision}/${file}`. */
  | { kind: 'hub'; repo: string; revision?: string; endpoint?: string; token?: string }
  /**
   * Local files from a directory picker (`File.webkitRelativePath`) or drag-and-drop (give `{path, file}`).
   * The folder is the one holding config.json (or adapter_config.json), wherever it sits in the picked tree.
   */
  | { kind: 'files'; files: Array<File | PickedFile> };

export type ModelSourceKind = ModelSourceSpec['kind'];

/** `org/name`: letters, digits, `-`, `_`, `.` (as the Hub allows), at most 96 characters per part. */
const REPO_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}\/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;

export const isRepoId = (s: string): boolean => REPO_ID.test(s) && !s.includes('..') && !s.endsWith('.git');

/** A short human description (no token). */
export function describeSource(spec: ModelSourceSpec): string {
  switch (spec.kind) {
    case 'url':
      return spec.url;
    case 'hub': {
      const ep = (spec.endpoint ?? DEFAULT_HUB_ENDPOINT).replace(/\/+$/, '');
      return `${spec.repo}@${spec.revision ?? 'main'}${ep === DEFAULT_HUB_ENDPOINT ? '' : ` (${ep})`}`;
    }
    case 'files':
      return `local folder (${spec.files.length} files)`;
  }
}

/** The spec without secrets, for logs, events and results. */
export function publicSpec(spec: ModelSourceSpec): ModelSourceSpec {
  if (spec.kind !== 'hub' || spec.token === undefined) return spec;
  const { token: _token, ...rest } = spec;
  return rest;
}
