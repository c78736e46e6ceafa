// Golden test models loaded with upload options (quantisation, memory plan), and a dequantised f32 twin of a
// quantised model (the reference the quantised kernels are checked against). Shared by quant/split/memory tests.
import type { Gpu } from '../../src/engine/gpu/context.ts';
import { dequantize_forward } from '../../src/engine/kernels/quant/dequantize.ts';
import { parseModelConfig } from '../../src/engine/model/config.ts';
import { LlamaModel, type TokenBatch } from '../../src/engine/model/llama.ts';
import { httpFolder, loadAdapter } from '../../src/engine/model/loader.ts';
import type { LoraAdapter } from '../../src/engine/model/lora.ts';
import { isQuant } from '../../src/engine/gpu/dtype.ts';
import type { GpuMatrix } from '../../src/engine/model/matrix.ts';
import { readSafetensors, type SafetensorsFile } from '../../src/engine/model/safetensors.ts';
import { deriveWeights, tensorTable, uploadWeights, type UploadOptions } from '../../src/engine/model/weights.ts';

export const GOLDEN = ['llama3-f32', 'llama3-bf16', 'qwen2-f32', 'qwen2-bf16'] as const;

export async function goldenConfig(name: string) {
  return parseModelConfig(await (await fetch(`/tests/golden/${name}/model/config.json`)).json());
}

export async function loadGolden(gpu: Gpu, name: string, opts: UploadOptions = {}): Promise<LlamaModel> {
  const base = `/tests/golden/${name}/model`;
  const cfg = await goldenConfig(name);
  const file = readSafetensors(await (await fetch(`${base}/model.safetensors`)).arrayBuffer(), 'model.safetensors');
  return new LlamaModel(gpu, cfg, await uploadWeights(gpu, cfg, tensorTable([file]), opts));
}

export const goldenAdapter = (model: LlamaModel, name: string): Promise<LoraAdapter> =>
  loadAdapter(model, httpFolder(`/tests/golden/${name}/adapter`));

export interface Golden {
  file: SafetensorsFile;
  meta: { batch: { lengths: number[]; prompt_len: number[] } };
}

export async function golden(name: string): Promise<Golden> {
  const base = `/tests/golden/${name}`;
  const bytes = await (await fetch(`${base}/golden.safetensors`)).arrayBuffer();
  return { file: readSafetensors(bytes, `${name}/golden.safetensors`), meta: await (await fetch(`${base}/golden.json`)).json() };
}

export function goldenBatch(g: Golden): TokenBatch {
  const tokens = g.file.i32('tokens');
  return { B: 2, T: tokens.length / 2, tokens, mask: g.file.i32('attention_mask') };
}

/** The same model with every quantised matrix replaced by its dequantised f32 values (same shards). */
export async function dequantizedTwin(gpu: Gpu, model: LlamaModel): Promise<LlamaModel> {
  const deq = (_: string, m: GpuMatrix): GpuMatrix => {
    if (!isQuant(m.format)) return m;
    let bytes = 0;
    const shards = m.shards.map((s, i) => {
      const data = gpu.buffer(`deq[${i}]`, s.rows * m.cols * 4);
      bytes += data.size;
      dequantize_forward(gpu, data, s.data, s.scales!, { format: m.format as 'q8' | 'q4', n: s.rows * m.cols });
      return { row0: s.row0, rows: s.rows, data };
    });
    return { format: 'f32', rows: m.rows, cols: m.cols, shards, bytes };
  };
  return new LlamaModel(gpu, model.cfg, await deriveWeights(gpu, model.weights, 'none', deq));
}

/** Destroys a derived model's own matrices and workspace (not the base's shared norms). */
export function destroyAll(...models: (LlamaModel | LoraAdapter | null | undefined)[]) {
  for (const m of models) m?.destroy();
}
