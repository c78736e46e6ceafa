// Plain TypeScript twin of lora_merge_forward (lora_merge.ts): W ← W + scale · B·A in W's storage type.
import { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16 } from '../../gpu/dtype.ts';
import type { MergeArgs } from './lora_merge.ts';

// w (rows, cols) from element wOff, updated in place: Float32Array (f32) or Uint16Array bits (f16/bf16, the sum
// rounded to f32 and then to nearest even); lora: flat f32 with A (r, cols) at aOff and B (rows, r) at bOff
export function lora_merge_twin(w: Float32Array | Uint16Array, lora: Float32Array, a: MergeArgs): void {
  const { rows, cols, r, scale, dtype, wOff = 0, aOff, bOff } = a;
  const n = rows * cols;
  const old = dtype === 'f32'
    ? (w as Float32Array).slice(wOff, wOff + n)
    : (dtype === 'bf16' ? bf16ToF32 : f16ToF32)((w as Uint16Array).subarray(wOff, wOff + n));
  const merged = new Float32Array(n);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let d = 0;
      for (let k = 0; k < r; k++) d += lora[bOff + i * r + k] * lora[aOff + k * cols + j];
      merged[i * cols + j] = old[i * cols + j] + scale * d;
    }
  }
  if (dtype === 'f32') (w as Float32Array).set(merged, wOff);
  else (w as Uint16Array).set(dtype === 'bf16' ? f32ToBf16(merged) : f32ToF16(merged), wOff);
}
