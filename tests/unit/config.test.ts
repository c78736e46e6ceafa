import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeRopeInvFreq, parseModelConfig, parseModelConfigText, type ModelConfig } from '../../src/engine/model/config.ts';
import { ModelConfigError } from '../../src/engine/model/errors.ts';

const goldenConfig = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../golden/${name}/model/config.json`, import.meta.url), 'utf8'));
const llama = goldenConfig('llama3-f32');
const qwen = goldenConfig('qwen2-f32');

function expectConfigError(fn: () => unknown, ...fragments: string[]) {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ModelConfigError);
  expect((err as Error).name).toBe('ModelConfigError');
  for (const f of fragments) expect((err as Error).message).toContain(f);
}

const LLAMA3: ModelConfig = {
  arch: 'llama', vocabSize: 260, hidden: 64, intermediate: 160, layers: 2, heads: 4, kvHeads: 2, headDim: 16,
  rmsEps: 1e-5, ropeTheta: 500000,
  ropeScaling: { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 64 },
  tieEmbeddings: false, qkvBias: false, maxPositions: 2048, bosTokenId: 256, eosTokenIds: [257], padTokenId: 258, dtype: 'f32',
};
const QWEN2: ModelConfig = {
  arch: 'qwen2', vocabSize: 260, hidden: 64, intermediate: 128, layers: 2, heads: 4, kvHeads: 2, headDim: 16,
  rmsEps: 1e-6, ropeTheta: 1000000, ropeScaling: null, tieEmbeddings: true, qkvBias: true, maxPositions: 2048,
  bosTokenId: 256, eosTokenIds: [257], padTokenId: 258, dtype: 'f32',
};

describe('golden configs', () => {
  it('parse to the expected values', () => {
    expect(parseModelConfig(llama)).toEqual(LLAMA3);
    expect(parseModelConfig(goldenConfig('llama3-bf16'))).toEqual({ ...LLAMA3, dtype: 'bf16' });
    expect(parseModelConfig(qwen)).toEqual(QWEN2);
    expect(parseModelConfig(goldenConfig('qwen2-bf16'))).toEqual({ ...QWEN2, dtype: 'bf16' });
  });
});

describe('defaults and variants', () => {
  const minimal = { model_type: 'llama', vocab_size: 10, hidden_size: 64, intermediate_size: 128, num_hidden_layers: 1, num_attention_heads: 8 };
  it('Hugging Face defaults', () => {
    expect(parseModelConfig(minimal)).toEqual({
      arch: 'llama', vocabSize: 10, hidden: 64, intermediate: 128, layers: 1, heads: 8, kvHeads: 8, headDim: 8,
      rmsEps: 1e-6, ropeTheta: 10000, ropeScaling: null, tieEmbeddings: false, qkvBias: false, maxPositions: 2048,
      bosTokenId: null, eosTokenIds: [], padTokenId: null, dtype: null,
    });
    const q = parseModelConfig({ ...minimal, model_type: 'qwen2' });
    expect([q.arch, q.qkvBias, q.tieEmbeddings, q.maxPositions]).toEqual(['qwen2', true, false, 32768]);
  });
  it('eos arrays, dtype field, unknown dtype, null ids', () => {
    const c = parseModelConfig({ ...llama, eos_token_id: [257, 259], dtype: 'float16', pad_token_id: null });
    expect([c.eosTokenIds, c.dtype, c.padTokenId]).toEqual([[257, 259], 'f16', null]);
    expect(parseModelConfig({ ...llama, torch_dtype: 'float64' }).dtype).toBeNull();
  });
  it('rope scaling spellings: legacy type, default, transformers v5 rope_parameters', () => {
    const { rope_type: _, ...rs } = llama.rope_scaling as Record<string, unknown>;
    expect(parseModelConfig({ ...llama, rope_scaling: { ...rs, type: 'llama3' } }).ropeScaling).toEqual(LLAMA3.ropeScaling);
    expect(parseModelConfig({ ...llama, rope_scaling: { rope_type: 'default' } }).ropeScaling).toBeNull();
    const { rope_theta: _t, rope_scaling, ...v5 } = llama;
    const c = parseModelConfig({ ...v5, rope_parameters: { ...(rope_scaling as object), rope_theta: 250000 } });
    expect([c.ropeTheta, c.ropeScaling]).toEqual([250000, LLAMA3.ropeScaling]);
  });
  it('parseModelConfigText', () => {
    expect(parseModelConfigText(JSON.stringify(qwen))).toEqual(QWEN2);
    expectConfigError(() => parseModelConfigText('{"model_type": "llama",', 'my/config.json'), 'my/config.json: not valid JSON');
  });
});

describe('errors', () => {
  it('not an object', () => expectConfigError(() => parseModelConfig([1]), 'config.json: expected a JSON object'));
  it('unsupported or inconsistent architecture', () => {
    expectConfigError(() => parseModelConfig({ ...llama, architectures: ['MistralForCausalLM'], model_type: 'mistral' }),
      'architecture "MistralForCausalLM" is not supported', 'LlamaForCausalLM', 'Qwen2ForCausalLM');
    const { architectures: _, ...noArch } = llama;
    expectConfigError(() => parseModelConfig({ ...noArch, model_type: 'gemma' }), 'model_type "gemma" is not supported');
    expectConfigError(() => parseModelConfig({ ...noArch, model_type: undefined }), 'neither architectures nor model_type');
    expectConfigError(() => parseModelConfig({ ...llama, model_type: 'qwen2' }), 'architectures says LlamaForCausalLM but model_type is "qwen2"');
  });
  it('zod errors become one message listing every bad field', () => {
    expectConfigError(
      () => parseModelConfig({ ...llama, hidden_size: '64', vocab_size: -1, num_hidden_layers: 1.5, eos_token_id: [1, 'x'], intermediate_size: undefined, rope_scaling: { ...(llama.rope_scaling as object), factor: 'big' } }),
      'config.json: invalid config',
      'hidden_size: Invalid input: expected number, received string (got "64")',
      'vocab_size: ', '(got -1)',
      'num_hidden_layers: ', '(got 1.5)',
      'eos_token_id: ',
      'intermediate_size: ',
      'rope_scaling.factor: ', '(got "big")',
    );
  });
  it('unsupported activation, biases, sliding window, quantization', () => {
    expectConfigError(() => parseModelConfig({ ...llama, hidden_act: 'gelu' }), 'hidden_act "gelu" is not supported');
    expectConfigError(() => parseModelConfig({ ...llama, attention_bias: true }), 'attention_bias true');
    expectConfigError(() => parseModelConfig({ ...llama, mlp_bias: true }), 'mlp_bias true is not supported');
    expectConfigError(() => parseModelConfig({ ...qwen, use_sliding_window: true, sliding_window: 4096 }), 'sliding-window attention');
    expectConfigError(() => parseModelConfig({ ...qwen, layer_types: ['full_attention', 'sliding_attention'] }), 'sliding-window');
    expectConfigError(() => parseModelConfig({ ...llama, quantization_config: { quant_method: 'gptq' } }), 'quantized checkpoints');
    expect(parseModelConfig({ ...qwen, use_sliding_window: false, sliding_window: 4096 }).arch).toBe('qwen2');
  });
  it('head geometry', () => {
    expectConfigError(() => parseModelConfig({ ...llama, num_key_value_heads: 3 }), 'num_attention_heads (4) must be a multiple of num_key_value_heads (3)');
    expectConfigError(() => parseModelConfig({ ...llama, head_dim: 15 }), 'head_dim 15 must be even');
    const { head_dim: _, ...noHeadDim } = llama;
    expectConfigError(() => parseModelConfig({ ...noHeadDim, num_attention_heads: 6, num_key_value_heads: 6 }), 'hidden_size (64) is not divisible by num_attention_heads (6)');
  });
  it('rope scaling', () => {
    for (const type of ['linear', 'dynamic', 'yarn', 'longrope']) {
      expectConfigError(() => parseModelConfig({ ...llama, rope_scaling: { rope_type: type, factor: 2 } }), `rope_scaling type "${type}" is not supported`);
    }
    expectConfigError(() => parseModelConfig({ ...llama, rope_scaling: { type: 'linear', factor: 2 } }), 'type "linear" is not supported');
    expectConfigError(() => parseModelConfig({ ...llama, rope_scaling: { rope_type: 'llama3', factor: 8 } }),
      'missing low_freq_factor, high_freq_factor, original_max_position_embeddings');
    expectConfigError(() => parseModelConfig({ ...llama, rope_scaling: { ...(llama.rope_scaling as object), high_freq_factor: 1 } }),
      'high_freq_factor (1) must be larger than low_freq_factor (1)');
  });
});

describe('computeRopeInvFreq', () => {
  // tools/verify/reference/llama_ref.py rope_inv_freq (torch 1.13, float32) on each config; these match bit for bit.
  const cases: Array<[string, ModelConfig, number[]]> = [
    ['golden llama3 (high / smooth / low branches)', LLAMA3, [1.0, 0.07940301299095154, 0.004700753837823868, 0.0009115831344388425,
      0.00017677668074611574, 3.428102354519069e-05, 6.647869668086059e-06, 1.289173155782919e-06]],
    ['golden qwen2 (no scaling)', QWEN2, [1.0, 0.17782793939113617, 0.03162277862429619, 0.005623413249850273,
      0.0010000000474974513, 0.00017782794020604342, 3.162277425872162e-05, 5.62341347176698e-06]],
    ['Llama-3.2-1B geometry (D 64, factor 32, original 8192)',
      { ...LLAMA3, headDim: 64, ropeScaling: { type: 'llama3', factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 } },
      [1.0, 0.663601279258728, 0.44036662578582764, 0.2922278344631195, 0.193922758102417, 0.12868738174438477, 0.08539710193872452,
        0.05666961893439293, 0.03760603070259094, 0.02495540864765644, 0.016560440883040428, 0.010989529080688953, 0.00729266507551074,
        0.00483942124992609, 0.0032114461064338684, 0.0012905480107292533, 0.000429556705057621, 9.708286233944818e-05,
        1.9461638657958247e-05, 1.291476746700937e-05, 8.570255886297673e-06, 5.687232260243036e-06, 3.7740544485131977e-06,
        2.504467147446121e-06, 1.6619674170215148e-06, 1.1028836297555245e-06, 7.318749339901842e-07, 4.856731266045244e-07,
        3.2229328894572973e-07, 2.1387423032592778e-07, 1.4192720243499934e-07, 9.418306490260875e-08]],
  ];
  for (const [label, cfg, want] of cases) {
    it(label, () => {
      const got = computeRopeInvFreq(cfg);
      expect(got.length).toBe(want.length);
      want.forEach((w, i) => expect(Math.abs(got[i] - w) / w, `inv_freq[${i}]`).toBeLessThanOrEqual(1e-7));
    });
  }
});
