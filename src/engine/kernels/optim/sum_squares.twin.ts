// Plain TypeScript twin of sum_squares_forward (sum_squares.ts): Σ x² of each slice, summed in one pass.

// x (≥ slots · n) → [Σ_{i<n} x[s·n + i]² for each slot s]
export function sum_squares_twin(x: Float32Array, n = x.length, slots = 1): number[] {
  const out: number[] = [];
  for (let s = 0; s < slots; s++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += x[s * n + i] * x[s * n + i];
    out.push(sum);
  }
  return out;
}
