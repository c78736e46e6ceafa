// A model with a real checkpoint's config and tensor shapes and seeded random weights, made on the GPU
// (kernels/elementwise/random_fill.ts): the speed of a Llama-3.2-1B-class model without its 2.5 GB download. Only the shapes
// and formats matter for speed; the values are uniform with the standard deviation of Hugging Face's
// initialisation (0.02), so activations and logits stay in a normal range.
import type { Gpu } from '../engine/gpu/context.ts';
import { QGROUP, type MatrixFormat } from '../engine/gpu/dtype.ts';
import { quantize_forward } from '../engine/kernels/quant/quantize.ts';
import { random_fill_forward } from '../engine/kernels/elementwise/random_fill.ts';
import type { ModelConfig } from '../engine/model/config.ts';
import { LlamaModel } from '../engine/model/llama.ts';
import { planMatrix, STAGING_CAP, type GpuMatrix, type Quantization } from '../engine/model/matrix.ts';
import { expectedTensors, PROJECTIONS, projectionGroup, projectionShape, type Linear, type ModelWeights, type Projection } from '../engine/model/weights.ts';

/** meta-llama/Llama-3.2-1B(-Instruct)'s config.json, as the engine reads it. */
const LLAMA_32_1B: ModelConfig = {
  arch: 'llama', vocabSize: 128256, hidden: 2048, intermediate: 8192, layers: 16, heads: 32, kvHeads: 8, headDim: 64,
  rmsEps: 1e-5, ropeTheta: 500000,
  ropeScaling: { type: 'llama3', factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 },
  tieEmbeddings: true, qkvBias: false, maxPositions: 131072, bosTokenId: 128000, eosTokenIds: [128001, 128008, 128009],
  padTokenId: null, dtype: 'bf16',
};

export const SHAPES = { 'llama-3.2-1b': LLAMA_32_1B } as const;
export type ShapeName = keyof typeof SHAPES;
export const isShapeName = (s: string): s is ShapeName => s in SHAPES;

/** Weight formats of a shaped model: bf16 as the checkpoint ships, or quantised on the GPU from those values. */
export type ShapeQuant = 'bf16' | 'q8' | 'q4';

/** The shape's config with the benchmark's cuts (fewer layers, a smaller vocabulary). */
export function shapeConfig(name: ShapeName, cuts: { layers?: number; vocab?: number } = {}): ModelConfig {
  const cfg = SHAPES[name];
  return { ...cfg, layers: cuts.layers ?? cfg.layers, vocabSize: cuts.vocab ?? cfg.vocabSize };
}

/** Half-width of U(−a, a) with standard deviation 0.02. */
const WEIGHT_SCALE = 0.02 * Math.sqrt(3);

/**
 * Every weight of `cfg` on the GPU in `quant`, from seeded random values (tensor k of expectedTensors' order gets
 * seed + k). Quantised matrices are filled in bf16 row chunks through one staging buffer and quantised, so each
 * format holds the same model. Nothing stays allocated when it fails.
 */
export function buildShapeWeights(gpu: Gpu, cfg: ModelConfig, quant: ShapeQuant, seed = 1): ModelWeights {
  const made: GPUBuffer[] = [];
  const names = [...expectedTensors(cfg).keys()];
  const seedOf = (name: string) => seed + names.indexOf(name);
  const alloc = (label: string, bytes: number) => {
    const b = gpu.buffer(label, bytes);
    made.push(b);
    return b;
  };
  const format: MatrixFormat = quant;
  let staging: GPUBuffer | null = null;
  const matrix = (name: string, rows: number, cols: number): GpuMatrix => {
    const plan = planMatrix(name, rows, cols, format, gpu.options.maxBindingBytes);
    const shards = plan.shards.map((s, i) => {
      const label = plan.shards.length > 1 ? `${name}[${i}]` : name;
      const data = alloc(label, s.dataBytes);
      if (quant === 'bf16') {
        random_fill_forward(gpu, data, { n: s.rows * cols, dtype: 'bf16', seed: seedOf(name), scale: WEIGHT_SCALE, i0: s.row0 * cols });
        return { row0: s.row0, rows: s.rows, data };
      }
      const scales = alloc(`${label}.scales`, s.scaleBytes);
      staging ??= alloc('shape-staging', Math.min(STAGING_CAP, Math.floor(gpu.options.maxBindingBytes / 16) * 16));
      let step = Math.max(1, Math.min(s.rows, Math.floor(staging.size / (cols * 2))));
      if (step < s.rows && ((step * cols) / QGROUP) % 2) step -= 1; // whole pairs of scales per chunk
      if (step < 1) throw new Error(`${name}: a row of ${cols} does not fit the staging buffer`);
      for (let r0 = 0; r0 < s.rows; r0 += step) {
        const n = Math.min(step, s.rows - r0);
        random_fill_forward(gpu, staging, { n: n * cols, dtype: 'bf16', seed: seedOf(name), scale: WEIGHT_SCALE, i0: (s.row0 + r0) * cols });
        quantize_forward(gpu, data, scales, staging, { format: quant, dtype: 'bf16', groups: (n * cols) / QGROUP, sOff: (r0 * cols) / QGROUP });
      }
      return { row0: s.row0, rows: s.rows, data, scales };
    });
    return { format, rows, cols, shards, bytes: plan.bytes };
  };
  const norm = (name: string) => {
    const buffer = alloc(name, cfg.hidden * 2);
    random_fill_forward(gpu, buffer, { n: cfg.hidden, dtype: 'bf16', seed: seedOf(name), scale: 0, offset: 1 });
    return { buffer, dtype: 'bf16' as const, shape: [cfg.hidden] };
  };
  try {
    if (cfg.qkvBias || !cfg.tieEmbeddings) throw new Error('shape models are Llama-style: tied head, no biases');
    const embed = matrix('model.embed_tokens.weight', cfg.vocabSize, cfg.hidden);
    const layers = Array.from({ length: cfg.layers }, (_, l) => {
      const pre = `model.layers.${l}`;
      const proj = {} as Record<Projection, Linear>;
      for (const p of PROJECTIONS) {
        const [out, inp] = projectionShape(cfg, p);
        proj[p] = { w: matrix(`${pre}.${projectionGroup(p)}.${p}.weight`, out, inp), out, in: inp };
      }
      return { inputNorm: norm(`${pre}.input_layernorm.weight`), postNorm: norm(`${pre}.post_attention_layernorm.weight`), proj };
    });
    const finalNorm = norm('model.norm.weight');
    if (staging) gpu.release(staging);
    const kept = made.filter((b) => b !== staging);
    const quantization: Quantization = quant === 'bf16' ? 'none' : quant;
    return {
      embed, layers, norm: finalNorm, head: embed, quantization, bytes: kept.reduce((s, b) => s + b.size, 0),
      destroy: () => gpu.release(...kept),
    };
  } catch (e) {
    gpu.release(...made);
    throw e;
  }
}

/** The shaped model; `destroy()` frees its weights. */
export function buildShapeModel(gpu: Gpu, cfg: ModelConfig, quant: ShapeQuant, seed = 1): LlamaModel {
  return new LlamaModel(gpu, cfg, buildShapeWeights(gpu, cfg, quant, seed));
}

/** Another LlamaModel over the same weights (its own workspace; destroy() frees only that), to measure a phase's memory. */
export function viewModel(m: LlamaModel): LlamaModel {
  return new LlamaModel(m.gpu, m.cfg, { ...m.weights, destroy: () => {} });
}
