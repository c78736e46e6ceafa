// Storage types of frozen weights. Weights stay packed on the GPU exactly as in the file (f16/bf16 two per u32)
// and are unpacked inside the shaders, so shader-f16 is never required. Activations and LoRA are f32.
//
// Weight-only quantised matrices (the frozen base, QLoRA-style): a (rows, cols) matrix is cut into groups of
// QGROUP = 32 consecutive elements along each row (cols % 32 == 0), so the flat group index of element i is
// i / 32 in any row-major view. Each group has one scale, stored as f16 (two per u32, unpacked with
// unpack2x16float: no shader-f16 needed). Dequantised value = scale · code.
//   q8: int8 codes in [−127, 127], four per u32 (element i at bits 8·(i % 4)), scale = max|w| / 127.
//   q4: symmetric 4-bit codes in [−8, 7] stored as code + 8, eight per u32 (element i at bits 4·(i % 8)),
//       signed scale = m / −8 where m is the group's value of largest magnitude (llama.cpp Q4_0), so the
//       extreme value is exact and all 16 levels are used.

export type WeightDType = 'f32' | 'f16' | 'bf16';
export type QuantFormat = 'q8' | 'q4';
/** How a weight matrix is stored on the GPU. */
export type MatrixFormat = WeightDType | QuantFormat;

export const BYTES: Record<WeightDType, number> = { f32: 4, f16: 2, bf16: 2 };
export const QGROUP = 32;

export const isQuant = (f: MatrixFormat): f is QuantFormat => f === 'q8' || f === 'q4';

/** Bytes of one row of `cols` elements (the codes only, for quantised formats). */
export function rowBytes(format: MatrixFormat, cols: number): number {
  return format === 'q8' ? cols : format === 'q4' ? cols / 2 : cols * BYTES[format];
}

/** Bytes of the f16 scales of `rows` × `cols` elements (0 for float formats). */
export function scaleBytes(format: MatrixFormat, rows: number, cols: number): number {
  return isQuant(format) ? Math.ceil((rows * cols) / QGROUP / 2) * 4 : 0;
}

/** WGSL element type of the storage array that holds a tensor of `dtype`. */
export function storageType(dtype: MatrixFormat | 'f32x4'): string {
  return dtype === 'f32' ? 'array<f32>' : dtype === 'f32x4' ? 'array<vec4<f32>>' : 'array<u32>';
}

/**
 * WGSL functions `ld_<name>(i) -> f32` (element i) and `ld4_<name>(i) -> vec4<f32>` (elements i..i+3, i a
 * multiple of 4) reading the storage array `<name>` of `dtype` ('f32x4': f32 seen as vec4, for aligned runs).
 */
export function loaders(name: string, dtype: MatrixFormat | 'f32x4'): string {
  switch (dtype) {
    case 'q8': // needs `${name}_s`: the f16 group scales, two per u32. lq4_: codes of elements i..i+3, unscaled.
      return `
fn sc_${name}(g: u32) -> f32 { return unpack2x16float(${name}_s[g >> 1u])[g & 1u]; }
fn ld_${name}(i: u32) -> f32 {
  return f32(bitcast<i32>(${name}[i >> 2u] << (24u - 8u * (i & 3u))) >> 24u) * sc_${name}(i >> 5u);
}
fn lq4_${name}(i: u32) -> vec4<f32> {
  let w = ${name}[i >> 2u];
  return vec4<f32>(vec4<i32>(bitcast<i32>(w << 24u), bitcast<i32>(w << 16u), bitcast<i32>(w << 8u), bitcast<i32>(w)) >> vec4<u32>(24u));
}
fn ld4_${name}(i: u32) -> vec4<f32> { return lq4_${name}(i) * sc_${name}(i >> 5u); }`;
    case 'q4':
      return `
fn sc_${name}(g: u32) -> f32 { return unpack2x16float(${name}_s[g >> 1u])[g & 1u]; }
fn ld_${name}(i: u32) -> f32 {
  return (f32((${name}[i >> 3u] >> (4u * (i & 7u))) & 15u) - 8.0) * sc_${name}(i >> 5u);
}
fn lq4_${name}(i: u32) -> vec4<f32> {
  let w = ${name}[i >> 3u] >> ((i & 4u) * 4u);
  return vec4<f32>((vec4<u32>(w) >> vec4<u32>(0u, 4u, 8u, 12u)) & vec4<u32>(15u)) - 8.0;
}
fn ld4_${name}(i: u32) -> vec4<f32> { return lq4_${name}(i) * sc_${name}(i >> 5u); }`;
    case 'f32x4': // f32 bound as vec4 (offsets and strides 4-aligned): one 16-byte load per run
      return `
fn ld_${name}(i: u32) -> f32 { return ${name}[i >> 2u][i & 3u]; }
fn ld4_${name}(i: u32) -> vec4<f32> { return ${name}[i >> 2u]; }`;
    case 'f32':
      return `
fn ld_${name}(i: u32) -> f32 { return ${name}[i]; }
fn ld4_${name}(i: u32) -> vec4<f32> { return vec4<f32>(${name}[i], ${name}[i + 1u], ${name}[i + 2u], ${name}[i + 3u]); }`;
    case 'bf16':
      return `
fn ld_${name}(i: u32) -> f32 {
  let w = ${name}[i >> 1u];
  return bitcast<f32>(select(w << 16u, w & 0xffff0000u, (i & 1u) == 1u));
}
fn ld4_${name}(i: u32) -> vec4<f32> {
  let a = ${name}[i >> 1u];
  let b = ${name}[(i >> 1u) + 1u];
  return bitcast<vec4<f32>>(vec4<u32>(a << 16u, a & 0xffff0000u, b << 16u, b & 0xffff0000u));
}`;
    case 'f16':
      return `
fn ld_${name}(i: u32) -> f32 { return unpack2x16float(${name}[i >> 1u])[i & 1u]; }
fn ld4_${name}(i: u32) -> vec4<f32> {
  return vec4<f32>(unpack2x16float(${name}[i >> 1u]), unpack2x16float(${name}[(i >> 1u) + 1u]));
}`;
  }
}

/** Converts f32 values to bf16 bits with round-to-nearest-even (what torch's .to(bfloat16) does). */
export function f32ToBf16(x: Float32Array): Uint16Array {
  const u = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const out = new Uint16Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = u[i];
    if ((v & 0x7f800000) === 0x7f800000 && v & 0x7fffff) out[i] = (v >>> 16) | 0x40; // keep NaN a NaN
    else out[i] = (v + 0x7fff + ((v >>> 16) & 1)) >>> 16;
  }
  return out;
}

export function bf16ToF32(x: Uint16Array): Float32Array {
  const u = new Uint32Array(x.length);
  for (let i = 0; i < x.length; i++) u[i] = x[i] << 16;
  return new Float32Array(u.buffer);
}

export function f16ToF32(x: Uint16Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const h = x[i];
    const s = h & 0x8000 ? -1 : 1;
    const e = (h >> 10) & 0x1f;
    const m = h & 0x3ff;
    out[i] = e === 0 ? s * m * 2 ** -24 : e === 31 ? (m ? NaN : s * Infinity) : s * (1 + m / 1024) * 2 ** (e - 15);
  }
  return out;
}

/** f32 → f16 bits, round to nearest even; beyond the f16 range clamps to ±65504 (used for group scales). */
export function f32ToF16Bits(x: number): number {
  const b = new Uint32Array(new Float32Array([x]).buffer)[0];
  return f16BitsOfF32Bits(b);
}

function f16BitsOfF32Bits(b: number): number {
  const sign = (b >>> 16) & 0x8000;
  const a = b & 0x7fffffff;
  if (a >= 0x477ff000) return sign | 0x7bff;
  if (a < 0x38800000) {
    const v = new Float32Array(new Uint32Array([a]).buffer)[0] * 16777216; // units of 2^-24 (exact)
    return sign | roundEven(v);
  }
  const e = (a - 0x38000000) >>> 0;
  return sign | ((e + 0xfff + ((e >>> 13) & 1)) >>> 13);
}

/** The same conversion in WGSL (identical bits). */
export const F16_BITS_WGSL = /* wgsl */ `
fn f16_bits(x: f32) -> u32 {
  let b = bitcast<u32>(x);
  let sign = (b >> 16u) & 0x8000u;
  let a = b & 0x7fffffffu;
  if (a >= 0x477ff000u) { return sign | 0x7bffu; }
  if (a < 0x38800000u) { return sign | u32(round(bitcast<f32>(a) * 16777216.0)); }
  let e = a - 0x38000000u;
  return sign | ((e + 0xfffu + ((e >> 13u) & 1u)) >> 13u);
}`;

/** Round half to even (WGSL's round()). */
export function roundEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** f32 values → f16 bits (round to nearest even, clamped to the finite range). */
export function f32ToF16(x: Float32Array): Uint16Array {
  const u = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const out = new Uint16Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = f16BitsOfF32Bits(u[i]);
  return out;
}
