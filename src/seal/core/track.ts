// What a track supplies to the SEAL loop (loop.ts): its items' prompts, the self-edit parser, the data a
// self-edit asks the inner loop to train on, the reward, the baseline conditions of the paper's table, the
// step-through explanations, and the loop's settings. The ARC track (../arc/track.ts) and the knowledge track
// (../knowledge/track.ts) implement it; tests/unit/seal_core.test.ts has a toy one.
import type { LoraAdapter } from '../../engine/model/lora.ts';
import type { Projection } from '../../engine/model/weights.ts';
import type { Sequence } from './batch.ts';
import type { Rollout } from './events.ts';
import type { RestEmSettings } from './rest_em.ts';
import type { Parsed, SamplingSettings } from './sample.ts';

export interface TrackItem {
  id: string;
}

export interface LoopSettings {
  seed: number;
  /** ReST-EM rounds. */
  rounds: number;
  /** Self-edits sampled per training item in the E-step and per held-out item when evaluating. */
  samplesPerTrainItem: number;
  samplesPerEvalItem: number;
  /** TTT runs (seeds) per self-edit whose rewards are averaged before ReST-EM selects. */
  tttSeeds: number;
  sampling: SamplingSettings;
  /**
   * The inner loop's LoRA and batching (its learning rate and epochs come from each plan); `slots`: at most this
   * many inner loops train side by side (adapter slots; 1 = one after another; 0 = auto: one at a time on a CPU
   * adapter, where the work is arithmetic and a shared batch only adds padding, else up to AUTO_SLOTS).
   */
  innerLoop: { loraRank: number; loraAlpha: number; targets: Projection[]; batchSize: number; warmupRatio: number; slots: number };
  restEm: RestEmSettings;
  /** When an M-step diverges (the generator then keeps its weights): go on with the next phase, or stop the run. */
  onFailedRound: 'continue' | 'stop';
}

/** The most inner loops side by side that `slots: 0` (auto) asks for on a GPU. */
export const AUTO_SLOTS = 8;

/** θ' ← SFT(θ, SE): what the inner loop trains on for one self-edit, or why it does not. */
export interface InnerLoopPlan<D> {
  /** Set when the self-edit is not applied (its reward is then 0, with this reason). */
  rejected: string | null;
  sequences: Sequence[];
  epochs: number;
  lr: number;
  /** What the inspector shows about the training data (the track's own payload of the ttt-data event). */
  data: D;
}

/** r(LM_θ'(τ), τ) for one item, with the track's own fields for the rollout record (answers…). */
export interface Score<R extends Rollout> {
  reward: number;
  solved: number;
  total: number;
  reason: string;
  detail: Partial<R>;
}

/**
 * The rows measured on the held-out items before the ReST-EM rounds, in order:
 * - `no-update`: the model as it is, no self-edit (ARC's ICL, knowledge's base model);
 * - `self-edits`: self-edits sampled from the untrained generator, each applied (ARC's "no RL", knowledge's own notes);
 * - `given`: one given self-edit per item (ARC's Oracle TTT, knowledge's passage-only and reference notes).
 */
export type Baseline<Item, Edit> =
  | { kind: 'no-update'; method: string }
  | { kind: 'self-edits'; method: string }
  | { kind: 'given'; method: string; edit: (item: Item) => { edit: Edit; canonical: string } };

export interface Explanations<Item, Edit> {
  noUpdate(item: Item, reward: number, last: boolean): string;
  sampled(item: Item, n: number, valid: number): string;
  innerLoop(item: Item, edit: Edit, steps: number, examples: number, finalLoss: number | null): string;
  evaluated(item: Item, reward: number, role: 'train' | 'eval'): string;
  selected(kept: number, of: number): string;
  sftSkipped(): string;
  /** The M-step diverged (or its adapter was not finite): nothing was merged. */
  sftFailed(round: number, reason: string): string;
  sft(pairs: number, losses: number[]): string;
  merged(round: number): string;
}

export interface Track<Item extends TrackItem, Edit, R extends Rollout, D> {
  name: string;
  settings: LoopSettings;
  baselines: Baseline<Item, Edit>[];
  /**
   * Which scored E-step rollouts the M-step imitates: every rewarded one, or the best of each item when above 0
   * ('best-per-item') or above the mean of the item's rewards ('best-over-mean'); loop.ts select().
   */
  keep: 'rewarded' | 'best-per-item' | 'best-over-mean';
  /** Graded units of an item (ARC: 1 task; knowledge: its questions): a rollout's `total`. */
  units(item: Item): number;
  /** The prompt the generator continues with a self-edit for `item`. */
  selfEditPrompt(item: Item): number[];
  parseSelfEdit(text: string): Parsed<Edit>;
  /** The M-step's (prompt → self-edit) sequence, loss on the self-edit only. */
  sftSequence(item: Item, canonical: string): Sequence;
  /** What of a kept self-edit the M-step imitates (e.g. only its lines that state facts); null or '' drops it. Absent: all of it. */
  sftCompletion?(item: Item, canonical: string): string | null;
  innerLoopPlan(item: Item, edit: Edit, seed: number): InnerLoopPlan<D>;
  /**
   * Scores the model on the item once per seed: with adapter slot z for seeds[z] (adapter.count = seeds.length;
   * the slots in one batch), or as it is (no adapter, one seed).
   */
  score(item: Item, seeds: number[], adapter?: LoraAdapter): Promise<Score<R>[]>;
  /** The track's record for a rollout of `item`, from the core's fields. */
  record(base: Rollout, item: Item, edit: Edit | null): R;
  explain: Explanations<Item, Edit>;
}
