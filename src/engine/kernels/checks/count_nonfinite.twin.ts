// Twin of count_nonfinite_forward: the number of NaN/±Inf elements of x[off .. off+n), from the stored bits.
//   x: f32 values (Float32Array) or f16/bf16 bit patterns (Uint16Array)
import type { WeightDType } from '../../gpu/dtype.ts';

export function count_nonfinite_twin(x: Float32Array | Uint16Array, dtype: WeightDType, n = x.length, off = 0): number {
  let count = 0;
  for (let i = off; i < off + n; i++) {
    const v = x[i];
    if (dtype === 'f32') count += Number.isFinite(v) ? 0 : 1;
    else count += dtype === 'bf16' ? (((v >> 7) & 0xff) === 0xff ? 1 : 0) : (((v >> 10) & 0x1f) === 0x1f ? 1 : 0);
  }
  return count;
}
