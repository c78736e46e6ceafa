// What a load and a generate tell the caller, through the real worker: the model card's facts (parameters, storage
// type, the quantisation the load applied, embedding shards), init's maxBindingBytes (row shards on demand, same
// logits), generate's prefill / decode split and its once-per-load BOS warning, and the GPU memory request.
import { afterAll, describe, expect, it } from 'vitest';
import { EngineClient } from '../../src/protocol/client.ts';
import { rejection } from './device.ts';

const url = (name: string) => new URL(`/tests/golden/${name}/model`, location.origin).href;
const TOKENS = [[256, 72, 101, 108, 108, 111, 44, 32, 119], [256, 87, 3, 200]];
const client = EngineClient.start();
afterAll(() => client.terminate());

const logits = async () => (await client.call('forward', { tokens: TOKENS, adapter: false, logits: true })).logits!;

describe('load facts and options', () => {
  it('init maxBindingBytes row-shards the matrices; the logits stay bit-identical', async () => {
    await client.call('init', {});
    const whole = await client.call('load-model', { url: url('llama3-bf16') });
    expect(whole).toMatchObject({ params: 119_616, dtype: 'bf16', quantization: 'none', embedShards: 1, bosPolicy: null });
    expect(whole.uploadSeconds).toBeGreaterThan(0);
    const a = await logits();
    await client.call('init', { maxBindingBytes: 4000 });
    const split = await client.call('load-model', { url: url('llama3-bf16') });
    expect(split.embedShards).toBe(9); // 260 rows of 64 bf16 (128 B): 31 rows per 4000-byte shard
    const b = await logits();
    expect(b.length).toBe(a.length);
    expect(b.every((v, i) => Object.is(v, a[i]))).toBe(true);
    expect((await rejection(client.call('init', { maxBindingBytes: 0 }))).name).toBe('RangeError');
    await client.call('init', {});
  });

  it('the quantisation the load applied is reported ("auto" resolved)', async () => {
    const q4 = await client.call('load-model', { url: url('llama3-f32'), quantize: 'q4' });
    expect(q4).toMatchObject({ quantization: 'q4', dtype: 'f32', hasTokenizer: true, bosPolicy: 'none' });
    const auto = await client.call('load-model', { url: url('llama3-f32'), quantize: 'auto' });
    expect(['none', 'q8', 'q4']).toContain(auto.quantization);
    expect(q4.weightBytes).toBeLessThan(auto.quantization === 'none' ? auto.weightBytes : Infinity);
    const mem = await client.call('memory', {});
    expect(mem.allocatedBytes).toBeGreaterThanOrEqual(auto.weightBytes);
    expect(mem.peakAllocatedBytes).toBeGreaterThanOrEqual(mem.allocatedBytes);
    expect(mem.workspaceBytes).toBe(0); // nothing has run on the new model yet
  });
});

describe('generate', () => {
  const req = { maxNewTokens: 6, temperature: 0, topP: 1, seed: 0, chat: false, adapter: false };

  it('times prefill and decode apart; a plain prompt without BOS is pointed out once per load', async () => {
    await client.call('load-model', { url: url('llama3-f32') });
    const r = await client.call('generate', { ...req, prompt: 'Hello' });
    expect(r.promptIds).toEqual([72, 101, 108, 108, 111]);
    const mem = await client.call('memory', {}); // the forward made the workspace: part of what the engine holds
    expect(mem.workspaceBytes).toBeGreaterThan(0);
    expect(mem.workspaceBytes).toBeLessThan(mem.allocatedBytes);
    expect(r.prefill.tokens).toBe(5);
    expect(r.decode.tokens).toBe(r.tokens.length - 1);
    expect(r.prefill.seconds + r.decode.seconds).toBeLessThanOrEqual(r.seconds + 1e-9);
    expect(r.decode.tokensPerSecond).toBeCloseTo(r.decode.tokens / r.decode.seconds, 6);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/without BOS \(token 256\)/);
    expect((await client.call('generate', { ...req, prompt: 'Hello' })).warnings).toEqual([]);
    expect((await client.call('generate', { ...req, prompt: [256, 72] })).warnings).toEqual([]);
    await client.call('load-model', { url: url('llama3-f32') });
    expect((await client.call('generate', { ...req, prompt: 'Hello', chat: true })).warnings).toEqual([]); // the template starts with BOS
    expect((await client.call('generate', { ...req, prompt: 'Hi' })).warnings).toHaveLength(1);
  });
});
