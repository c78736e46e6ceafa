// A row's 95 % interval, by the bootstrap over its held-out items: the items are drawn again with replacement (an
// item's graded units — a task, a passage's questions over all its self-edits — go together), the row's rate is
// recomputed, and the 2.5th and 97.5th percentiles of the resampled rates bound it. Items, not answers, are the
// unit because answers about one passage are not independent.
import { Rng } from './rng.ts';

export const BOOTSTRAP_SAMPLES = 2000;

export function bootstrapInterval(items: ReadonlyArray<{ solved: number; total: number }>, seed: number, samples = BOOTSTRAP_SAMPLES): [number, number] | null {
  const n = items.length;
  if (!n || !items.some((x) => x.total > 0)) return null;
  const rng = new Rng(seed);
  const rates: number[] = [];
  for (let s = 0; s < samples; s++) {
    let solved = 0;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const x = items[rng.int(n)];
      solved += x.solved;
      total += x.total;
    }
    if (total) rates.push(solved / total);
  }
  rates.sort((a, b) => a - b);
  const at = (q: number) => rates[Math.min(rates.length - 1, Math.max(0, Math.floor(q * rates.length)))];
  return [at(0.025), at(0.975)];
}
