// PEFT adapters: the lab's export is in PEFT's save_pretrained layout and reloads into the lab bit-identically;
// imports from picked files and from the Hub; adapters the lab cannot apply are clear errors.
//
// Python PEFT compatibility is checked against PEFT's documented checkpoint format (PEFT docs,
// developer_guides/checkpoint.md, and LoraConfig): keys `base_model.model.<module path>.lora_A.weight` /
// `.lora_B.weight` without the adapter name, A of shape (r, in_features), B of shape (out_features, r), a
// safetensors file with metadata {"format": "pt"}, and an adapter_config.json whose keys are all LoraConfig
// fields (peft_type LORA, task_type CAUSAL_LM, r, lora_alpha, target_modules, ...). The module paths are those
// of transformers' LlamaForCausalLM (model.layers.{i}.self_attn.q_proj, ...mlp.down_proj), and the golden adapter
// in tests/golden (written by the PyTorch reference in the same layout) loads into both.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EngineClient } from '../../src/protocol/client.ts';
import { readSafetensors, writeSafetensors } from '../../src/engine/model/safetensors.ts';
import { exportPeftAdapter, loadAdapter, loadModel } from '../../src/engine/model/loader.ts';
import { LoraAdapter } from '../../src/engine/model/lora.ts';
import { LoraTrainer, DEFAULT_HYPER } from '../../src/engine/train/trainer.ts';
import { getterFolder } from '../../src/engine/storage/files.ts';
import { gpuCase, rejection } from './device.ts';

const HUB = inject('hubUrl');
const MODEL = new URL('/tests/golden/llama3-bf16/model', location.origin).href;
const ADAPTER = new URL('/tests/golden/llama3-bf16/adapter', location.origin).href;
const TOKENS = [[256, 72, 101, 108, 108, 111, 44, 32, 119], [256, 87, 3, 200]];
const PROJ = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];
/** Every field of PEFT's LoraConfig that a lab export may write. */
const LORA_CONFIG_FIELDS = new Set([
  'base_model_name_or_path', 'bias', 'fan_in_fan_out', 'inference_mode', 'init_lora_weights', 'layers_pattern',
  'layers_to_transform', 'lora_alpha', 'lora_dropout', 'modules_to_save', 'peft_type', 'r', 'revision',
  'target_modules', 'task_type', 'use_rslora', 'use_dora', 'rank_pattern', 'alpha_pattern',
]);

const client = EngineClient.start();
afterAll(() => client.terminate());
const withAdapter = async () => (await client.call('forward', { tokens: TOKENS, adapter: true, logits: true })).logits!;
const bitEqual = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);
const asFiles = (config: string, weights: Uint8Array, dir = 'my-adapter') => [
  { path: `${dir}/adapter_config.json`, file: new Blob([config]) },
  { path: `${dir}/adapter_model.safetensors`, file: new Blob([weights as BlobPart]) },
];
let golden: Float32Array;
let exported: { adapterConfig: string; adapterModel: Uint8Array };

beforeAll(async () => {
  await client.call('init', {});
  await client.call('load-model', { url: MODEL });
  await client.call('load-adapter', { url: ADAPTER });
  golden = await withAdapter();
  exported = await client.call('export-adapter', {});
});

describe('PEFT export', () => {
  it('writes adapter_model.safetensors with PEFT names, shapes, F32 and {"format": "pt"}', async () => {
    const f = readSafetensors(exported.adapterModel, 'adapter_model.safetensors');
    expect(f.header.metadata).toEqual({ format: 'pt' });
    const want: string[] = [];
    for (let l = 0; l < 2; l++) {
      for (const p of PROJ) for (const ab of ['A', 'B']) want.push(`base_model.model.model.layers.${l}.${p.endsWith('_proj') && ['gate_proj', 'up_proj', 'down_proj'].includes(p) ? 'mlp' : 'self_attn'}.${p}.lora_${ab}.weight`);
    }
    expect([...f.header.tensors.keys()].sort()).toEqual(want.sort());
    const io: Record<string, [number, number]> = {
      q_proj: [64, 64], k_proj: [32, 64], v_proj: [32, 64], o_proj: [64, 64], gate_proj: [160, 64], up_proj: [160, 64], down_proj: [64, 160],
    };
    for (const [k, t] of f.header.tensors) {
      const [out, inp] = io[/\.(\w+_proj)\./.exec(k)![1]];
      expect(t.dtype).toBe('F32');
      expect(t.shape, k).toEqual(k.includes('lora_A') ? [4, inp] : [out, 4]);
    }
    // The values are those of the adapter that was loaded.
    const src = readSafetensors(await (await fetch(`${ADAPTER}/adapter_model.safetensors`)).arrayBuffer());
    for (const k of f.header.tensors.keys()) expect(bitEqual(f.f32(k), src.f32(k)), k).toBe(true);
  });

  it('writes adapter_config.json with LoraConfig fields only', () => {
    const c = JSON.parse(exported.adapterConfig) as Record<string, unknown>;
    expect(c).toMatchObject({ peft_type: 'LORA', task_type: 'CAUSAL_LM', r: 4, lora_alpha: 8, lora_dropout: 0, bias: 'none', fan_in_fan_out: false, target_modules: PROJ, base_model_name_or_path: MODEL });
    expect(Object.keys(c).filter((k) => !LORA_CONFIG_FIELDS.has(k))).toEqual([]);
    expect(Object.keys(c)).toEqual(Object.keys(c).sort()); // sorted, as PEFT's to_json_string writes it
  });

  it('the export reloads bit-identically (picked files), and exports again to the same bytes', async () => {
    await client.call('new-adapter', { config: { r: 2, alpha: 2, targets: ['q_proj'] }, seed: 3 }); // something else first
    const info = await client.call('load-adapter', { source: { kind: 'files', files: asFiles(exported.adapterConfig, exported.adapterModel) } });
    expect(info).toMatchObject({ r: 4, alpha: 8, targets: PROJ });
    expect(bitEqual(await withAdapter(), golden)).toBe(true);
    const again = await client.call('export-adapter', {});
    expect(again.adapterConfig).toBe(exported.adapterConfig);
    expect(sameBytes(again.adapterModel, exported.adapterModel)).toBe(true);
  });

  it('a trained adapter round-trips exactly (export → load → export, logits)', () =>
    gpuCase(async (gpu) => {
      const get = async (n: string) => { const r = await fetch(`${MODEL}/${n}`); return r.ok ? r.arrayBuffer() : null; };
      const model = await loadModel(gpu, get);
      const a = new LoraAdapter(gpu, model.cfg, { r: 8, alpha: 16, targets: ['q_proj', 'v_proj', 'down_proj'] });
      a.reset(7);
      const trainer = new LoraTrainer(model, a, { ...DEFAULT_HYPER, lr: 5e-3, totalSteps: 3 });
      const T = TOKENS[0].length;
      const batch = { B: 1, T, tokens: Int32Array.from(TOKENS[0]), mask: new Int32Array(T).fill(1) };
      for (let i = 0; i < 3; i++) await trainer.step([{ batch, lossMask: batch.mask }]);
      trainer.destroy();
      const files = await exportPeftAdapter(a, 'golden/llama3-bf16');
      const b = await loadAdapter(model, getterFolder(async (n) =>
        n === 'adapter_config.json' ? new TextEncoder().encode(files.config).buffer as ArrayBuffer
        : n === 'adapter_model.safetensors' ? files.weights.slice().buffer as ArrayBuffer : null));
      const again = await exportPeftAdapter(b, 'golden/llama3-bf16');
      expect(sameBytes(again.weights, files.weights)).toBe(true);
      expect(readSafetensors(files.weights).f32('base_model.model.model.layers.1.mlp.down_proj.lora_B.weight').some((v) => v !== 0)).toBe(true); // trained
      const la = await model.forward(batch, { adapter: a, logits: true });
      const lb = await model.forward(batch, { adapter: b, logits: true });
      expect(bitEqual(lb.logits!, la.logits!)).toBe(true);
      a.destroy();
      b.destroy();
      model.destroy();
    }));
});

describe('PEFT import', () => {
  it('loads an adapter from a Hub repo', async () => {
    await client.call('load-adapter', { source: { kind: 'hub', repo: 'seal-test/tiny-adapter', endpoint: HUB } });
    expect(bitEqual(await withAdapter(), golden)).toBe(true);
  });

  const config = (edit: (c: Record<string, unknown>) => void) => {
    const c = JSON.parse(exported.adapterConfig);
    edit(c);
    return JSON.stringify(c);
  };
  const cases: Array<[string, () => { config: string; weights: Uint8Array }, string, RegExp]> = [
    ['rank_pattern (per-layer ranks)', () => ({ config: config((c) => { c.rank_pattern = { q_proj: 8 }; }), weights: exported.adapterModel }), 'ModelConfigError', /"rank_pattern" is set/],
    ['modules_to_save', () => ({ config: config((c) => { c.modules_to_save = ['lm_head']; }), weights: exported.adapterModel }), 'ModelConfigError', /"modules_to_save" is set/],
    ['DoRA', () => ({ config: config((c) => { c.use_dora = true; }), weights: exported.adapterModel }), 'ModelConfigError', /use_dora/],
    ['a rank that does not match the tensors', () => ({ config: config((c) => { c.r = 8; }), weights: exported.adapterModel }), 'ModelFormatError', /lora_A\.weight" has 256 values, expected \[8,64\]/],
    ['tensors for another model', () => {
      const f = readSafetensors(exported.adapterModel);
      const tensors = [...f.header.tensors.values()].map((t) => ({ name: t.name.replace('layers.1.', 'layers.7.'), dtype: t.dtype, shape: t.shape, data: f.tensor(t.name) }));
      return { config: exported.adapterConfig, weights: writeSafetensors(tensors, { format: 'pt' }) };
    }, 'ModelFormatError', /layers\.7\..*another base model/],
    ['a corrupt safetensors header', () => ({ config: exported.adapterConfig, weights: exported.adapterModel.slice(0, 100) }), 'ModelFormatError', /adapter_model\.safetensors: header length/],
  ];
  for (const [what, make, name, msg] of cases) {
    it(`rejects ${what}, keeping the live adapter`, async () => {
      await client.call('load-adapter', { url: ADAPTER });
      const { config: c, weights } = make();
      const e = await rejection(client.call('load-adapter', { source: { kind: 'files', files: asFiles(c, weights) } }));
      expect(e.name).toBe(name);
      expect(e.message).toMatch(msg);
      expect(bitEqual(await withAdapter(), golden)).toBe(true);
    });
  }

  it('an adapter_model.bin alone is a clear error', async () => {
    const e = await rejection(client.call('load-adapter', { source: { kind: 'files', files: [
      { path: 'a/adapter_config.json', file: new Blob([exported.adapterConfig]) },
      { path: 'a/adapter_model.bin', file: new Blob([new Uint8Array(8)]) },
    ] } }));
    expect(e.name).toBe('ModelFormatError');
    expect(e.message).toMatch(/adapter_model\.bin .*safetensors/);
  });
});
