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
