// Seeded mutation fuzzer for the safetensors header parser/reader and the config.json parser. Every input must
// either parse or throw the parser's own error class; a TypeError, RangeError or a very slow input fails.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeRopeInvFreq, parseModelConfig, parseModelConfigText } from '../../src/engine/model/config.ts';
import { ModelConfigError, ModelFormatError } from '../../src/engine/model/errors.ts';
import { parseSafetensorsHeader, readSafetensors } from '../../src/engine/model/safetensors.ts';

/** Total fuzz inputs, split evenly between the two parsers. */
const FUZZ_ITERATIONS = 60_000;
const SEED = 0x5ea1;
/** Synchronous code cannot be interrupted, so a "hang" is caught as one input running this long. */
const SLOW_INPUT_MS = 250;

const CASES = ['llama3-f32', 'llama3-bf16', 'qwen2-f32', 'qwen2-bf16'];
const read = (path: string) => new Uint8Array(readFileSync(new URL(`../golden/${path}`, import.meta.url)));

/** xorshift32: tiny, seeded, reproducible. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>>= 0);
  };
  const int = (n: number) => next() % n;
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  return { next, int, pick, chance: (p: number) => next() / 2 ** 32 < p };
}
type Rng = ReturnType<typeof rng>;

const enc = new TextEncoder();
const dec = new TextDecoder();
const INTERESTING_BYTES = [...enc.encode('"{}[],:-.0123456789eE \\'), 0x00, 0x7f, 0x80, 0xc3, 0xff];
const INTERESTING_VALUES: unknown[] = [
  0, 1, -1, 2, 3, 7, 0.5, -0.0, 1e-300, 1e300, 2 ** 31, 2 ** 32 + 8, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), Number.MAX_VALUE,
  '', '0', '64', 'F32', 'BF16', 'Q4', 'llama3', 'yarn', 'silu', 'toString', '__proto__', null, true, false, [], {}, [0], [1, 2],
  [0, 0], [-1, 4], [1.5], { rope_type: 'llama3' }, 'x'.repeat(300),
];

/** Randomly mutates one value somewhere in a JSON tree (in place; returns the possibly new root). */
function mutateJson(root: unknown, r: Rng): unknown {
  // Collect (parent, key) slots with a random walk biased to go deep.
  let parent: Record<string, unknown> | unknown[] | null = null;
  let key: string | number = '';
  let node = root;
  while (node !== null && typeof node === 'object' && (!parent || r.chance(0.6))) {
    const keys: Array<string | number> = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    if (!keys.length) break;
    parent = node as Record<string, unknown>;
    key = r.pick(keys);
    node = (node as Record<string, unknown>)[key];
  }
  const mutate = (v: unknown): unknown => {
    switch (r.int(6)) {
      case 0: return r.pick(INTERESTING_VALUES) as unknown;
      case 1: return typeof v === 'number' ? -v : typeof v === 'string' ? Number(v) || v.slice(1) : v;
      case 2: return typeof v === 'number' ? String(v) : typeof v === 'string' ? `${v}${v}` : [v];
      case 3: return typeof v === 'number' ? v * r.pick([2, 1e9, 0.5, 1 / 3]) + r.pick([0, 1, -1]) : null;
      case 4: return typeof v === 'number' ? v + r.int(64) - 32 : { v };
      default: return structuredClone(r.pick(INTERESTING_VALUES));
    }
  };
  if (!parent) return r.chance(0.5) ? mutate(root) : root;
  const slot = parent as Record<string | number, unknown>;
  if (!Array.isArray(parent) && r.chance(0.2)) delete slot[key];
  else if (Array.isArray(parent) && r.chance(0.1)) parent.splice(Number(key), 1);
  else if (!Array.isArray(parent) && r.chance(0.1)) slot[r.pick(['__proto__', 'constructor', 'extra', `${key}2`])] = structuredClone(node);
  else slot[key] = mutate(node);
  return root;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Byte-level mutations: bit flips, insertions, deletions, truncation. */
function mutateBytes(b: Uint8Array, r: Rng, from: number, to: number): Uint8Array {
  const at = from + r.int(Math.max(1, to - from));
  switch (r.int(4)) {
    case 0: {
      const out = b.slice();
      for (let k = 1 + r.int(4); k > 0; k--) {
        const i = from + r.int(Math.max(1, to - from));
        if (i < out.length) out[i] ^= 1 << r.int(8);
      }
      return out;
    }
    case 1: {
      const ins = Array.from({ length: 1 + r.int(8) }, () => (r.chance(0.7) ? r.pick(INTERESTING_BYTES) : r.int(256)));
      return concat(b.subarray(0, at), Uint8Array.from(ins), b.subarray(at));
    }
    case 2:
      return concat(b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + r.int(8))));
    default:
      return b.slice(0, r.int(b.length + 1));
  }
}

interface Outcome { parsed: number; rejected: number; reasons: Map<string, number>; failures: string[]; slowest: number }
const outcome = (): Outcome => ({ parsed: 0, rejected: 0, reasons: new Map(), failures: [], slowest: 0 });

/** Runs one input; records whether it parsed, was rejected with `errorClass`, or failed the contract. */
function check(o: Outcome, errorClass: typeof ModelFormatError | typeof ModelConfigError, source: string, label: string, fn: () => void) {
  const t0 = performance.now();
  try {
    fn();
    o.parsed++;
  } catch (e) {
    if (e instanceof errorClass && e.message.startsWith(`${source}: `)) {
      o.rejected++;
      // Group messages by shape (numbers and quoted text removed) to see which checks the fuzzer reached.
      const reason = e.message.slice(source.length + 2).replace(/"(?:[^"\\]|\\.)*"|\[[^\]]*\]|\([^)]*\)|-?\d[\d.e+-]*/g, '_').replace(/\n\s*/g, ' | ').slice(0, 80);
      o.reasons.set(reason, (o.reasons.get(reason) ?? 0) + 1);
    } else if (o.failures.length < 10) {
      o.failures.push(`${label}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`.slice(0, 400));
    }
  }
  o.slowest = Math.max(o.slowest, performance.now() - t0);
  if (performance.now() - t0 > SLOW_INPUT_MS && o.failures.length < 10) o.failures.push(`${label}: took ${Math.round(performance.now() - t0)} ms`);
}

function report(name: string, o: Outcome, ms: number) {
  const top = [...o.reasons].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([m, n]) => `    ${n}\t${m}`);
  console.log(`${name}: ${o.parsed + o.rejected} inputs, ${o.parsed} parsed, ${o.rejected} rejected, ` +
    `${o.reasons.size} distinct rejection messages, ${Math.round(ms)} ms (slowest input ${o.slowest.toFixed(1)} ms)\n${top.join('\n')}`);
}

describe('fuzz', () => {
  it(`safetensors: ${FUZZ_ITERATIONS / 2} mutated headers parse or throw ModelFormatError`, { timeout: 120_000 }, () => {
    const r = rng(SEED);
    // Seeds: model files as a prefix (header + some data) with the real file size; adapters and the golden
    // tensors file whole, so parsed inputs also go through readSafetensors and every f32/i32 conversion.
    const seeds = [
      ...CASES.map((c) => {
        const b = read(`${c}/model/model.safetensors`);
        const h = parseSafetensorsHeader(b, b.length);
        return { bytes: b.slice(0, h.headerBytes + 256), fileSize: b.length, whole: false };
      }),
      ...['llama3-f32', 'qwen2-bf16'].map((c) => ({ bytes: read(`${c}/adapter/adapter_model.safetensors`), whole: true, fileSize: 0 })),
      { bytes: read('llama3-f32/golden.safetensors'), whole: true, fileSize: 0 },
    ];
    const o = outcome();
    const t0 = performance.now();
    for (let iter = 0; iter < FUZZ_ITERATIONS / 2; iter++) {
      const seed = r.pick(seeds);
      let bytes: Uint8Array = seed.bytes;
      let kind = '';
      for (let m = r.chance(0.5) ? 1 : 2 + r.int(2); m > 0; m--) {
        // End of the header as the current (possibly already mutated) length field says, clamped to the input.
        const headerEnd = bytes.length < 8 ? bytes.length
          : Math.min(bytes.length, 8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true)));
        const k = r.int(10);
        kind += `${k}`;
        if (k < 4) {
          // Structural: mutate the header JSON, re-serialize, and (usually) fix the length so deep checks run.
          let json: unknown;
          try {
            json = JSON.parse(dec.decode(bytes.subarray(8, headerEnd)));
          } catch {
            continue; // already broken by an earlier mutation
          }
          for (let j = r.chance(0.5) ? 1 : 2 + r.int(2); j > 0; j--) json = mutateJson(json, r);
          const text = enc.encode((JSON.stringify(json) ?? 'null') + ' '.repeat(r.int(9)));
          const out = new Uint8Array(8 + text.length + bytes.length - Math.min(headerEnd, bytes.length));
          new DataView(out.buffer).setBigUint64(0, BigInt(r.chance(0.9) ? text.length : Math.max(0, text.length + r.int(16) - 8)), true);
          out.set(text, 8);
          out.set(bytes.subarray(Math.min(headerEnd, bytes.length)), 8 + text.length);
          bytes = out;
        } else if (k < 8) {
          bytes = mutateBytes(bytes, r, 0, Math.min(headerEnd, bytes.length));
        } else {
          // Rewrite the u64 header length.
          const out = bytes.length >= 8 ? bytes.slice() : concat(bytes, new Uint8Array(8 - bytes.length));
          const len = BigInt(headerEnd - 8);
          const v = r.pick([0n, 1n, 2n, len - 1n, len + 1n, len + BigInt(r.int(64)) - 32n, BigInt(out.length - 8), BigInt(out.length - 7),
            100_000_001n, 2n ** 32n + len, 2n ** 53n + 1n, 2n ** 64n - 1n, BigInt(r.next())]);
          new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
          bytes = out;
        }
      }
      const fileSize = seed.whole ? bytes.length : Math.max(0, seed.fileSize + bytes.length - seed.bytes.length);
      check(o, ModelFormatError, 'fuzz.safetensors', `safetensors #${iter} (mutations ${kind})`, () => {
        if (!seed.whole) {
          parseSafetensorsHeader(bytes, fileSize, 'fuzz.safetensors');
          return;
        }
        const st = readSafetensors(bytes, 'fuzz.safetensors');
        for (const [name, t] of st.header.tensors) {
          st.tensor(name);
          if (['F32', 'F16', 'BF16', 'F64'].includes(t.dtype)) st.f32(name);
          if (['I32', 'I64'].includes(t.dtype)) st.i32(name);
        }
      });
    }
    const ms = performance.now() - t0;
    report('safetensors', o, ms);
    expect(o.failures).toEqual([]);
    expect(o.parsed + o.rejected).toBe(FUZZ_ITERATIONS / 2);
    // The structural mutations must reach the deep checks, not just JSON syntax errors.
    const reached = [...o.reasons.keys()].join('\n');
    for (const f of ['unknown dtype', 'invalid shape', 'bytes, but shape', 'overlap', 'outside the data section', 'larger than the file', 'not valid UTF', 'too small', '__metadata__']) {
      expect(reached).toContain(f);
    }
    expect(o.parsed).toBeGreaterThan(FUZZ_ITERATIONS / 200); // the mutator still produces valid inputs
  });

  it(`config.json: ${FUZZ_ITERATIONS / 2} mutated configs parse or throw ModelConfigError`, { timeout: 120_000 }, () => {
    const r = rng(SEED + 1);
    const texts = CASES.map((c) => dec.decode(read(`${c}/model/config.json`)));
    const llama = JSON.parse(texts[0]);
    // Extra seeds cover optional spellings: eos arrays, legacy rope type, transformers v5 rope_parameters.
    const { rope_scaling, rope_theta, ...v5 } = llama;
    texts.push(
      JSON.stringify({ ...llama, eos_token_id: [257, 258], architectures: undefined, head_dim: undefined, num_key_value_heads: undefined }),
      JSON.stringify({ ...llama, rope_scaling: { ...rope_scaling, rope_type: undefined, type: 'llama3' }, dtype: 'bfloat16' }),
      JSON.stringify({ ...v5, rope_parameters: { ...rope_scaling, rope_theta } }),
    );
    const o = outcome();
    const t0 = performance.now();
    for (let iter = 0; iter < FUZZ_ITERATIONS / 2; iter++) {
      const text = r.pick(texts);
      const label = `config #${iter}`;
      if (r.chance(0.75)) {
        let json: unknown = JSON.parse(text);
        for (let j = 1 + r.int(4); j > 0; j--) json = mutateJson(json, r);
        check(o, ModelConfigError, 'config.json', label, () => {
          const cfg = parseModelConfig(json);
          if (cfg.headDim <= 1024) computeRopeInvFreq(cfg); // parsed configs must give usable RoPE tables
        });
      } else {
        let bytes: Uint8Array = enc.encode(text);
        for (let m = 1 + r.int(3); m > 0; m--) bytes = mutateBytes(bytes, r, 0, bytes.length);
        check(o, ModelConfigError, 'config.json', label, () => void parseModelConfigText(dec.decode(bytes)));
      }
    }
    const ms = performance.now() - t0;
    report('config.json', o, ms);
    expect(o.failures).toEqual([]);
    expect(o.parsed + o.rejected).toBe(FUZZ_ITERATIONS / 2);
    const reached = [...o.reasons.keys()].join('\n');
    for (const f of ['invalid config', 'not valid JSON', 'is not supported']) expect(reached).toContain(f);
    expect(o.parsed).toBeGreaterThan(FUZZ_ITERATIONS / 200); // the mutator still produces valid inputs
  });
});
