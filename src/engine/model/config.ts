// Hugging Face config.json -> the engine's ModelConfig. Only what the engine implements is accepted; anything
// that would silently change the maths (other RoPE scalings, sliding windows, extra biases) is an error.

import { z } from 'zod';
import { ModelConfigError } from './errors.ts';

export interface Llama3RopeScaling {
  type: 'llama3';
  factor: number;
  lowFreqFactor: number;
  highFreqFactor: number;
  originalMaxPositions: number;
}

export interface ModelConfig {
  arch: 'llama' | 'qwen2';
  vocabSize: number;
  hidden: number;
  intermediate: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  rmsEps: number;
  ropeTheta: number;
  ropeScaling: null | Llama3RopeScaling;
  tieEmbeddings: boolean;
  /** q/k/v projections have biases (always for qwen2). */
  qkvBias: boolean;
  maxPositions: number;
  bosTokenId: number | null;
  eosTokenIds: number[];
  padTokenId: number | null;
  /** Weights dtype the config declares (torch_dtype / dtype), null when absent or not a float type. */
  dtype: 'f32' | 'f16' | 'bf16' | null;
}

const ARCHS: Record<string, ModelConfig['arch']> = { LlamaForCausalLM: 'llama', Qwen2ForCausalLM: 'qwen2' };
const MODEL_TYPES: Record<string, ModelConfig['arch']> = { llama: 'llama', qwen2: 'qwen2' };
const SUPPORTED = 'LlamaForCausalLM (model_type "llama") and Qwen2ForCausalLM (model_type "qwen2")';
/** Hugging Face class defaults for fields a config may omit. */
const DEFAULT_MAX_POSITIONS = { llama: 2048, qwen2: 32768 } as const;
const DTYPES: Record<string, ModelConfig['dtype']> = { float32: 'f32', float16: 'f16', bfloat16: 'bf16' };

// Sizes stay below 2^31 so every index the kernels compute fits in u32/i32.
const size = z.int().positive().max(2 ** 31 - 1);
const tokenId = z.int().nonnegative();
const ropeFields = {
  rope_type: z.string().optional(),
  type: z.string().optional(), // legacy name of rope_type
  factor: z.number().positive().optional(),
  low_freq_factor: z.number().positive().optional(),
  high_freq_factor: z.number().positive().optional(),
  original_max_position_embeddings: size.optional(),
};
type RopeJson = z.infer<z.ZodObject<typeof ropeFields>>;

const HfConfig = z.looseObject({
  vocab_size: size,
  hidden_size: size,
  intermediate_size: size,
  num_hidden_layers: size,
  num_attention_heads: size,
  num_key_value_heads: size.nullish(),
  head_dim: size.nullish(),
  rms_norm_eps: z.number().positive().default(1e-6),
  rope_theta: z.number().positive().optional(),
  rope_scaling: z.looseObject(ropeFields).nullish(),
  // transformers v5 writes rope_theta and the scaling together as rope_parameters.
  rope_parameters: z.looseObject({ ...ropeFields, rope_theta: z.number().positive().optional() }).nullish(),
  tie_word_embeddings: z.boolean().default(false),
  max_position_embeddings: size.optional(),
  hidden_act: z.string().default('silu'),
  attention_bias: z.boolean().default(false),
  mlp_bias: z.boolean().default(false),
  use_sliding_window: z.boolean().default(false),
  layer_types: z.array(z.string()).nullish(),
  bos_token_id: tokenId.nullish(),
  eos_token_id: z.union([tokenId, z.array(tokenId)]).nullish(),
  pad_token_id: tokenId.nullish(),
  torch_dtype: z.string().nullish(),
  dtype: z.string().nullish(),
  quantization_config: z.unknown().optional(),
});

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Architecture from `architectures[0]`, cross-checked with `model_type`. */
function detectArch(json: Record<string, unknown>, fail: (msg: string) => never): ModelConfig['arch'] {
  const { architectures: archs, model_type: type } = json;
  const first = Array.isArray(archs) && archs.length ? archs[0] : undefined;
  if (first !== undefined) {
    if (typeof first !== 'string' || !Object.hasOwn(ARCHS, first)) {
      fail(`architecture ${show(first)} is not supported; supported: ${SUPPORTED}`);
    }
    const arch = ARCHS[first as string];
    if (type != null && (typeof type !== 'string' || !Object.hasOwn(MODEL_TYPES, type) || MODEL_TYPES[type] !== arch)) {
      fail(`architectures says ${first} but model_type is ${show(type)}; fix one of them`);
    }
    return arch;
  }
  if (typeof type === 'string' && Object.hasOwn(MODEL_TYPES, type)) return MODEL_TYPES[type];
  return fail(
    type == null
      ? `neither architectures nor model_type is set; supported: ${SUPPORTED}`
      : `model_type ${show(type)} is not supported; supported: ${SUPPORTED}`,
  );
}

function parseRope(rs: RopeJson | null | undefined, field: string, fail: (msg: string) => never): Llama3RopeScaling | null {
  if (!rs) return null;
  const type = rs.rope_type ?? rs.type ?? 'default';
  if (type === 'default') return null;
  if (type !== 'llama3') fail(`${field} type ${show(type)} is not supported (only "llama3" or none)`);
  const { factor, low_freq_factor: low, high_freq_factor: high, original_max_position_embeddings: orig } = rs;
  if (factor === undefined || low === undefined || high === undefined || orig === undefined) {
    const missing = ['factor', 'low_freq_factor', 'high_freq_factor', 'original_max_position_embeddings'].filter(
      (k) => rs[k as keyof RopeJson] === undefined,
    );
    return fail(`${field} of type "llama3" is missing ${missing.join(', ')}`);
  }
  // The smooth branch divides by (high - low).
  if (!(high > low)) fail(`${field}: high_freq_factor (${high}) must be larger than low_freq_factor (${low})`);
  return { type: 'llama3', factor, lowFreqFactor: low, highFreqFactor: high, originalMaxPositions: orig };
}

/** Parses and validates a Hugging Face config.json object; throws ModelConfigError listing every problem. */
export function parseModelConfig(json: unknown, source = 'config.json'): ModelConfig {
  const fail = (msg: string): never => {
    throw new ModelConfigError(`${source}: ${msg}`, { source });
  };
  if (!isObject(json)) return fail(`expected a JSON object, got ${show(json)}`);
  const arch = detectArch(json, fail); // first, so an unsupported model says so instead of listing field errors

  const r = HfConfig.safeParse(json);
  if (!r.success) {
    const lines = r.error.issues.map((issue) => {
      let v: unknown = json;
      for (const k of issue.path) v = isObject(v) || Array.isArray(v) ? (v as Record<PropertyKey, unknown>)[k] : undefined;
      const path = issue.path.length ? issue.path.join('.') : '(root)';
      if (v === undefined) return `  ${path}: missing (${issue.message.replace('Invalid input: ', '').replace(/, received undefined$/, '')})`;
      return `  ${path}: ${issue.message} (got ${show(v)})`;
    });
    return fail(`invalid config (fix these fields or use the model's original config.json):\n${lines.join('\n')}`);
  }
  const c = r.data;

  if (c.hidden_act !== 'silu') fail(`hidden_act ${show(c.hidden_act)} is not supported (only "silu")`);
  if (c.quantization_config !== undefined && c.quantization_config !== null) {
    fail('quantized checkpoints (quantization_config) are not supported; use the f32/f16/bf16 weights');
  }
  if (arch === 'llama' && c.attention_bias) fail('attention_bias true (biases on q/k/v/o) is not supported for llama');
  if (arch === 'llama' && c.mlp_bias) fail('mlp_bias true is not supported');
  if (c.use_sliding_window || c.layer_types?.some((t) => t !== 'full_attention')) {
    fail('sliding-window attention (use_sliding_window / layer_types) is not supported; full attention only');
  }

  const heads = c.num_attention_heads;
  const kvHeads = c.num_key_value_heads ?? heads;
  if (heads % kvHeads !== 0) fail(`num_attention_heads (${heads}) must be a multiple of num_key_value_heads (${kvHeads})`);
  if (c.head_dim == null && c.hidden_size % heads !== 0) {
    fail(`hidden_size (${c.hidden_size}) is not divisible by num_attention_heads (${heads}) and head_dim is not set`);
  }
  const headDim = c.head_dim ?? c.hidden_size / heads;
  if (headDim % 2 !== 0) fail(`head_dim ${headDim} must be even for RoPE`);

  const rp = c.rope_parameters;
  const ropeScaling = rp ? parseRope(rp, 'rope_parameters', fail) : parseRope(c.rope_scaling, 'rope_scaling', fail);
  const dtype = c.dtype ?? c.torch_dtype;
  const eos = c.eos_token_id;

  return {
    arch,
    vocabSize: c.vocab_size,
    hidden: c.hidden_size,
    intermediate: c.intermediate_size,
    layers: c.num_hidden_layers,
    heads,
    kvHeads,
    headDim,
    rmsEps: c.rms_norm_eps,
    ropeTheta: rp?.rope_theta ?? c.rope_theta ?? 10000,
    ropeScaling,
    tieEmbeddings: c.tie_word_embeddings,
    qkvBias: arch === 'qwen2', // Qwen2 always has q/k/v biases; llama attention_bias was rejected above
    maxPositions: c.max_position_embeddings ?? DEFAULT_MAX_POSITIONS[arch],
    bosTokenId: c.bos_token_id ?? null,
    eosTokenIds: eos == null ? [] : Array.isArray(eos) ? eos : [eos],
    padTokenId: c.pad_token_id ?? null,
    dtype: dtype != null && Object.hasOwn(DTYPES, dtype) ? DTYPES[dtype] : null,
  };
}

/** parseModelConfig on the text of config.json; invalid JSON is a ModelConfigError too. */
export function parseModelConfigText(text: string, source = 'config.json'): ModelConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ModelConfigError(`${source}: not valid JSON (${e instanceof Error ? e.message : String(e)})`, { source, cause: e });
  }
  return parseModelConfig(json, source);
}

/**
 * RoPE inverse frequencies (length headDim / 2) as Hugging Face computes them in float32 torch:
 * `1.0 / (base ** (arange(0, D, 2).float() / D))`, then _compute_llama3_parameters. Every step is rounded to f32
 * as torch does (`s / t` for a Python scalar s is `t.reciprocal() * s` in torch, emulated that way). The one
 * inexact step is the power: this uses the correctly rounded f32 result, torch's vectorized powf (Sleef, 1 ulp)
 * differs by an ulp for ~1% of (theta, D) pairs; real Llama/Qwen configs checked against torch match bit for bit.
 */
export function computeRopeInvFreq(cfg: ModelConfig): Float32Array {
  const f = Math.fround;
  const D = cfg.headDim;
  const out = new Float32Array(D / 2);
  for (let i = 0; i < D / 2; i++) out[i] = f(1 / f(f(cfg.ropeTheta) ** f((2 * i) / D)));
  const rs = cfg.ropeScaling;
  if (!rs) return out;
  const lowWavelen = f(rs.originalMaxPositions / rs.lowFreqFactor); // compared in f32, as torch does
  const highWavelen = f(rs.originalMaxPositions / rs.highFreqFactor);
  const factor = f(rs.factor);
  for (let i = 0; i < out.length; i++) {
    const inv = out[i];
    const wavelen = f(f(1 / inv) * f(2 * Math.PI));
    if (wavelen > lowWavelen) out[i] = f(inv / factor);
    else if (!(wavelen < highWavelen)) {
      const smooth = f(f(f(f(1 / wavelen) * f(rs.originalMaxPositions)) - f(rs.lowFreqFactor)) / f(rs.highFreqFactor - rs.lowFreqFactor));
      out[i] = f(f(f(f(1 - smooth) * inv) / factor) + f(smooth * inv));
    }
  }
  return out;
}
