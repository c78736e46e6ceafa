// The same model as in the file, in f16 (when the file is f32), q8 and q4: weight bytes, bytes read per decoded
// token, prefill / decode / LoRA-training tok/s and how far the logits move from the file's.
import type { Gpu } from '../engine/gpu/context.ts';
import { f32ToF16, QGROUP, type MatrixFormat } from '../engine/gpu/dtype.ts';
import { LlamaModel, type TokenBatch } from '../engine/model/llama.ts';
import { LoraAdapter } from '../engine/model/lora.ts';
import { quantizeMatrix, type GpuMatrix, type Quantization } from '../engine/model/matrix.ts';
import { deriveWeights, PROJECTIONS, type ModelWeights } from '../engine/model/weights.ts';
import { LoraTrainer } from '../engine/train/trainer.ts';
import { logitDiff, measure, median, randomTokens, round, timed } from './measure.ts';
import { BENCH_HYPER, decodeSeconds, weightBytesPerToken } from './model.ts';
import type { BenchRequest, QuantSection } from './types.ts';

/** An f16 copy of an f32 matrix (rounded on the CPU, one shard at a time). */
async function toF16(gpu: Gpu, label: string, m: GpuMatrix, made: GPUBuffer[]): Promise<GpuMatrix> {
  if (m.format !== 'f32' || m.cols % 2) return m;
  let bytes = 0;
  const shards = [];
  for (const [i, s] of m.shards.entries()) {
    const data = gpu.upload(`${label}[${i}]`, f32ToF16(await gpu.readF32(s.data, s.rows * m.cols)));
    made.push(data);
    bytes += data.size;
    shards.push({ row0: s.row0, rows: s.rows, data });
  }
  return { format: 'f16', rows: m.rows, cols: m.cols, shards, bytes };
}

/** Rounds of the format comparison; the formats take turns in each round, so drift hits them alike. */
const QUANT_ROUNDS = 3;
/** Keep every format's copy alive at once (interleaved rounds) when the file's weights are at most this big. */
const INTERLEAVE_MAX_BYTES = 2 ** 30;

/**
 * The same model as in the file, in f16 (when the file is f32), q8 and q4: weight bytes, bytes read per decoded
 * token, prefill / decode / LoRA-training tok/s and the logits' distance from the file's, each with its ratio to
 * the file's row. Other formats are made on the GPU from the loaded weights (quantize_forward) and share norms.
 * Each rate is the median over QUANT_ROUNDS rounds in which the formats take turns (sequentially, one copy at a
 * time, for models over INTERLEAVE_MAX_BYTES).
 */
export async function quantizationSection(gpu: Gpu, model: LlamaModel, req: BenchRequest, log: (m: string) => void): Promise<QuantSection> {
  const base = model.weights;
  if (base.quantization !== 'none') {
    return { note: `the model was loaded quantised (${base.quantization}); load it with quantize "none" to compare formats` };
  }
  const { cfg } = model;
  const V = cfg.vocabSize;
  const T = req.prefillTokens;
  const prefillBatch: TokenBatch = { B: 1, T, tokens: randomTokens(T, V, 31), mask: new Int32Array(T).fill(1) };
  const prompt = [...randomTokens(4, V, 32)];
  const trainBatch: TokenBatch = { B: 1, T: req.trainTokens, tokens: randomTokens(req.trainTokens, V, 33), mask: new Int32Array(req.trainTokens).fill(1) };
  const fileFormat = base.layers[0].proj.q_proj.w.format;
  const made: GPUBuffer[] = [];
  const variants: { format: MatrixFormat; quantization: Quantization; make: () => Promise<ModelWeights> }[] = [
    { format: fileFormat, quantization: 'none', make: async () => base },
    ...(fileFormat === 'f32' ? [{ format: 'f16' as const, quantization: 'none' as const, make: () => deriveWeights(gpu, base, 'none', (n, m) => toF16(gpu, n, m, made)) }] : []),
    ...(['q8', 'q4'] as const).map((q) => ({ format: q, quantization: q, make: () => deriveWeights(gpu, base, q, (n, m) => quantizeMatrix(gpu, n, m, q, made)) })),
  ];
  interface Live {
    v: (typeof variants)[number];
    weights: ModelWeights;
    model: LlamaModel;
    adapter: LoraAdapter;
    trainer: LoraTrainer;
    logits: Float32Array;
    samples: { prefill: number[]; decode: number[]; train: number[] };
  }
  const open = async (v: (typeof variants)[number]): Promise<Live> => {
    const weights = await v.make();
    const m = weights === base ? model : new LlamaModel(gpu, cfg, weights);
    const adapter = new LoraAdapter(gpu, cfg, { r: req.loraRank, alpha: 2 * req.loraRank, targets: [...PROJECTIONS] });
    const trainer = new LoraTrainer(m, adapter, BENCH_HYPER);
    adapter.reset(34);
    const logits = (await m.forward(prefillBatch)).logits!;
    return { v, weights, model: m, adapter, trainer, logits, samples: { prefill: [], decode: [], train: [] } };
  };
  const close = (x: Live) => {
    x.trainer.destroy();
    x.adapter.destroy();
    if (x.model !== model) x.model.destroy();
  };
  const round1 = async (x: Live) => {
    const m = x.model;
    x.samples.prefill.push(T / (await measure(() => timed(() => m.forward(prefillBatch, { logits: false })))));
    x.samples.decode.push(1 / (await decodeSeconds(m, prompt, req.decodeTokens)));
    x.samples.train.push(req.trainTokens / (await measure(() => timed(() => x.trainer.step([{ batch: trainBatch, lossMask: trainBatch.mask }])))));
  };
  const interleaved = base.bytes <= INTERLEAVE_MAX_BYTES;
  const done: Live[] = [];
  const live: Live[] = [];
  try {
    if (interleaved) {
      for (const v of variants) live.push(await open(v));
      for (let r = 0; r < QUANT_ROUNDS; r++) for (const x of live) await round1(x);
      done.push(...live);
    } else {
      for (const v of variants) {
        const x = await open(v);
        live.push(x);
        for (let r = 0; r < QUANT_ROUNDS; r++) await round1(x);
        done.push(x);
        close(live.pop()!);
      }
    }
    const reference = done[0];
    const rows = done.map((x) => {
      const rate = (k: keyof Live['samples']) => median(x.samples[k]);
      const diff = logitDiff(x.logits, reference.logits);
      const perToken = weightBytesPerToken(x.weights);
      const ref = { bytes: reference.weights.bytes, perToken: weightBytesPerToken(reference.weights) };
      const ratio = (k: keyof Live['samples']) => round(rate(k) / median(reference.samples[k]));
      const row = {
        format: x.v.format, quantization: x.v.quantization, weightBytes: x.weights.bytes, weightBytesPerToken: perToken,
        prefillTokPerS: round(rate('prefill')), decodeTokPerS: round(rate('decode')), trainTokPerS: round(rate('train')),
        logitsMaxAbs: diff.maxAbs, logitsRel: diff.rel,
        bytesRatio: round(x.weights.bytes / ref.bytes), perTokenRatio: round(perToken / ref.perToken),
        prefillRatio: ratio('prefill'), decodeRatio: ratio('decode'), trainRatio: ratio('train'),
      };
      log(`quantization ${row.format}: ${row.weightBytes} weight bytes, ${perToken} read per token (×${row.perTokenRatio}); ` +
        `prefill ${row.prefillTokPerS}, decode ${row.decodeTokPerS}, train ${row.trainTokPerS} tok/s; logits rel ${row.logitsRel}`);
      return row;
    });
    const contextTokens = prompt.length + req.decodeTokens;
    return {
      formats: rows,
      kvBytesPerToken: { bytes: 2 * cfg.layers * contextTokens * cfg.kvHeads * cfg.headDim * 4, contextTokens, note: 'f32 K and V of every layer at the end of the decode, the same for every format' },
      groupSize: QGROUP,
      scheme: 'q8: int8 symmetric, scale max|w|/127; q4: 4-bit symmetric (Q4_0: signed scale m/−8); one f16 scale per 32 weights along the input axis; every matrix (embedding, projections, head) quantised',
      timing: { rounds: QUANT_ROUNDS, interleaved, statistic: 'median over rounds of per-round medians' },
      decodePromptTokens: prompt.length, decodeTokens: req.decodeTokens, prefillTokens: T, trainTokens: req.trainTokens, loraRank: req.loraRank,
    };
  } finally {
    for (const x of live) close(x);
    gpu.release(...made); // conversions left over by a failure (destroying twice is harmless)
  }
}
