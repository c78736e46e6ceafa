// Bad input and lost devices: clear errors, nothing left half-made.
import { describe, expect, it } from 'vitest';
import { EngineHost } from '../../src/protocol/host.ts';
import { loadModel, type FileGetter, httpFolder } from '../../src/engine/model/loader.ts';
import { gpuCase } from './device.ts';

const golden = httpFolder('/tests/golden/llama3-bf16/model');

/** The golden folder with one file replaced. */
const patched = (name: string, edit: (b: ArrayBuffer) => ArrayBuffer): FileGetter => async (n) => {
  const b = await golden(n);
  return n === name && b ? edit(b) : b;
};

describe('loading rejects bad models', () => {
  const cases: Array<[string, FileGetter, string, RegExp]> = [
    ['truncated weights', patched('model.safetensors', (b) => b.slice(0, b.byteLength - 100)), 'ModelFormatError', /model\.safetensors/],
    ['corrupt header length', patched('model.safetensors', (b) => { const c = b.slice(0); new DataView(c).setUint32(0, 0x7fffffff, true); return c; }), 'ModelFormatError', /header/],
    ['config that does not match the weights', patched('config.json', (b) => {
      const cfg = JSON.parse(new TextDecoder().decode(b));
      cfg.intermediate_size = 96;
      return new TextEncoder().encode(JSON.stringify(cfg)).buffer as ArrayBuffer;
    }), 'ModelFormatError', /mlp\.gate_proj\.weight" has shape \[160,64\] but config\.json implies \[96,64\]/],
    ['unsupported architecture', patched('config.json', () => new TextEncoder().encode('{"architectures":["MistralForCausalLM"],"model_type":"mistral"}').buffer as ArrayBuffer), 'ModelConfigError', /Mistral/],
    ['config that is not JSON', patched('config.json', () => new TextEncoder().encode('{nope').buffer as ArrayBuffer), 'ModelConfigError', /not valid JSON/],
  ];
  for (const [what, get, name, msg] of cases) {
    it(what, () =>
      gpuCase(async (gpu) => {
        const e = await loadModel(gpu, get).then(() => null, (x: Error) => x);
        expect(e?.name).toBe(name);
        expect(e?.message).toMatch(msg);
      }));
  }
});

describe('a lost GPU device', () => {
  it('turns every later request into a DeviceLostError until init', async () => {
    const host = new EngineHost(navigator.gpu);
    const noop = () => {};
    await host.handle('init', {}, noop);
    await host.handle('load-model', { url: new URL('/tests/golden/llama3-f32/model', location.origin).href }, noop);
    // Simulate the loss (driver reset, tab backgrounded on mobile): destroy the device under the engine.
    (host as unknown as { gpu: { device: GPUDevice } }).gpu.device.destroy();
    await new Promise((r) => setTimeout(r, 50));
    const e = await host.handle('forward', { tokens: [[1, 2]], adapter: false, logits: false }, noop).then(() => null, (x: Error) => x);
    expect(e?.name).toBe('DeviceLostError');
    expect(e?.message).toMatch(/init/);
    await host.handle('init', {}, noop);
    await host.handle('load-model', { url: new URL('/tests/golden/llama3-f32/model', location.origin).href }, noop);
    const ok = await host.handle('forward', { tokens: [[1, 2]], adapter: false, logits: false }, noop);
    expect(Number.isFinite(ok.loss)).toBe(true);
  });
});
