// safetensors reader/writer on plain bytes (no DOM, no Node APIs), so it runs in workers, tests and tools.
// Layout: u64 LE header length N, N bytes of UTF-8 JSON header, then the raw little-endian tensor data.
// The engine assumes a little-endian host (as WebGPU buffers do), so aligned data is viewed, not copied.

import { ModelFormatError } from './errors.ts';

export const DTYPE_BYTES = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1,
  F8_E4M3: 1, F8_E5M2: 1, U16: 2, U32: 4, U64: 8,
} as const;
export type SafetensorsDtype = keyof typeof DTYPE_BYTES;

export interface TensorInfo {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte range [begin, end) relative to `dataStart`. */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  /** 8 + header length: the bytes to read before any tensor data. */
  headerBytes: number;
  /** Absolute file offset of the data section (equal to headerBytes). */
  dataStart: number;
  /** In file order (by data offset). */
  tensors: Map<string, TensorInfo>;
  metadata: Record<string, string>;
}

/** Same limit as the Rust safetensors library: a larger header is corruption, not a model. */
const MAX_HEADER_BYTES = 100_000_000;

/** Quote a name or value for an error message, cut short so fuzzed megabyte strings stay readable. */
function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function numel(shape: readonly number[]): number {
  // A zero dimension makes the product 0 even if other dimensions overflow.
  return shape.includes(0) ? 0 : shape.reduce((a, d) => a * d, 1);
}

/**
 * Reads the header length from the first 8 bytes. Use it to learn how many bytes to fetch before calling
 * parseSafetensorsHeader on a large file.
 */
export function safetensorsHeaderBytes(prefix: Uint8Array, fileSize: number, source = 'safetensors file'): number {
  const fail = (msg: string): never => {
    throw new ModelFormatError(`${source}: ${msg}`, { source });
  };
  if (!(fileSize >= 8)) fail(`file is ${fileSize} bytes, too short for a safetensors header (needs 8); the file is empty or truncated`);
  if (prefix.length < 8) fail(`only ${prefix.length} bytes given; pass at least the first 8 bytes of the file`);
  const big = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  const len = Number(big); // may round above 2^53, which does not change the comparisons below
  if (len <= 1) fail(`header length ${big} is too small; this is not a safetensors file`);
  if (len > fileSize - 8) fail(`header length ${big} is larger than the file (${fileSize} bytes); the file is truncated or not a safetensors file`);
  if (len > MAX_HEADER_BYTES) fail(`header length ${big} exceeds the 100 MB limit; the file is corrupt`);
  return 8 + len;
}

/**
 * Parses and validates a safetensors header. `prefix` holds at least the first `headerBytes` bytes of the
 * file (see safetensorsHeaderBytes); `fileSize` is the whole file's size, used to bound the data offsets.
 */
export function parseSafetensorsHeader(prefix: Uint8Array, fileSize: number, source = 'safetensors file'): SafetensorsHeader {
  const fail = (msg: string): never => {
    throw new ModelFormatError(`${source}: ${msg}`, { source });
  };
  const headerBytes = safetensorsHeaderBytes(prefix, fileSize, source);
  if (prefix.length < headerBytes) {
    fail(`only ${prefix.length} bytes given, but the header needs ${headerBytes}; pass the first ${headerBytes} bytes of the file`);
  }
  let json: unknown;
  try {
    // fatal: reject invalid UTF-8 instead of silently inserting U+FFFD; ignoreBOM: a BOM is not valid JSON.
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(prefix.subarray(8, headerBytes));
    json = JSON.parse(text); // trailing space padding is JSON whitespace
  } catch (e) {
    fail(`header is not valid UTF-8 JSON (${e instanceof Error ? e.message : String(e)}); the file is corrupt`);
  }
  if (!isObject(json)) return fail(`header must be a JSON object, got ${show(json)}`);

  const dataSize = fileSize - headerBytes;
  const tensors = new Map<string, TensorInfo>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(json)) {
    if (name === '__metadata__') {
      if (!isObject(entry)) fail(`__metadata__ must be an object of strings, got ${show(entry)}`);
      for (const [k, v] of Object.entries(entry as object)) {
        if (typeof v !== 'string') fail(`__metadata__ must map strings to strings, but ${show(k)} is ${show(v)}`);
      }
      metadata = Object.fromEntries(Object.entries(entry as object)); // own data properties, even "__proto__"
      continue;
    }
    const what = `tensor ${show(name)}`;
    if (!isObject(entry)) return fail(`${what} must be an object with dtype, shape and data_offsets, got ${show(entry)}`);
    const { dtype, shape, data_offsets: offsets } = entry;
    if (typeof dtype !== 'string' || !Object.hasOwn(DTYPE_BYTES, dtype)) {
      return fail(`${what} has ${dtype === undefined ? 'no dtype' : `unknown dtype ${show(dtype)}`} (supported: ${Object.keys(DTYPE_BYTES).join(', ')})`);
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      return fail(`${what} has ${shape === undefined ? 'no shape' : `invalid shape ${show(shape)}`}: it must be an array of non-negative integers`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o))) {
      return fail(`${what} has ${offsets === undefined ? 'no data_offsets' : `invalid data_offsets ${show(offsets)}`}: it must be [begin, end] integers`);
    }
    const [begin, end] = offsets as [number, number];
    if (begin < 0 || begin > end || end > dataSize) {
      return fail(`${what} has data_offsets [${begin},${end}] outside the data section (0..${dataSize} bytes); the file is truncated or corrupt`);
    }
    const dt = dtype as SafetensorsDtype;
    const need = numel(shape) * DTYPE_BYTES[dt];
    if (end - begin !== need) fail(`${what} has ${end - begin} bytes, but shape ${show(shape)} of ${dt} needs ${need}`);
    tensors.set(name, { name, dtype: dt, shape: [...shape], begin, end });
  }

  // Overlap check: in file order, compare with the furthest end so far; empty tensors occupy no bytes.
  const sorted = [...tensors.values()].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let prev: TensorInfo | undefined;
  for (const t of sorted) {
    if (t.end === t.begin) continue;
    if (prev && t.begin < prev.end) {
      fail(`tensor ${show(t.name)} offsets [${t.begin},${t.end}] overlap ${show(prev.name)} [${prev.begin},${prev.end}]`);
    }
    if (!prev || t.end > prev.end) prev = t;
  }
  // Map in file order (JSON.parse would put integer-like names first).
  return { headerBytes, dataStart: headerBytes, tensors: new Map(sorted.map((t) => [t.name, t])), metadata };
}

export interface SafetensorsFile {
  header: SafetensorsHeader;
  /** Raw bytes of a tensor (a view into the input, not a copy). */
  tensor(name: string): Uint8Array;
  /** F32 (viewed when 4-byte aligned), F16, BF16 or F64 converted to f32. */
  f32(name: string): Float32Array;
  /** I32 (viewed when aligned) or I64 narrowed to i32 (throws if a value does not fit). */
  i32(name: string): Int32Array;
}

/** View raw bytes as a typed array; copies when the offset is not aligned to the element size. */
function viewAs<T>(raw: Uint8Array, size: number, make: (b: ArrayBufferLike, off: number, n: number) => T): T {
  if (raw.byteOffset % size === 0) return make(raw.buffer, raw.byteOffset, raw.byteLength / size);
  return make(raw.slice().buffer, 0, raw.byteLength / size);
}

let f16Table: Float32Array | undefined;
/** f16 bits -> f32 value for all 65536 patterns (256 KB, built on first use): one lookup per element. */
function f16ToF32Table(): Float32Array {
  if (f16Table) return f16Table;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const e = (h >> 10) & 31;
    const m = h & 1023;
    t[h] = e === 0 ? sign * m * 2 ** -24 : e === 31 ? (m ? NaN : sign * Infinity) : sign * (1024 + m) * 2 ** (e - 25);
  }
  return (f16Table = t);
}

export function readSafetensors(bytes: ArrayBufferLike | Uint8Array, source = 'safetensors file'): SafetensorsFile {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const header = parseSafetensorsHeader(u8, u8.byteLength, source);
  const info = (name: string): TensorInfo => {
    const t = header.tensors.get(name);
    if (t) return t;
    const names = [...header.tensors.keys()];
    throw new ModelFormatError(
      `${source}: tensor ${show(name)} not found (the file has ${names.length} tensors` +
        `${names.length ? `, e.g. ${show(names[0])}` : ''}); check that the weights match the config`,
      { source },
    );
  };
  const tensor = (name: string): Uint8Array => {
    const t = info(name);
    return u8.subarray(header.dataStart + t.begin, header.dataStart + t.end);
  };
  const wrongType = (t: TensorInfo, want: string): never => {
    throw new ModelFormatError(`${source}: tensor ${show(t.name)} is ${t.dtype}, expected ${want}`, { source });
  };
  return {
    header,
    tensor,
    f32(name) {
      const t = info(name);
      const raw = tensor(name);
      switch (t.dtype) {
        case 'F32':
          return viewAs(raw, 4, (b, o, n) => new Float32Array(b, o, n));
        case 'F64':
          return Float32Array.from(viewAs(raw, 8, (b, o, n) => new Float64Array(b, o, n)));
        case 'F16': {
          const src = viewAs(raw, 2, (b, o, n) => new Uint16Array(b, o, n));
          const lut = f16ToF32Table();
          const out = new Float32Array(src.length);
          for (let i = 0; i < src.length; i++) out[i] = lut[src[i]];
          return out;
        }
        case 'BF16': {
          const src = viewAs(raw, 2, (b, o, n) => new Uint16Array(b, o, n));
          const out = new Uint32Array(src.length);
          for (let i = 0; i < src.length; i++) out[i] = src[i] << 16; // bf16 is the top half of an f32
          return new Float32Array(out.buffer);
        }
        default:
          return wrongType(t, 'F32, F16, BF16 or F64');
      }
    },
    i32(name) {
      const t = info(name);
      const raw = tensor(name);
      if (t.dtype === 'I32') return viewAs(raw, 4, (b, o, n) => new Int32Array(b, o, n));
      if (t.dtype !== 'I64') return wrongType(t, 'I32 or I64');
      const words = viewAs(raw, 4, (b, o, n) => new Int32Array(b, o, n));
      const out = new Int32Array(words.length / 2);
      for (let i = 0; i < out.length; i++) {
        const lo = words[2 * i];
        // Fits in i32 iff the high word is the sign extension of the low word.
        if (words[2 * i + 1] !== lo >> 31) {
          throw new ModelFormatError(`${source}: tensor ${show(t.name)} (I64) has a value outside the int32 range at index ${i}`, { source });
        }
        out[i] = lo;
      }
      return out;
    },
  };
}

export interface TensorToWrite {
  name: string;
  dtype: SafetensorsDtype;
  shape: readonly number[];
  /** Little-endian element bytes; typed arrays are written as their raw bytes. */
  data: Uint8Array | Float32Array | Int32Array | Uint16Array;
}

/** Code-point order, as Python's sorted() and Rust's String order (JS `<` compares UTF-16 units). */
function compareCodePoints(a: string, b: string): number {
  for (let i = 0; i < a.length && i < b.length; ) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    i += x > 0xffff ? 2 : 1;
  }
  return a.length - b.length;
}

/**
 * Writes a safetensors file the way the Python library does (so PEFT and the Python reference load it):
 * `__metadata__` first, tensors in sorted name order with contiguous data in that order, compact JSON header
 * padded with spaces to a multiple of 8 bytes.
 */
export function writeSafetensors(tensors: readonly TensorToWrite[], metadata?: Record<string, string>): Uint8Array {
  const fail = (msg: string): never => {
    throw new ModelFormatError(`cannot write safetensors: ${msg}`);
  };
  const sorted = [...tensors].sort((a, b) => compareCodePoints(a.name, b.name));
  // The header is built as a string, not an object: JS objects reorder integer-like keys and mishandle "__proto__".
  const parts: string[] = [];
  if (metadata && Object.keys(metadata).length) {
    for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') fail(`metadata ${show(k)} is not a string`);
    parts.push(`"__metadata__":${JSON.stringify(metadata)}`);
  }
  let offset = 0;
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const { name, dtype, shape, data } = sorted[i];
    if (name === '__metadata__') fail('"__metadata__" is reserved and cannot be a tensor name');
    if (i > 0 && sorted[i - 1].name === name) fail(`tensor ${show(name)} appears twice`);
    if (!Object.hasOwn(DTYPE_BYTES, dtype)) fail(`tensor ${show(name)} has unknown dtype ${show(dtype)}`);
    if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`tensor ${show(name)} has invalid shape ${show(shape)}`);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const need = numel(shape) * DTYPE_BYTES[dtype];
    if (bytes.length !== need) fail(`tensor ${show(name)} has ${bytes.length} bytes, but shape [${shape.join(',')}] of ${dtype} needs ${need}`);
    parts.push(`${JSON.stringify(name)}:{"dtype":"${dtype}","shape":[${shape.join(',')}],"data_offsets":[${offset},${offset + need}]}`);
    chunks.push(bytes);
    offset += need;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerLen = json.length + ((8 - (json.length % 8)) % 8);
  const out = new Uint8Array(8 + headerLen + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLen), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen); // space padding
  let at = 8 + headerLen;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
