// Plain TypeScript twin of quantize_forward (quantize.ts): same formats, same f16 scale rounding.
import { f16ToF32, f32ToF16Bits, QGROUP, roundEven, type QuantFormat } from '../../gpu/dtype.ts';

const f = Math.fround;

/** Quantises a row-major matrix (length a multiple of 32): code words and f16 scale bits per group. */
export function quantize_twin(w: Float32Array, format: QuantFormat): { q: Uint32Array; scales: Uint16Array } {
  if (w.length % QGROUP) throw new Error(`quantize_twin: ${w.length} elements is not a whole number of groups`);
  const groups = w.length / QGROUP;
  const per = format === 'q8' ? 4 : 8; // codes per u32
  const q = new Uint32Array((groups * QGROUP) / per);
  const scales = new Uint16Array(groups + (groups % 2));
  for (let g = 0; g < groups; g++) {
    let amax = 0;
    let m = 0;
    for (let j = 0; j < QGROUP; j++) {
      const x = w[g * QGROUP + j];
      if (Math.abs(x) > amax) { amax = Math.abs(x); m = x; }
    }
    const d = format === 'q8' ? f(amax / 127) : f(m / -8);
    const bits = f32ToF16Bits(d);
    scales[g] = bits;
    const ds = f16ToF32(new Uint16Array([bits]))[0];
    const inv = ds !== 0 ? f(1 / ds) : 0;
    for (let j = 0; j < QGROUP; j++) {
      const i = g * QGROUP + j;
      const x = f(w[i] * inv);
      const code = format === 'q8' ? Math.min(127, Math.max(-127, roundEven(x))) & 0xff : Math.min(7, Math.max(-8, roundEven(x))) + 8;
      q[Math.floor(i / per)] |= code << ((i % per) * (32 / per));
    }
  }
  return { q, scales };
}
