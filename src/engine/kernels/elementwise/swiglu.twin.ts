// Plain TypeScript twin of swiglu_forward / swiglu_backward (swiglu.ts).

const sigmoid = (g: number) => 1 / (1 + Math.exp(-g));

// gate, up, dout (n) → out (n), and dgate, dup (n) when dout is given
export function swiglu_twin(gate: Float32Array, up: Float32Array, dout?: Float32Array) {
  const out = gate.map((g, i) => g * sigmoid(g) * up[i]);
  const dgate = dout ? gate.map((g, i) => dout[i] * up[i] * sigmoid(g) * (1 + g * (1 - sigmoid(g)))) : undefined;
  const dup = dout ? gate.map((g, i) => dout[i] * g * sigmoid(g)) : undefined;
  return { out, dgate, dup };
}
