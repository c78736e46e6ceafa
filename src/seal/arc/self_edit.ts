// The SEAL ARC self-edit: a JSON configuration the model writes for its own test-time training — which
// augmentation families generate the data, and the training strategy, learning rate and epochs. Model output
// usually has text around the JSON; `parseSelfEdit` finds the first balanced JSON object, parses it and
// validates it, with an error message naming the field and the reason.

import { z } from 'zod';

export const TRAINING_STRATEGIES = ['train_using_all_tokens', 'train_using_output_tokens'] as const;
export type TrainingStrategy = (typeof TRAINING_STRATEGIES)[number];

const flag = z.boolean({ error: (iss) => (iss.input === undefined ? 'is required (true or false)' : `must be true or false, got ${show(iss.input)}`) });

const objectError = {
  error: (iss: { code?: string; input?: unknown }) =>
    iss.code === 'invalid_type' ? (iss.input === undefined ? 'is required (a JSON object)' : `must be a JSON object, got ${show(iss.input)}`) : undefined,
};

export const DataGenerationSchema = z.strictObject({
  use_basic_augmentations: flag,
  use_size_augmentations: flag,
  use_chain_augmentations: flag,
  use_repeat_augmentations: flag,
}, objectError);

export const TrainingSchema = z.strictObject({
  strategy: z.enum(TRAINING_STRATEGIES, {
    error: (iss) =>
      iss.input === undefined
        ? `is required ("${TRAINING_STRATEGIES.join('" or "')}")`
        : `must be "${TRAINING_STRATEGIES.join('" or "')}", got ${show(iss.input)}`,
  }),
  learning_rate: z
    .number({ error: (iss) => (iss.input === undefined ? 'is required (a number > 0)' : `must be a number, got ${show(iss.input)}`) })
    .gt(0, { error: (iss) => `must be > 0, got ${show(iss.input)}` })
    .lte(1, { error: (iss) => `must be ≤ 1, got ${show(iss.input)}` }),
  num_train_epochs: z
    .number({ error: (iss) => (iss.input === undefined ? 'is required (an integer ≥ 1)' : `must be an integer, got ${show(iss.input)}`) })
    .int({ error: (iss) => `must be an integer, got ${show(iss.input)}` })
    .gte(1, { error: (iss) => `must be ≥ 1, got ${show(iss.input)}` }),
}, objectError);

export const SelfEditSchema = z.strictObject({
  data_generation: DataGenerationSchema,
  training: TrainingSchema,
}, objectError);

export type DataGeneration = z.infer<typeof DataGenerationSchema>;
export type TrainingConfig = z.infer<typeof TrainingSchema>;
export type SelfEdit = z.infer<typeof SelfEditSchema>;

export type SelfEditResult = { ok: true; edit: SelfEdit; json: string } | { ok: false; error: string };

/** The spec's Oracle TTT configuration: every augmentation, loss on output tokens, lr 1e-4, 2 epochs. */
export const ORACLE_SELF_EDIT: SelfEdit = Object.freeze({
  data_generation: Object.freeze({
    use_basic_augmentations: true,
    use_size_augmentations: true,
    use_chain_augmentations: true,
    use_repeat_augmentations: true,
  }),
  training: Object.freeze({ strategy: 'train_using_output_tokens', learning_rate: 1e-4, num_train_epochs: 2 }),
}) as SelfEdit;

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return String(v);
}

/**
 * Find the first balanced `{ … }` in `text` that JSON.parse accepts (braces inside strings are skipped; a
 * balanced candidate that is not valid JSON is skipped with everything inside it).
 * Returns the JSON text (`afterUnclosed`: an earlier `{` was never closed), or an error saying why none was found.
 */
export function extractFirstJsonObject(
  text: string,
): { ok: true; json: string; value: unknown; afterUnclosed: boolean } | { ok: false; error: string } {
  let firstError: string | null = null;
  let sawUnbalanced = false;
  // A candidate that fails to parse is skipped whole: objects nested inside it are not tried on their own.
  let start = text.indexOf('{');
  while (start !== -1) {
    const end = matchingBrace(text, start);
    if (end === -1) {
      // An unclosed `{`: prose, or output cut off. Look further (a later object may still be complete).
      sawUnbalanced = true;
      start = text.indexOf('{', start + 1);
      continue;
    }
    const candidate = text.slice(start, end + 1);
    try {
      return { ok: true, json: candidate, value: JSON.parse(candidate), afterUnclosed: sawUnbalanced };
    } catch (e) {
      firstError ??= `invalid JSON: ${(e as Error).message}`;
    }
    start = text.indexOf('{', end + 1);
  }
  if (sawUnbalanced && !firstError) return { ok: false, error: 'no complete JSON object: unbalanced braces (output cut off?)' };
  if (firstError) return { ok: false, error: firstError };
  return { ok: false, error: 'no JSON object found in the output' };
}

/** Index of the `}` closing the `{` at `start`, or -1. Tracks JSON strings and escapes. */
function matchingBrace(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') depth++;
    else if (ch === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** Readable one-line summary of zod issues: "training.learning_rate: must be ≤ 1, got 5; …". */
function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((iss) => {
      const path = iss.path.map(String).join('.');
      if (iss.code === 'unrecognized_keys') {
        const where = path ? `${path}: ` : '';
        return `${where}unknown key${iss.keys.length > 1 ? 's' : ''} ${iss.keys.map((k) => `"${k}"`).join(', ')}`;
      }
      return `${path || 'the self-edit'}: ${iss.message}`;
    })
    .join('; ');
}

/** Validate an already-parsed value. */
export function validateSelfEdit(value: unknown): SelfEditResult {
  const r = SelfEditSchema.safeParse(value);
  if (!r.success) return { ok: false, error: formatIssues(r.error.issues) };
  return { ok: true, edit: r.data, json: JSON.stringify(r.data) };
}

/** Model output → self-edit: the first balanced JSON object in the text, parsed and validated. */
export function parseSelfEdit(text: string): SelfEditResult {
  const found = extractFirstJsonObject(text);
  if (!found.ok) return found;
  const r = validateSelfEdit(found.value);
  if (!r.ok && found.afterUnclosed) return { ok: false, error: `${r.error} (an earlier "{" is never closed: output cut off?)` };
  return r;
}

/** Canonical JSON of a self-edit (key order as in the spec), e.g. as an SFT target. */
export function selfEditToJson(edit: SelfEdit): string {
  const d = edit.data_generation;
  const t = edit.training;
  return JSON.stringify({
    data_generation: {
      use_basic_augmentations: d.use_basic_augmentations,
      use_size_augmentations: d.use_size_augmentations,
      use_chain_augmentations: d.use_chain_augmentations,
      use_repeat_augmentations: d.use_repeat_augmentations,
    },
    training: { strategy: t.strategy, learning_rate: t.learning_rate, num_train_epochs: t.num_train_epochs },
  });
}

/** One line for the UI: "aug basic+size+chain+repeat · output-token loss · lr 1e-4 · 2 epochs". */
export function describeSelfEdit(edit: SelfEdit): string {
  const d = edit.data_generation;
  const fams = [
    d.use_basic_augmentations && 'basic',
    d.use_size_augmentations && 'size',
    d.use_chain_augmentations && 'chain',
    d.use_repeat_augmentations && 'repeat',
  ].filter(Boolean);
  const loss = edit.training.strategy === 'train_using_output_tokens' ? 'output-token loss' : 'all-token loss';
  const epochs = edit.training.num_train_epochs;
  return `aug ${fams.length ? fams.join('+') : 'none'} · ${loss} · lr ${formatLr(edit.training.learning_rate)} · ${epochs} epoch${epochs === 1 ? '' : 's'}`;
}

function formatLr(lr: number): string {
  if (lr >= 0.01) return String(lr);
  const [m, e] = lr.toExponential().split('e');
  return `${Number(Number(m).toPrecision(4))}e${e}`;
}
