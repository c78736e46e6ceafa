// Plain TypeScript twin of rmsnorm_forward / rmsnorm_backward (rmsnorm.ts).

// inp (M, C), w (C) already unpacked to f32 → out (M, C), rstd (M)
export function rmsnorm_forward_twin(inp: Float32Array, w: Float32Array, M: number, C: number, eps: number) {
  const out = new Float32Array(M * C);
  const rstd = new Float32Array(M);
  for (let m = 0; m < M; m++) {
    let ss = 0;
    for (let c = 0; c < C; c++) ss += inp[m * C + c] ** 2;
    rstd[m] = 1 / Math.sqrt(ss / C + eps);
    for (let c = 0; c < C; c++) out[m * C + c] = inp[m * C + c] * rstd[m] * w[c];
  }
  return { out, rstd };
}

// dout, inp (M, C), w (C) → dinp (M, C) (the kernel adds it to its output; this returns the term alone)
export function rmsnorm_backward_twin(dout: Float32Array, inp: Float32Array, w: Float32Array, M: number, C: number, eps: number) {
  const { rstd } = rmsnorm_forward_twin(inp, w, M, C, eps);
  const dinp = new Float32Array(M * C);
  for (let m = 0; m < M; m++) {
    let dot = 0;
    for (let c = 0; c < C; c++) dot += w[c] * dout[m * C + c] * inp[m * C + c];
    const r = rstd[m];
    for (let c = 0; c < C; c++) dinp[m * C + c] = r * w[c] * dout[m * C + c] - (inp[m * C + c] * r ** 3 * dot) / C;
  }
  return dinp;
}
