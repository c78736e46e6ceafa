// Errors the model loaders throw. Each message names the file and says what is wrong and, where it
// helps, what to do; UI code can branch on the class (or `name`, which survives structured cloning).

/** A weights file (safetensors) is malformed, truncated, or not what the loader expects. */
export class ModelFormatError extends Error {
  override readonly name = 'ModelFormatError';
  /** File the error is about, e.g. `model.safetensors`, when known. */
  readonly source?: string;
  constructor(message: string, options?: { source?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.source = options?.source;
  }
}

/** A config.json is invalid or describes a model this engine does not support. */
export class ModelConfigError extends Error {
  override readonly name = 'ModelConfigError';
  readonly source?: string;
  constructor(message: string, options?: { source?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.source = options?.source;
  }
}

/**
 * A download failed: the network dropped and retries ran out, the server sent fewer bytes than it announced,
 * an unexpected HTTP status, no disk space left for the cache, or the user cancelled. What was already
 * downloaded stays in the cache (not marked complete), so the next load resumes from there.
 */
export class DownloadError extends Error {
  override readonly name = 'DownloadError';
  /** The file (e.g. `model-00001-of-00002.safetensors`) and the URL it was fetched from. */
  readonly source?: string;
  readonly url?: string;
  /** The HTTP status, when the server answered. */
  readonly status?: number;
  /** True when the load was cancelled on purpose. */
  readonly cancelled: boolean;
  constructor(message: string, options?: { source?: string; url?: string; status?: number; cancelled?: boolean; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.source = options?.source;
    this.url = options?.url;
    this.status = options?.status;
    this.cancelled = options?.cancelled ?? false;
  }
}

/**
 * The Hub refused a file (HTTP 401/403): the repo is gated or private. The message says what to do: accept the
 * model's license on its Hub page and give a Hugging Face token with read access to it.
 */
export class GatedModelError extends Error {
  override readonly name = 'GatedModelError';
  readonly source?: string;
  readonly status?: number;
  constructor(message: string, options?: { source?: string; status?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.source = options?.source;
    this.status = options?.status;
  }
}
