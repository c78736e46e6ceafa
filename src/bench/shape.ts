// The shaped-model section (`npm run bench -- --shape llama-3.2-1b`): a random-weight model with the real config
// and tensor shapes (shape_model.ts), built on the GPU, then prefill, greedy decode at batch 1 and at batch k
// (self-edit sampling), LoRA training steps at each length for the two adapter settings SEAL uses, peak GPU
// memory per phase against memory.ts's estimate, dispatches per decode step, and the decode ceiling from a
// measured copy bandwidth. On a slow adapter the shapes are cut (layers, vocabulary, lengths): `cuts` says which.
import type { Gpu } from '../engine/gpu/context.ts';
import type { AdapterInfo } from '../engine/gpu/device.ts';
import { generate } from '../engine/model/generate.ts';
import type { LlamaModel } from '../engine/model/llama.ts';
import { LoraAdapter } from '../engine/model/lora.ts';
import { estimateMemory, type MemoryPlan } from '../engine/model/memory.ts';
import { PROJECTIONS, type Projection } from '../engine/model/weights.ts';
import { GRADIENTS_ONLY, LoraTrainer } from '../engine/train/trainer.ts';
import { measureBandwidth } from './bandwidth.ts';
import { measureDispatchOverhead } from './dispatch.ts';
import { logitDiff, measure, randomF32, randomTokens, round, timed } from './measure.ts';
import { logProfile, PROFILE_STEPS, profileDecode } from './profile.ts';
import { BENCH_HYPER, modelInfo, weightBytesPerToken } from './model.ts';
import { buildShapeModel, SHAPES, shapeConfig, viewModel } from './shape_model.ts';
import type { BandwidthReport, ShapeDecodeRow, ShapeReport, ShapeRequest, ShapeTrainRow } from './types.ts';

/** What the full-size run measures (the settings): anything smaller is reported as a cut. */
export const SHAPE_DEFAULTS = { prefillTokens: 512, trainTokens: [512, 2048] } as const;

/** LoRA settings: SEAL's ReST-EM SFT (r 16; here on all seven projections) and ARC TTT (r 128, alpha 16, q v gate up down). */
const SETTINGS: Array<{ setting: string; r: number; alpha: number; targets: Projection[] }> = [
  { setting: 'r16-all', r: 16, alpha: 16, targets: [...PROJECTIONS] },
  { setting: 'r128-arc', r: 128, alpha: 16, targets: ['q_proj', 'v_proj', 'gate_proj', 'up_proj', 'down_proj'] },
];

/** Rows of the kernel-class check's forward: more than 8, so the 'gpu' class runs its tiled GEMM (then one GEMV step). */
const CHECK_TOKENS = 9;

/**
 * The same model under both kernel classes (gpu.options.kernels): the logits of a forward over CHECK_TOKENS tokens
 * and of one decode step after them, and the LoRA gradient of that forward's loss (r 16 on every projection, A and
 * B random so every product of the backward is non-zero), each as the relative norm distance of 'gpu' from 'cpu'.
 * Only summation order differs, so anything beyond ~1e-5 is a kernel bug: the device run checks the GPU-class
 * kernels — inference and training — on real hardware this way.
 */
export async function checkKernelClasses(gpu: Gpu, model: LlamaModel): Promise<NonNullable<ShapeReport['kernelCheck']>> {
  const T = CHECK_TOKENS;
  const tokens = randomTokens(T + 1, model.cfg.vocabSize, 91);
  const ones = new Int32Array(T).fill(1);
  const own = gpu.options.kernels;
  const batch = { B: 1, T, tokens: tokens.subarray(0, T), mask: ones };
  const out: Record<string, { fwd: Float32Array; dec: Float32Array; grad: Float32Array }> = {};
  const adapter = new LoraAdapter(gpu, model.cfg, { r: 16, alpha: 16, targets: [...PROJECTIONS] });
  gpu.write(adapter.params, randomF32(adapter.size, 92).map((x) => 0.02 * x));
  try {
    for (const k of ['cpu', 'gpu'] as const) {
      gpu.options.kernels = k;
      const m = viewModel(model);
      const cache = m.createCache(1, T + 1);
      const trainer = new LoraTrainer(m, adapter, GRADIENTS_ONLY);
      try {
        const fwd = (await m.forward(batch)).logits!;
        await m.step(cache, batch.tokens, ones, T);
        const dec = await m.step(cache, tokens.subarray(T), ones.subarray(0, 1), 1);
        await trainer.computeGradients([{ batch, lossMask: ones }]);
        out[k] = { fwd, dec, grad: await gpu.readF32(trainer.grads, adapter.size) };
      } finally {
        trainer.destroy();
        cache.destroy();
        m.destroy();
      }
    }
  } finally {
    gpu.options.kernels = own;
    adapter.destroy();
  }
  const rel = (a: Float32Array, b: Float32Array) => logitDiff(a, b).rel;
  return {
    tokens: T, forwardRel: rel(out.gpu.fwd, out.cpu.fwd), decodeRel: rel(out.gpu.dec, out.cpu.dec), gradientRel: rel(out.gpu.grad, out.cpu.grad),
    note: `'gpu' (tiled GEMM, decode GEMV, split attention) against 'cpu' (register-blocked GEMM, row attention): logits and the LoRA gradient (r 16, every projection), relative norm; same model, same tokens`,
  };
}

/**
 * Peak of the engine's buffers while `f` runs, less `held` (what the benchmark's other sections still hold); the
 * device-wide peak is kept as the larger of the two.
 */
async function peakDuring<T>(gpu: Gpu, held: number, f: () => Promise<T>): Promise<{ value: T; peak: number }> {
  const before = gpu.peakAllocatedBytes;
  gpu.peakAllocatedBytes = gpu.allocatedBytes;
  try {
    const value = await f();
    return { value, peak: gpu.peakAllocatedBytes - held };
  } finally {
    gpu.peakAllocatedBytes = Math.max(before, gpu.peakAllocatedBytes);
  }
}

/** What a phase needs: the model (each phase runs on its own view of it), the request and the section's figures. */
interface PhaseContext {
  gpu: Gpu;
  base: LlamaModel;
  req: ShapeRequest;
  held: number;
  perToken: number;
  bandwidth: BandwidthReport;
  plan: (p: MemoryPlan) => number;
}

/** Greedy decode of B sequences at once: time and dispatches per step, and the share of the bandwidth ceiling. */
async function decodeRow(c: PhaseContext, B: number, log: (m: string) => void): Promise<ShapeDecodeRow> {
  const { gpu, req, bandwidth } = c;
  const cfg = c.base.cfg;
  const prompts = Array.from({ length: B }, (_, b) => [...randomTokens(req.promptTokens, cfg.vocabSize, 60 + b)]);
  let dispatches = 0;
  const run = await peakDuring(gpu, c.held, async () => {
    const m = viewModel(c.base);
    try {
      return await measure(async () => {
        const at: number[] = [];
        const d: number[] = [];
        await generate(m, prompts, {
          maxNewTokens: req.decodeTokens, temperature: 0, stopTokens: [],
          onStep: () => { at.push(performance.now()); d.push(gpu.dispatches); },
        });
        const steps = Math.max(1, at.length - 1);
        dispatches = (d[d.length - 1] - d[0]) / steps;
        return (at[at.length - 1] - at[0]) / 1000 / steps;
      });
    } finally {
      m.destroy();
    }
  });
  const step = run.value;
  // K and V of every layer, f32, at the decode's mean context, per sequence
  const kv = B * 2 * cfg.layers * (req.promptTokens + req.decodeTokens / 2) * cfg.kvHeads * cfg.headDim * 4;
  const ceiling = (bytesPerS: number) => (B * bytesPerS) / (c.perToken + kv);
  const bw = Math.max(bandwidth.copyKernelGBps, bandwidth.copyBufferGBps) * 1e9;
  const spec = bandwidth.specGBps ? ceiling(bandwidth.specGBps * 1e9) : null;
  const row: ShapeDecodeRow = {
    batch: B, promptTokens: req.promptTokens, newTokens: req.decodeTokens, tokPerS: round(B / step), tokPerSPerSequence: round(1 / step),
    msPerStep: round(step * 1000), dispatchesPerStep: round(dispatches), bytesPerStep: Math.round(c.perToken + kv), kvBytesPerStep: Math.round(kv),
    ceilingTokPerS: round(ceiling(bw)), fractionOfCeiling: round(B / step / ceiling(bw)),
    specCeilingTokPerS: spec === null ? null : round(spec), fractionOfSpecCeiling: spec === null ? null : round(B / step / spec),
    peakBytes: run.peak, estimatedBytes: c.plan({ batch: B, seqLen: req.promptTokens + req.decodeTokens, rows: B * req.promptTokens }),
    profile: null,
  };
  log(`shape decode batch ${B}: ${row.tokPerS} tok/s (${row.msPerStep} ms/step, ${row.dispatchesPerStep} dispatches/step, ` +
    `${round(100 * row.fractionOfCeiling)} % of the ${row.ceilingTokPerS} tok/s copy-bandwidth ceiling)`);
  const m = viewModel(c.base);
  try {
    row.profile = await profileDecode(gpu, m, prompts, PROFILE_STEPS, row.msPerStep);
  } finally {
    m.destroy();
  }
  logProfile(row.profile, `shape decode batch ${B}`, log);
  return row;
}

/** One LoRA training step over one sequence of `tokens` with a fresh adapter of `s`. */
async function trainRow(c: PhaseContext, tokens: number, s: (typeof SETTINGS)[number], log: (m: string) => void): Promise<ShapeTrainRow> {
  const { gpu } = c;
  const cfg = c.base.cfg;
  const batch = { B: 1, T: tokens, tokens: randomTokens(tokens, cfg.vocabSize, 70), mask: new Int32Array(tokens).fill(1) };
  const run = await peakDuring(gpu, c.held, async () => {
    const m = viewModel(c.base);
    const adapter = new LoraAdapter(gpu, cfg, { r: s.r, alpha: s.alpha, targets: s.targets });
    const trainer = new LoraTrainer(m, adapter, BENCH_HYPER);
    try {
      adapter.reset(71);
      return await measure(() => timed(() => trainer.step([{ batch, lossMask: batch.mask }])));
    } finally {
      trainer.destroy();
      adapter.destroy();
      m.destroy();
    }
  });
  const row: ShapeTrainRow = {
    ...s, targets: [...s.targets], tokens, tokPerS: round(tokens / run.value), stepSeconds: round(run.value), peakBytes: run.peak,
    estimatedBytes: c.plan({ rows: tokens, seqLen: tokens, trainRows: tokens, loraRank: s.r, loraTargets: s.targets }),
  };
  log(`shape LoRA ${s.setting} T=${tokens}: ${row.tokPerS} tok/s (${row.stepSeconds} s/step, peak ${row.peakBytes} bytes)`);
  return row;
}

export async function shapeSection(gpu: Gpu, info: AdapterInfo, req: ShapeRequest, log: (m: string) => void): Promise<ShapeReport> {
  const t0 = performance.now();
  const real = SHAPES[req.name];
  const cfg = shapeConfig(req.name, { layers: req.layers, vocab: req.vocab });
  for (const n of [cfg.layers, cfg.vocabSize, req.prefillTokens, req.promptTokens, req.decodeTokens, req.batch, ...req.trainTokens]) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`bench --shape: sizes must be positive integers, got ${n}`);
  }
  const cuts: ShapeReport['cuts'] = {};
  if (cfg.layers !== real.layers) cuts.layers = { real: real.layers, used: cfg.layers };
  if (cfg.vocabSize !== real.vocabSize) cuts.vocab = { real: real.vocabSize, used: cfg.vocabSize };
  if (req.prefillTokens !== SHAPE_DEFAULTS.prefillTokens) cuts.prefillTokens = { real: SHAPE_DEFAULTS.prefillTokens, used: req.prefillTokens };
  if (req.trainTokens.join() !== SHAPE_DEFAULTS.trainTokens.join()) cuts.trainTokens = { real: [...SHAPE_DEFAULTS.trainTokens], used: req.trainTokens };
  const plan = (p: MemoryPlan) => estimateMemory(cfg, {
    dtype: 'bf16', quantize: req.quant === 'bf16' ? 'none' : req.quant, maxBindingBytes: gpu.options.maxBindingBytes, loraRank: 0, trainRows: 0, ...p,
  }).total;
  const sectionStart = gpu.peakAllocatedBytes;
  const held = gpu.allocatedBytes; // the other sections' buffers, not this section's
  log(`shape ${req.name}: measuring copy bandwidth...`);
  const bandwidth = await measureBandwidth(gpu, `${info.description} ${info.device}`);
  log(`shape: copy bandwidth ${bandwidth.copyKernelGBps} GB/s (kernel), ${bandwidth.copyBufferGBps} GB/s (queue copy)`);
  const dispatchOverhead = await measureDispatchOverhead(gpu);
  log(`shape: one dispatch costs ${dispatchOverhead.recordUs} µs to record, ${dispatchOverhead.totalUs} µs through to a read`);
  gpu.peakAllocatedBytes = gpu.allocatedBytes;
  log(`shape ${req.name} (${req.quant}, ${cfg.layers} layers, vocab ${cfg.vocabSize}): building random weights on the GPU...`);
  let model: LlamaModel | null = null;
  try {
    const tb = performance.now();
    model = buildShapeModel(gpu, cfg, req.quant, req.seed ?? 1);
    await gpu.read(model.weights.norm.buffer, 4);
    const buildSeconds = round((performance.now() - tb) / 1000);
    const card = modelInfo(model);
    const perToken = weightBytesPerToken(model.weights);
    log(`shape: ${card.params} parameters, ${model.weights.bytes} weight bytes, built in ${buildSeconds} s`);
    const kernelCheck = req.kernelCheck === false ? null : await checkKernelClasses(gpu, model);
    if (kernelCheck) log(`shape: kernels '${gpu.options.kernels}'; 'gpu' vs 'cpu': logits forward ${kernelCheck.forwardRel}, decode ${kernelCheck.decodeRel}, LoRA gradient ${kernelCheck.gradientRel} (relative)`);
    const base = model;

    // prefill: one forward over the prompt, no logits read back
    const T = req.prefillTokens;
    const batch = { B: 1, T, tokens: randomTokens(T, cfg.vocabSize, 51), mask: new Int32Array(T).fill(1) };
    const pre = await peakDuring(gpu, held, async () => {
      const m = viewModel(base);
      try {
        return await measure(() => timed(() => m.forward(batch, { logits: false })));
      } finally {
        m.destroy();
      }
    });
    const prefill = { tokens: T, tokPerS: round(T / pre.value), seconds: round(pre.value), peakBytes: pre.peak, estimatedBytes: plan({ rows: T, seqLen: T }) };
    log(`shape prefill ${T} tokens: ${prefill.tokPerS} tok/s`);

    // greedy decode, batch 1 and batch k; LoRA training steps
    const ctx: PhaseContext = { gpu, base, req, held, perToken, bandwidth, plan };
    const decode: ShapeDecodeRow[] = [];
    for (const B of [...new Set([1, req.batch])]) decode.push(await decodeRow(ctx, B, log));
    const train: ShapeTrainRow[] = [];
    for (const tokens of req.trainTokens) for (const setting of SETTINGS) train.push(await trainRow(ctx, tokens, setting, log));
    return {
      name: req.name, quant: req.quant, kernels: gpu.options.kernels, kernelCheck, model: card, cuts, weightBytesPerToken: perToken, buildSeconds, bandwidth, dispatchOverhead,
      prefill, decode, train, peakBytes: gpu.peakAllocatedBytes - held, seconds: round((performance.now() - t0) / 1000),
    };
  } finally {
    model?.destroy();
    gpu.peakAllocatedBytes = Math.max(sectionStart, gpu.peakAllocatedBytes);
  }
}
