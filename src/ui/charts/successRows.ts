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
}

/** The rows of an ARC run (Table 1): ICL, TTT no-RL, SEAL per round, Oracle — those the run measures. */
export function arcRows(cfg: { rounds: number; methods: { icl: boolean; noRl: boolean; oracle: boolean } }): Array<[string, number]> {
  const wanted: Array<[string, number]> = [];
  if (cfg.methods.icl) wanted.push(['icl', 0]);
  if (cfg.methods.noRl) wanted.push(['no-rl', 0]);
  for (let r = 1; r <= cfg.rounds; r++) wanted.push(['seal', r]);
  if (cfg.methods.oracle) wanted.push(['oracle', 0]);
  return wanted;
}

/** The rows of a knowledge run: Table 2 (base, passage, own, reference, SEAL per round), then continued pre-training. */
export function knowledgeRows(
  cfg: { rounds: number; cptPassages: number; methods: { base: boolean; passage: boolean; own: boolean; reference: boolean } }, references: boolean,
): { single: Array<[string, number]>; cpt: Array<[string, number]> } {
  const m = cfg.methods;
  const single: Array<[string, number]> = [];
  if (m.base) single.push(['base', 0]);
  if (m.passage) single.push(['passage', 0]);
  if (m.own) single.push(['own', 0]);
  if (m.reference && references) single.push(['reference', 0]);
  for (let r = 1; r <= cfg.rounds; r++) single.push(['seal', r]);
  const cpt: Array<[string, number]> = [];
  if (cfg.cptPassages) {
    cpt.push(['cpt-base', 0], ['cpt-passage', 0]);
    if (m.own) cpt.push(['cpt-own', 0]);
    if (references) cpt.push(['cpt-reference', 0]);
    if (cfg.rounds) cpt.push(['cpt-seal', 0]);
  }
  return { single, cpt };
}

export function successRows(track: TrackName, wanted: Array<[string, number]>, methods: readonly MethodResult[], rollouts: readonly LabRollout[]): SuccessRow[] {
  return wanted.map(([method, round]) => {
    const res = methods.find((m) => m.method === method && m.round === round);
    const base = { key: `${method}-${round}`, name: methodLabel(method, round), method, paper: paperValue(track, method, round) };
    if (res) return { ...base, run: 100 * res.successRate, solved: res.solved, total: res.total, final: true };
    const mine = rollouts.filter((r) => r.method === method && r.round === round && r.role === 'eval' && r.reward !== null);
    const solved = mine.reduce((a, r) => a + r.solved, 0);
    const total = mine.reduce((a, r) => a + r.total, 0);
    return { ...base, run: total ? (100 * solved) / total : null, solved, total, final: false };
  });
}
