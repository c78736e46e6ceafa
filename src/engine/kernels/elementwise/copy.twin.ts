// Plain TypeScript twins of copy_forward and fill_forward (copy.ts).
import type { CopyArgs } from './copy.ts';

// dst (rows, ldd) at dstOff ← src (rows, lds) at srcOff, rows × cols elements; the rest of dst untouched
export function copy_twin(dst: Float32Array, src: Float32Array, a: CopyArgs): void {
  const { rows, cols, srcOff = 0, lds = cols, dstOff = 0, ldd = cols } = a;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) dst[dstOff + r * ldd + c] = src[srcOff + r * lds + c];
  }
}

// dst[off .. off + n) ← value (stored as f32)
export function fill_twin(dst: Float32Array, n: number, value = 0, off = 0): void {
  for (let i = 0; i < n; i++) dst[off + i] = value;
}
