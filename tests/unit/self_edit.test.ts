import { describe, expect, it } from 'vitest';
import {
  ORACLE_SELF_EDIT,
  describeSelfEdit,
  extractFirstJsonObject,
  parseSelfEdit,
  selfEditToJson,
  validateSelfEdit,
  type SelfEdit,
} from '../../src/seal/arc/self_edit.ts';

const VALID: SelfEdit = {
  data_generation: {
    use_basic_augmentations: true,
    use_size_augmentations: false,
    use_chain_augmentations: true,
    use_repeat_augmentations: false,
  },
  training: { strategy: 'train_using_all_tokens', learning_rate: 5e-5, num_train_epochs: 3 },
};

/** A deep copy of VALID with `mutate` applied. */
// The mutations put values of any type anywhere: that is what these tests feed the parser.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function variant(mutate: (o: any) => void): string {
  const o = JSON.parse(JSON.stringify(VALID));
  mutate(o);
  return JSON.stringify(o);
}

function expectError(text: string, ...fragments: string[]) {
  const r = parseSelfEdit(text);
  expect(r.ok).toBe(false);
  if (r.ok) return;
  for (const f of fragments) expect(r.error).toContain(f);
}

describe('parseSelfEdit: valid input', () => {
  it('accepts the bare JSON', () => {
    const r = parseSelfEdit(JSON.stringify(VALID));
    expect(r).toMatchObject({ ok: true, edit: VALID });
  });
  it('finds the JSON inside model text, code fences, and whitespace', () => {
    const json = JSON.stringify(VALID, null, 2);
    for (const text of [
      `Here is my configuration:\n${json}\nThis should work well.`,
      '```json\n' + json + '\n```',
      `  \n${json}<|eot_id|>`,
      `I think {braces in prose} are fine. ${json} {"trailing": 1}`,
    ]) {
      const r = parseSelfEdit(text);
      expect(r.ok, text).toBe(true);
      if (r.ok) expect(r.edit).toEqual(VALID);
    }
  });
  it('accepts both strategies, integral floats for epochs, lr = 1', () => {
    expect(parseSelfEdit(variant((o) => (o.training.strategy = 'train_using_output_tokens'))).ok).toBe(true);
    expect(parseSelfEdit(variant((o) => (o.training.num_train_epochs = 2.0))).ok).toBe(true);
    expect(parseSelfEdit(variant((o) => (o.training.learning_rate = 1))).ok).toBe(true);
    expect(parseSelfEdit(variant((o) => (o.training.learning_rate = 1e-7))).ok).toBe(true);
    expect(parseSelfEdit(VALID_TEXT_WITH_EXPONENT).ok).toBe(true);
  });
  it('handles braces and quotes inside strings when matching', () => {
    const r = extractFirstJsonObject('x {"a": "}{\\"", "b": {"c": 1}} y');
    expect(r).toEqual({ ok: true, json: '{"a": "}{\\"", "b": {"c": 1}}', value: { a: '}{"', b: { c: 1 } }, afterUnclosed: false });
  });
  it('returns canonical JSON that parses back to the same edit', () => {
    const r = parseSelfEdit(`blah ${JSON.stringify(VALID)}`);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(JSON.parse(r.json)).toEqual(VALID);
    expect(parseSelfEdit(selfEditToJson(r.edit))).toMatchObject({ ok: true, edit: VALID });
  });
});

const VALID_TEXT_WITH_EXPONENT =
  '{"data_generation": {"use_basic_augmentations": false, "use_size_augmentations": false, "use_chain_augmentations": false, "use_repeat_augmentations": false}, "training": {"strategy": "train_using_output_tokens", "learning_rate": 1e-4, "num_train_epochs": 1}}';

describe('parseSelfEdit: invalid input, with readable messages', () => {
  it('no JSON, truncated JSON, broken JSON', () => {
    expectError('I would use basic augmentations.', 'no JSON object');
    expectError('', 'no JSON object');
    expectError('{"data_generation": {"use_basic_augmentations": true', 'unbalanced');
    expectError("{'data_generation': {}}", 'invalid JSON');
    expectError('{"data_generation": {"use_basic_augmentations": True}}', 'invalid JSON');
    expectError('[1, 2, 3]', 'no JSON object');
  });
  it('wrong types name the field and the value', () => {
    expectError(variant((o) => (o.data_generation.use_basic_augmentations = 'yes')), 'data_generation.use_basic_augmentations', 'true or false', '"yes"');
    expectError(variant((o) => (o.training.learning_rate = '1e-4')), 'training.learning_rate', 'must be a number', '"1e-4"');
    expectError(variant((o) => (o.training.num_train_epochs = 'two')), 'training.num_train_epochs', 'integer');
    expectError(variant((o) => (o.data_generation = 3)), 'data_generation', 'JSON object');
    expectError(variant((o) => (o.training = [1])), 'training', 'JSON object', 'array');
    expectError('{"a": 1}', 'data_generation', 'is required', 'unknown key "a"');
  });
  it('missing fields', () => {
    expectError(variant((o) => delete o.data_generation.use_repeat_augmentations), 'data_generation.use_repeat_augmentations', 'is required');
    expectError(variant((o) => delete o.training.strategy), 'training.strategy', 'is required');
    expectError(variant((o) => delete o.training), 'training', 'is required');
  });
  it('out-of-range values', () => {
    expectError(variant((o) => (o.training.learning_rate = 0)), 'training.learning_rate', '> 0');
    expectError(variant((o) => (o.training.learning_rate = -1e-4)), 'training.learning_rate', '> 0');
    expectError(variant((o) => (o.training.learning_rate = 5)), 'training.learning_rate', '≤ 1', '5');
    expectError(variant((o) => (o.training.num_train_epochs = 0)), 'training.num_train_epochs', '≥ 1');
    expectError(variant((o) => (o.training.num_train_epochs = 2.5)), 'training.num_train_epochs', 'integer', '2.5');
    expectError(variant((o) => (o.training.strategy = 'train_on_everything')), 'training.strategy', 'train_using_all_tokens', 'train_using_output_tokens', '"train_on_everything"');
  });
  it('unknown keys are rejected (the spec fixes the schema)', () => {
    expectError(variant((o) => (o.training.batch_size = 4)), 'training', 'unknown key "batch_size"');
    expectError(variant((o) => (o.extra = true)), 'unknown key "extra"');
  });
  it('reports several problems at once', () => {
    const r = parseSelfEdit(variant((o) => {
      o.training.learning_rate = 2;
      o.training.num_train_epochs = 0;
    }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.split('; ')).toHaveLength(2);
  });
  it('validateSelfEdit rejects non-objects', () => {
    expect(validateSelfEdit(null).ok).toBe(false);
    expect(validateSelfEdit('x').ok).toBe(false);
  });
});

describe('ORACLE_SELF_EDIT and describeSelfEdit', () => {
  it('oracle: all augmentations, output-token loss, lr 1e-4, 2 epochs; valid under the schema', () => {
    expect(ORACLE_SELF_EDIT).toEqual({
      data_generation: {
        use_basic_augmentations: true,
        use_size_augmentations: true,
        use_chain_augmentations: true,
        use_repeat_augmentations: true,
      },
      training: { strategy: 'train_using_output_tokens', learning_rate: 1e-4, num_train_epochs: 2 },
    });
    expect(validateSelfEdit(ORACLE_SELF_EDIT).ok).toBe(true);
    expect(Object.isFrozen(ORACLE_SELF_EDIT)).toBe(true);
  });
  it('one line summaries', () => {
    expect(describeSelfEdit(ORACLE_SELF_EDIT)).toBe('aug basic+size+chain+repeat · output-token loss · lr 1e-4 · 2 epochs');
    expect(describeSelfEdit(VALID)).toBe('aug basic+chain · all-token loss · lr 5e-5 · 3 epochs');
    const none = JSON.parse(VALID_TEXT_WITH_EXPONENT) as SelfEdit;
    expect(describeSelfEdit(none)).toBe('aug none · output-token loss · lr 1e-4 · 1 epoch');
    expect(describeSelfEdit({ ...VALID, training: { ...VALID.training, learning_rate: 0.05 } })).toContain('lr 0.05');
    expect(describeSelfEdit({ ...VALID, training: { ...VALID.training, learning_rate: 3.3e-4 } })).toContain('lr 3.3e-4');
    expect(describeSelfEdit(VALID)).not.toContain('\n');
  });
});

describe('parseSelfEdit: unclosed braces', () => {
  const json = JSON.stringify(VALID);
  it('a stray unclosed "{" in prose before the JSON does not hide it', () => {
    expect(parseSelfEdit(`Sure {\n${json}`)).toMatchObject({ ok: true, edit: VALID });
  });
  it('a cut-off self-edit is reported as such', () => {
    const cut = json.slice(0, json.length - 30);
    expectError(cut, 'cut off');
    expectError(json.slice(0, 20), 'unbalanced', 'cut off');
  });
  it('an invalid JSON candidate is skipped with everything nested inside it', () => {
    expectError(`{note: ${json}}`, 'invalid JSON');
    expect(parseSelfEdit(`{note: x} ${json}`)).toMatchObject({ ok: true, edit: VALID });
  });
});
