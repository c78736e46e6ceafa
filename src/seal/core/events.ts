// What a SEAL run tells the UI, as it happens, whatever the track. Every phase of the loop ends with a `phase`
// event (step-through mode stops there and shows `explain`); the other events carry the data for the charts
// and the inspectors. A track adds its own fields to rollouts (`R`) and its own inner-loop data payload (`D`).

/** One sampled (or given) self-edit and what became of it. */
export interface Rollout {
  id: string;
  /** The track that made it (the UI narrows a rollout to its track's record type by this). */
  track: string;
  itemId: string;
  /** The condition it was measured under (a row of the paper's table). */
  method: string;
  round: number;
  /** A ReST-EM training item (E-step) or a held-out evaluation item. */
  role: 'train' | 'eval';
  /** The self-edit: the parser's canonical form, else the raw model output of the last sample. */
  text: string;
  /** Samples drawn until one parsed (1 = first try; 0 = given, not sampled). */
  attempts: number;
  /** Mean reward over the TTT seeds; 0 when the self-edit was not applied; null before it is scored. */
  reward: number | null;
  /** The reward of each TTT seed. */
  rewards: number[];
  /** Graded units solved and in all (ARC: the task; knowledge: its questions), mean over the TTT seeds. */
  solved: number;
  total: number;
  /** Why the reward is what it is (unparsable, over the step cap, solved, wrong answer…). */
  reason: string;
  examples: number;
  steps: number;
  finalLoss: number | null;
  /** Set by the E-step's selection: imitated by the M-step or not. */
  kept?: boolean;
  seconds: number;
}

/** One row of the results table: a condition (and round) over the held-out items. */
export interface MethodResult {
  method: string;
  round: number;
  solved: number;
  total: number;
  successRate: number;
  /** The rate's 95 % interval, by the bootstrap over held-out items (core/interval.ts); absent in older runs. */
  interval?: [number, number] | null;
}

export type SealEvent<R extends Rollout = Rollout, D = unknown> =
  | { type: 'run-start'; track: string; items: { train: string[]; eval: string[] }; config: unknown }
  | { type: 'phase'; phase: string; method: string; round: number; itemId?: string; explain: string }
  | { type: 'rollout'; rollout: R }
  | { type: 'ttt-loss'; rolloutId: string; step: number; loss: number }
  | { type: 'ttt-data'; rolloutId: string; itemId: string; data: D }
  | { type: 'sft-loss'; round: number; step: number; loss: number }
  | { type: 'method-result'; result: MethodResult }
  /** Throughput as the run goes: tokens generated while sampling self-edits, tokens trained on by LoRA. */
  | { type: 'speed'; kind: 'sampling' | 'training'; tokens: number; seconds: number }
  /** Something went wrong that the run survived (a diverged M-step, a skipped condition): shown until the next run. */
  | { type: 'warning'; message: string }
  | { type: 'log'; message: string };
