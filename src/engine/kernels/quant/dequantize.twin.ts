// Plain TypeScript twin of dequantize_forward (dequantize.ts), from element 0: scale · code per element.
import { f16ToF32, QGROUP, type QuantFormat } from '../../gpu/dtype.ts';

const f = Math.fround;

/** The dequantised matrix: scale · code per element. q: q8/q4 code words, scales: f16 bits per group → (n). */
export function dequantize_twin(q: Uint32Array, scales: Uint16Array, format: QuantFormat, n: number): Float32Array {
  const s = f16ToF32(scales);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const code = format === 'q8'
      ? ((q[i >> 2] >>> (8 * (i & 3))) << 24) >> 24
      : ((q[i >> 3] >>> (4 * (i & 7))) & 15) - 8;
    out[i] = f(code * s[Math.floor(i / QGROUP)]);
  }
  return out;
}
