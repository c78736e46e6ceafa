// The model's throughput: prefill, decode and LoRA-training tokens/s, each with the tiled GEMM and again with the
// plain one (gpu.options.naiveMatmul) as its baseline; and what one decoded token reads from the weights.
import type { Gpu } from '../engine/gpu/context.ts';
import { generate } from '../engine/model/generate.ts';
import type { LlamaModel, TokenBatch } from '../engine/model/llama.ts';
import { LoraAdapter } from '../engine/model/lora.ts';
import { matrixReadBytes, type GpuMatrix } from '../engine/model/matrix.ts';
import { PROJECTIONS, type GpuTensor, type ModelWeights } from '../engine/model/weights.ts';
import { LoraTrainer, type TrainHyper } from '../engine/train/trainer.ts';
import { measure, randomTokens, round, timed } from './measure.ts';
import { logProfile, profileDecode } from './profile.ts';
import type { BenchReport, BenchRequest, ModelCard } from './types.ts';

const numel = (t: GpuTensor | GpuMatrix) => ('shape' in t ? t.shape.reduce((p, d) => p * d, 1) : t.rows * t.cols);

export function modelInfo(model: LlamaModel): ModelCard {
  const { cfg, weights: w } = model;
  let params = numel(w.embed) + numel(w.norm) + (cfg.tieEmbeddings ? 0 : numel(w.head));
  for (const l of w.layers) {
    params += numel(l.inputNorm) + numel(l.postNorm);
    for (const p of PROJECTIONS) params += numel(l.proj[p].w) + (l.proj[p].bias ? numel(l.proj[p].bias!) : 0);
  }
  return {
    arch: cfg.arch, layers: cfg.layers, hidden: cfg.hidden, intermediate: cfg.intermediate, heads: cfg.heads,
    kvHeads: cfg.kvHeads, headDim: cfg.headDim, vocab: cfg.vocabSize, params, dtype: w.layers[0].proj.q_proj.w.format,
    quantization: w.quantization, weightBytes: w.bytes,
  };
}

/**
 * Bytes one decode step reads from the weights: every projection and the head whole, the norms, and one row of
 * the embedding (the KV cache is reported apart: it grows with the context).
 */
export function weightBytesPerToken(w: ModelWeights): number {
  const vec = (t: GpuTensor) => t.buffer.size;
  let n = matrixReadBytes(w.head) + vec(w.norm) + matrixReadBytes(w.embed, true);
  for (const l of w.layers) {
    n += vec(l.inputNorm) + vec(l.postNorm);
    for (const p of PROJECTIONS) n += matrixReadBytes(l.proj[p].w) + (l.proj[p].bias ? vec(l.proj[p].bias!) : 0);
  }
  return n;
}

/** The same AdamW settings in every training measurement (the numbers are throughput, not learning). */
export const BENCH_HYPER: TrainHyper = { lr: 1e-4, warmupSteps: 0, totalSteps: 1_000_000, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 };

/** Decode seconds per token: the time between the first and the last sampled token (the prompt's prefill excluded). */
export function decodeSeconds(model: LlamaModel, prompt: number[], tokens: number): Promise<number> {
  return measure(async () => {
    const at: number[] = [];
    const t = performance.now();
    await generate(model, [prompt], { maxNewTokens: tokens, temperature: 0, stopTokens: [], onStep: () => void at.push(performance.now()) });
    return at.length > 1 ? (at[at.length - 1] - at[0]) / 1000 / (at.length - 1) : (performance.now() - t) / 1000;
  });
}

export async function modelThroughput(gpu: Gpu, model: LlamaModel, req: BenchRequest, log: (m: string) => void): Promise<Pick<BenchReport, 'model' | 'prefill' | 'decode' | 'train'>> {
  const V = model.cfg.vocabSize;
  const T = req.prefillTokens;
  const prefillBatch: TokenBatch = { B: 1, T, tokens: randomTokens(T, V, 21), mask: new Int32Array(T).fill(1) };
  const prompt = [...randomTokens(4, V, 22)];
  const trainBatch: TokenBatch = {
    B: 1, T: req.trainTokens, tokens: randomTokens(req.trainTokens, V, 23), mask: new Int32Array(req.trainTokens).fill(1),
  };
  const adapter = new LoraAdapter(gpu, model.cfg, { r: req.loraRank, alpha: 2 * req.loraRank, targets: [...PROJECTIONS] });
  const trainer = new LoraTrainer(model, adapter, BENCH_HYPER);
  adapter.reset(24);
  const rates = async () => {
    const prefill = await measure(() => timed(() => model.forward(prefillBatch, { logits: false })));
    const decode = await decodeSeconds(model, prompt, req.decodeTokens);
    const train = await measure(() => timed(() => trainer.step([{ batch: trainBatch, lossMask: trainBatch.mask }])));
    return { prefill: T / prefill, decode: 1 / decode, train: req.trainTokens / train };
  };
  try {
    log('model: prefill, decode, LoRA training (tiled GEMM)...');
    const fast = await rates();
    log('model: the same with the plain GEMM...');
    gpu.options.naiveMatmul = true;
    const plain = await rates();
    const row = (k: keyof typeof fast, tokens: number) => ({
      tokens, tokPerS: round(fast[k]), baselineTokPerS: round(plain[k]), ratio: round(fast[k] / plain[k]),
    });
    for (const k of ['prefill', 'decode', 'train'] as const) log(`${k}: ${round(fast[k])} tok/s (plain GEMM ${round(plain[k])})`);
    gpu.options.naiveMatmul = false;
    const profile = await profileDecode(gpu, model, [prompt], Math.min(req.decodeTokens, 8), 1000 / fast.decode);
    logProfile(profile, 'decode', log);
    return {
      model: modelInfo(model),
      prefill: row('prefill', T),
      decode: { ...row('decode', req.decodeTokens), promptTokens: prompt.length, profile },
      train: { ...row('train', req.trainTokens), loraRank: req.loraRank, targets: [...PROJECTIONS] },
    };
  } finally {
    gpu.options.naiveMatmul = false;
    trainer.destroy();
    adapter.destroy();
  }
}
