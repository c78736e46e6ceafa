// Numerical guards: non-finite weights at load, a diverging inner loop, a poisoned M-step. Nothing non-finite
// gets in, nothing breaks the base, and the run goes on where it can (issue: numerical guards).
import { describe, expect, it } from 'vitest';
import { gpuCase } from './device.ts';
import { count_nonfinite_forward } from '../../src/engine/kernels/checks/count_nonfinite.ts';
import { count_nonfinite_twin } from '../../src/engine/kernels/checks/count_nonfinite.twin.ts';
import { httpFolder, loadModel, type FileGetter } from '../../src/engine/model/loader.ts';
import { readSafetensors } from '../../src/engine/model/safetensors.ts';
import { given } from '../../src/seal/core/sample.ts';
import { SealLoop } from '../../src/seal/core/loop.ts';
import { ITEMS, SETTINGS, setup, toyTrack, type ToyEvent, type ToyItem } from './toy_track.ts';

/** The golden folder (f32 or bf16) with the first `n` values of `tensor` set to NaN (and one to +Inf). */
function poisoned(kind: 'f32' | 'bf16', tensor: string, n: number): FileGetter {
  const folder = httpFolder(`/tests/golden/llama3-${kind}/model`);
  return async (name) => {
    const b = await folder(name);
    if (name !== 'model.safetensors' || !b) return b;
    const copy = new Uint8Array(b.slice(0));
    const raw = readSafetensors(copy).tensor(tensor);
    if (kind === 'f32') {
      const f = new Float32Array(raw.buffer, raw.byteOffset, n);
      f.fill(NaN);
      f[n - 1] = Infinity;
    } else {
      const h = new Uint16Array(raw.buffer, raw.byteOffset, n);
      h.fill(0x7fc0); // bf16 NaN
      h[n - 1] = 0x7f80; // bf16 +Inf
    }
    return copy.buffer;
  };
}

describe('non-finite weights at load', () => {
  it('count_nonfinite matches its twin on f32 and packed bf16/f16 bits', () =>
    gpuCase(async (gpu, track) => {
      const f = Float32Array.from({ length: 301 }, (_, i) => (i % 7 === 0 ? NaN : i % 11 === 0 ? -Infinity : i));
      const h = Uint16Array.from({ length: 302 }, (_, i) => (i % 5 === 0 ? 0x7f81 : i % 13 === 0 ? 0xff80 : i)); // bf16 NaN / −Inf
      const g = Uint16Array.from({ length: 302 }, (_, i) => (i % 6 === 0 ? 0x7c00 : i % 9 === 0 ? 0x7e01 : i)); // f16 +Inf / NaN
      const counts = track(gpu.buffer('counts', 16));
      count_nonfinite_forward(gpu, counts, track(gpu.upload('f', f)), { n: 300, dtype: 'f32', slot: 0, off: 1 });
      count_nonfinite_forward(gpu, counts, track(gpu.upload('h', h)), { n: 301, dtype: 'bf16', slot: 1, off: 1 });
      count_nonfinite_forward(gpu, counts, track(gpu.upload('g', g)), { n: 302, dtype: 'f16', slot: 2 });
      const got = [...new Uint32Array(await gpu.read(counts, 16))];
      expect(got).toEqual([count_nonfinite_twin(f, 'f32', 300, 1), count_nonfinite_twin(h, 'bf16', 301, 1), count_nonfinite_twin(g, 'f16', 302), 0]);
      expect(got[0]).toBeGreaterThan(0);
    }));

  for (const [kind, quantize] of [['f32', 'none'], ['bf16', 'none'], ['bf16', 'q8']] as const) {
    it(`a ${kind} checkpoint with NaN weights (${quantize === 'none' ? 'as stored' : 'quantised on load'}) is a ModelFormatError naming the tensor; nothing stays on the GPU`, () =>
      gpuCase(async (gpu) => {
        const before = gpu.allocatedBytes;
        const get = poisoned(kind, 'model.layers.1.mlp.up_proj.weight', 100);
        const e = await loadModel(gpu, get, { quantize }).then(() => null, (x: Error) => x);
        expect(e?.name).toBe('ModelFormatError');
        expect(e?.message).toMatch(/"model\.layers\.1\.mlp\.up_proj\.weight" \(100 values\)/);
        expect(e?.message).toMatch(/allowNonFinite/);
        expect(gpu.allocatedBytes).toBe(before);
        // Asked for explicitly, it loads (to inspect a broken checkpoint).
        const m = await loadModel(gpu, get, { quantize, allowNonFinite: true });
        m.destroy();
        expect(gpu.allocatedBytes).toBe(before);
      }));
  }
});

// An infinite learning rate (what a corrupt self-edit or setting could ask for) makes the first update Inf·0 = NaN.
// (A merely huge one, 1e30, stays finite here: RMSNorm rescales the huge activations; the loss-spike flag is for that.)
describe('training guards in the SEAL loop', () => {
  const BAD: ToyItem = { id: 'bad', target: ITEMS.eval[0].target, lr: Infinity };

  it('an inner loop at an absurd learning rate stops at once with reward 0; the next self-edit, and one trained beside it, are unaffected', () =>
    gpuCase(async (gpu) => {
      const events: ToyEvent[] = [];
      const ctx = await setup(gpu, events);
      const settings = { ...SETTINGS, tttSeeds: 1 };
      const accept = (t: string) => ({ ok: true as const, edit: t, canonical: t });
      const good = ITEMS.eval[0];
      const curve = (from: ToyEvent[], id: string) => from.flatMap((e) => (e.type === 'ttt-loss' && e.rolloutId === id ? [e.loss] : []));

      const loop = new SealLoop(ctx, toyTrack(ctx, settings, accept), { train: [], eval: [BAD, good] });
      const [bad] = await loop.applySelfEdits(BAD, [given('x', 'x')], 'given', 0, () => 11);
      const [after] = await loop.applySelfEdits(good, [given('y', 'y')], 'given', 0, () => 12);
      // the same two inner loops side by side, in two adapter slots (the toy's edit "lr=…" sets the slot's rate)
      const [badBeside, beside] = await loop.applySelfEdits(good, [given('lr=Infinity', 'lr=Infinity'), given('y', 'y')], 'given', 0, (j) => 11 + j);
      const own: ToyEvent[] = []; // rollout ids restart in a new loop: its own events
      const ctx2 = { ...ctx, emit: (e: ToyEvent) => own.push(e) };
      const alone = new SealLoop(ctx2, toyTrack(ctx2, settings, accept), { train: [], eval: [good] });
      const [clean] = await alone.applySelfEdits(good, [given('y', 'y')], 'given', 0, () => 12);
      ctx.model.destroy();

      expect(badBeside.reward).toBe(0);
      expect(badBeside.reason).toMatch(/^diverged at step [12] /);
      expect(curve(events, beside.id)).toEqual(curve(own, clean.id)); // one slot's divergence leaves its neighbour bit-identical
      expect(beside.reward).toBe(clean.reward);

      expect(bad.reward).toBe(0);
      expect(bad.reason).toMatch(/^diverged at step [12] \(loss (NaN|Infinity|[0-9.e+]+)\)/);
      expect(events.some((e) => e.type === 'phase' && e.phase === 'inner-loop' && /diverged/.test(e.explain))).toBe(true);
      expect(curve(events, after.id)).toHaveLength(3);
      expect(curve(events, after.id)).toEqual(curve(own, clean.id)); // bit-identical: a fresh adapter and optimizer
      expect(after.reward).toBe(clean.reward);
    }));

  it('a poisoned M-step is not merged: the generator is bit-identical to before the round, and the run goes on (or stops, if asked)', () =>
    gpuCase(async (gpu) => {
      const events: ToyEvent[] = [];
      const ctx = await setup(gpu, events);
      const accept = (t: string) => ({ ok: true as const, edit: t, canonical: t || '(empty)' });
      const poisonedRestEm = { ...SETTINGS, tttSeeds: 1, samplesPerTrainItem: 1, samplesPerEvalItem: 1, restEm: { ...SETTINGS.restEm, lr: Infinity } };
      const probe = { B: 1, T: 5, tokens: Int32Array.from([256, 65, 66, 67, 68]), mask: new Int32Array(5).fill(1) };
      const before = (await ctx.model.forward(probe, { logits: true })).logits!;
      const track = toyTrack(ctx, poisonedRestEm, accept);
      const result = await new SealLoop(ctx, { ...track, baselines: [] }, ITEMS).run(null);
      const after = (await ctx.model.forward(probe, { logits: true })).logits!;

      expect([...after]).toEqual([...before]);
      const warning = events.find((e) => e.type === 'warning');
      expect(warning).toMatchObject({ message: expect.stringMatching(/ReST-EM round 1 failed: the M-step (training diverged|.*NaN or infinite).*keeps its weights/) });
      expect(events.some((e) => e.type === 'phase' && e.phase === 'sft' && /nothing was merged|round 1 failed/.test(e.explain))).toBe(true);
      expect(events.some((e) => e.type === 'phase' && e.phase === 'merge')).toBe(false);
      expect(result.methods.map((m) => `${m.method}${m.round}`)).toEqual(['seal1']); // evaluated all the same

      const stopping = toyTrack(ctx, { ...poisonedRestEm, onFailedRound: 'stop' }, accept);
      await expect(new SealLoop(ctx, { ...stopping, baselines: [] }, ITEMS).run(null)).rejects.toThrow(/round 1 failed/);
      ctx.model.destroy();
    }), 180_000);
});
