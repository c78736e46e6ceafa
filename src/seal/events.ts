// What a SEAL run tells the UI, as it happens. Every phase of the loop ends with a `phase` event (the
// step-through mode stops there and shows `explain`); the other events carry the data for the charts, the
// grid viewer and the self-edit inspector.
import type { Grid } from './arc/types.ts';
import type { SelfEdit } from './arc/self_edit.ts';

/** How a success rate was obtained (the paper's Table 1 rows). */
export type Method = 'icl' | 'no-rl' | 'seal' | 'oracle';

export type PhaseName =
  | 'icl' // in-context prediction, no adapter
  | 'sample-self-edit' // SE ~ LM_θ(· | C)
  | 'inner-loop' // θ' ← LoRA-SFT(θ, SE)
  | 'evaluate' // Ans ~ LM_θ'(· | τ), reward r(Ans, τ)
  | 'select' // ReST-EM E-step result: keep rewarded self-edits
  | 'sft' // ReST-EM M-step: fine-tune the generator on kept (prompt, self-edit) pairs
  | 'merge'; // fold the M-step adapter into the base weights

/** One sampled self-edit and what became of it. */
export interface RolloutRecord {
  id: string;
  taskId: string;
  method: Method;
  round: number;
  /** A ReST-EM training task (E-step) or a held-out evaluation task. */
  role: 'train' | 'eval';
  /** Raw model output of the accepted sample (or the last failed one). */
  text: string;
  edit: SelfEdit | null;
  /** Samples drawn until one parsed (1 = first try). */
  attempts: number;
  reward: 0 | 1 | null;
  /** Why the reward is what it is (unparsable, over the step cap, solved, wrong answer…). */
  reason: string;
  examples: number;
  steps: number;
  finalLoss: number | null;
  /** Voted answers (pass@2) per test input, and the truth. */
  answers: Grid[][];
  truth: Grid[];
  kept?: boolean;
  seconds: number;
}

export interface MethodResult {
  method: Method;
  round: number;
  solved: number;
  total: number;
  successRate: number;
}

export type SealEvent =
  | { type: 'run-start'; tasks: { train: string[]; eval: string[] }; config: unknown }
  | { type: 'phase'; phase: PhaseName; method: Method; round: number; taskId?: string; explain: string }
  | { type: 'rollout'; rollout: RolloutRecord }
  | { type: 'ttt-loss'; rolloutId: string; step: number; loss: number }
  | { type: 'ttt-data'; rolloutId: string; taskId: string; stats: Record<string, unknown>; samples: Array<{ input: Grid; output: Grid }> }
  | { type: 'sft-loss'; round: number; step: number; loss: number }
  | { type: 'method-result'; result: MethodResult }
  | { type: 'log'; message: string };
