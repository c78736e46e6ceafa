// Rows of the success-rate chart: every method the run covers (ICL, TTT no-RL, SEAL per round, Oracle), with the
// final rate once its method-result arrived, a running rate from its rollouts before that, and Table 1 beside.
import type { ArcConfig } from '../../seal/arc/config.ts';
import type { Method, MethodResult, RolloutRecord } from '../../seal/events.ts';
import { methodLabel, PAPER_TABLE1 } from '../../store/labels.ts';

export interface SuccessRow {
  key: string;
  name: string;
  method: Method;
  /** % solved (null: nothing yet). */
  run: number | null;
  paper: number | null;
  solved: number;
  total: number;
  final: boolean;
}

type Cfg = Pick<ArcConfig, 'rounds' | 'methods'>;

export function successRows(cfg: Cfg, methods: readonly MethodResult[], rollouts: readonly RolloutRecord[]): SuccessRow[] {
  const wanted: Array<[Method, number]> = [];
  if (cfg.methods.icl) wanted.push(['icl', 0]);
  if (cfg.methods.noRl) wanted.push(['no-rl', 0]);
  for (let r = 1; r <= cfg.rounds; r++) wanted.push(['seal', r]);
  if (cfg.methods.oracle) wanted.push(['oracle', 0]);
  return wanted.map(([method, round]) => {
    const res = methods.find((m) => m.method === method && m.round === round);
    const paper = method === 'seal' && round !== 1 ? null : PAPER_TABLE1[method];
    const base = { key: `${method}-${round}`, name: methodLabel(method, round), method, paper };
    if (res) return { ...base, run: 100 * res.successRate, solved: res.solved, total: res.total, final: true };
    const mine = rollouts.filter((r) => r.method === method && r.round === round && r.role === 'eval');
    const solved = mine.filter((r) => r.reward === 1).length;
    return { ...base, run: mine.length ? (100 * solved) / mine.length : null, solved, total: mine.length, final: false };
  });
}
