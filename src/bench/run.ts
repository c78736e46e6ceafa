// Throughput of the engine on the current adapter (`npm run bench`, tools/lab/bench/bench.ts): GEMM GFLOP/s against
// the plain kernel and a plain JavaScript loop; with a model, prefill / decode / LoRA-training tokens/s against
// the plain GEMM, and the same model in f16 / q8 / q4; with `shape`, a random-weight model of a real checkpoint's
// shape (shape.ts). It runs where the engine runs (the worker, or Node with Dawn: tools/lab/node-bench/) and only
// reads the engine: the engine never imports it.
import type { Gpu } from '../engine/gpu/context.ts';
import type { AdapterInfo } from '../engine/gpu/device.ts';
import type { LlamaModel } from '../engine/model/llama.ts';
import { cpuBaseline, kernelClassGemms, modelGemms, squareGemms } from './matmul.ts';
import { MAX_REPS, MIN_SECONDS } from './measure.ts';
import { modelThroughput } from './model.ts';
import { guardsSection } from './guards.ts';
import { quantizationSection } from './quantization.ts';
import { innerSection } from './inner.ts';
import { shapeSection } from './shape.ts';
import type { BenchReport, BenchRequest, BenchSection, MatmulRow } from './types.ts';

/** On a CPU adapter the kernel-class comparison stays at or below 512³: the tiled GEMM crawls there (barriers). */
const CPU_CLASS_MAX_N = 512;

export async function runBench(gpu: Gpu, info: AdapterInfo, req: BenchRequest, model: LlamaModel | null, log: (m: string) => void): Promise<BenchReport> {
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
    const on = (x: BenchSection) => !req.sections || req.sections.includes(x);
    // No sizes (e.g. a shape-only run): no square GEMMs and no CPU comparison.
    const squares = on('matmul') && sizes.length;
    const { matmul, tiled } = squares ? await squareGemms(gpu, sizes, buf, log) : { matmul: [] as MatmulRow[], tiled: null };
    const nTop = sizes[sizes.length - 1];
    if (squares) matmul.push(...(await kernelClassGemms(gpu, gpu.options.kernels === 'cpu' ? Math.min(nTop, CPU_CLASS_MAX_N) : nTop, buf, log)));
    const withModel = model && on('model') ? model : null;
    if (withModel) matmul.push(...(await modelGemms(gpu, withModel, req.prefillTokens, buf, log)));
    const cpu = tiled ? await cpuBaseline(tiled, log) : { method: 'not measured', results: [] };
    const throughput = withModel ? await modelThroughput(gpu, withModel, req, log) : { model: null, prefill: null, decode: null, train: null };
    if (model && on('quantization')) log('quantization: the same model as in the file, q8 and q4...');
    const quantization = model && on('quantization') ? await quantizationSection(gpu, model, req, log) : null;
    const guards = model && on('guards') ? await guardsSection(gpu, model, req, log) : null;
    const shape = req.shape ? await shapeSection(gpu, info, req.shape, log) : null;
    const inner = model && req.inner && on('inner') ? [await innerSection(gpu, model, req.inner, log)] : undefined;
    return {
      adapter: { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description, features: info.features },
      timing: { warmup: 1, minSeconds: MIN_SECONDS, maxReps: MAX_REPS, statistic: 'median', sync: 'read of a small buffer' },
      matmul,
      cpuBaseline: cpu,
      ...throughput,
      quantization,
      guards,
      shape,
      ...(inner && { inner }),
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
