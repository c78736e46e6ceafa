// Throughput of the engine on the current adapter: GEMM GFLOP/s (against the plain one-thread-per-output kernel
// and a plain JavaScript loop), and with a model prefill, decode and LoRA-training tokens/s, each also with the
// plain GEMM swapped in (gpu.options.naiveMatmul), so every number comes with the baseline it beats. The
// "quantization" section runs the same model with its matrices as in the file (plus f16 when the file is f32),
// q8 and q4: weight bytes, bytes read per decoded token, prefill / decode / LoRA-training tok/s, and how far the
// logits move from the file's.
// Timing: one warm-up run (pipelines compile, workspaces grow), then runs until MIN_SECONDS of measuring or
// MAX_REPS, median; a GPU run ends with a read of a small buffer, which waits for all submitted work.
import type { Gpu } from './gpu/context.ts';
import type { AdapterInfo } from './gpu/device.ts';
import { f32ToBf16, f32ToF16, QGROUP, rowBytes, scaleBytes, type MatrixFormat } from './gpu/dtype.ts';
import { matmul_forward } from './kernels/matmul.ts';
import { quantize_forward } from './kernels/quantize.ts';
import { generate } from './model/generate.ts';
import { LlamaModel, type TokenBatch } from './model/llama.ts';
import { LoraAdapter } from './model/lora.ts';
import { matrixForward, matrixReadBytes, quantizeMatrix, type GpuMatrix, type Quantization } from './model/matrix.ts';
import { Rng } from './model/rng.ts';
import { deriveWeights, PROJECTIONS, type GpuTensor, type ModelWeights } from './model/weights.ts';
import { LoraTrainer } from './train/trainer.ts';
import type { BenchRequest } from '../worker/protocol.ts';

const MIN_SECONDS = 0.5;
const MAX_REPS = 30;
/** Short runs are batched so the sync round trip stays a small part of each timing. */
const BATCH_SECONDS = 0.02;
const CPU_MAX_SECONDS = 3;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};
const round = (x: number, digits = 3) => Number(x.toPrecision(digits));
const gflops = (M: number, N: number, K: number, s: number) => round((2 * M * N * K) / s / 1e9);

/** Median seconds per unit of `run(n)` (which does n units and returns seconds per unit). */
async function measure(run: (n: number) => Promise<number>, batchable = false): Promise<number> {
  await run(1);
  const times: number[] = [];
  let n = 1;
  const t0 = performance.now();
  do {
    const s = await run(n);
    times.push(s);
    if (batchable && times.length === 1) n = Math.max(1, Math.min(64, Math.floor(BATCH_SECONDS / s)));
  } while (times.length < MAX_REPS && performance.now() - t0 < MIN_SECONDS * 1000);
  return median(times);
}

function randomF32(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = rng.next() * 2 - 1;
  return x;
}

const randomTokens = (n: number, vocab: number, seed: number) => {
  const rng = new Rng(seed);
  return Int32Array.from({ length: n }, () => Math.floor(rng.next() * vocab));
};

/** C (M, N) = A (M, K) · Bᵀ with B (N, K) stored as `bType` (with its scales when quantised): seconds per GEMM. */
function gemmSeconds(gpu: Gpu, c: GPUBuffer, a: GPUBuffer, b: GPUBuffer, M: number, N: number, K: number, bType: MatrixFormat, bScales?: GPUBuffer) {
  return measure(async (n) => {
    const t = performance.now();
    for (let i = 0; i < n; i++) matmul_forward(gpu, c, a, b, { M, N, K, transB: true, bType, bScales });
    await gpu.read(c, 4);
    return (performance.now() - t) / 1000 / n;
  }, true);
}

/** y (M, rows) = x · Wᵀ for a model matrix (every shard): seconds per product. */
function matrixSeconds(gpu: Gpu, y: GPUBuffer, x: GPUBuffer, w: GpuMatrix, M: number) {
  return measure(async (n) => {
    const t = performance.now();
    for (let i = 0; i < n; i++) matrixForward(gpu, y, x, w, { M });
    await gpu.read(y, 4);
    return (performance.now() - t) / 1000 / n;
  }, true);
}

/** The plain CPU baseline: C = A·B, i-k-j loop (unit-stride inner loop), f32 storage. Seconds per GEMM. */
function cpuSeconds(N: number): Promise<number> {
  const a = randomF32(N * N, 1);
  const b = randomF32(N * N, 2);
  const c = new Float32Array(N * N);
  return measure(async (reps) => {
    const t = performance.now();
    for (let r = 0; r < reps; r++) {
      c.fill(0);
      for (let i = 0; i < N; i++) {
        const ci = i * N;
        for (let k = 0; k < N; k++) {
          const av = a[ci + k];
          const bk = k * N;
          for (let j = 0; j < N; j++) c[ci + j] += av * b[bk + j];
        }
      }
    }
    return (performance.now() - t) / 1000 / reps;
  }, true);
}

const numel = (t: GpuTensor | GpuMatrix) => ('shape' in t ? t.shape.reduce((p, d) => p * d, 1) : t.rows * t.cols);

function modelInfo(model: LlamaModel) {
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
async function quantizationSection(gpu: Gpu, model: LlamaModel, req: BenchRequest, log: (m: string) => void) {
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
    const trainer = new LoraTrainer(m, adapter, { lr: 1e-4, warmupSteps: 0, totalSteps: 1_000_000, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 });
    adapter.reset(34);
    const logits = (await m.forward(prefillBatch)).logits!;
    return { v, weights, model: m, adapter, trainer, logits, samples: { prefill: [], decode: [], train: [] } };
  };
  const close = (x: Live) => {
    x.trainer.destroy();
    x.adapter.destroy();
    if (x.model !== model) x.model.destroy();
  };
  const timed = async (f: () => Promise<unknown>) => {
    const t = performance.now();
    await f();
    return (performance.now() - t) / 1000;
  };
  const round1 = async (x: Live) => {
    const m = x.model;
    x.samples.prefill.push(T / (await measure(() => timed(() => m.forward(prefillBatch, { logits: false })))));
    x.samples.decode.push(1 / (await measure(async () => {
      const at: number[] = [];
      const t = performance.now();
      await generate(m, [prompt], { maxNewTokens: req.decodeTokens, temperature: 0, stopTokens: [], onStep: () => void at.push(performance.now()) });
      return at.length > 1 ? (at[at.length - 1] - at[0]) / 1000 / (at.length - 1) : (performance.now() - t) / 1000;
    })));
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
      let num = 0, den = 0, maxAbs = 0;
      for (let i = 0; i < x.logits.length; i++) {
        const d = x.logits[i] - reference.logits[i];
        num += d * d;
        den += reference.logits[i] ** 2;
        maxAbs = Math.max(maxAbs, Math.abs(d));
      }
      const perToken = weightBytesPerToken(x.weights);
      const ref = { bytes: reference.weights.bytes, perToken: weightBytesPerToken(reference.weights) };
      const ratio = (k: keyof Live['samples']) => round(rate(k) / median(reference.samples[k]));
      const row = {
        format: x.v.format, quantization: x.v.quantization, weightBytes: x.weights.bytes, weightBytesPerToken: perToken,
        prefillTokPerS: round(rate('prefill')), decodeTokPerS: round(rate('decode')), trainTokPerS: round(rate('train')),
        logitsMaxAbs: round(maxAbs), logitsRel: round(Math.sqrt(num / Math.max(den, 1e-30))),
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

export async function runBench(
  gpu: Gpu, info: AdapterInfo, req: BenchRequest, model: LlamaModel | null, log: (m: string) => void,
): Promise<Record<string, unknown>> {
  const sizes = [...new Set(req.matmulSizes)].sort((a, b) => a - b);
  for (const n of [...sizes, req.prefillTokens, req.decodeTokens, req.trainTokens, req.loraRank]) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`bench: sizes and token counts must be positive integers, got ${n}`);
  }
  const made: GPUBuffer[] = [];
  const buf = (label: string, data: ArrayBufferView) => {
    const b = gpu.upload(label, data);
    made.push(b);
    return b;
  };
  gpu.device.pushErrorScope('validation');
  gpu.device.pushErrorScope('out-of-memory');
  try {
    // ── GEMM, square sizes ────────────────────────────────────────────────────────────────────────────────
    const nMax = Math.max(...sizes, 512); // the CPU comparison may need 512
    const a = buf('bench-a', randomF32(nMax * nMax, 11));
    const bF32 = buf('bench-b', randomF32(nMax * nMax, 12));
    const c = buf('bench-c', new Float32Array(nMax * nMax));
    const matmul: Record<string, unknown>[] = [];
    const tiledAt = new Map<number, number>();
    const tiled = async (n: number) => {
      if (!tiledAt.has(n)) tiledAt.set(n, gflops(n, n, n, await gemmSeconds(gpu, c, a, bF32, n, n, n, 'f32')));
      return tiledAt.get(n)!;
    };
    for (const n of sizes) {
      const fast = await tiled(n);
      gpu.options.naiveMatmul = true;
      let plain: number;
      try {
        plain = gflops(n, n, n, await gemmSeconds(gpu, c, a, bF32, n, n, n, 'f32'));
      } finally {
        gpu.options.naiveMatmul = false;
      }
      matmul.push({ case: 'NT f32', M: n, N: n, K: n, gflops: fast, baselineGflops: plain, ratio: round(fast / plain) });
      log(`matmul NT f32 ${n}³: ${fast} GFLOP/s (plain kernel ${plain}, ×${round(fast / plain)})`);
    }
    const nTop = sizes[sizes.length - 1];
    const bBf16 = buf('bench-b-bf16', f32ToBf16(randomF32(nTop * nTop, 13)));
    const bf16 = gflops(nTop, nTop, nTop, await gemmSeconds(gpu, c, a, bBf16, nTop, nTop, nTop, 'bf16'));
    matmul.push({ case: 'NT bf16', M: nTop, N: nTop, K: nTop, gflops: bf16 });
    log(`matmul NT bf16 ${nTop}³: ${bf16} GFLOP/s`);
    if (nTop % QGROUP === 0) {
      for (const format of ['q8', 'q4'] as const) {
        const q = buf(`bench-b-${format}`, new Uint8Array(nTop * rowBytes(format, nTop)));
        const sc = buf(`bench-b-${format}.scales`, new Uint8Array(scaleBytes(format, nTop, nTop)));
        quantize_forward(gpu, q, sc, bF32, { format, dtype: 'f32', groups: (nTop * nTop) / QGROUP });
        const g = gflops(nTop, nTop, nTop, await gemmSeconds(gpu, c, a, q, nTop, nTop, nTop, format, sc));
        matmul.push({ case: `NT ${format}`, M: nTop, N: nTop, K: nTop, gflops: g, ratioToBf16: round(g / bf16) });
        log(`matmul NT ${format} ${nTop}³: ${g} GFLOP/s (bf16 ×${round(g / bf16)})`);
      }
    }

    // ── GEMM at the model's shapes: M = prefill rows against the real weights ──────────────────────────────
    if (model) {
      const M = req.prefillTokens;
      const lw = model.weights.layers[0].proj;
      const shapes = new Map<string, { names: string[]; w: GpuMatrix; out: number; in: number }>();
      const add = (name: string, w: GpuMatrix, out: number, inp: number) => {
        const key = `${out}x${inp}`;
        const s = shapes.get(key);
        if (s) s.names.push(name);
        else shapes.set(key, { names: [name], w, out, in: inp });
      };
      for (const p of PROJECTIONS) add(p, lw[p].w, lw[p].out, lw[p].in);
      add('lm_head', model.weights.head, model.cfg.vocabSize, model.cfg.hidden);
      const maxIn = Math.max(...[...shapes.values()].map((s) => s.in));
      const maxOut = Math.max(...[...shapes.values()].map((s) => s.out));
      const x = buf('bench-x', randomF32(M * maxIn, 14));
      const y = buf('bench-y', new Float32Array(M * maxOut));
      for (const s of shapes.values()) {
        const g = gflops(M, s.out, s.in, await matrixSeconds(gpu, y, x, s.w, M));
        matmul.push({ case: `model ${s.names.join(',')}`, M, N: s.out, K: s.in, dtype: s.w.format, gflops: g });
        log(`matmul ${s.names.join(',')} (${M}×${s.in} · ${s.out}×${s.in}ᵀ, ${s.w.format}): ${g} GFLOP/s`);
      }
    }

    // ── plain JavaScript on the CPU ──────────────────────────────────────────────────────────────────────
    const cpu: Record<string, number>[] = [];
    for (const n of [256, 512]) {
      const prev = cpu[cpu.length - 1];
      if (prev && prev.seconds * (n / prev.n) ** 3 > CPU_MAX_SECONDS) break;
      const s = await cpuSeconds(n);
      const g = gflops(n, n, n, s);
      const gpuG = await tiled(n);
      cpu.push({ n, seconds: round(s), gflops: g, gpuGflops: gpuG, ratio: round(gpuG / g) });
      log(`CPU JS ${n}³: ${g} GFLOP/s; GPU NT f32 ×${round(gpuG / g)}`);
    }
    const cpuBaseline = { method: 'JavaScript i-k-j triple loop on Float32Array, one thread (the engine worker)', results: cpu };

    // ── model throughput, tiled and plain GEMM ──────────────────────────────────────────────────────────
    let modelResults: Record<string, unknown> = { model: null, prefill: null, decode: null, train: null };
    if (model) {
      const V = model.cfg.vocabSize;
      const T = req.prefillTokens;
      const prefillBatch: TokenBatch = { B: 1, T, tokens: randomTokens(T, V, 21), mask: new Int32Array(T).fill(1) };
      const prompt = [...randomTokens(4, V, 22)];
      const trainBatch: TokenBatch = {
        B: 1, T: req.trainTokens, tokens: randomTokens(req.trainTokens, V, 23), mask: new Int32Array(req.trainTokens).fill(1),
      };
      const adapter = new LoraAdapter(gpu, model.cfg, { r: req.loraRank, alpha: 2 * req.loraRank, targets: [...PROJECTIONS] });
      const trainer = new LoraTrainer(model, adapter, { lr: 1e-4, warmupSteps: 0, totalSteps: 1_000_000, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 });
      adapter.reset(24);
      const timed = async (f: () => Promise<unknown>) => {
        const t = performance.now();
        await f();
        return (performance.now() - t) / 1000;
      };
      const rates = async () => {
        const prefill = await measure(() => timed(() => model.forward(prefillBatch, { logits: false })));
        // Decode: the time between the first and the last sampled token (the prompt's prefill excluded).
        const decode = await measure(async () => {
          const at: number[] = [];
          const t = performance.now();
          await generate(model, [prompt], { maxNewTokens: req.decodeTokens, temperature: 0, stopTokens: [], onStep: () => void at.push(performance.now()) });
          return at.length > 1 ? (at[at.length - 1] - at[0]) / 1000 / (at.length - 1) : (performance.now() - t) / 1000;
        });
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
        modelResults = {
          model: modelInfo(model),
          prefill: row('prefill', T),
          decode: { ...row('decode', req.decodeTokens), promptTokens: prompt.length },
          train: { ...row('train', req.trainTokens), loraRank: req.loraRank, targets: [...PROJECTIONS] },
        };
        for (const k of ['prefill', 'decode', 'train'] as const) log(`${k}: ${round(fast[k])} tok/s (plain GEMM ${round(plain[k])})`);
      } finally {
        gpu.options.naiveMatmul = false;
        trainer.destroy();
        adapter.destroy();
      }
    }

    let quantization: Record<string, unknown> | null = null;
    if (model) {
      log('quantization: the same model as in the file, q8 and q4...');
      quantization = await quantizationSection(gpu, model, req, log);
    }

    return {
      adapter: { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description, features: info.features },
      timing: { warmup: 1, minSeconds: MIN_SECONDS, maxReps: MAX_REPS, statistic: 'median', sync: 'read of a small buffer' },
      matmul,
      cpuBaseline,
      ...modelResults,
      quantization,
    };
  } finally {
    gpu.options.naiveMatmul = false;
    gpu.flush();
    const oom = await gpu.device.popErrorScope();
    const invalid = await gpu.device.popErrorScope();
    for (const b of made) b.destroy();
    // An error here means the timings measured failed work: report it rather than the numbers.
    if (oom || invalid) throw new Error(`bench: WebGPU ${oom ? 'out-of-memory' : 'validation'} error: ${(oom ?? invalid)!.message}`);
  }
}
