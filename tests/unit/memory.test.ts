// Memory estimates at real scale (Llama-3.2-1B, no GPU needed): weight bytes per format against the spec's
// numbers, row shards under WebGPU's default binding limit, the checks' messages and the automatic choice.
import { describe, expect, it } from 'vitest';
import type { ModelConfig } from '../../src/engine/model/config.ts';
import { GpuMemoryError } from '../../src/engine/gpu/context.ts';
import { checkFits, chooseQuantization, estimateMemory, formatEstimate, loraSize } from '../../src/engine/model/memory.ts';
import { PROJECTIONS } from '../../src/engine/model/shapes.ts';

/** meta-llama/Llama-3.2-1B (config.json as the engine parses it). */
const LLAMA_1B: ModelConfig = {
  arch: 'llama', vocabSize: 128256, hidden: 2048, intermediate: 8192, layers: 16, heads: 32, kvHeads: 8, headDim: 64,
  rmsEps: 1e-5, ropeTheta: 500000,
  ropeScaling: { type: 'llama3', factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 },
  tieEmbeddings: true, qkvBias: false, maxPositions: 131072, bosTokenId: 128000, eosTokenIds: [128001], padTokenId: null, dtype: 'bf16',
};
/** WebGPU's default limits (what an adapter guarantees without asking for more). */
const DEFAULT_LIMITS = { maxStorageBufferBindingSize: 128 * 2 ** 20, maxBufferSize: 256 * 2 ** 20 };
const PARAMS = 1_235_814_400;
const MATRIX_PARAMS = PARAMS - (2 * 16 + 1) * 2048; // all but the norms
const part = (e: ReturnType<typeof estimateMemory>, n: string) => e.parts.find((p) => p.name === n)?.bytes ?? 0;

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('Llama-3.2-1B', () => {
  it('weights: 2.47 GB in bf16, 1.31 GB in q8, 0.70 GB in q4 (f16 scale per 32)', () => {
    const norms = (2 * 16 + 1) * 2048 * 2;
    const bf16 = estimateMemory(LLAMA_1B, { quantize: 'none' });
    expect(part(bf16, 'weights')).toBe(PARAMS * 2);
    const q8 = estimateMemory(LLAMA_1B, { quantize: 'q8' });
    expect(part(q8, 'weights')).toBe(MATRIX_PARAMS * (1 + 2 / 32) + norms);
    const q4 = estimateMemory(LLAMA_1B, { quantize: 'q4' });
    expect(part(q4, 'weights')).toBe(MATRIX_PARAMS * (0.5 + 2 / 32) + norms);
    expect(part(q4, 'weights') / 1e9).toBeCloseTo(0.695, 3);
  });

  it('the 525 MB embedding is split into 128 MiB row shards; every buffer fits the default binding limit', () => {
    const e = estimateMemory(LLAMA_1B, { quantize: 'none', maxBindingBytes: DEFAULT_LIMITS.maxStorageBufferBindingSize });
    const embed = e.matrices.get('model.embed_tokens.weight')!;
    expect(embed.shards.map((s) => s.rows)).toEqual([32768, 32768, 32768, 29952]);
    expect(Math.max(...embed.shards.map((s) => s.dataBytes))).toBe(128 * 2 ** 20);
    expect(e.matrices.has('lm_head.weight')).toBe(false); // tied: the head is the embedding
    expect(e.largest.bytes).toBeLessThanOrEqual(DEFAULT_LIMITS.maxStorageBufferBindingSize);
    expect(() => checkFits(e, DEFAULT_LIMITS)).not.toThrow();
    const q4 = estimateMemory(LLAMA_1B, { quantize: 'q4', maxBindingBytes: DEFAULT_LIMITS.maxStorageBufferBindingSize });
    expect(q4.matrices.get('model.embed_tokens.weight')!.shards.length).toBe(1); // 74 MB of codes + 16 MB of scales
  });

  it('adapter, optimizer, KV cache and activations follow the plan', () => {
    expect(loraSize(LLAMA_1B, 16, PROJECTIONS)).toBe(16 * 16 * (4096 + 2560 + 2560 + 4096 + 3 * 10240));
    const e = estimateMemory(LLAMA_1B, { batch: 1, seqLen: 2048, rows: 2048, trainRows: 2048, loraRank: 16 });
    expect(part(e, 'kvCache')).toBe(2 * 16 * 2048 * 8 * 64 * 4 + 2048 * 4);
    expect(part(e, 'adapter')).toBe(loraSize(LLAMA_1B, 16, PROJECTIONS) * 4);
    expect(part(e, 'optimizer')).toBeGreaterThan(3 * part(e, 'adapter'));
    const inference = estimateMemory(LLAMA_1B, { batch: 1, seqLen: 2048, rows: 2048, trainRows: 0, loraRank: 0 });
    expect(part(inference, 'optimizer')).toBe(0);
    expect(part(inference, 'adapter')).toBe(0);
    expect(part(inference, 'activations')).toBeLessThan(part(e, 'activations') / 1.5); // no checkpoints or gradients
    console.info(`Llama-3.2-1B bf16, 2048-token LoRA r=16 training:\n${formatEstimate(e)}`);
  });

  it('over a budget: the message lists the parts and what would fit', () => {
    const e = estimateMemory(LLAMA_1B, { quantize: 'none' });
    const err = thrown(() => checkFits(e, DEFAULT_LIMITS, 2 * 2 ** 30));
    expect(err).toBeInstanceOf(GpuMemoryError);
    expect(err.message).toMatch(/needs 3\.\d\d GiB of GPU memory but the budget is 2\.00 GiB/);
    for (const p of ['weights', 'kvCache', 'adapter', 'optimizer', 'activations']) expect(err.message).toContain(p);
    expect(err.message).toMatch(/What would fit: .*quantize the base to 4 bits/);
  });

  it('a buffer beyond the binding limit: names it and suggests shorter sequences', () => {
    const e = estimateMemory(LLAMA_1B, { quantize: 'q4', seqLen: 8192, rows: 8192, trainRows: 8192 });
    expect(e.largest.name).toMatch(/^ws\.(gate|up|act|dgate|dup|dact)$/);
    const err = thrown(() => checkFits(e, DEFAULT_LIMITS));
    expect(err).toBeInstanceOf(GpuMemoryError);
    expect(err.message).toMatch(/the buffer ws\.\w+ needs 256\.0 MiB, more than the 128\.0 MiB/);
    expect(err.message).toMatch(/What would fit: halve the sequence length/);
    // loading holds only the weights to the limit: an assumed plan's activations are checked when made
    expect(() => checkFits(e, DEFAULT_LIMITS, undefined, 'weights')).not.toThrow();
  });

  it('chooseQuantization: the widest format that fits, else a GpuMemoryError', () => {
    const total = (q: 'none' | 'q8' | 'q4') => estimateMemory(LLAMA_1B, { quantize: q }).total;
    expect(total('none')).toBeGreaterThan(total('q8'));
    expect(total('q8')).toBeGreaterThan(total('q4'));
    expect(chooseQuantization(LLAMA_1B, DEFAULT_LIMITS, total('none'))).toBe('none');
    expect(chooseQuantization(LLAMA_1B, DEFAULT_LIMITS, total('none') - 1)).toBe('q8');
    expect(chooseQuantization(LLAMA_1B, DEFAULT_LIMITS, total('q8') - 1)).toBe('q4');
    expect(thrown(() => chooseQuantization(LLAMA_1B, DEFAULT_LIMITS, total('q4') - 1))).toBeInstanceOf(GpuMemoryError);
  });
});
