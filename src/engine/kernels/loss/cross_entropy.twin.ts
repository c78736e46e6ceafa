// Plain TypeScript twin of cross_entropy_forward / cross_entropy_backward (cross_entropy.ts).

// logits (R, V), targets (R), weights (R) → losses (R), dlogits (R, V)
export function cross_entropy_twin(logits: Float32Array, targets: Int32Array, weights: Float32Array, V: number, gradScale: number) {
  const R = targets.length;
  const losses = new Float32Array(R);
  const dlogits = new Float32Array(R * V);
  for (let r = 0; r < R; r++) {
    if (weights[r] === 0) continue;
    const row = logits.subarray(r * V, (r + 1) * V);
    const mx = Math.max(...row);
    const lse = mx + Math.log(row.reduce((s, x) => s + Math.exp(x - mx), 0));
    losses[r] = weights[r] * (lse - row[targets[r]]);
    for (let c = 0; c < V; c++) dlogits[r * V + c] = weights[r] * gradScale * (Math.exp(row[c] - lse) - (c === targets[r] ? 1 : 0));
  }
  return { losses, dlogits };
}
