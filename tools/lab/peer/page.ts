// The peer benchmark's page (tools/lab/peer/run.ts opens it in headless Chromium): the engine and onnxruntime-web
// (`onnxruntime-web/webgpu`, the build transformers.js uses) in the same page, on the same adapter, run the same
// model from the same prompt, greedy, the same number of tokens, taking turns each round. onnxruntime-web is
// imported here only: never by the app (src/) or its bundle.
import * as ort from 'onnxruntime-web/webgpu';
import { logitDiff, median, randomTokens, round } from '../../../src/bench/measure.ts';
import { modelInfo } from '../../../src/bench/model.ts';
import type { PeerReport, PeerRow } from '../../../src/bench/types.ts';
import { Gpu } from '../../../src/engine/gpu/context.ts';
import { requestEngineDevice } from '../../../src/engine/gpu/device.ts';
import type { LlamaModel } from '../../../src/engine/model/llama.ts';
import { httpFolder, loadModel } from '../../../src/engine/model/loader.ts';
import { argmax } from '../../../src/engine/model/sampler.ts';

export interface PeerModelSpec {
  name: string;
  note: string;
  /** The engine's model folder URL and the ONNX file's URL (the same weights). */
  folder: string;
  onnx: string;
  promptTokens: number;
  newTokens: number;
  /** Timed rounds after a short warm-up round (each round: the engine, then onnxruntime-web). */
  rounds: number;
}

export interface PeerSpec {
  models: PeerModelSpec[];
  /** 'webgpu' (falls back to 'wasm' when a session cannot be made) or 'wasm'. */
  ep: 'webgpu' | 'wasm';
}

/** One greedy generation: seconds of the prompt's forward (to the first token's logits) and of each later step. */
interface Gen { prefill: number; steps: number[]; tokens: number[] }

/** Greedy generation by a step function `(tokens, past) → last position's logits`, timed per call. */
async function greedy(step: (tokens: number[], past: number) => Promise<Float32Array>, prompt: number[], n: number): Promise<Gen> {
  let t = performance.now();
  let logits = await step(prompt, 0);
  const prefill = (performance.now() - t) / 1000;
  const tokens = [argmax(logits)];
  const steps: number[] = [];
  for (let i = 1; i < n; i++) {
    t = performance.now();
    logits = await step([tokens[i - 1]], prompt.length + i - 1);
    steps.push((performance.now() - t) / 1000);
    tokens.push(argmax(logits));
  }
  return { prefill, steps, tokens };
}

/** The engine: prefill and decode through its KV cache (LlamaModel.step, what generate() calls). */
function oursGen(model: LlamaModel, prompt: number[], n: number): Promise<Gen> {
  const cache = model.createCache(1, prompt.length + n);
  return greedy((tokens) => model.step(cache, Int32Array.from(tokens), new Int32Array(tokens.length).fill(1), tokens.length), prompt, n)
    .finally(() => cache.destroy());
}

interface OrtModel { session: ort.InferenceSession; layers: number; kvHeads: number; headDim: number; vocab: number; ep: string }

const i64 = (xs: number[], dims: number[]) => new ort.Tensor('int64', BigInt64Array.from(xs.map(BigInt)), dims);

/** onnxruntime-web: the Optimum decoder interface (tools/lab/peer/export_onnx.py); KV stays on the GPU with WebGPU. */
async function ortGen(m: OrtModel, prompt: number[], n: number, allLogits?: (l: Float32Array) => void): Promise<Gen> {
  let past: ort.Tensor[] = [];
  for (let i = 0; i < 2 * m.layers; i++) past.push(new ort.Tensor('float32', new Float32Array(0), [1, m.kvHeads, 0, m.headDim]));
  try {
    return await greedy(async (tokens, p) => {
      const feeds: Record<string, ort.Tensor> = {
        input_ids: i64(tokens, [1, tokens.length]),
        attention_mask: i64(new Array(p + tokens.length).fill(1), [1, p + tokens.length]),
        position_ids: i64(tokens.map((_, i) => p + i), [1, tokens.length]),
      };
      past.forEach((t, i) => (feeds[`past_key_values.${i >> 1}.${i & 1 ? 'value' : 'key'}`] = t));
      const out = await m.session.run(feeds);
      for (const t of past) t.dispose();
      past = Array.from({ length: 2 * m.layers }, (_, i) => out[`present.${i >> 1}.${i & 1 ? 'value' : 'key'}`]);
      const logits = out.logits.data as Float32Array; // (1, T, V): the graph computes every position's
      if (p === 0) allLogits?.(logits);
      return logits.subarray((tokens.length - 1) * m.vocab);
    }, prompt, n);
  } finally {
    for (const t of past) t.dispose();
  }
}

async function ortSession(url: string, ep: 'webgpu' | 'wasm', layers: number) {
  const presents = Array.from({ length: 2 * layers }, (_, i) => `present.${i >> 1}.${i & 1 ? 'value' : 'key'}`);
  return ort.InferenceSession.create(url, {
    executionProviders: [ep],
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3, // errors only: not its note, on every session, that shape ops run on the CPU
    // the KV cache stays on the GPU between steps (what transformers.js does); logits come back to the CPU
    preferredOutputLocation: ep === 'webgpu' ? Object.fromEntries(presents.map((p) => [p, 'gpu-buffer' as const])) : 'cpu',
  });
}

async function peerRun(spec: PeerSpec): Promise<PeerReport> {
  const log = (m: string) => console.log(`peer: ${m}`);
  ort.env.wasm.wasmPaths = '/node_modules/onnxruntime-web/dist/';
  ort.env.logLevel = 'error';
  // Threads only where the page is cross-origin isolated (run.ts sends COOP/COEP); the WebGPU EP needs none.
  ort.env.wasm.numThreads = self.crossOriginIsolated ? navigator.hardwareConcurrency : 1;
  const { device, info } = await requestEngineDevice(navigator.gpu);
  const gpu = new Gpu(device);
  let ep: string = spec.ep;
  let epNote = spec.ep === 'webgpu' ? 'WebGPU execution provider on the same adapter as the engine' : 'asked for WASM';
  const rows: PeerRow[] = [];
  for (const s of spec.models) {
    log(`${s.name}: loading both...`);
    const model = await loadModel(gpu, httpFolder(s.folder));
    const cfg = model.cfg;
    let session: ort.InferenceSession;
    try {
      session = await ortSession(s.onnx, ep as 'webgpu' | 'wasm', cfg.layers);
    } catch (e) {
      if (ep !== 'webgpu') throw e;
      epNote = `WebGPU execution provider failed here (${(e as Error).message.split('\n')[0]}), so WASM (${ort.env.wasm.numThreads} threads)`;
      ep = 'wasm';
      session = await ortSession(s.onnx, 'wasm', cfg.layers);
    }
    const om: OrtModel = { session, layers: cfg.layers, kvHeads: cfg.kvHeads, headDim: cfg.headDim, vocab: cfg.vocabSize, ep };
    try {
      const prompt = [...randomTokens(s.promptTokens, cfg.vocabSize, 81)];
      // logits of every prompt position from both (the engine's full forward; ORT's prefill call)
      let ortLogits = new Float32Array(0);
      await ortGen(om, prompt, 1, (l) => (ortLogits = l.slice()));
      const ours = (await model.forward({ B: 1, T: prompt.length, tokens: Int32Array.from(prompt), mask: new Int32Array(prompt.length).fill(1) })).logits!;
      const maxDiff = ortLogits.length === ours.length ? logitDiff(ortLogits, ours).maxAbs : NaN;
      const maxAbs = ours.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const res = { ours: [] as Gen[], ort: [] as Gen[] };
      for (let r = 0; r <= s.rounds; r++) {
        // round 0 warms both up (every pipeline is made by a prefill and one decode step) and is not counted
        const n = r === 0 ? Math.min(2, s.newTokens) : s.newTokens;
        const o = await oursGen(model, prompt, n);
        const x = await ortGen(om, prompt, n);
        if (r > 0) { res.ours.push(o); res.ort.push(x); }
        log(`${s.name} round ${r}: prefill ours ${round(o.prefill)} s, ORT ${round(x.prefill)} s; decode ours ${round(median(o.steps))} s/token, ORT ${round(median(x.steps))} s/token`);
      }
      const rate = (g: Gen[]) => ({
        prefillTokPerS: round(prompt.length / median(g.map((x) => x.prefill))),
        decodeTokPerS: round(1 / median(g.flatMap((x) => x.steps))),
      });
      const a = rate(res.ours);
      const b = rate(res.ort);
      rows.push({
        model: s.name, note: s.note, params: modelInfo(model).params, promptTokens: prompt.length, newTokens: s.newTokens, rounds: s.rounds,
        ours: a, ort: { ...b, executionProvider: ep },
        prefillRatio: round(a.prefillTokPerS / b.prefillTokPerS), decodeRatio: round(a.decodeTokPerS / b.decodeTokPerS),
        logitsMaxAbsDiff: round(maxDiff), logitsMaxAbs: round(maxAbs),
        sameTokens: res.ours[0].tokens.join() === res.ort[0].tokens.join(),
      });
      log(`${s.name}: prefill ×${rows.at(-1)!.prefillRatio}, decode ×${rows.at(-1)!.decodeRatio}, logits max |Δ| ${rows.at(-1)!.logitsMaxAbsDiff}`);
    } finally {
      await session.release();
      model.destroy();
    }
  }
  device.destroy();
  return {
    peer: 'onnxruntime-web', version: ort.env.versions.web ?? 'unknown', executionProvider: ep, executionProviderNote: epNote,
    adapter: `${info.vendor} / ${info.architecture}${info.description ? ` (${info.description})` : ''}`, rows,
    timing: 'a warm-up round (prefill and one decode step each), then rounds in which the engine and onnxruntime-web take turns; prefill = the prompt\'s forward ' +
      'through to the last position\'s logits on the CPU (ORT\'s graph returns every position\'s); decode = median seconds of each ' +
      'later one-token step, KV cache on the GPU for both, greedy argmax on the CPU',
  };
}

declare global {
  interface Window {
    peerRun(spec: PeerSpec): Promise<{ ok: PeerReport } | { error: string }>;
  }
}

window.peerRun = async (spec) => {
  try {
    return { ok: await peerRun(spec) };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
};
