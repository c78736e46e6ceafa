// `npm run bench` flags → the BenchRequest both runners send (tools/lab/bench/bench.ts in Chromium, tools/lab/node-bench/
// under Node with Dawn), so a command rehearsed on one runs unchanged on the other.
import { intList, num, parseFlags, UsageError } from '../cli/args.ts';
import { isShapeName, SHAPES, type ShapeQuant } from '../../../src/bench/shape_model.ts';
import { SHAPE_DEFAULTS } from '../../../src/bench/shape.ts';
import { BENCH_SECTIONS, type BenchRequest, type BenchSection, type InnerRequest } from '../../../src/bench/types.ts';

/** Tracks whose rollouts the `inner` section times (tools/lab/bench/inner_workloads.ts builds each workload). */
export const INNER_TRACKS = ['knowledge', 'arc'] as const;
export type InnerTrack = (typeof INNER_TRACKS)[number];
/** One entry of an --inner-workloads file: the model folder (relative to the repository) and its rollout's shape. */
export interface InnerWorkload {
  model: string;
  workload: InnerRequest;
}

export const USAGE = `Usage: npm run bench -- [--json] [--out FILE] [--model DIR|URL|none] [--sizes 256,512,1024|none]
                       [--sections matmul,model,quantization,guards,inner]
                       [--inner knowledge,arc|none] [--inner-slots 1,2,4,8,16] [--inner-rollouts 16]
                       [--inner-workloads FILE]   (Node: the workloads inner_workloads.ts wrote, each with its model)
                       [--prefill 64] [--decode 16] [--train 64] [--rank 8]
                       [--shape llama-3.2-1b [--quant bf16|q8|q4] [--layers N] [--vocab N] [--shape-prefill 512]
                        [--prompt 16] [--shape-decode 32] [--batch 15] [--train-tokens 512,2048]]
                       [--peer]   (Chromium only: onnxruntime-web on the same adapter, tools/lab/peer/)`;

export interface BenchArgs {
  req: BenchRequest;
  /** The model folder or URL for the model sections; null: none (`--model none`). */
  model: string | null;
  /**
   * The `inner` section: which tracks (each on its embedded model), slot counts and rollouts per row; or a file of
   * workloads made beforehand (tools/lab/bench/inner_workloads.ts), for runners without the tracks' tokenizers.
   */
  inner: { tracks: InnerTrack[]; slots: number[]; rollouts: number; workloads: string | null };
  json: boolean;
  out: string | null;
  peer: boolean;
}

const QUANTS: ShapeQuant[] = ['bf16', 'q8', 'q4'];

export function parseBenchArgs(argv: string[], defaultModel: string): BenchArgs {
  const f = parseFlags(argv, {
    json: 'boolean', out: 'string', model: 'string', sizes: 'string', prefill: 'string', decode: 'string', train: 'string', rank: 'string',
    shape: 'string', quant: 'string', layers: 'string', vocab: 'string', 'shape-prefill': 'string', prompt: 'string',
    'shape-decode': 'string', batch: 'string', 'train-tokens': 'string', seed: 'string', peer: 'boolean', sections: 'string',
    inner: 'string', 'inner-slots': 'string', 'inner-rollouts': 'string', 'inner-workloads': 'string',
  });
  const tracks = f.inner === 'none' ? [] : typeof f.inner === 'string' ? f.inner.split(',').map((x) => x.trim()) : [...INNER_TRACKS];
  const badTrack = tracks.find((t) => !(INNER_TRACKS as readonly string[]).includes(t));
  if (badTrack !== undefined) throw new UsageError(`--inner: "${badTrack}" is not one of ${INNER_TRACKS.join(', ')}`);
  const innerSlots = typeof f['inner-slots'] === 'string' ? intList(f['inner-slots'], '--inner-slots') : [1, 2, 4, 8, 16];
  if (innerSlots.some((n) => n < 1)) throw new UsageError('--inner-slots must be positive');
  const inner = {
    tracks: tracks as InnerTrack[], slots: innerSlots, rollouts: num(f, 'inner-rollouts', 16, { int: true, min: 1 }),
    workloads: typeof f['inner-workloads'] === 'string' ? f['inner-workloads'] : null,
  };
  const sizes = f.sizes === 'none' ? [] : typeof f.sizes === 'string' ? intList(f.sizes, '--sizes') : [256, 512, 1024];
  if (sizes.some((n) => n < 1)) throw new UsageError('--sizes must be positive');
  const req: BenchRequest = {
    matmulSizes: sizes,
    prefillTokens: num(f, 'prefill', 64, { int: true, min: 1 }),
    decodeTokens: num(f, 'decode', 16, { int: true, min: 1 }),
    trainTokens: num(f, 'train', 64, { int: true, min: 1 }),
    loraRank: num(f, 'rank', 8, { int: true, min: 1 }),
  };
  if (typeof f.sections === 'string') {
    const list = f.sections.split(',').map((x) => x.trim());
    const bad = list.find((x) => !(BENCH_SECTIONS as readonly string[]).includes(x));
    if (bad !== undefined) throw new UsageError(`--sections: "${bad}" is not one of ${BENCH_SECTIONS.join(', ')}`);
    req.sections = list as BenchSection[];
  }
  const shapeOnly = ['quant', 'layers', 'vocab', 'shape-prefill', 'prompt', 'shape-decode', 'batch', 'train-tokens', 'seed'].filter((k) => k in f);
  if (typeof f.shape === 'string') {
    if (!isShapeName(f.shape)) throw new UsageError(`--shape must be one of ${Object.keys(SHAPES).join(', ')}, got "${f.shape}"`);
    const quant = (f.quant ?? 'bf16') as ShapeQuant;
    if (!QUANTS.includes(quant)) throw new UsageError(`--quant must be one of ${QUANTS.join(', ')}, got "${String(f.quant)}"`);
    const real = SHAPES[f.shape];
    const trainTokens = typeof f['train-tokens'] === 'string' ? intList(f['train-tokens'], '--train-tokens') : [...SHAPE_DEFAULTS.trainTokens];
    if (trainTokens.some((n) => n < 2)) throw new UsageError('--train-tokens must be at least 2');
    req.shape = {
      name: f.shape, quant,
      layers: 'layers' in f ? num(f, 'layers', real.layers, { int: true, min: 1, max: real.layers }) : undefined,
      vocab: 'vocab' in f ? num(f, 'vocab', real.vocabSize, { int: true, min: 2, max: real.vocabSize }) : undefined,
      prefillTokens: num(f, 'shape-prefill', SHAPE_DEFAULTS.prefillTokens, { int: true, min: 1 }),
      promptTokens: num(f, 'prompt', 16, { int: true, min: 1 }),
      decodeTokens: num(f, 'shape-decode', 32, { int: true, min: 2 }),
      batch: num(f, 'batch', 15, { int: true, min: 1 }),
      trainTokens,
      seed: num(f, 'seed', 1, { int: true, min: 0 }),
    };
  } else if (shapeOnly.length) throw new UsageError(`--${shapeOnly[0]} needs --shape`);
  const model = f.model === 'none' ? null : typeof f.model === 'string' ? f.model : defaultModel;
  return { req, model, inner, json: f.json === true, out: typeof f.out === 'string' ? f.out : null, peer: f.peer === true };
}
