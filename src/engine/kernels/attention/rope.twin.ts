// Plain TypeScript twin of one tensor's rotation in rope_forward (sign = 1) / rope_backward (sign = −1) (rope.ts);
// the fused kernel applies it to q and k (and copies v) in one dispatch.

// x (M, NH, D) with M = pos.length, invFreq (D/2) → the rotated copy of x
export function rope_twin(x: Float32Array, pos: ArrayLike<number>, invFreq: Float32Array, NH: number, sign = 1) {
  const half = invFreq.length;
  const D = 2 * half;
  const out = x.slice();
  for (let m = 0; m < pos.length; m++) for (let h = 0; h < NH; h++) for (let i = 0; i < half; i++) {
    const ang = Math.fround(pos[m] * invFreq[i]);
    const [c, s] = [Math.cos(ang), sign * Math.sin(ang)];
    const b = (m * NH + h) * D;
    out[b + i] = x[b + i] * c - x[b + i + half] * s;
    out[b + i + half] = x[b + i + half] * c + x[b + i] * s;
  }
  return out;
}
