// What a track calls its rows and phases, and the paper's numbers beside them: plain data for the results table,
// the step panel, the charts and the exports on the main thread (no runner code, no UI).
import type { Rollout } from './events.ts';

export interface PhaseLabel {
  phase: string;
  label: string;
  short: string;
}

export interface SelfEditText {
  summary: string;
  text: string;
  full: string;
}

export interface TrackLabels<R extends Rollout = Rollout, C = unknown> {
  /** The paper's table this track reproduces, what its rows measure and what its items are (training, held-out). */
  paperTable: string;
  metric: string;
  items: [string, string];
  /** The mini model shipped with the lab for this track (a folder the app serves). */
  embeddedModel: string;
  /** Display names of its methods (SEAL's rows are named by round). */
  methods: Record<string, string>;
  /** The phases of its loop, in the order the step panel shows them. */
  phases: PhaseLabel[];
  /** The paper's number for a method and round, where it reports one. */
  paper(method: string, round: number): number | null;
  /** A rollout's self-edit in one line (the inspector, the CSV), in full on one line (the CSV) and as the inspector shows it. */
  selfEdit(r: R): SelfEditText;
  /** A run's settings in one line, its seed apart (the history list, the recordings' index). */
  settings(config: C, items: { train: unknown[]; eval: unknown[] }): string;
}

/** "1 round", "2 rounds". */
export const rounds = (n: number) => `${n} round${n === 1 ? '' : 's'}`;
