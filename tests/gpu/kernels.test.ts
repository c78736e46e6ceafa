// Every kernel against its TypeScript twin on random small shapes. Tolerances: f32 kernels with short
// reductions agree to ~1e-6 relative; longer chains (attention, exp/log) are given 1e-5 (float32 rounding of
// the different summation orders, measured at ≤ 3e-6).
import { describe, expect, it } from 'vitest';
import { errors, gpuCase, randn } from './device.ts';
import { bf16ToF32, f32ToBf16 } from '../../src/engine/gpu/dtype.ts';
import { rmsnorm_backward, rmsnorm_forward } from '../../src/engine/kernels/norm/rmsnorm.ts';
import { rope_backward, rope_forward, ropeTable } from '../../src/engine/kernels/attention/rope.ts';
import { swiglu_backward, swiglu_forward } from '../../src/engine/kernels/elementwise/swiglu.ts';
import { attention_backward, attention_forward, type AttentionArgs } from '../../src/engine/kernels/attention/attention.ts';
import { cross_entropy_backward, cross_entropy_forward } from '../../src/engine/kernels/loss/cross_entropy.ts';
import { adamw_forward, adamwTable, type AdamWHyper } from '../../src/engine/kernels/optim/adamw.ts';
import { sum_squares_forward, PARTIALS } from '../../src/engine/kernels/optim/sum_squares.ts';
import { copy_forward, fill_forward } from '../../src/engine/kernels/elementwise/copy.ts';
import { embedding_forward } from '../../src/engine/kernels/elementwise/embedding.ts';
import { lora_merge_forward } from '../../src/engine/kernels/optim/lora_merge.ts';
import { attention_backward_twin, attention_forward_twin } from '../../src/engine/kernels/attention/attention.twin.ts';
import { rmsnorm_backward_twin, rmsnorm_forward_twin } from '../../src/engine/kernels/norm/rmsnorm.twin.ts';
import { rope_twin } from '../../src/engine/kernels/attention/rope.twin.ts';
import { swiglu_twin } from '../../src/engine/kernels/elementwise/swiglu.twin.ts';
import { cross_entropy_twin } from '../../src/engine/kernels/loss/cross_entropy.twin.ts';
import { adamw_twin } from '../../src/engine/kernels/optim/adamw.twin.ts';
import { sum_squares_twin } from '../../src/engine/kernels/optim/sum_squares.twin.ts';
import { copy_twin, fill_twin } from '../../src/engine/kernels/elementwise/copy.twin.ts';
import { embedding_twin } from '../../src/engine/kernels/elementwise/embedding.twin.ts';
import { lora_merge_twin } from '../../src/engine/kernels/optim/lora_merge.twin.ts';

const within = (got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string) => {
  const e = errors(got, want);
  expect(e.relNorm, `${what}: rel ${e.relNorm} max ${e.maxAbs}`).toBeLessThanOrEqual(tol);
};

describe('rmsnorm', () => {
  for (const [M, C, bf] of [[3, 8, false], [17, 64, true], [5, 132, false]] as const) {
    it(`forward + backward M=${M} C=${C} ${bf ? 'bf16' : 'f32'} weight`, () =>
      gpuCase(async (gpu, track) => {
        const inp = randn(M * C, M + C);
        let w: Float32Array = randn(C, 7).map((x) => 1 + 0.3 * x);
        const wBits = bf ? f32ToBf16(w) : w;
        if (bf) w = bf16ToF32(wBits as Uint16Array);
        const dout = randn(M * C, 11);
        const [gi, gw, go, gr, gd, gdi] = [
          gpu.upload('inp', inp), gpu.upload('w', wBits), gpu.buffer('out', M * C * 4), gpu.buffer('rstd', M * 4),
          gpu.upload('dout', dout), gpu.upload('dinp', new Float32Array(M * C).fill(0.5)),
        ].map(track);
        const args = { M, C, eps: 1e-5, dtype: bf ? ('bf16' as const) : ('f32' as const) };
        rmsnorm_forward(gpu, go, gr, gi, gw, args);
        rmsnorm_backward(gpu, gdi, gd, gi, gw, gr, args);
        const want = rmsnorm_forward_twin(inp, w, M, C, 1e-5);
        within(await gpu.readF32(go, M * C), want.out, 1e-6, 'out');
        within(await gpu.readF32(gr, M), want.rstd, 1e-6, 'rstd');
        const dinp = rmsnorm_backward_twin(dout, inp, w, M, C, 1e-5).map((x) => x + 0.5); // accumulates
        within(await gpu.readF32(gdi, M * C), dinp, 1e-6, 'dinp');
      }));
  }
});

describe('rope', () => {
  const invFreqOf = (D: number, theta: number) => new Float32Array(D / 2).map((_, i) => 1 / theta ** ((2 * i) / D));
  it('rotates q and k in one dispatch like the twin; backward inverts it', () =>
    gpuCase(async (gpu, track) => {
      const [M, H, KVH, D] = [7, 3, 2, 16];
      const invFreq = invFreqOf(D, 10000);
      const pos = [0, 1, 2, 5, 9, 100, 4000];
      const q = randn(M * H * D, 3), k = randn(M * KVH * D, 4);
      const t = { q: track(gpu.upload('q', q)), k: track(gpu.upload('k', k)), table: track(gpu.upload('rope-table', ropeTable(pos, invFreq))) };
      rope_forward(gpu, t, { M, H, KVH, D });
      within(await gpu.readF32(t.q, q.length), rope_twin(q, pos, invFreq, H), 1e-6, 'q');
      within(await gpu.readF32(t.k, k.length), rope_twin(k, pos, invFreq, KVH), 1e-6, 'k');
      rope_backward(gpu, t, { M, H, KVH, D });
      within(await gpu.readF32(t.q, q.length), q, 1e-6, 'q inverse');
      within(await gpu.readF32(t.k, k.length), k, 1e-6, 'k inverse');
    }));
  it('appends rotated keys and values to the cache rows past..past+T of each sequence, leaving the rest', () =>
    gpuCase(async (gpu, track) => {
      const [B, T, S, past, H, KVH, D] = [2, 3, 8, 4, 4, 2, 8];
      const M = B * T;
      const invFreq = invFreqOf(D, 500000);
      const pos = [4, 5, 6, 2, 3, 4];
      const q = randn(M * H * D, 5), k = randn(M * KVH * D, 6), v = randn(M * KVH * D, 7);
      const old = randn(B * S * KVH * D, 8);
      const t = { q: track(gpu.upload('q', q)), k: track(gpu.upload('k', k)), table: track(gpu.upload('t', ropeTable(pos, invFreq))) };
      const append = {
        v: track(gpu.upload('v', v)), kCache: track(gpu.upload('k-cache', old)), vCache: track(gpu.upload('v-cache', old)),
        T, S, past,
      };
      rope_forward(gpu, t, { M, H, KVH, D }, append);
      within(await gpu.readF32(t.q, q.length), rope_twin(q, pos, invFreq, H), 1e-6, 'q');
      expect(await gpu.readF32(t.k, k.length)).toEqual(k); // this call's keys stay as they were
      const row = KVH * D;
      const wantK = old.slice(), wantV = old.slice();
      const kRot = rope_twin(k, pos, invFreq, KVH);
      for (let b = 0; b < B; b++) {
        wantK.set(kRot.subarray(b * T * row, (b + 1) * T * row), (b * S + past) * row);
        wantV.set(v.subarray(b * T * row, (b + 1) * T * row), (b * S + past) * row);
      }
      within(await gpu.readF32(append.kCache, old.length), wantK, 1e-6, 'k cache');
      expect(await gpu.readF32(append.vCache, old.length)).toEqual(wantV);
    }));
});

describe('swiglu', () => {
  it('forward and backward', () =>
    gpuCase(async (gpu, track) => {
      const n = 301;
      const gate = randn(n, 1, 6), up = randn(n, 2), dout = randn(n, 3);
      const [gg, gu, go, gd, gdg, gdu] = [
        gpu.upload('gate', gate), gpu.upload('up', up), gpu.buffer('out', n * 4), gpu.upload('dout', dout),
        gpu.buffer('dgate', n * 4), gpu.buffer('dup', n * 4),
      ].map(track);
      swiglu_forward(gpu, go, gg, gu, n);
      swiglu_backward(gpu, gdg, gdu, gd, gg, gu, n);
      const want = swiglu_twin(gate, up, dout);
      within(await gpu.readF32(go, n), want.out, 1e-6, 'out');
      within(await gpu.readF32(gdg, n), want.dgate!, 1e-6, 'dgate');
      within(await gpu.readF32(gdu, n), want.dup!, 1e-6, 'dup');
    }));
});

describe('attention', () => {
  const cases: Array<[string, AttentionArgs, number[][]]> = [
    ['training batch with right padding, GQA 4:2', { B: 2, T: 6, S: 6, H: 4, KVH: 2, D: 8, past: 0 }, [[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0]]],
    ['left padding (a pad query sees nothing)', { B: 1, T: 5, S: 5, H: 2, KVH: 1, D: 16, past: 0 }, [[0, 0, 1, 1, 1]]],
    ['decode step against a cache (past = 4)', { B: 2, T: 1, S: 5, H: 4, KVH: 4, D: 8, past: 4 }, [[1, 1, 1, 1, 1], [0, 1, 1, 1, 1]]],
    ['chunked prefill (past = 3, T = 3)', { B: 1, T: 3, S: 6, H: 6, KVH: 2, D: 8, past: 3 }, [[1, 1, 1, 1, 1, 1]]],
  ];
  for (const [name, a, maskRows] of cases) {
    it(name, () =>
      gpuCase(async (gpu, track) => {
        const { B, T, S, H, KVH, D } = a;
        const t = {
          q: randn(B * T * H * D, 1), k: randn(B * S * KVH * D, 2), v: randn(B * S * KVH * D, 3),
          mask: Int32Array.from(maskRows.flat()),
        };
        const dout = randn(B * T * H * D, 4);
        const saved = {
          out: track(gpu.buffer('out', B * T * H * D * 4)), stats: track(gpu.buffer('stats', 2 * B * H * T * 4)),
          q: track(gpu.upload('q', t.q)), k: track(gpu.upload('k', t.k)), v: track(gpu.upload('v', t.v)),
          mask: track(gpu.upload('mask', t.mask)),
        };
        attention_forward(gpu, saved, a);
        within(await gpu.readF32(saved.out, B * T * H * D), attention_forward_twin(a, t), 1e-5, 'out');
        const g = {
          dq: track(gpu.buffer('dq', B * T * H * D * 4)), dk: track(gpu.buffer('dk', B * S * KVH * D * 4)),
          dv: track(gpu.buffer('dv', B * S * KVH * D * 4)),
        };
        attention_backward(gpu, g, track(gpu.upload('dout', dout)), saved, a);
        const want = attention_backward_twin(a, t, dout);
        within(await gpu.readF32(g.dq, want.dq.length), want.dq, 1e-5, 'dq');
        // dk/dv of keys before `past` are only defined for training (past = 0); compare the rows this call sees.
        if (a.past === 0) {
          within(await gpu.readF32(g.dk, want.dk.length), want.dk, 1e-5, 'dk');
          within(await gpu.readF32(g.dv, want.dv.length), want.dv, 1e-5, 'dv');
        }
      }));
  }

  // The GPU-class forward (attention_split.ts: a workgroup per query row, keys 64 at a time) on the same cases and
  // on the shapes it has edges for: more than one chunk of keys, padding inside a chunk, D above and off 64.
  const splitCases: Array<[string, AttentionArgs, number[][]]> = [
    ...cases,
    ['decode against 150 cached keys, padded start', { B: 2, T: 1, S: 150, H: 4, KVH: 2, D: 64, past: 149 },
      [Array(150).fill(1), [...Array(70).fill(0), ...Array(80).fill(1)]]],
    ['prefill of 70 keys, D = 128', { B: 1, T: 70, S: 70, H: 2, KVH: 1, D: 128, past: 0 }, [Array(70).fill(1)]],
    ['chunked prefill, D = 80', { B: 1, T: 3, S: 67, H: 2, KVH: 2, D: 80, past: 64 }, [Array(67).fill(1)]],
  ];
  for (const [name, a, maskRows] of splitCases) {
    it(`GPU-class forward: ${name}`, () =>
      gpuCase(async (gpu, track) => {
        const { B, T, S, H, KVH, D } = a;
        const t = {
          q: randn(B * T * H * D, 1), k: randn(B * S * KVH * D, 2), v: randn(B * S * KVH * D, 3),
          mask: Int32Array.from(maskRows.flat()),
        };
        const saved = {
          out: track(gpu.buffer('out', B * T * H * D * 4)), stats: track(gpu.buffer('stats', 2 * B * H * T * 4)),
          q: track(gpu.upload('q', t.q)), k: track(gpu.upload('k', t.k)), v: track(gpu.upload('v', t.v)),
          mask: track(gpu.upload('mask', t.mask)),
        };
        const kernels = gpu.options.kernels;
        gpu.options.kernels = 'gpu';
        try {
          attention_forward(gpu, saved, a);
        } finally {
          gpu.options.kernels = kernels;
        }
        within(await gpu.readF32(saved.out, B * T * H * D), attention_forward_twin(a, t), 1e-5, 'out');
        // the log-sum-exp the backward reads must match the one-row-per-invocation kernel's
        const lse = await gpu.readF32(saved.stats, B * H * T);
        attention_forward(gpu, saved, a);
        within(lse, await gpu.readF32(saved.stats, B * H * T), 1e-6, 'log-sum-exp');
      }));
  }
});

describe('cross_entropy', () => {
  it('loss and fused gradient in two row chunks, zero-weight rows silent', () =>
    gpuCase(async (gpu, track) => {
      const [R, V] = [6, 37];
      const logits = randn(R * V, 9, 4);
      const targets = Int32Array.from([3, 0, 36, 5, 7, 1]);
      const weights = Float32Array.from([1, 0, 1, 1, 0, 1]);
      const want = cross_entropy_twin(logits, targets, weights, V, 0.25);
      const [gl, gt, gw, gloss] = [
        gpu.upload('logits', logits), gpu.upload('targets', targets), gpu.upload('weights', weights), gpu.buffer('losses', R * 4),
      ].map(track);
      const chunk = track(gpu.buffer('chunk', 4 * V * 4));
      const dl = new Float32Array(R * V);
      for (const [r0, n] of [[0, 4], [4, 2]]) {
        copy_forward(gpu, chunk, gl, { rows: n, cols: V, srcOff: r0 * V });
        cross_entropy_backward(gpu, gloss, chunk, gt, gw, { R: n, V, rowOff: r0, gradScale: 0.25 });
        dl.set(await gpu.readF32(chunk, n * V), r0 * V);
      }
      within(await gpu.readF32(gloss, R), want.losses, 1e-6, 'losses');
      within(dl, want.dlogits, 1e-6, 'dlogits');
      cross_entropy_forward(gpu, gloss, gl, gt, gw, { R, V, rowOff: 0, gradScale: 1 });
      within(await gpu.readF32(gloss, R), want.losses, 1e-6, 'forward-only losses');
      within(await gpu.readF32(gl, R * V), logits, 0, 'forward-only leaves logits');
    }));
});

describe('optimizer', () => {
  it('sum_squares over more elements than one workgroup pass, per slot', () =>
    gpuCase(async (gpu, track) => {
      const [n, slots] = [70001, 3];
      const x = randn(n * slots, 5);
      const [gx, go, gp] = [gpu.upload('x', x), gpu.buffer('out', 4 * slots), gpu.buffer('partials', slots * PARTIALS * 4)].map(track);
      sum_squares_forward(gpu, go, gx, gp, n, slots);
      const want = sum_squares_twin(x, n, slots);
      const got = await gpu.readF32(go, slots);
      // f32 partial sums in a different order than the twin's sequential f64 sum: relative 1e-5 at 70k terms
      want.forEach((w, k) => expect(Math.abs(got[k] - w) / w).toBeLessThan(1e-5));
    }));
  for (const maxNorm of [0, 0.5]) {
    it(`adamw: 4 steps of 3 slots (own lr, clip, a late start, a frozen one) with ${maxNorm ? 'clipping' : 'no clip'} match the twin`, () =>
      gpuCase(async (gpu, track) => {
        const [n, S] = [257, 3];
        const h: AdamWHyper = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };
        const p = randn(n * S, 1), m = new Float32Array(n * S), v = new Float32Array(n * S);
        const s = {
          param: track(gpu.upload('p', p)), m: track(gpu.upload('m', m)), v: track(gpu.upload('v', v)),
          grad: track(gpu.buffer('g', n * S * 4)), normSq: track(gpu.buffer('n', 4 * S)), table: track(gpu.buffer('table', 32 * S)),
        };
        const partials = track(gpu.buffer('partials', S * PARTIALS * 4));
        const frozenBefore = p.slice(2 * n);
        for (let step = 1; step <= 4; step++) {
          // slot 0: lr 1e-2 from step 1; slot 1: lr 3e-3, clip 0.2, joins at step 2; slot 2: frozen throughout
          const slots = [{ lr: 1e-2, step, maxNorm }, step > 1 ? { lr: 3e-3, step: step - 1, maxNorm: maxNorm && 0.2 } : null, null];
          const g = randn(n * S, 10 + step, 0.2);
          gpu.write(s.grad, g);
          gpu.write(s.table, adamwTable(slots, h));
          sum_squares_forward(gpu, s.normSq, s.grad, partials, n, S);
          adamw_forward(gpu, s, n, S, h);
          adamw_twin(p, m, v, g, n, slots, h);
        }
        const got = await gpu.readF32(s.param, n * S);
        within(got, p, 1e-6, 'params');
        within(await gpu.readF32(s.v, n * S), v, 1e-5, 'second moment');
        within(got.slice(2 * n), frozenBefore, 0, 'a frozen slot is untouched');
      }));
  }
});

describe('embedding, copy, fill, merge', () => {
  it('embedding gathers packed bf16 rows', () =>
    gpuCase(async (gpu, track) => {
      const [V, C] = [11, 12];
      const table = f32ToBf16(randn(V * C, 2));
      const tokens = Int32Array.from([10, 0, 3, 3]);
      const out = track(gpu.buffer('out', tokens.length * C * 4));
      embedding_forward(gpu, out, track(gpu.upload('tok', tokens)), track(gpu.upload('table', table)), { M: 4, C, dtype: 'bf16' });
      const want = new Float32Array(tokens.length * C);
      embedding_twin(want, tokens, table, { M: 4, C, dtype: 'bf16' });
      within(await gpu.readF32(out, want.length), want, 0, 'rows');
    }));
  it('copy with strides and fill with an offset', () =>
    gpuCase(async (gpu, track) => {
      const src = randn(30, 1);
      const dst = track(gpu.upload('dst', new Float32Array(40)));
      const args = { rows: 3, cols: 4, srcOff: 2, lds: 10, dstOff: 1, ldd: 5 };
      copy_forward(gpu, dst, track(gpu.upload('src', src)), args);
      fill_forward(gpu, dst, 3, 7, 30);
      const got = await gpu.readF32(dst, 40);
      const want = new Float32Array(40);
      copy_twin(want, src, args);
      fill_twin(want, 3, 7, 30);
      expect([...got]).toEqual([...want]); // every element, the untouched ones included
      for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) expect(got[1 + r * 5 + c]).toBe(src[2 + r * 10 + c]);
      expect([...got.slice(30, 34)]).toEqual([7, 7, 7, 0]);
    }));
  for (const dtype of ['f32', 'bf16'] as const) {
    it(`lora merge into a ${dtype} weight`, () =>
      gpuCase(async (gpu, track) => {
        const [rows, cols, r, scale] = [6, 8, 3, 2];
        const w = randn(rows * cols, 1);
        const lora = randn(5 + r * cols + rows * r, 2); // A at 5, B after it
        const wBits = dtype === 'bf16' ? f32ToBf16(w) : w;
        const gw = track(gpu.upload('w', wBits));
        const args = { rows, cols, r, scale, dtype, aOff: 5, bOff: 5 + r * cols };
        lora_merge_forward(gpu, gw, track(gpu.upload('lora', lora)), args);
        const want = wBits.slice();
        lora_merge_twin(want, lora, args);
        const got = dtype === 'bf16'
          ? bf16ToF32(new Uint16Array(await gpu.read(gw, rows * cols * 2)))
          : await gpu.readF32(gw, rows * cols);
        const expected = dtype === 'bf16' ? bf16ToF32(want as Uint16Array) : want;
        // bf16: the GPU sum may land on the other side of a rounding boundary in rare cases (1 ulp = 2^-8 rel).
        within(got, expected, dtype === 'bf16' ? 4e-3 : 1e-6, 'merged');
      }));
  }
});
