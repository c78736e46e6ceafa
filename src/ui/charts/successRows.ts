// Rows of the success-rate chart: every method (and round) the run covers, with the final rate once its
// method-result arrived, a running rate from its held-out rollouts before that, and the paper's number beside.
import type { MethodResult } from '../../seal/core/events.ts';
import type { TrackName } from '../../seal/tracks.ts';
import type { LabRollout } from '../../store/derive.ts';
import { methodLabel, paperValue } from '../../store/labels.ts';

export interface SuccessRow {
  key: string;
  name: string;
  method: string;
  /** % solved (null: nothing yet). */
  run: number | null;
  paper: number | null;
  solved: number;
  total: number;
  final: boolean;
  /** The final rate's 95 % interval in % (bootstrap over held-out items), and as error-bar lengths below and above. */
  interval: [number, number] | null;
  err: [number, number] | null;
}

/** An interval in % for reading: "52–70 %". */
export const interval = (x: [number, number] | null) => (x ? `${Math.round(x[0])}–${Math.round(x[1])} %` : '–');

export function successRows(track: TrackName, wanted: Array<[string, number]>, methods: readonly MethodResult[], rollouts: readonly LabRollout[]): SuccessRow[] {
  return wanted.map(([method, round]) => {
    const res = methods.find((m) => m.method === method && m.round === round);
    const base = { key: `${method}-${round}`, name: methodLabel(method, round), method, paper: paperValue(track, method, round) };
    if (res) {
      const run = 100 * res.successRate;
      const interval = res.interval ? ([100 * res.interval[0], 100 * res.interval[1]] as [number, number]) : null;
      return { ...base, run, solved: res.solved, total: res.total, final: true, interval, err: interval && [run - interval[0], interval[1] - run] };
    }
    const mine = rollouts.filter((r) => r.method === method && r.round === round && r.role === 'eval' && r.reward !== null);
    const solved = mine.reduce((a, r) => a + r.solved, 0);
    const total = mine.reduce((a, r) => a + r.total, 0);
    return { ...base, run: total ? (100 * solved) / total : null, solved, total, final: false, interval: null, err: null };
  });
}
