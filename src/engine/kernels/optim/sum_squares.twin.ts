// Plain TypeScript twin of sum_squares_forward (sum_squares.ts): Σ x², summed in one pass.

// x (≥ n) → Σ_{i<n} x[i]²
export function sum_squares_twin(x: Float32Array, n = x.length): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i] * x[i];
  return s;
}
