import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ModelFormatError } from '../../src/engine/model/errors.ts';
import {
  DTYPE_BYTES,
  parseSafetensorsHeader,
  readSafetensors,
  writeSafetensors,
  type TensorToWrite,
} from '../../src/engine/model/safetensors.ts';

const golden = (path: string) => new Uint8Array(readFileSync(new URL(`../golden/${path}`, import.meta.url)));

/** A file made of the given header text (padded to 8) and `dataBytes` zero bytes. */
function file(header: string | object, dataBytes = 0): Uint8Array {
  let json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  json = Uint8Array.from([...json, ...new Array((8 - (json.length % 8)) % 8).fill(0x20)]);
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

/** Asserts `fn` throws ModelFormatError whose message contains every fragment. */
function expectFormatError(fn: () => unknown, ...fragments: string[]) {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ModelFormatError);
  expect((err as Error).name).toBe('ModelFormatError');
  for (const f of fragments) expect((err as Error).message).toContain(f);
}

/** f32 -> bf16 bits, round to nearest even (torch's .to(bfloat16)). */
function bf16Bits(x: number): number {
  const u = new Uint32Array(new Float32Array([x]).buffer)[0];
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

describe('golden files', () => {
  for (const arch of ['llama3', 'qwen2'] as const) {
    it(`${arch}: names, shapes, dtypes, values; bf16 file is the f32 weights rounded`, () => {
      const f32 = readSafetensors(golden(`${arch}-f32/model/model.safetensors`), 'model.safetensors');
      const bf16 = readSafetensors(golden(`${arch}-bf16/model/model.safetensors`), 'model.safetensors');
      expect(f32.header.metadata).toEqual({ format: 'pt' });
      expect(f32.header.headerBytes % 8).toBe(0);
      expect(f32.header.dataStart).toBe(f32.header.headerBytes);
      const names = [...f32.header.tensors.keys()];
      expect(names).toEqual([...bf16.header.tensors.keys()]);
      expect(names.length).toBe(arch === 'llama3' ? 21 : 26);
      expect(names.includes('lm_head.weight')).toBe(arch === 'llama3'); // qwen2 golden ties embeddings
      const q = f32.header.tensors.get('model.layers.1.self_attn.q_proj.weight')!;
      expect(q).toMatchObject({ dtype: 'F32', shape: [64, 64] });
      expect(bf16.header.tensors.get('model.layers.1.self_attn.k_proj.weight')).toMatchObject({ dtype: 'BF16', shape: [32, 64] });
      expect(f32.header.tensors.get('model.layers.0.mlp.down_proj.weight')!.shape).toEqual([64, arch === 'llama3' ? 160 : 128]);
      if (arch === 'qwen2') expect(f32.header.tensors.get('model.layers.0.self_attn.k_proj.bias')!.shape).toEqual([32]);

      const e32 = f32.f32('model.embed_tokens.weight');
      const e16 = bf16.f32('model.embed_tokens.weight');
      expect(e32.length).toBe(260 * 64);
      const want = arch === 'llama3' ? [-0.1117185652256012, -0.49659010767936707, 0.16307370364665985] : [0.12036669999361038, -0.2410268485546112, 0.012893554754555225];
      expect([...e32.slice(0, 3)]).toEqual(want);
      expect(e16[0]).toBe(arch === 'llama3' ? -0.11181640625 : 0.12060546875);
      for (const name of names) {
        const a = f32.f32(name);
        const raw = bf16.tensor(name);
        const b = new Uint16Array(raw.slice().buffer);
        expect(b.length).toBe(a.length);
        for (let i = 0; i < a.length; i++) if (b[i] !== bf16Bits(a[i])) throw new Error(`${name}[${i}] differs`);
      }
    });
  }

  it('golden.safetensors: I32 and F32 tensors, two metadata keys', () => {
    const g = readSafetensors(golden('llama3-f32/golden.safetensors'));
    expect(g.header.metadata).toEqual({ format: 'seal-golden', version: '1' });
    expect([...g.i32('tokens').slice(0, 12)]).toEqual([35, 75, 81, 28, 233, 56, 223, 79, 225, 183, 100, 33]);
    expect([...g.i32('prompt_len')]).toEqual([5, 4]);
    expect([...g.i32('attention_mask').slice(12)]).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
    expect(g.f32('loss')[0]).toBe(Math.fround(7.916042804718018));
  });

  // The Python writer (tools/verify/reference/safetensors_io.py) and the Rust library write `__metadata__` first,
  // tensors sorted by name with contiguous data, compact JSON padded with spaces to 8 bytes: so our writer
  // reproduces every golden file byte for byte from its parsed contents.
  const files = ['llama3-f32/adapter/adapter_model.safetensors', 'qwen2-bf16/adapter/adapter_model.safetensors',
    'llama3-f32/model/model.safetensors', 'qwen2-bf16/model/model.safetensors', 'qwen2-f32/golden.safetensors'];
  for (const path of files) {
    it(`rewrites ${path} byte for byte`, () => {
      const bytes = golden(path);
      const st = readSafetensors(bytes);
      const tensors = [...st.header.tensors.values()].reverse().map((t) => ({ ...t, data: st.tensor(t.name) }));
      const out = writeSafetensors(tensors, st.header.metadata);
      expect(out.length).toBe(bytes.length);
      expect(out.findIndex((b, i) => b !== bytes[i])).toBe(-1); // first differing byte (toEqual is slow on 480 KB)
    });
  }
});

describe('write -> read round trip', () => {
  const f16 = new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001, 0x8400, 0x7c00, 0xfc00, 0x7e00]);
  const tensors: TensorToWrite[] = [
    { name: 'odd', dtype: 'U8', shape: [3], data: new Uint8Array([1, 2, 3]) }, // makes later tensors unaligned
    { name: 'w', dtype: 'F32', shape: [2, 3], data: new Float32Array([1, -2, 3.5, 0, 1e-30, -Infinity]) },
    { name: 'h', dtype: 'F16', shape: [8], data: f16 },
    { name: 'b', dtype: 'BF16', shape: [2], data: new Uint16Array([0x3f80, 0xc0a0]) },
    { name: 'ids', dtype: 'I32', shape: [2, 2], data: new Int32Array([0, -1, 2 ** 31 - 1, -(2 ** 31)]) },
    { name: 'big', dtype: 'I64', shape: [3], data: new Uint8Array(new BigInt64Array([5n, -7n, -(2n ** 31n)]).buffer) },
    { name: 'empty', dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
    { name: 'scalar', dtype: 'F32', shape: [], data: new Float32Array([42]) },
    { name: '10', dtype: 'U8', shape: [1], data: new Uint8Array([10]) }, // integer-like names keep string order
    { name: '9', dtype: 'U8', shape: [1], data: new Uint8Array([9]) },
    { name: '__proto__', dtype: 'U8', shape: [1], data: new Uint8Array([7]) },
  ];
  const bytes = writeSafetensors(tensors, { format: 'pt', note: 'x' });
  const st = readSafetensors(bytes.buffer, 'rt.safetensors');

  it('header: sorted names, padded to 8, contiguous offsets', () => {
    expect(st.header.headerBytes % 8).toBe(0);
    const names = [...st.header.tensors.keys()];
    expect(names).toEqual(['10', '9', '__proto__', 'b', 'big', 'empty', 'h', 'ids', 'odd', 'scalar', 'w']);
    let end = 0;
    for (const t of st.header.tensors.values()) {
      expect(t.begin).toBe(end);
      end = t.end;
    }
    expect(st.header.dataStart + end).toBe(bytes.length);
    expect(st.header.metadata).toEqual({ format: 'pt', note: 'x' });
  });

  it('values: f32 views and conversions, i32 from I32 and I64', () => {
    expect([...st.f32('w')]).toEqual([1, -2, 3.5, 0, Math.fround(1e-30), -Infinity]);
    expect([...st.f32('h')]).toEqual([1, -2, 65504, 2 ** -24, -(2 ** -14), Infinity, -Infinity, NaN]);
    expect([...st.f32('b')]).toEqual([1, -5]);
    expect([...st.i32('ids')]).toEqual([0, -1, 2 ** 31 - 1, -(2 ** 31)]);
    expect([...st.i32('big')]).toEqual([5, -7, -(2 ** 31)]);
    expect(st.f32('empty').length).toBe(0);
    expect([...st.f32('scalar')]).toEqual([42]);
    expect([...st.tensor('__proto__')]).toEqual([7]);
    expect(DTYPE_BYTES.BF16).toBe(2);
  });

  it('aligned F32 is a view of the input, unaligned is copied', () => {
    const aligned = writeSafetensors([{ name: 'w', dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) }]);
    const v = readSafetensors(aligned).f32('w');
    expect(v.buffer).toBe(aligned.buffer);
    const shifted = new Uint8Array(aligned.length + 1);
    shifted.set(aligned, 1);
    const c = readSafetensors(shifted.subarray(1)).f32('w');
    expect(c.buffer).not.toBe(shifted.buffer);
    expect([...c]).toEqual([1, 2]);
  });

  it('I64 outside int32 and wrong dtypes are rejected', () => {
    const f = readSafetensors(writeSafetensors([
      { name: 'x', dtype: 'I64', shape: [1], data: new Uint8Array(new BigInt64Array([2n ** 31n]).buffer) },
    ]), 'x.safetensors');
    expectFormatError(() => f.i32('x'), 'x.safetensors', 'outside the int32 range');
    expectFormatError(() => f.f32('x'), 'tensor "x" is I64, expected F32');
    expectFormatError(() => st.i32('w'), 'tensor "w" is F32, expected I32 or I64');
  });

  it('writer rejects bad input', () => {
    expectFormatError(() => writeSafetensors([{ name: 'a', dtype: 'F32', shape: [3], data: new Float32Array(2) }]), 'has 8 bytes', 'needs 12');
    const t = { name: 'a', dtype: 'U8', shape: [1], data: new Uint8Array(1) } as const;
    expectFormatError(() => writeSafetensors([t, t]), 'appears twice');
    expectFormatError(() => writeSafetensors([{ ...t, name: '__metadata__' }]), 'reserved');
  });
});

describe('header validation errors', () => {
  const ok = { w: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] } };
  const tensorFile = (entry: object, dataBytes = 24) => file({ w: entry }, dataBytes);
  const parse = (b: Uint8Array) => parseSafetensorsHeader(b, b.length, 'model.safetensors');

  it('accepts the minimal valid file', () => {
    expect(parse(file(ok, 24)).tensors.get('w')).toEqual({ name: 'w', dtype: 'F32', shape: [2, 3], begin: 0, end: 24 });
  });
  it('too short', () => expectFormatError(() => parse(new Uint8Array(5)), 'model.safetensors: file is 5 bytes, too short'));
  it('bad header length', () => {
    const b = file(ok, 24);
    const dv = new DataView(b.buffer);
    dv.setBigUint64(0, 1n, true);
    expectFormatError(() => parse(b), 'header length 1 is too small');
    dv.setBigUint64(0, 123456789n, true);
    expectFormatError(() => parse(b), `header length 123456789 is larger than the file (${b.length} bytes)`);
    dv.setBigUint64(0, 2n ** 64n - 1n, true);
    expectFormatError(() => parse(b), 'header length 18446744073709551615 is larger than the file');
    dv.setBigUint64(0, 100_000_008n, true);
    expectFormatError(() => parseSafetensorsHeader(b, 200_000_000), 'exceeds the 100 MB limit');
    dv.setBigUint64(0, 2000n, true);
    expectFormatError(() => parseSafetensorsHeader(b, 4000), 'only 96 bytes given', 'pass the first 2008 bytes');
  });
  it('header not JSON / not UTF-8 / not an object', () => {
    expectFormatError(() => parse(file('{"w": {"dtype": "F32",')), 'header is not valid UTF-8 JSON');
    const bad = file('{"\u00e9":1}');
    bad[10] = 0xff; // break the 2-byte UTF-8 sequence
    expectFormatError(() => parse(bad), 'not valid UTF-8 JSON');
    expectFormatError(() => parse(file('[1,2,3]')), 'header must be a JSON object, got [1,2,3]');
  });
  it('metadata not strings', () => {
    expectFormatError(() => parse(file({ __metadata__: { format: 'pt', n: 3 } })), '__metadata__ must map strings to strings, but "n" is 3');
    expectFormatError(() => parse(file({ __metadata__: ['pt'] })), '__metadata__ must be an object');
  });
  it('entry not an object', () => expectFormatError(() => parse(file({ w: [1] })), 'tensor "w" must be an object'));
  it('unknown dtype', () => {
    expectFormatError(() => parse(tensorFile({ ...ok.w, dtype: 'Q4' })), 'model.safetensors: tensor "w" has unknown dtype "Q4"');
    expectFormatError(() => parse(tensorFile({ ...ok.w, dtype: 'toString' })), 'unknown dtype "toString"');
  });
  it('negative or non-integer shape', () => {
    expectFormatError(() => parse(tensorFile({ ...ok.w, shape: [2, -3] })), 'tensor "w" has invalid shape [2,-3]');
    expectFormatError(() => parse(tensorFile({ ...ok.w, shape: [2, 1.5] })), 'invalid shape [2,1.5]');
    expectFormatError(() => parse(tensorFile({ ...ok.w, shape: '6' })), 'invalid shape "6"');
  });
  it('size mismatch', () => {
    expectFormatError(() => parse(tensorFile({ ...ok.w, shape: [2, 4] })), 'model.safetensors: tensor "w" has 24 bytes, but shape [2,4] of F32 needs 32');
    expectFormatError(() => parse(tensorFile({ ...ok.w, shape: [2 ** 40, 2 ** 20] })), 'needs'); // overflowing product
  });
  it('out-of-range or malformed offsets', () => {
    expectFormatError(() => parse(tensorFile({ ...ok.w, data_offsets: [0, 24] }, 20)), 'data_offsets [0,24] outside the data section (0..20 bytes)');
    expectFormatError(() => parse(tensorFile({ ...ok.w, data_offsets: [-4, 20] })), 'outside the data section');
    expectFormatError(() => parse(tensorFile({ ...ok.w, data_offsets: [24, 0] })), 'outside the data section');
    expectFormatError(() => parse(tensorFile({ ...ok.w, data_offsets: [0, 24, 1] })), 'invalid data_offsets [0,24,1]');
    expectFormatError(() => parse(tensorFile({ ...ok.w, data_offsets: [0, '24'] })), 'invalid data_offsets');
  });
  it('overlapping offsets', () => {
    const h = {
      a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] },
      b: { dtype: 'F32', shape: [2], data_offsets: [20, 28] },
      c: { dtype: 'F32', shape: [2], data_offsets: [8, 16] },
      z: { dtype: 'F32', shape: [0], data_offsets: [4, 4] }, // empty tensors occupy nothing
    };
    expectFormatError(() => parse(file(h, 28)), 'model.safetensors: tensor "c" offsets [8,16] overlap "a" [0,16]');
    const { c: _c, ...noOverlap } = h;
    expect(parse(file(noOverlap, 28)).tensors.size).toBe(3); // gaps are allowed
  });
  it('missing tensor', () => {
    const st = readSafetensors(file(ok, 24), 'model.safetensors');
    expectFormatError(() => st.tensor('v'), 'model.safetensors: tensor "v" not found (the file has 1 tensors, e.g. "w")');
    expectFormatError(() => st.f32('v'), 'not found');
  });
});
