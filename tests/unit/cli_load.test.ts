// The CLI's model loading (tools/lab/cli/load.ts): --quantize and --max-binding-mb parsing, and the progress printer
// — the weights' upload (bytes, tensors, rate) at most once a second with a last line, downloads as before — and
// generate's prefill / decode split (src/engine/model/generate.ts).
import { describe, expect, it } from 'vitest';
import { initRequest, progressPrinter, quantizeOf } from '../../tools/lab/cli/load.ts';
import { UsageError } from '../../tools/lab/cli/args.ts';
import { generationRates } from '../../src/engine/model/generate.ts';
import type { EngineEvent } from '../../src/protocol/api.ts';

const upload = (tensors: number, loaded: number, seconds: number): EngineEvent => ({
  type: 'upload', tensor: tensors ? `t${tensors}` : null, loaded, total: 2.47e9, tensors, tensorCount: 147, seconds, bytesPerSecond: seconds ? loaded / seconds : 0,
});

describe('CLI load flags', () => {
  it('--quantize takes none, q8, q4, auto (default none)', () => {
    expect(quantizeOf({})).toBe('none');
    for (const q of ['none', 'q8', 'q4', 'auto']) expect(quantizeOf({ quantize: q })).toBe(q);
    expect(() => quantizeOf({ quantize: 'q3' })).toThrow(UsageError);
    expect(() => quantizeOf({ quantize: 'q3' })).toThrow(/one of none, q8, q4, auto/);
  });

  it('--max-binding-mb is MiB (fractional allowed), at least 16 bytes', () => {
    expect(initRequest({})).toEqual({});
    expect(initRequest({ 'max-binding-mb': '128' })).toEqual({ maxBindingBytes: 128 * 2 ** 20 });
    expect(initRequest({ 'max-binding-mb': '0.004' })).toEqual({ maxBindingBytes: Math.floor(0.004 * 2 ** 20) });
    expect(() => initRequest({ 'max-binding-mb': '0' })).toThrow(UsageError);
    expect(() => initRequest({ 'max-binding-mb': 'big' })).toThrow(UsageError);
  });
});

describe('CLI progress printer', () => {
  it('prints the upload at most once a second, and always its last event', () => {
    const lines: string[] = [];
    let now = 0;
    const print = progressPrinter({ write: (s) => lines.push(s) }, () => now);
    print(upload(0, 0, 0));
    now = 400;
    print(upload(1, 525e6, 0.4)); // within the second: not printed
    now = 1100;
    print(upload(5, 700e6, 1.1));
    now = 1500;
    print(upload(147, 2.47e9, 1.5)); // the last: always
    expect(lines).toEqual([
      'weights: 0.0 kB of 2.47 GB (0%), 0/147 tensors\n',
      'weights: 700.0 MB of 2.47 GB (28%), 5/147 tensors, 636.4 MB/s\n',
      'weights: 2.47 GB, 147 tensors read and on the GPU in 1.5 s, 1.65 GB/s\n',
    ]);
  });

  it('downloads: a line per file per second, the cache hit and the end', () => {
    const lines: string[] = [];
    let now = 0;
    const print = progressPrinter({ write: (s) => lines.push(s) }, () => now);
    const dl = (loaded: number, done = false, fromCache = false, file = 'model.safetensors'): EngineEvent =>
      ({ type: 'download', file, loaded, total: 2e6, bytesPerSecond: 1e6, etaSeconds: 1, resumedFrom: 0, done, fromCache });
    print(dl(1e6));
    now = 500;
    print(dl(1.5e6));
    print(dl(2e6, true));
    print(dl(5e3, true, true, 'config.json'));
    expect(lines).toEqual([
      'model.safetensors: 1.0 MB of 2.0 MB (50%), 1.0 MB/s, 1 s left\n',
      'model.safetensors: 2.0 MB downloaded\n',
      'config.json: from the cache (5.0 kB)\n',
    ]);
  });
});

describe('generate timing', () => {
  it('prefill is the prompt up to the first token; decode the rest, one token per step', () => {
    const r = generationRates(20, 5, 1000, 5000, 9000);
    expect(r.prefill).toEqual({ tokens: 20, seconds: 4, tokensPerSecond: 5 });
    expect(r.decode).toEqual({ tokens: 4, seconds: 4, tokensPerSecond: 1 });
    // One new token: nothing decoded yet; none at all: no prefill ran either.
    expect(generationRates(20, 1, 0, 2000, 2000).decode).toEqual({ tokens: 0, seconds: 0, tokensPerSecond: null });
    expect(generationRates(20, 0, 0, null, 10)).toEqual({ prefill: { tokens: 20, seconds: 0, tokensPerSecond: null }, decode: { tokens: 0, seconds: 0, tokensPerSecond: null } });
  });
});
