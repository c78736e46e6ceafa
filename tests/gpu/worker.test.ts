// The engine through its real Web Worker and message protocol: results, events, and errors that cross the
// boundary with their class name intact.
import { afterAll, describe, expect, it } from 'vitest';
import { EngineClient } from '../../src/protocol/client.ts';
import { readSafetensors } from '../../src/engine/model/safetensors.ts';
import { errors, rejection } from './device.ts';

const MODEL = new URL('/tests/golden/llama3-f32/model', location.origin).href;
const ADAPTER = new URL('/tests/golden/llama3-f32/adapter', location.origin).href;
const client = EngineClient.start();
afterAll(() => client.terminate());

describe('engine worker', () => {
  it('fails clearly before init and model load', async () => {
    const e = await rejection(client.call('forward', { tokens: [[1, 2]], adapter: false, logits: false }));
    expect(e.name).toBe('NotReadyError');
  });

  it('init reports a real adapter', async () => {
    const info = await client.call('init', {});
    expect(info.architecture || info.vendor).toBeTruthy();
    expect(info.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
  });

  it('a folder without config.json is a ModelFormatError naming the file', async () => {
    const e = await rejection(client.call('load-model', { url: new URL('/tests/golden/nope', location.origin).href }));
    expect(e.name).toBe('ModelFormatError');
    expect(e.message).toContain('config.json');
  });

  it('loads the golden model and reproduces its logits through the protocol', async () => {
    const m = await client.call('load-model', { url: MODEL });
    expect(m.config.arch).toBe('llama');
    expect(m.hasTokenizer).toBe(true);
    const g = readSafetensors(await (await fetch('/tests/golden/llama3-f32/golden.safetensors')).arrayBuffer());
    const tokens = [...g.i32('tokens').slice(0, 12)];
    const r = await client.call('forward', { tokens: [tokens], adapter: false, logits: true });
    expect(r.shape).toEqual([1, 12, 260]);
    expect(errors(r.logits!, g.f32('logits').slice(0, 12 * 260)).maxAbs).toBeLessThan(1e-4);
  });

  it('token ids outside the vocabulary are a RangeError, and the engine keeps working', async () => {
    const e = await rejection(client.call('forward', { tokens: [[1, 999]], adapter: false, logits: false }));
    expect(e.name).toBe('RangeError');
    expect(e.message).toMatch(/vocabulary/);
    const ok = await client.call('forward', { tokens: [[1, 2, 3]], adapter: false, logits: false });
    expect(Number.isFinite(ok.loss)).toBe(true);
  });

  it('an adapter too large for the device is a GpuMemoryError', async () => {
    const e = await rejection(client.call('new-adapter', { config: { r: 4_000_000, alpha: 8, targets: ['q_proj'] }, seed: 1 }));
    expect(e.name).toBe('GpuMemoryError');
  });

  it('generates text with the tokenizer, streaming tokens; a seed reproduces a sample', async () => {
    await client.call('load-adapter', { url: ADAPTER });
    const events: number[][] = [];
    const req = { prompt: 'Hello', maxNewTokens: 6, temperature: 0.8, topP: 0.95, seed: 11, chat: true, adapter: true };
    const a = await client.call('generate', req, (ev) => ev.type === 'tokens' && events.push(ev.tokens));
    const b = await client.call('generate', req);
    expect(a.tokens).toEqual(b.tokens);
    expect(typeof a.text).toBe('string');
    expect(events.at(-1)).toEqual(a.tokens);
    expect(a.promptTokens).toBeGreaterThan(5); // chat template around "Hello"
  });
});
