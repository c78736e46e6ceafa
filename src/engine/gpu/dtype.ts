// Storage types of frozen weights. Weights stay packed on the GPU exactly as in the file (f16/bf16 two per u32)
// and are unpacked inside the shaders, so shader-f16 is never required. Activations and LoRA are f32.

export type WeightDType = 'f32' | 'f16' | 'bf16';

export const BYTES: Record<WeightDType, number> = { f32: 4, f16: 2, bf16: 2 };

/** WGSL element type of the storage array that holds a tensor of `dtype`. */
export function storageType(dtype: WeightDType | 'f32x4'): string {
  return dtype === 'f32' ? 'array<f32>' : dtype === 'f32x4' ? 'array<vec4<f32>>' : 'array<u32>';
}

/**
 * WGSL functions `ld_<name>(i) -> f32` (element i) and `ld4_<name>(i) -> vec4<f32>` (elements i..i+3, i a
 * multiple of 4) reading the storage array `<name>` of `dtype` ('f32x4': f32 seen as vec4, for aligned runs).
 */
export function loaders(name: string, dtype: WeightDType | 'f32x4'): string {
  switch (dtype) {
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
